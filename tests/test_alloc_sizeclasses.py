"""The size-class table: derived by mksizeclasses.go's algorithm, equal to the installed runtime's, row by row."""

from __future__ import annotations

import re

import pytest

from gosim import toolchain as tc
from gosim.alloc import sizeclasses as sc


def runtime_table() -> dict:
    """Parse $GOROOT/src/internal/runtime/gc/sizeclasses.go: the comment table and the Go arrays."""
    text = (tc.goroot() / "src" / "internal" / "runtime" / "gc" / "sizeclasses.go").read_text()
    rows = []
    for m in re.finditer(r"^//\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)%\s+(\d+)$", text, re.M):
        rows.append(tuple(int(x) if "." not in x else float(x) for x in m.groups()))

    def array(name: str) -> list[int]:
        body = re.search(rf"var {name} = \[[^\]]*\]\w+\s*{{([^}}]*)}}", text)[1]
        return [int(x) for x in body.replace(" ", "").split(",") if x]

    consts = dict((k, int(v)) for k, v in re.findall(r"^\s+(\w+)\s+=\s+(\d+)$", text, re.M))
    magic = re.search(r"var SizeClassToDivMagic = \[[^\]]*\]uint32\s*{([^}]*)}", text)[1]
    divisors = [0] + [int(d) for d in re.findall(r"\^uint32\(0\)/(\d+)", magic)]
    return {"rows": rows, "consts": consts, "SizeClassToSize": array("SizeClassToSize"),
            "SizeClassToNPages": array("SizeClassToNPages"), "SizeToSizeClass8": array("SizeToSizeClass8"),
            "SizeToSizeClass128": array("SizeToSizeClass128"), "divisors": divisors}


@pytest.fixture(scope="module")
def real():
    return runtime_table()


def test_derived_table_equals_the_runtimes_row_by_row(real):
    ours = [(r.sizeclass, r.size, r.span_bytes, r.objects, r.tail_waste, r.max_waste_pct, r.min_align)
            for r in sc.rows()]
    assert len(real["rows"]) == 67
    equal = sum(a == b for a, b in zip(ours, real["rows"]))
    assert equal == 67, [(a, b) for a, b in zip(ours, real["rows"]) if a != b]


def test_derived_arrays_equal_the_runtimes(real):
    assert sc.SizeClassToSize() == real["SizeClassToSize"]
    assert sc.SizeClassToNPages() == real["SizeClassToNPages"]
    assert sc.SizeToSizeClass8() == real["SizeToSizeClass8"]
    assert sc.SizeToSizeClass128() == real["SizeToSizeClass128"]
    assert [c.size for c in sc.classes()] == real["divisors"]  # the divisors of SizeClassToDivMagic


def test_constants_equal_the_runtimes(real):
    c = real["consts"]
    assert c["NumSizeClasses"] == sc.NumSizeClasses == len(sc.classes())
    assert c["MaxSmallSize"] == sc.maxSmallSize
    assert c["TinySize"] == sc.tinySize
    assert c["TinySizeClass"] == sc.tinySizeClass
    assert c["MaxObjsPerSpan"] == max(r.objects for r in sc.rows())
    assert c["MaxSizeClassNPages"] == max(sc.SizeClassToNPages())
    assert c["PageShift"] == sc.pageShift


def test_div_magic_holds_for_every_class():
    for c in sc.classes()[1:]:
        assert sc.check_div_magic(c.size, c.npages) <= 32


def test_size_to_class_is_the_smallest_class_that_fits():
    sizes = sc.SizeClassToSize()
    for size in range(1, sc.maxSmallSize + 1):
        k = sc.size_to_class(size)
        assert sizes[k] >= size and sizes[k - 1] < size


@pytest.mark.parametrize("size, noscan, want", [
    (1, True, 8), (8, True, 8), (9, True, 16), (17, True, 24), (33, True, 48), (512, False, 512),
    (513, False, 568), (513, True, 576), (1024, False, 1144), (32760, True, 32768), (32760, False, 32760),
    (32761, True, 32768), (32769, True, 40960), (100000, False, 106496),
])
def test_roundupsize(size, noscan, want):
    assert sc.roundupsize(size, noscan) == want


def test_span_classes():
    assert sc.makeSpanClass(2, True) == sc.tinySpanClass == 5
    assert sc.makeSpanClass(0, False) == 0 and sc.makeSpanClass(0, True) == 1
    assert sc.makeSpanClass(67, False) == 134 and sc.numSpanClasses == 136
    for spc in range(sc.numSpanClasses):
        assert sc.makeSpanClass(sc.spanclass_sizeclass(spc), sc.spanclass_noscan(spc)) == spc
    assert sc.spanclass_name(5) == "5 (class 2, noscan)"
    with pytest.raises(ValueError, match="sizeclass must be from 0 to 67, got 68"):
        sc.makeSpanClass(68, True)


def test_allocs_by_size_buckets():
    b = sc.allocs_by_size_buckets()
    assert b[:6] == [1, 9, 17, 25, 33, 49] and b[-2] == 32769 and b[-1] == float("inf") and len(b) == 69


@pytest.mark.parametrize("bad, match", [
    (0, r"size must be from 1 to 32768 bytes, got 0"), (32769, "got 32769"), (-1, "got -1"),
    ("8", "size must be an integer number of bytes, got '8'"), (1.5, "got 1.5"), (True, "got True"),
])
def test_bad_sizes_are_named(bad, match):
    with pytest.raises(ValueError, match=match):
        sc.size_to_class(bad)


def test_class_origins_show_the_merge_and_grow_passes():
    from gosim.alloc import sizeclasses as sc

    origins = sc.class_origins()
    assert len(origins) == 67 and [a for *_, a in origins] == sc.SizeClassToSize()[1:]
    assert origins[51] == (8448, 1, 9472)  # mksizeclasses.go's own example: 8448 grown to 9472
    assert origins[50][1] == 5  # 7168..8192 merged into the 8192-byte class
    assert sc.size_steps()[:6] == [8, 16, 24, 32, 48, 64] and sc.size_steps()[-1] == 32768
