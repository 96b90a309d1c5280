"""python -m gosim boot [--go current|1.10] [--gomaxprocs N] [-v]"""

from __future__ import annotations

import argparse

from .. import boot
from ..cli import checked


def run(args: argparse.Namespace) -> int:
    result = boot.boot(args.go, args.gomaxprocs)
    for step in result.steps[: len(result.chain())]:
        print(f"{step.function:<40} {step.file:<28} {step.does}" if args.verbose else step.function)
    print()
    print(boot.summary(result, "main.main"))
    return 0


def register(sub) -> None:
    p = sub.add_parser("boot", help="the boot chain from the ELF entry to main.main, and the runtime's state")
    p.add_argument("--go", choices=boot.VERSIONS, default="current",
                   help="today's runtime (the installed go1.27) or the seed's Go 1.10 (default: current)")
    p.add_argument("--gomaxprocs", type=checked(boot.check_gomaxprocs), default=4, metavar="N",
                   help=f"number of Ps, 1..{boot.GOMAXPROCS_LIMIT} (default 4, a constant, not this machine's CPUs)")
    p.add_argument("-v", "--verbose", action="store_true", help="show each step's file and what it does")
    p.set_defaults(func=run)
