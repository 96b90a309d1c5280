"""python -m gosim sizeclasses and python -m gosim alloc."""

from __future__ import annotations

import subprocess
import sys

import pytest

from gosim.alloc import sizeclasses
from gosim.cli import main


def test_sizeclasses_prints_a_header_then_67_rows(capsys):
    assert main(["sizeclasses"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["class", "bytes/obj", "bytes/span", "objects", "tail_waste", "max_waste_pct"]
    assert len(lines) == 68
    assert lines[1].split() == ["1", "8", "8192", "1024", "0", "87.50"]
    assert lines[-1].split() == ["67", "32768", "32768", "1", "0", "12.50"]
    assert [int(line.split()[1]) for line in lines[1:]] == sizeclasses.SizeClassToSize()[1:]


def test_alloc_prints_runtime_metrics_names(capsys):
    assert main(["alloc", "--workload", "allocseq", "--scale", "0.05", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    for name in ("/gc/heap/allocs:objects", "/gc/heap/tiny/allocs:objects", "/memory/classes/heap/objects:bytes",
                 "/memory/classes/heap/unused:bytes", "/gc/heap/allocs-by-size:bytes", "pages in use"):
        assert name in out
    assert "gomaxprocs 1  seed 3  mallocgc calls 2500" in out


def test_alloc_seed_program_is_one_large_object(capsys):
    assert main(["alloc", "--workload", "seed", "--gomaxprocs", "4"]) == 0
    out = capsys.readouterr().out
    assert "large [32769,+Inf) 1" in out and "pages in use                             1280 (10MiB)" in out


@pytest.mark.parametrize("args, word", [
    (["--workload", "nope"], "workload must be one of"), (["--workload", "seed", "--gomaxprocs", "0"], "gomaxprocs"),
    (["--workload", "seed", "--gomaxprocs", "x"], "gomaxprocs"), (["--workload", "seed", "--seed", "-1"], "seed"),
    (["--workload", "seed", "--scale", "1000"], "scale must be from 0.001 to 100"), ([], "--workload"),
])
def test_alloc_bad_input_exits_2_with_a_message(args, word, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["alloc", *args])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "usage:" in err and word in err


def test_commands_run_as_a_module():
    out = subprocess.run([sys.executable, "-m", "gosim", "sizeclasses"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and len(out.stdout.splitlines()) == 68
