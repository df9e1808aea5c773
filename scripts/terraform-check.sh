#!/usr/bin/env bash
# The offline Terraform checks behind make tf-validate, tf-test and tf-test-envs:
#
#   validate   terraform validate in every root (terraform/roots/*), initialised without a
#              backend: platformctl never uses these .terraform directories (it runs with
#              TF_DATA_DIR=terraform/environments/<env>/.terraform)
#   test       terraform test in every module (terraform/modules/*), against the mock provider
#   test-envs  the AWS root's policy tests, then its environment test planned with each
#              environment's tfvars (emulated's too), against the mock provider
#
# Providers come from TF_PLUGIN_DIR when it is set (the build machines carry a filesystem
# mirror; see terraform/README.md).
#
#   scripts/terraform-check.sh validate|test|test-envs
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tf="$root/terraform"
init=(terraform init -input=false -backend=false -no-color)
[[ -n "${TF_PLUGIN_DIR:-}" ]] && init+=("-plugin-dir=$TF_PLUGIN_DIR")

case "${1:-}" in
  validate)
    for dir in "$tf"/roots/*/; do
      echo "== validate ${dir#"$root"/}"
      (cd "$dir" && "${init[@]}" >/dev/null && terraform validate -no-color)
    done
    ;;
  test)
    for dir in "$tf"/modules/*/; do
      echo "== terraform test ${dir#"$root"/}"
      (cd "$dir" && "${init[@]}" >/dev/null && terraform test -no-color)
    done
    ;;
  test-envs)
    cd "$tf/roots/aws"
    "${init[@]}" >/dev/null
    echo "== terraform test terraform/roots/aws (policy)"
    terraform test -no-color -filter=tests/policy.tftest.hcl
    for vars in "$tf"/environments/*/*.tfvars; do
      echo "== terraform test terraform/roots/aws -var-file=${vars#"$root"/}"
      terraform test -no-color -filter=tests/environment.tftest.hcl -var-file="$vars"
    done
    ;;
  *)
    echo "usage: $0 validate|test|test-envs" >&2
    exit 2
    ;;
esac
