"""Every file:line the chapters cite from Go's source holds the name cited before it (gosim.toolchain.cite)."""

from pathlib import Path

import pytest

from gosim.toolchain import cite

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "notebooks").glob("*.md")) + sorted((ROOT / "book").glob("*.md"))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_cited_lines_hold_the_cited_name(page):
    problems = cite.check(page.read_text())
    assert not problems, "\n".join(problems)


def test_a_stale_citation_fails():
    # proc.go's first line is a copyright comment: runtime.main is not there, and the check says so.
    assert cite.check("`runtime.main` (proc.go:1)")
    assert cite.check("`lockOSThread` (nosuchfile.go:3)")
    assert cite.check("the main goroutine (proc.go:3)")  # no name before it
    assert cite.check("`makeABIWrapper` (abi.go:3)")  # outside runtime without its path


def test_a_live_citation_passes():
    from gosim import toolchain as tc

    where = tc.source("runtime.main").line_of(r"lockOSThread\(\)")
    path, line = where.rsplit(":", 1)
    text = f"`lockOSThread` ({path.removeprefix('runtime/')}:{line})"
    assert cite.citations(text)[0].name == "lockOSThread"
    assert cite.check(text) == []
    assert cite.check(f"`lockOSThread` ({path}:{line})") == []


def test_excerpt_pick_marks_what_it_skips():
    from gosim import toolchain as tc

    main = tc.source("runtime.main")
    picked = main.pick(r"^func main", r"lockOSThread\(\)")
    numbers = [n for n, _ in picked.lines()]
    assert numbers[0] == main.start and None in numbers and picked.elided
    gap_line = picked.lines()[1][1]
    skipped = numbers[2] - numbers[0] - 1
    assert f"{skipped} lines not shown" in gap_line
    assert "not shown" in picked._repr_html_() and "left out" in picked._repr_html_()
    assert not main.between(r"^func main", r"lockOSThread\(\)").elided


def test_citations_in_a_directive_are_prose_and_code_is_not():
    text = "```{admonition} What the model leaves out\n`runtime.main` (proc.go:1)\n```\n" \
           "```{code-cell} ipython3\nprint('proc.go:1')\n```\n"
    assert [c.line for c in cite.citations(text)] == [2]


def test_an_excerpt_from_another_toolchain_says_which():
    from pathlib import Path

    from gosim import toolchain as tc

    if not Path("/usr/lib/go-1.19/bin/go").exists():
        import pytest

        pytest.skip("Debian's Go 1.19 is not installed (apt-get install golang-1.19-go)")
    go119 = tc.Toolchain.at("/usr/lib/go-1.19")
    from gosim.toolchain.source import source

    old = source("runtime.doInit", toolchain=go119)
    assert old.release.startswith("go1.19") and old.location.endswith(old.release)
    assert old.release in old._repr_html_() and "not the book's toolchain" in old._repr_html_()
    assert tc.source("runtime.main").release == ""
