"""GOSIM_RECORD: a real run is recorded once and replayed, keyed by the binary, its arguments and settings."""

from gosim import toolchain as tc


def test_a_recorded_run_is_replayed(tmp_path, monkeypatch):
    hello = tc.build("hello")
    monkeypatch.setenv("GOSIM_RECORD", str(tmp_path))
    first = tc.run(hello, env={"GOMAXPROCS": "1"})
    files = list(tmp_path.iterdir())
    assert len(files) == 1
    again = tc.run(hello, env={"GOMAXPROCS": "1"})
    assert again == first  # the same Run, seconds included: replayed, not run again
    other = tc.run(hello, env={"GOMAXPROCS": "2"})  # other settings: a run of its own
    assert len(list(tmp_path.iterdir())) == 2 and other.args == first.args
    monkeypatch.delenv("GOSIM_RECORD")
    tc.run(hello)  # unset: runs for real, nothing read or written
    assert len(list(tmp_path.iterdir())) == 2
