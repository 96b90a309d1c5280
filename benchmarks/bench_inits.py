"""python -m gosim inits --std on the seed program (it imports net/http: 190 packages), cold and warm.

Each row is the wall time of the command as a subprocess, in a cache state made on purpose:

* cold: an empty ``GOSIM_CACHE`` (so an empty GOCACHE too): the helper is built, every package compiled for its
  export data, every package analysed.
* cold graph: compiled packages and the helper are cached, no graph is: every package analysed again.
* new program: the standard library's part is cached, the program's is not (a copy of the seed, one comment
  changed): what a reader pays after editing a program.
* warm: everything cached (one JSON file read, no process started).

Beside them, for scale, the real toolchain on the same program: ``go build`` with a warm GOCACHE (a fresh output)
and the binary's run (``GODEBUG=inittrace=1``). The ratio column is a row's time over the warm ``go build``.

Then chapter 2's panel (``gosim.widgets.inits`` on gosim/programs/initlab): building it (every variant through
the model), and the redraw of one frame (model result to PNG and caption), wall and CPU time, median and worst
over every frame of the grid, drawn fresh.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed_inits(directory: Path, cache: Path | None = None) -> float:
    env = dict(os.environ)
    if cache is not None:
        env["GOSIM_CACHE"] = str(cache)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gosim", "inits", str(directory), "--std"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs of each warm measurement (median)")
    ap.add_argument("--no-cold", action="store_true", help="skip the cold row (it compiles net/http: ~30 s)")
    args, _ = ap.parse_known_args(argv)

    from gosim import toolchain as tc
    from gosim.toolchain.go import cache_dir

    seed = tc.program_dir("seedinit")
    real_cache = cache_dir()
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-inits-") as tmp:
        tmp = Path(tmp)
        if not args.no_cold:
            rows.append(("cold (empty cache)", timed_inits(seed, tmp / "empty")))
        graphless = tmp / "graphless"  # GOCACHE and builds shared, no inits cache
        graphless.mkdir()
        for name in ("gocache", "gopath", "builds"):
            if (real_cache / name).exists():
                (graphless / name).symlink_to(real_cache / name)
        timed_inits(seed)  # make sure the shared caches hold this program's packages and the helper
        rows.append(("cold graph (compiled packages cached)", timed_inits(seed, graphless)))
        copy = tmp / "seedinit"
        shutil.copytree(seed, copy)
        main_go = copy / "main.go"
        main_go.write_text(main_go.read_text() + f"\n// bench {time.time_ns()}\n")
        rows.append(("new program (std graph cached)", timed_inits(copy)))
        rows.append(("warm", statistics.median(timed_inits(seed) for _ in range(args.repeat))))

        installed = tc.Toolchain.installed()
        start = time.perf_counter()
        installed.go(["build", "-o", str(tmp / "seed.bin"), "."], cwd=seed)
        build = time.perf_counter() - start
        start = time.perf_counter()
        installed.run(tmp / "seed.bin", godebug="inittrace=1")
        run = time.perf_counter() - start

    print(f"{'python -m gosim inits --std (seed: net/http)':<46} {'seconds':>8} {'/ go build':>10}")
    for label, seconds in rows:
        print(f"{label:<46} {seconds:8.2f} {seconds / build:10.2f}")
    print(f"{'real: go build (warm GOCACHE)':<46} {build:8.2f} {1:10.2f}")
    print(f"{'real: run with inittrace':<46} {run:8.3f} {run / build:10.2f}")
    panel_latency()
    return 0


def panel_latency() -> None:
    """Chapter 2's panel: factory time, and per-frame redraw (fresh, not cached) over the whole grid."""
    from gosim import inits
    from gosim import toolchain as tc
    from gosim.toolchain.initgraph import program_graph
    from gosim.widgets.inits import init_order_panel

    lab = inits.Program.from_data(program_graph(tc.program_dir("initlab")))
    make = lambda: init_order_panel(lab, renames=[("main", "test.go", "a.go")],  # noqa: E731
                                    imports=[("lab/zeta", "lab/mid"), ("lab/mid", "lab/zeta")])
    start = time.perf_counter()
    panel = make()
    factory = time.perf_counter() - start
    panel.frame()  # fonts and matplotlib caches
    panel = make()
    wall, cpu = [], []
    for values in panel.grid():
        w0, c0 = time.perf_counter(), time.process_time()
        panel.text(**values)
        panel.frame(**values)
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    print(f"\npanel (initlab, {panel.frames()} frames): factory {factory * 1000:.0f} ms")
    print(f"{'redraw, one frame':<46} {'median':>8} {'worst':>10}")
    print(f"{'  wall ms':<46} {statistics.median(wall) * 1000:8.0f} {max(wall) * 1000:10.0f}")
    print(f"{'  cpu ms':<46} {statistics.median(cpu) * 1000:8.0f} {max(cpu) * 1000:10.0f}")


if __name__ == "__main__":
    sys.exit(main())
