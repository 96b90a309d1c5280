"""Shared fixtures: the programs the tests build, once per session."""

from __future__ import annotations

import shutil

import pytest

from gosim import toolchain as tc

needs_gdb = pytest.mark.skipif(
    shutil.which("gdb") is None,
    reason="gdb is not installed: apt-get install gdb (make install does it when run as root)",
)


@pytest.fixture(scope="session")
def hello():
    """The seed's hello world, built as the seed built it for gdb (-gcflags "-N -l")."""
    return tc.build("hello", gcflags="-N -l")


@pytest.fixture
def make_module(tmp_path):
    """Write a throwaway Go module: make_module({"main.go": "..."}) -> its directory."""

    def make(files: dict[str, str], module: str = "example") -> str:
        (tmp_path / "go.mod").write_text(f"module {module}\n\ngo 1.27\n")
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return str(tmp_path)

    return make
