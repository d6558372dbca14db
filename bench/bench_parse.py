"""How many mails per second read_mail reads on one core.

Reads a mix of the corpus (invitations, InMails, messages, notifications, spoofs, personal
mail) N times over and prints one line with mails per CPU second (one core) and per wall
second; CPU time is the steadier figure on a shared machine.
Usage: ``python bench/bench_parse.py [ROUNDS]`` (default 100 rounds of the 33 corpus mails).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from responder.parse import read_mail

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "eml"


def main(rounds: int) -> str:
    """Read the corpus ``rounds`` times and return the one-line figure."""
    mails = [path.read_bytes() for path in sorted(CORPUS.glob("*.eml"))]
    for raw in mails:  # warm caches and imports before timing
        read_mail(raw, authserv_id="mx.example.org")
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        for raw in mails:
            read_mail(raw, authserv_id="mx.example.org")
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    count = rounds * len(mails)
    return (
        f"bench_parse: {count / cpu:,.0f} mails per CPU second, {count / seconds:,.0f} mails/s"
        f" wall ({count} mails, {seconds:.2f} s wall)"
    )


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
