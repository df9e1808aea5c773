# The video archive sample (samples/video_archive/): its benchmarks, and its web service with
# the browser tests. The tests live in tests/video_archive, tests/web and tests/integrations
# and run with `make test` (PostgreSQL- and ffmpeg-heavy ones are marked slow); the sample's
# Python packages are in requirements/dev.lock, so `make setup` (venv) installs them.

BROWSER_DIR := $(ROOT)/tests/web/browser

SETUP_TARGETS += setup-browser
BENCH_TARGETS += bench-video-archive bench-web bench-silver bench-vector-index bench-graph-upkeep \
                bench-graph-scale

.PHONY: setup-browser test-web serve-web bench-web bench-video-archive bench-silver bench-vector-index \
        bench-graph-upkeep bench-graph-scale

##@ Sample: video archive
# playwright-core only; the tests drive Debian's /usr/bin/chromium, so no browser is downloaded.
# Debian's npm is installed only when npm is missing: it conflicts with a nodejs that bundles
# its own npm (NodeSource's, for example).
setup-browser: ## npm ci of playwright-core in tests/web/browser (never downloads a browser)
	@command -v npm >/dev/null || { echo "[browser] installing Debian's npm"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends npm >/dev/null; }
	cd $(BROWSER_DIR) && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error

test-web: _require_venv ## The web service's tests (API, schemathesis, browser), on their own
	cd $(ROOT) && $(PY) -m pytest -q tests/web

serve-web: _require_venv ## Run the web service on 127.0.0.1:8700 from VIDEO_ARCHIVE_* settings
	cd $(ROOT) && $(PY) -m samples.video_archive.web serve

bench-web: _require_venv ## Web search over 100,000 items per mode: closed/open loop, 10-min soak, relevance, py-spy profile -> bench/results/web.json (~30 min)
	cd $(ROOT) && $(PY) bench/web_search.py --out bench/results/web.json

# The 10,000-file scan alone takes 5-25 min on 2 shared cores; one part again:
# .venv/bin/python bench/video_archive.py --parts search
bench-video-archive: venv ## Scan throughput, rescan, scan memory, search p95 -> bench/results/video_archive.json
	cd $(ROOT) && HF_HUB_OFFLINE=1 $(PY) bench/video_archive.py

# 24 clips of 12 s, derived once by one worker and once by two: a few minutes on 2 cores.
# A quick check (keep it out of the results): .venv/bin/python bench/video_archive_silver.py
#   --clips 4 --duration 2 --batch-size 1 --out /tmp/silver.json
bench-silver: _require_venv ## Silver assets/min, two workers vs one (target >= 1.5x) -> bench/results/video_archive_silver.json
	cd $(ROOT) && $(PY) bench/video_archive_silver.py

# Synthetic vectors (not embeddings); ~25 min on 2 cores. A quick check (keep it out of the
# results): .venv/bin/python bench/vector_index.py --vectors 30000 --clusters 100 --out /tmp/vi.json
bench-vector-index: _require_venv ## ANN sweep over 1,000,000 vectors: recall@10, p95, build time and memory, fold-in -> bench/results/vector_index.json
	cd $(ROOT) && $(PY) bench/vector_index.py

# Reads the real embeddings bench-web keeps in .cache/bench (run bench-web once first).
bench-graph-upkeep: _require_venv ## Semantic graph: each gold run's sync against a build, recall as deletions accumulate -> bench/results/graph_upkeep.json
	cd $(ROOT) && $(PY) bench/graph_upkeep.py

bench-graph-scale: _require_venv ## Semantic graph over 1,000,000 synthetic vectors: build time, memory, recall@10 vs p95 per beam -> bench/results/graph_scale.json
	cd $(ROOT) && $(PY) bench/graph_scale.py
