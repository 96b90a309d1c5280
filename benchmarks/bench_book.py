"""The book's own costs: widget step latency of chapter 1's live panel, the nbval run, a clean book build, and
each page's weight in the browser (site/page-weight.mjs: bytes to first show, cold cache, gzip as served), and
the JupyterLab click-to-figure latency of every panel, measured in Chromium (site/check-lab.mjs).

Widget latency is measured from setting a control's value in Python to the new figure's PNG bytes being ready
(the live panel redraws synchronously in the control's observer), over 20 steps of the step slider that have not
been drawn before. nbval and the book build are timed as subprocesses, as `make test`'s notebook part and
`make book` run them.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def widget_latency(steps: int = 20) -> tuple[float, float]:
    from gosim.widgets import boot_panel

    box = boot_panel().live()
    slider = box.controls["step"]
    times = []
    for i in range(1, steps + 1):
        start = time.perf_counter()
        slider.index = i
        assert box.image.value  # the new frame's bytes are there
        times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))]


def timed(argv: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, capture_output=True, env={**os.environ, **(env or {})})
    return time.perf_counter() - start


def main() -> None:
    median, p90 = widget_latency()
    rows = [("chapter 1 widget step, median", f"{median * 1000:.0f} ms", "target <= 100 ms"),
            ("chapter 1 widget step, p90", f"{p90 * 1000:.0f} ms", "")]
    nbval = timed([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "notebooks", "book"])
    rows.append(("nbval over notebooks/ and book/", f"{nbval:.1f} s", "target < 120 s"))
    if "--no-build" not in sys.argv:
        build = timed(["make", "book"])
        rows.append(("clean book build (make book)", f"{build:.1f} s", ""))
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'measured':>10}  note")
    for what, value, note in rows:
        print(f"{what:<{width}}  {value:>10}  {note}")
    if (ROOT / "_build/html/index.html").is_file() and (ROOT / "site/node_modules").is_dir():
        print("\npage weight, cold cache, first screen (site/page-weight.mjs):", flush=True)
        subprocess.run(["node", "site/page-weight.mjs", "_build/html"], cwd=ROOT)
    else:
        print("\npage weight: skipped (no built site: make book, and make check-site for the browser)")
    if (ROOT / "site/node_modules").is_dir():
        print("\nJupyterLab, click to new figure in the browser (site/check-lab.mjs; target median <= 150 ms, "
              "p90 <= 250 ms):", flush=True)
        lab = subprocess.run(["node", "site/check-lab.mjs"], cwd=ROOT, capture_output=True, text=True)
        for line in lab.stdout.splitlines():
            if "click-to-figure" in line or line.startswith("checked"):
                print("  " + line)
        if lab.returncode:
            print(lab.stderr[-2000:])
    else:
        print("\nJupyterLab latency: skipped (site/node_modules missing: make check-site installs it)")


if __name__ == "__main__":
    main()
