# The social-media automation sample (samples/social_media_automation/): the posting gateway,
# the Airtable calendar client and the pipeline. Its roles' scenarios (social_gateway,
# saas_standins) run with every other scenario in `make molecule`.

BENCH_TARGETS += bench-social

.PHONY: test-social serve-social-gateway bench-social

##@ Sample: social-media automation
test-social: _require_venv ## The gateway, Airtable client and pipeline tests, on their own
	cd $(ROOT) && $(PY) -m pytest -q tests/social_media_automation \
	  tests/services tests/integrations/test_airtable_calendar.py

serve-social-gateway: _require_venv ## Run the gateway on 127.0.0.1:8710 from SOCIAL_GATEWAY_* settings
	cd $(ROOT) && $(PY) -m services.social_gateway serve

bench-social: _require_venv ## Clips rendered per minute vs the same ffmpeg command run directly -> bench/results/social.json
	cd $(ROOT) && $(PY) bench/social_render.py --out bench/results/social.json
