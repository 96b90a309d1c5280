import pytest
from hypothesis import given
from hypothesis import strategies as st

from gosim.units import MiB, format_bytes, parse_bytes, parse_duration


@pytest.mark.parametrize("text, value", [("0", 0), ("4096", 4096), ("10B", 10), ("1KiB", 1024), ("60MiB", 60 * MiB),
                                         ("2GiB", 2 << 30), ("1TiB", 1 << 40), (123, 123)])
def test_parse_bytes(text, value):
    assert parse_bytes(text) == value


@pytest.mark.parametrize("bad", ["", "MiB", "1.5MiB", "-1", "10MB", "10 KiB", "1kib", "off", -5, "99999999TiB"])
def test_parse_bytes_rejects_what_the_runtime_rejects(bad):
    with pytest.raises(ValueError, match="memlimit"):
        parse_bytes(bad, "memlimit")


@given(st.integers(0, 1 << 50))
def test_format_then_parse_is_identity(n):
    assert parse_bytes(format_bytes(n)) == n


@pytest.mark.parametrize("text, seconds", [("500ms", 0.5), ("2s", 2.0), ("1m30s", 90.0), ("250us", 250e-6),
                                           ("1.5s", 1.5), ("0", 0.0), ("10ns", 1e-8), (0.25, 0.25)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("bad", ["", "5", "ms", "1x", "-1s", "1s2", "s1"])
def test_parse_duration_rejects(bad):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)
