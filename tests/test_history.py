"""Every "Go 1.10 → today" row says where its release can be verified, and any source line it cites holds the
name it cites (gosim.toolchain.cite)."""

import re

import pytest

from gosim import history
from gosim.toolchain import cite

ROWS = history.changes()


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.chapter}:{r.topic}")
def test_row_says_where_its_release_is_verified(row):
    if not re.search(r"Go 1\.\d+", row.since):
        pytest.skip(f"{row.topic}: 'since' names no release ({row.since!r})")
    assert row.evidence.strip(), f"{row.topic}: since {row.since!r} without evidence"
    assert cite.check(row.evidence) == [], cite.check(row.evidence)
