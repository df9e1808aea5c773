"""Where an instance learns that it is going: its metadata service (IMDSv2).

- `autoscaling/target-lifecycle-state` reads `Terminated` once Auto Scaling is terminating
  the instance (scale-in, a replacement) and holds it in Terminating:Wait for the hook;
- `spot/instance-action` exists once EC2 reclaims a spot instance (two minutes' notice).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

IMDS = "http://169.254.169.254/latest"


@dataclass(frozen=True)
class Notice:
    kind: str  # "terminating" or "spot"
    detail: str


class MetadataService:
    def __init__(self, base: str = IMDS, timeout_s: float = 2.0) -> None:
        self.base = base
        self.timeout_s = timeout_s

    def _token(self) -> str:
        request = urllib.request.Request(  # noqa: S310 - the fixed link-local IMDS address
            f"{self.base}/api/token",
            method="PUT",
            headers={"X-aws-ec2-metadata-token-ttl-seconds": "60"},
        )
        with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:  # noqa: S310
            return answer.read().decode()

    def read(self, path: str) -> str | None:
        """The value at `path`, None where the service has none (404)."""
        request = urllib.request.Request(  # noqa: S310 - the fixed link-local IMDS address
            f"{self.base}/meta-data/{path}", headers={"X-aws-ec2-metadata-token": self._token()}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as answer:  # noqa: S310
                return answer.read().decode().strip()
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise


def pending_notice(metadata: MetadataService) -> Notice | None:
    """The notice the instance has, if any; a spot reclaim first (it leaves less time)."""
    action = metadata.read("spot/instance-action")
    if action:
        found = json.loads(action)
        return Notice("spot", f"spot {found.get('action', 'stop')} at {found.get('time', '?')}")
    state = metadata.read("autoscaling/target-lifecycle-state")
    if state == "Terminated":
        return Notice("terminating", "Auto Scaling terminates this instance")
    return None
