from __future__ import annotations

import io

from tfdrift_ci.events.progress import Reporter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_disabled_prints_nothing() -> None:
    out = io.StringIO()
    r = Reporter(enabled=False, stream=out, tty=True)
    r("file:x", 1, 2)
    r.close()
    assert out.getvalue() == ""


def test_ci_logs_get_a_line_every_interval_at_most() -> None:
    out = io.StringIO()
    clock = Clock()
    r = Reporter(enabled=True, stream=out, tty=False, interval=5.0, clock=clock)
    for i in range(100):
        clock.now = i * 0.5  # 50 s of updates, two a second
        r("s3://trail/AWSLogs", i, 100)
    r.close()
    lines = out.getvalue().splitlines()
    assert 9 <= len(lines) <= 10
    assert lines[-1].startswith("tfdrift-ci: reading events: s3://trail/AWSLogs ")
    assert "/100" in lines[-1]


def test_terminal_gets_one_bar_per_source() -> None:
    out = io.StringIO()
    r = Reporter(enabled=True, stream=out, tty=True)
    r("aws:lookup-events:eu-west-1", 3, None)
    r("file:events/", 2, 4)
    r("file:events/", 4, 4)
    assert {name: (bar.n, bar.total) for name, bar in r._bars.items()} == {
        "aws:lookup-events:eu-west-1": (3, None),
        "file:events/": (4, 4),
    }
    r.close()
    assert "aws:lookup-events:eu-west-1" in out.getvalue() and "/4" in out.getvalue()


def test_names_with_control_characters_stay_on_one_line() -> None:
    out = io.StringIO()
    clock = Clock()
    r = Reporter(enabled=True, stream=out, tty=False, interval=0.0, clock=clock)
    r("file:evil\n::error::x\x1b[31m", 1, 1)
    assert out.getvalue().count("\n") == 1 and "\x1b" not in out.getvalue()
