"""Progress for long fetches, always on stderr (stdout carries the report).

On a terminal: one tqdm bar per source. Not a terminal (CI logs): at most one line every
``interval`` seconds, so logs stay readable. Disabled (``--no-progress``): nothing.
Sources call the reporter from worker threads, so it locks.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, TextIO

from tfdrift_ci.textutil import one_line, runner_inert


class Reporter:
    """``reporter(name, done, total)`` is a ``events.base.Progress``; ``close()`` at the end."""

    def __init__(
        self,
        *,
        enabled: bool,
        stream: TextIO | None = None,
        interval: float = 5.0,
        tty: bool | None = None,
        clock: Any = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = self._isatty() if tty is None else tty
        self.interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._bars: dict[str, Any] = {}
        self._state: dict[str, tuple[int, int | None]] = {}
        self._last_line = clock() if clock is not None else 0.0

    def _isatty(self) -> bool:
        isatty = getattr(self.stream, "isatty", None)
        return bool(isatty and isatty())

    def __call__(self, name: str, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._state[name] = (done, total)
            if self.tty:
                self._bar(name, done, total)
                return
            now = self._clock()
            if now - self._last_line >= self.interval:
                self._last_line = now
                self._line()

    def _bar(self, name: str, done: int, total: int | None) -> None:
        bar = self._bars.get(name)
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(
                total=total,
                desc=one_line(name, 40),
                file=self.stream,
                leave=False,
                position=len(self._bars),
                dynamic_ncols=True,
            )
            self._bars[name] = bar
        if total is not None and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    def _line(self) -> None:
        parts = []
        for name, (done, total) in sorted(self._state.items()):
            parts.append(
                f"{one_line(name, 60)} {done}/{total}"
                if total is not None
                else f"{one_line(name, 60)} {done}"
            )
        self.stream.write(runner_inert("tfdrift-ci: reading events: " + ", ".join(parts)) + "\n")
        self.stream.flush()

    def close(self) -> None:
        with self._lock:
            for bar in self._bars.values():
                bar.close()
            self._bars.clear()
