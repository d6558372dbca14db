"""Shared fixtures: one real Dovecot per test session, a fresh mailbox user per test."""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dovecot import Account, Dovecot, running

CORPUS = Path(__file__).parent / "corpus"
EML_DIR = CORPUS / "eml"
_users = itertools.count(1)


def expected_readings() -> dict[str, dict[str, object]]:
    """Return expected.jsonl of the corpus keyed by file name."""
    rows = [json.loads(line) for line in (EML_DIR / "expected.jsonl").read_text().splitlines()]
    return {str(r["file"]): r for r in rows}


@pytest.fixture
def captured_log() -> Iterator[io.StringIO]:
    """Everything logged at DEBUG during the test, with a fresh redactor before and after."""
    from responder.logs import REDACTOR, setup_logging

    stream = io.StringIO()
    REDACTOR.clear()
    setup_logging("DEBUG", journal=False, stream=stream)
    yield stream
    REDACTOR.clear()
    setup_logging("WARNING", journal=False)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """A Dovecot started for this test session on a free loopback port."""
    with running("responder-dovecot-") as server:
        yield server


@pytest.fixture
def mailbox(dovecot: Dovecot) -> Account:
    """A new, empty mailbox (its own IMAP user) on the session's Dovecot."""
    return dovecot.account(next(_users))
