# Video archive web service, its browser tests, the ingress (issue 5).
#
#   make setup-browser   npm ci of playwright-core in tests/web/browser (never downloads a browser:
#                        the tests drive Debian's /usr/bin/chromium)
#   make test-web        the web service's tests (API, schemathesis, browser), on their own
#   make serve-web       run the service on 127.0.0.1:8700 against VIDEO_ARCHIVE_* settings
#   make bench-web       search API p95 at 20 clients over 100,000 items, first grid page time

BROWSER_DIR := $(ROOT)/tests/web/browser

SETUP_TARGETS += setup-browser
BENCH_TARGETS += bench-web
MOLECULE_SCENARIOS += ingress video_archive

.PHONY: setup-browser test-web serve-web bench-web

setup-browser:
	@command -v npm >/dev/null || { echo "[browser] installing Debian's npm"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends npm >/dev/null; }
	cd $(BROWSER_DIR) && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error

test-web: _require_venv
	cd $(ROOT) && $(PY) -m pytest -q tests/web

serve-web: _require_venv
	cd $(ROOT) && $(PY) -m samples.video_archive.web serve

bench-web: _require_venv
	cd $(ROOT) && $(PY) bench/web_search.py --out bench/results/web.json
