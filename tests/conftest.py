"""Shared fixtures: one real Dovecot per test session, a fresh mailbox user per test."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dovecot import Account, Dovecot, free_port

CORPUS = Path(__file__).parent / "corpus"
EML_DIR = CORPUS / "eml"
_users = itertools.count(1)


def expected_readings() -> dict[str, dict[str, object]]:
    """Return expected.jsonl of the corpus keyed by file name."""
    rows = [json.loads(line) for line in (EML_DIR / "expected.jsonl").read_text().splitlines()]
    return {str(r["file"]): r for r in rows}


@pytest.fixture(scope="session")
def dovecot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dovecot]:
    """A Dovecot started for this test session on a free loopback port."""
    server = Dovecot(tmp_path_factory.mktemp("dovecot"), free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(dovecot: Dovecot) -> Account:
    """A new, empty mailbox (its own IMAP user) on the session's Dovecot."""
    return dovecot.add_user(f"user{next(_users)}")
