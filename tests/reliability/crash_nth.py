"""Run the responder CLI, but kill -9 the process right after the N-th call of one method.

Usage: crash_nth.py METHOD N [responder arguments...], METHOD being one of the kill points of
``harness.KILL_METHODS`` (append_draft, move, add_keyword, bodies, begin_many, finish_many,
tx). Like tests/crash_after.py, the real method runs first, so the mailbox or the state store
has really changed when the process dies.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from responder.cli import main
from tests.reliability.harness import KillPoint, install_kill

if __name__ == "__main__":
    install_kill(KillPoint(sys.argv[1], int(sys.argv[2])))
    main(sys.argv[3:])
