"""The one error the toolchain bridge raises: something about the real Go tools went wrong."""

from __future__ import annotations


class GoToolchainError(RuntimeError):
    """A Go tool is missing, failed, or was given a program it could not build.

    ``file`` and ``line`` name the first Go source position the tool complained about
    (relative to the program's directory), when there is one.
    """

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None):
        super().__init__(message)
        self.file = file
        self.line = line
