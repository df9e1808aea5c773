"""python -m services.worker_lifecycle drain|watch: a worker's termination handler.

`watch` (a systemd service on the workers of an Auto Scaling group) polls the metadata
service and drains on the first notice; `drain` drains now (what `watch` does, given the
notice by hand: emulated AWS delivers its notices this way).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from services.worker_lifecycle.drain import drain
from services.worker_lifecycle.notices import MetadataService, Notice, pending_notice

# Spot gives two minutes; the drain must end before the instance does.
SPOT_TIMEOUT_S = 100


def _completer(args: argparse.Namespace):
    if not args.lifecycle_hook:
        return None

    def complete() -> str:
        import boto3

        boto3.client("autoscaling").complete_lifecycle_action(
            LifecycleHookName=args.lifecycle_hook,
            AutoScalingGroupName=args.group,
            InstanceId=args.instance_id,
            LifecycleActionResult="CONTINUE",
        )
        return f"completed the lifecycle hook {args.lifecycle_hook} (CONTINUE)"

    return complete


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="worker_lifecycle", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="verb", required=True)
    for verb in ("drain", "watch"):
        cmd = sub.add_parser(verb)
        cmd.add_argument("--timeout-s", type=int, default=3600)
        cmd.add_argument("--lifecycle-hook", default="", help="the termination hook to complete")
        cmd.add_argument("--group", default="", help="the instance's Auto Scaling group")
        cmd.add_argument("--instance-id", default="")
    sub.choices["drain"].add_argument("--reason", required=True)
    sub.choices["watch"].add_argument("--poll-s", type=float, default=5.0)
    args = parser.parse_args(argv)
    if args.lifecycle_hook and not (args.group and args.instance_id):
        parser.error("--lifecycle-hook needs --group and --instance-id")
    if args.timeout_s < 1:
        parser.error(f"--timeout-s must be at least 1, not {args.timeout_s}")
    return args


def watch(
    metadata: MetadataService,
    poll_s: float,
    on_notice: Callable[[Notice], None],
    *,
    sleep: Callable[[float], None] = time.sleep,
    log: Callable[[str], None] = print,
) -> None:
    """Poll for a notice until one comes, then hand it to `on_notice`. A metadata service
    that does not answer (not an EC2 instance: emulated AWS hands notices to `drain`) is
    said once; the watch goes on, so the service stays up as on an instance."""
    log("worker-lifecycle: watching for termination and spot notices")
    unanswered = False
    while True:
        try:
            notice = pending_notice(metadata)
        except OSError as error:
            if not unanswered:
                log(f"worker-lifecycle: no metadata service answers ({error}); still watching")
            unanswered, notice = True, None
        if notice is not None:
            on_notice(notice)
            return
        sleep(poll_s)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    if args.verb == "drain":
        drain(args.reason, args.timeout_s, complete=_completer(args))
        return 0

    def on_notice(notice: Notice) -> None:
        spot = notice.kind == "spot"
        timeout = min(args.timeout_s, SPOT_TIMEOUT_S) if spot else args.timeout_s
        drain(notice.detail, timeout, complete=_completer(args))

    watch(MetadataService(), args.poll_s, on_notice, log=lambda line: print(line, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
