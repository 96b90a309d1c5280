"""Chapter 3's figures and panels: every panel frame draws, the static figures draw, and what they are fed."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from gosim import toolchain as tc
from gosim.alloc import Allocator, views, workloads
from gosim.alloc.sizeclasses import allocs_by_size_buckets
from gosim.checks import alloc as check
from gosim.toolchain import source_file
from gosim.toolchain.procmem import parse_memrss
from gosim.viz import alloc as va
from gosim.widgets import alloc as wa

from .test_alloc_procmem import MEMRSS


@pytest.mark.parametrize("make", [wa.heap_panel, wa.growth_panel, wa.waste_panel])
def test_every_panel_frame_draws(make):
    panel = make()
    assert panel.frames() <= 64
    for values in panel.grid():
        frame = panel.frame(**values)
        assert frame.startswith(b"\x89PNG") and len(frame) > 5000
        assert "<b>" in panel.text(**values)


def test_panels_show_the_lessons():
    one, eight = wa.result("program", 1, "kept"), wa.result("program", 8, "kept")
    f1, f8 = views.fragmentation(one.allocator), views.fragmentation(eight.allocator)
    assert f1.objects == f8.objects and f8.free_slots > 3 * f1.free_slots  # per-P cached spans
    churn = wa.result("program", 4, "churn")
    assert churn.collections > 0 and churn.timeline[-1].collections == churn.collections
    assert churn.metrics.mapped_bytes < one.metrics.mapped_bytes  # freed memory is reused
    # The map has room for every frame's heap at one scale.
    for mix in workloads.MIXES:
        for procs in wa.GOMAXPROCS:
            pages = len(views.page_map(wa.result(mix, procs, "kept").allocator).state)
            assert pages <= va.MAP_ROWS * va.ROW_PAGES


def test_span_map_image_shows_fill_and_span_starts():
    a = Allocator(1, seed=2)
    addrs = [a.mallocgc(4096) for _ in range(3)]  # class 4096: 1 page, 2 slots per span
    a.collect(addrs[:1] + addrs[2:])  # frees the second object: span 2 of 2 half full
    pm = views.page_map(a)
    img = va._page_image(pm, a.spans(), pm.base, -(-len(pm.state) // va.ROW_PAGES))
    assert img.shape == (-(-len(pm.state) // va.ROW_PAGES) * va._CELL, va.ROW_PAGES * va._CELL, 3)
    assert 0.0 <= img.min() and img.max() <= 1.0
    spans = a.spans()
    assert [s.allocCount for s in spans] == [1, 1]


def test_size_class_colours_are_ordered_groups():
    assert va.size_class_colour(8) == va.size_class_colour(16)
    assert va.size_class_colour(16) != va.size_class_colour(24)
    assert va.size_class_colour(1 << 20) == va.size_class_colour(40960)  # large objects
    assert len({va.size_class_colour(g[0]) for g in va.CLASS_GROUPS}) == len(va.CLASS_GROUPS)


def test_static_figures_draw():
    run = parse_memrss(MEMRSS)
    figs = [va.draw_memrss({"default": run, "again": run}), va.draw_size_class_design()]
    lo = allocs_by_size_buckets()[:-1]
    counts = np.arange(68)
    figs.append(va.draw_allocs_by_size(lo, counts))
    figs.append(va.draw_allocs_by_size(lo, counts, counts + (np.arange(68) == 5)))
    a = Allocator(1, seed=1)
    a.mallocgc_many(*workloads.mix("program", 500, 1))
    b = Allocator(1, randomize_heap_base=False)
    b.mallocgc(80 << 20)
    figs.append(va.draw_arena_layouts(views.arena_layout_go110(), {"random": a, "classic": b}))
    assert all(isinstance(f, Figure) for f in figs)
    for f in figs:
        assert f.canvas.get_width_height()[0] > 0
        f.canvas.draw()


def test_allocs_by_size_title_says_what_matched():
    lo = list(range(68))
    same = va.draw_allocs_by_size(lo, np.ones(68, dtype=int), np.ones(68, dtype=int))
    assert "equal in all 68 buckets" in same.axes[0].get_title()
    off = va.draw_allocs_by_size(lo, np.ones(68, dtype=int), np.r_[2, np.ones(67, dtype=int)])
    assert "67 of 68 buckets equal" in off.axes[0].get_title()


def test_class_waste_rows_add_up():
    r = wa.result("structs", 1, "kept")
    sizes, noscan = wa.requests("structs")
    rows = va.class_waste_rows(r, sizes, noscan)
    assert rows["objects"].sum() == len(sizes)
    assert (rows["roundup"] >= 0).all() and (rows["tails"] >= 0).all()
    assert set(rows["slot"]) <= set(workloads.STRUCT_SIZES.tolist()) | {208, 288, 352, 416, 448, 480, 576}


# --- the model behind the panels -------------------------------------------------------------------------------


def test_run_mix_validates():
    with pytest.raises(ValueError, match="mix must be one of tiny, structs, program, buffers"):
        workloads.run_mix("huge")
    with pytest.raises(ValueError, match="lifetimes must be one of kept, churn"):
        workloads.run_mix("tiny", lifetimes="forever")
    with pytest.raises(ValueError, match="gomaxprocs must be"):
        workloads.run_mix("tiny", 0)
    with pytest.raises(ValueError, match="heap_minimum must be"):
        workloads.run_mix("tiny", lifetimes="churn", heap_minimum=10)
    with pytest.raises(ValueError, match="n must be an integer"):
        workloads.mix("tiny", -1)


def test_run_mix_is_deterministic_and_counts_every_request():
    a = workloads.run_mix("program", 2, 5, n=3000)
    b = workloads.run_mix("program", 2, 5, n=3000)
    assert a.allocs == 3000 and a.metrics.as_dict() == b.metrics.as_dict()
    # Every request is an object of its own or a sub-allocation in a tiny block.
    assert a.metrics.allocs_objects + a.metrics.tiny_allocs == 3000
    t = a.timeline_arrays()
    assert (np.diff(t["allocs"]) >= 0).all() and t["allocs"][-1] == 3000


def test_churn_frees_and_reuses():
    r = workloads.run_mix("structs", 1, 3, lifetimes="churn", n=20_000, heap_minimum=256 << 10)
    assert r.collections >= 3
    assert r.metrics.frees_objects > 0 and r.metrics.objects < r.metrics.allocs_objects


# --- the check ---------------------------------------------------------------------------------------------------


def test_size_class_rows_against_the_installed_runtime():
    rows = check.size_class_rows(source_file("internal/runtime/gc/sizeclasses.go").text)
    assert len(rows) == 67 and all(equal for *_, equal in rows)
    assert check.runtime_size_classes("// 1 8 8192 1024 0 87.50% 8\n") == [(1, 8, 8192, 1024, 0, 87.5, 8)]
    broken = check.size_class_rows("//     1          8        8192     1024           0     87.50%          8\n")
    assert broken[0][3] and not any(equal for *_, equal in broken[1:])


@pytest.mark.slow
def test_heap_base_addresses_live():
    default = parse_memrss(tc.run(tc.build("memrss")).stdout).heap_addr
    classic = parse_memrss(tc.run(tc.build("memrss", env={"GOEXPERIMENT": "norandomizedheapbase64"})).stdout)
    assert default >> 32 != 0xC0 and classic.heap_addr >> 32 == 0xC0
