"""Run the responder CLI, but kill -9 the process right after the first call of one store method.

Usage: crash_after.py METHOD [responder arguments...]. The real method runs first, so the
mailbox has really changed when the process dies, exactly as in a power cut at that point.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from responder.cli import main
from responder.imap import ImapStore


def _crash_after(name: str) -> None:
    original = getattr(ImapStore, name)

    def wrapper(self: ImapStore, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(ImapStore, name, wrapper)


if __name__ == "__main__":
    _crash_after(sys.argv[1])
    for batched in (sys.argv[1] + "_many", sys.argv[1] + "s"):  # the forms a pass uses
        if hasattr(ImapStore, batched):
            _crash_after(batched)
    main(sys.argv[2:])
