"""gosim.toolchain.procmem: /proc/self/status, the memrss and allocmix programs' output, whole GOROOT files."""

from __future__ import annotations

import json

import pytest

from gosim import toolchain as tc
from gosim.alloc import sizeclasses as sc
from gosim.toolchain import source_file
from gosim.toolchain.procmem import Mapping, parse_allocs_by_size, parse_memrss, parse_status

STATUS = """Name:\tmemrss
Umask:\t0022
State:\tR (running)
VmPeak:\t 1227224 kB
VmSize:\t 1227144 kB
VmRSS:\t    2196 kB
Threads:\t4
SigIgn:\t0000000000000000
"""

MEMRSS = """mem step=1 what=start touched=0 VmSize=1227144 VmRSS=2196
heap addr=0x37e389480000
mem step=2 what=new touched=0 VmSize=1227144 VmRSS=2312
map lo=0x37e388000000 hi=0x37e389400000 perm=---p kb=20480
map lo=0x37e389400000 hi=0x37e38a400000 perm=rw-p kb=16384
mem step=3 what=touch touched=1048576 VmSize=1227144 VmRSS=3340
mem step=4 what=collected touched=1048576 VmSize=1227536 VmRSS=3400
mem step=5 what=released touched=1048576 VmSize=1227544 VmRSS=2720
"""


def test_parse_status_keeps_the_sizes():
    fields = parse_status(STATUS)
    assert fields == {"VmPeak": 1227224, "VmSize": 1227144, "VmRSS": 2196}


def test_parse_status_live():
    with open("/proc/self/status") as f:
        fields = parse_status(f.read())
    assert fields["VmSize"] >= fields["VmRSS"] > 0


def test_parse_memrss_recorded():
    run = parse_memrss(MEMRSS)
    assert [s.what for s in run.samples] == ["start", "new", "touch", "collected", "released"]
    assert run.sample("touch").touched == 1 << 20 and run.sample("new").vmrss_kb == 2312
    assert run.heap_addr == 0x37E389480000
    assert run.mappings == (Mapping(0x37E388000000, 0x37E389400000, "---p"),
                            Mapping(0x37E389400000, 0x37E38A400000, "rw-p"))
    assert run.mappings[0].reserved_only and run.mappings[1].size == 16 << 20
    assert run.arrays()["vmrss_kb"] == [2196, 2312, 3340, 3400, 2720]
    with pytest.raises(KeyError, match="no 'gone' step"):
        run.sample("gone")


def test_parse_memrss_rejects_other_output():
    with pytest.raises(tc.GoToolchainError, match="no 'mem step=...' lines"):
        parse_memrss("hello, world\n")


def test_parse_allocs_by_size():
    text = json.dumps({"buckets": [1, 9, 17], "counts": [0, 5, 2], "tiny_allocs": 3, "allocs_objects": 7,
                       "allocs_bytes": 100})
    h = parse_allocs_by_size(text)
    assert h.nonzero() == [("[9, 17)", 5), ("[17, inf)", 2)]
    with pytest.raises(tc.GoToolchainError, match="not allocmix's JSON"):
        parse_allocs_by_size("{}")
    with pytest.raises(tc.GoToolchainError, match="2 bucket bounds for 3 counts"):
        parse_allocs_by_size(json.dumps({"buckets": [1, 9], "counts": [0, 1, 2], "tiny_allocs": 0,
                                         "allocs_objects": 3, "allocs_bytes": 1}))


def test_source_file():
    text = source_file("runtime/malloc.go")
    assert text.path == "runtime/malloc.go" and text.start == 1
    design = text.between(r"^// Memory allocator\.", r"^// Allocating a small object")
    assert design.start > 1 and "mcache: a per-P cache of mspans" in design.text
    for bad in ("runtime/nothing.go", "../../etc/passwd", "runtime"):
        with pytest.raises(tc.GoToolchainError, match="is not a file of"):
            source_file(bad)


@pytest.mark.slow
def test_memrss_live():
    run = parse_memrss(tc.run(tc.build("memrss")).stdout)
    start, new, written = run.sample("start"), run.sample("new"), run.samples[-3]
    assert written.touched == 10 << 20
    assert new.vmrss_kb - start.vmrss_kb < 1024  # allocating does not make pages resident
    assert 9.5 * 1024 < written.vmrss_kb - new.vmrss_kb < 12 * 1024  # writing does, page by page
    assert run.sample("released").vmrss_kb < written.vmrss_kb - 8 * 1024  # FreeOSMemory + MADV_DONTNEED
    assert start.vmsize_kb > 1 << 20  # the page allocator's reservations
    assert run.heap_addr >> 32 != 0xC0  # randomized heap base


@pytest.mark.slow
def test_allocmix_live():
    h = parse_allocs_by_size(tc.run(tc.build("allocmix"), env={"GOMAXPROCS": "1"}).stdout)
    assert list(h.lo) == sc.allocs_by_size_buckets()[:-1] and len(h.counts) == 68
    assert h.tiny_allocs > 1000 and sum(h.counts) > 10_000
    assert h.allocs_objects == sum(h.counts)


def test_parse_allocboundary_and_slot_run():
    from gosim.toolchain.errors import GoToolchainError
    from gosim.toolchain.procmem import parse_allocboundary, parse_slot_run

    out = ("bytes=32760 pointers=false large=false bucket=66\n"
           "bytes=32761 pointers=false large=true bucket=67\n"
           "slots bytes=48 pointers=false run=168\nslots bytes=48 pointers=true run=165\n")
    assert parse_allocboundary(out) == {(32760, False): False, (32761, False): True}
    assert parse_slot_run(out) == {(48, False): 168, (48, True): 165}
    assert parse_slot_run("slots bytes=48 run=168\n") == {(48, False): 168}
    with pytest.raises(GoToolchainError):
        parse_allocboundary("nothing\n")
