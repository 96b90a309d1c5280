"""``python -m gosim <command>``: argument parsing and printing only; the work is in the models.

Bad input ends with argparse's usage line, a message naming the parameter and its valid range, and exit code 2.
"""

from __future__ import annotations

import argparse
import os
import sys

from . import boot


def _gomaxprocs(text: str) -> int:
    try:
        return boot.check_gomaxprocs(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _cmd_boot(args: argparse.Namespace) -> int:
    result = boot.boot(args.go, args.gomaxprocs)
    steps = result.steps[: len(result.chain())]
    for step in steps:
        if args.verbose:
            print(f"{step.function:<40} {step.file:<28} {step.does}")
        else:
            print(step.function)
    print()
    print(boot.summary(result, "main.main"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gosim", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    p = sub.add_parser("boot", help="the boot chain from the ELF entry to main.main, and the runtime's state")
    p.add_argument("--go", choices=boot.VERSIONS, default="current",
                   help="today's runtime (the installed go1.27) or the seed's Go 1.10 (default: current)")
    p.add_argument("--gomaxprocs", type=_gomaxprocs, default=4, metavar="N",
                   help=f"number of Ps, 1..{boot.GOMAXPROCS_LIMIT} (default 4, a constant, not this machine's CPUs)")
    p.add_argument("-v", "--verbose", action="store_true", help="show each step's file and what it does")
    p.set_defaults(func=_cmd_boot)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ValueError as exc:
        parser.error(str(exc))
    except BrokenPipeError:  # `python -m gosim boot | head`
        sys.stdout = open(os.devnull, "w")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
