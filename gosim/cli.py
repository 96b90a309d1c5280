"""``python -m gosim <command>``: argument parsing and printing only; the work is in the models.

Each command lives in its own module in `gosim.commands`. Bad input ends with argparse's usage line, a message
naming the parameter and its valid range, and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Callable


# Set by gosim/__main__.py, which ends the process with os._exit once the command returns: a command may then
# leave what it made to the process's end (`keep` holds it) instead of freeing it.
fast_exit = False
keep: list = []


def checked(validate: Callable[[str], object]) -> Callable[[str], object]:
    """An argparse ``type=`` from a model's validator: its ValueError becomes argparse's usage error."""

    def convert(text: str) -> object:
        try:
            return validate(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = getattr(validate, "__name__", "value")
    return convert


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser with every command, or only the one ``argv`` names (importing every model costs ~0.3 s)."""
    from . import commands

    parser = argparse.ArgumentParser(prog="python -m gosim", description="gosim: the Go runtime, executed")
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")
    names = sorted(f[:-3] for f in os.listdir(commands.__path__[0]) if f.endswith(".py") and not f.startswith("_"))
    if argv and argv[0] in names:
        names = [argv[0]]
    for name in names:
        importlib.import_module(f"{commands.__name__}.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
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
