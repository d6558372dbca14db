"""Run the responder CLI with every mailbox change slowed down, so a signal can land mid-pass.

Usage: daemon_slow.py SECONDS [responder arguments...]. Each APPEND, MOVE and keyword STORE
waits SECONDS before it really goes to the server: the IMAP traffic is the real one, only the
pace changes, so a test can send SIGTERM while a message is in hand.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from responder.cli import main
from responder.imap import ImapStore

SLOWED = ("append_draft", "move", "add_keyword")


def _slow_down(name: str, seconds: float) -> None:
    original = getattr(ImapStore, name)

    def wrapper(self: ImapStore, *args: Any, **kwargs: Any) -> Any:
        time.sleep(seconds)
        return original(self, *args, **kwargs)

    setattr(ImapStore, name, wrapper)


if __name__ == "__main__":
    for method in SLOWED:
        _slow_down(method, float(sys.argv[1]))
    main(sys.argv[2:])
