"""The `micrograd-tips` command line (placeholder until the demos land)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print("micrograd-tips: demos are not written yet", file=sys.stderr)
    return 2
