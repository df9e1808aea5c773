"""platformctl: the one entry point behind `make plan|apply|destroy|up|down|bootstrap`.

Every verb takes --env (ENV= in make). Errors a user can fix are one line on stderr and
exit status 2; nothing here prints a traceback for bad input.
"""

from __future__ import annotations

import argparse
import sys

import yaml

from platformctl import local
from platformctl.environments import ENVIRONMENTS, get_environment
from platformctl.errors import PlatformError
from platformctl.secrets import SECRET_GENERATORS, ensure_secrets


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="platformctl", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    helps = {
        "plan": "show what apply would change (Terraform plan / Ansible check mode)",
        "apply": "create or update the environment's hosts and configure them",
        "provision": "create or update the hosts, their inventory and secrets; configure nothing",
        "up": "apply, then print how to reach the platform",
        "destroy": "remove the environment's hosts",
        "down": "same as destroy",
        "bootstrap": "create the Terraform state bucket and lock for an AWS environment",
        "inventory": "write the Ansible inventory from Terraform outputs",
        "workers": "emulated AWS: hosts for the worker groups' instances (boot new, drain gone)",
    }
    for verb, text in helps.items():
        cmd = sub.add_parser(verb, help=text)
        cmd.add_argument("--env", default="local", help=f"one of {', '.join(ENVIRONMENTS)}")
        cmd.add_argument(
            "--with",
            dest="features",
            default="",
            help="optional hosts to enable, comma-separated (local: weaviate)",
        )
    secret = sub.add_parser("secret", help="print one generated secret of an environment")
    secret.add_argument("key", help=f"one of {', '.join(SECRET_GENERATORS)}")
    secret.add_argument("--env", default="local")
    return parser.parse_args(argv)


def _features(raw: str) -> list[str]:
    return [f.strip() for f in raw.replace(" ", ",").split(",") if f.strip()]


def _secret(env: str, key: str) -> int:
    if env != "local":
        # Cloud environments keep them in the Secrets Manager secret Terraform made.
        from platformctl import cloud

        print(cloud.secret(env, key))
        return 0
    if key not in SECRET_GENERATORS:
        raise PlatformError(f"unknown secret '{key}': choose one of {', '.join(SECRET_GENERATORS)}")
    values, _ = ensure_secrets(local.secrets_file())
    print(values[key])
    return 0


def dispatch(args: argparse.Namespace) -> int:
    env = get_environment(args.env)
    if args.verb == "secret":
        return _secret(env.name, args.key)
    verb = {"down": "destroy"}.get(args.verb, args.verb)
    if env.hosts_from == "podman":
        features = _features(args.features)
        if verb == "provision":
            local.provision(features)
            return 0
        if verb in ("apply", "up"):
            code = local.apply(features)
            if verb == "up":
                print(local.summary())
            return code
        if verb == "plan":
            return local.plan(features)
        if verb == "destroy":
            return local.destroy()
        raise PlatformError(
            f"'{args.verb}' is for Terraform environments; ENV=local has no {args.verb}"
        )
    # Terraform environments: the wrapper lives in platformctl.terraform.
    from platformctl import terraform

    return terraform.run("apply" if verb == "up" else verb, env.name)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    try:
        return dispatch(args)
    except PlatformError as err:
        print(f"platformctl: error: {err}", file=sys.stderr)
        return 2
    except yaml.YAMLError as err:
        print(f"platformctl: error: a YAML file could not be read: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("platformctl: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
