# Video archive sample (issue 4).
#
#   make bench-video-archive   scan throughput vs ffprobe alone, rescan of 10,000 unchanged
#                              files, peak memory of a 10,000-file scan, search p95 over
#                              100,000 items vs a numpy scan -> bench/results/video_archive.json
#                              (the 10,000-file scan alone takes 5-25 min on 2 shared cores;
#                              one part again: .venv/bin/python bench/video_archive.py --parts search)
#
# The tests live in tests/video_archive and tests/integrations and run with `make test`
# (PostgreSQL/ffmpeg-heavy ones are marked slow).

# The video-archive group is pinned in requirements/dev.lock, so `make setup` (venv) installs
# it with everything else.
BENCH_TARGETS += bench-video-archive

.PHONY: bench-video-archive

bench-video-archive: venv
	cd $(ROOT) && HF_HUB_OFFLINE=1 $(PY) bench/video_archive.py
