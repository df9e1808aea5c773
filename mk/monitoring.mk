# The monitoring host's tooling on the controller (roles monitoring and node_exporter; their
# scenarios run with every other one in `make molecule`). promtool and amtool come from
# Debian's packages, unpacked into .cache/tools/bin without installing the packages (that
# would start a Prometheus server here); `make lint` checks and unit-tests the alert rules.

PROMTOOL := $(ROOT)/.cache/tools/bin/promtool

SETUP_TARGETS += monitoring-tools

.PHONY: monitoring-tools lint-alert-rules

##@ Monitoring
monitoring-tools: ## promtool and amtool from Debian's packages into .cache/tools/bin (not the servers)
	@bash $(ROOT)/scripts/install-monitoring-tools.sh $(ROOT)/.cache/tools/bin

lint-alert-rules: ## promtool check rules and test rules over the monitoring role's alert rules (part of make lint)
	@PROMTOOL=$(PROMTOOL) bash $(ROOT)/scripts/check-alert-rules.sh
