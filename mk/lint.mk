# Linters and generated documentation. `make lint` runs the same checks as the pre-commit
# hooks (.pre-commit-config.yaml), offline. `make docs` rewrites the tables that READMEs carry
# between generated markers (Terraform modules' inputs/outputs, roles' variables); pytest
# (tests/terraform/test_docs.py, tests/ansible/test_role_docs.py) fails when one is stale.

.PHONY: lint docs

##@ Lint and generated docs
lint: _require_venv ## ruff, ruff format, yamllint, ansible-lint (production), playbook syntax, alert rules
	cd $(ROOT) && ruff check .
	cd $(ROOT) && ruff format --check .
	cd $(ROOT) && yamllint --strict .
	cd $(ROOT)/ansible && ansible-lint --offline --profile production . ../molecule
	cd $(ROOT)/ansible && ansible-playbook -i localhost, --syntax-check playbook.yml provision_local.yml
	cd $(ROOT) && bash scripts/check-alert-rules.sh

docs: _require_venv ## Regenerate the README tables: Terraform modules' inputs/outputs, roles' variables
	cd $(ROOT) && $(PY) -m platformctl.terraform_docs
	cd $(ROOT) && $(PY) scripts/role_docs.py
