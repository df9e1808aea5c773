# Social-media automation sample: the gateway, the Airtable calendar, the pipeline (issue 6).
#
#   make test-social          the gateway, Airtable client and pipeline tests, on their own
#   make serve-social-gateway   run the gateway on 127.0.0.1:8710 from SOCIAL_GATEWAY_* settings
#   make bench-social    clips rendered per minute vs the same ffmpeg command run directly
#                        -> bench/results/social.json
#   make molecule-social_gateway   the gateway's role (part of make test): two containers, the
#                        gateway from the Python host image (make image-python)
#   make molecule-saas_standins   the local stand-ins of Airtable and of a webhook platform
#                        (part of make test; the local platform's e2e test uses them)

BENCH_TARGETS += bench-social
MOLECULE_SCENARIOS += social_gateway saas_standins

.PHONY: test-social serve-social-gateway bench-social

test-social: _require_venv
	cd $(ROOT) && $(PY) -m pytest -q tests/social_media_automation \
	  tests/integrations/test_custom_api_gateway.py tests/integrations/test_airtable_calendar.py

serve-social-gateway: _require_venv
	cd $(ROOT) && $(PY) -m integrations.custom_api serve

bench-social: _require_venv
	cd $(ROOT) && $(PY) bench/social_render.py --out bench/results/social.json
