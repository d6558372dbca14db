"""Run the responder CLI with reading and changing mail slowed down, so a signal lands mid-pass.

Usage: daemon_slow.py SECONDS [responder arguments...]. Each message a pass reads arrives
SECONDS late, and each APPEND, MOVE and keyword STORE (single or batched) waits SECONDS before
it really goes to the server: the IMAP traffic is the real one, only the pace changes, so a
test can send SIGTERM while a message is in hand.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from typing import Any

from responder.cli import main
from responder.imap import ImapStore

SLOWED = ("append_drafts", "move", "add_keyword", "move_many", "add_keyword_many")


def _slow_down(name: str, seconds: float) -> None:
    original = getattr(ImapStore, name)

    def wrapper(self: ImapStore, *args: Any, **kwargs: Any) -> Any:
        time.sleep(seconds)
        return original(self, *args, **kwargs)

    setattr(ImapStore, name, wrapper)


def _slow_reading(seconds: float) -> None:
    original = ImapStore.body_batches

    def wrapper(self: ImapStore, *args: Any, **kwargs: Any) -> Iterator[list[tuple[str, bytes]]]:
        for batch in original(self, *args, **kwargs):
            for item in batch:  # one message at a time, each late
                time.sleep(seconds)
                yield [item]

    ImapStore.body_batches = wrapper  # type: ignore[method-assign]


if __name__ == "__main__":
    for method in SLOWED:
        if hasattr(ImapStore, method):
            _slow_down(method, float(sys.argv[1]))
    _slow_reading(float(sys.argv[1]))
    main(sys.argv[2:])
