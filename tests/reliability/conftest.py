"""Fixtures of the fault and abuse suite, and the figures it reports.

Every test records what it tried (trials, faults injected, bad inputs) and what it found
(duplicate drafts, lost or half-moved mail, unsafe drafts) through the ``ledger`` fixture,
before it asserts. The rows go to ``$RESPONDER_RELIABILITY_RESULTS`` (a JSON-lines file; a
temporary one by default). At the end of the session, with ``RESPONDER_WRITE_RELIABILITY=1``,
``report.render`` turns them and each test's outcome into ``RELIABILITY.md`` at the repo root.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from responder.pipeline import Engine
from tests.conftest import _users
from tests.dovecot import Account, Dovecot
from tests.reliability import harness, report

ROOT = Path(__file__).resolve().parents[2]
_results = Path(
    os.environ.get("RESPONDER_RELIABILITY_RESULTS")
    or Path(tempfile.mkdtemp(prefix="responder-reliability-")) / "results.jsonl"
)
_results.unlink(missing_ok=True)  # one session, one set of figures
_outcomes: dict[str, str] = {}


class Ledger:
    """Appends one row of figures per call, tagged with the test that recorded it."""

    def __init__(self, nodeid: str) -> None:
        self.nodeid = nodeid

    def record(
        self,
        area: str,
        case: str,
        *,
        trials: int = 1,
        faults: int = 0,
        inputs: int = 0,
        duplicates: int = 0,
        losses: int = 0,
        unsafe: int = 0,
        note: str = "",
    ) -> None:
        row = {
            "test": self.nodeid,
            "area": area,
            "case": case,
            "trials": trials,
            "faults": faults,
            "inputs": inputs,
            "duplicates": duplicates,
            "losses": losses,
            "unsafe": unsafe,
            "note": note,
        }
        _results.parent.mkdir(parents=True, exist_ok=True)
        with _results.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row, sort_keys=True) + "\n")


@pytest.fixture
def ledger(request: pytest.FixtureRequest) -> Ledger:
    return Ledger(request.node.nodeid)


def new_account(dovecot: Dovecot) -> Account:
    """Another new, empty mailbox on ``dovecot``."""
    return dovecot.account(next(_users))


@dataclass
class Reference:
    """The fault-free run over the backlog: end state and how often each kill point is hit."""

    engine: Engine
    state: harness.EndState
    delivered: list[str]
    calls: dict[str, int]


@pytest.fixture(scope="session")
def reference(dovecot: Dovecot, tmp_path_factory: pytest.TempPathFactory) -> Reference:
    """Build the engine once and run one clean pass over the backlog on a fresh mailbox."""
    account = dovecot.account(next(_users))
    delivered = harness.load_backlog(account)
    settings = harness.settings_for(account, tmp_path_factory.mktemp("reference-state"))
    engine = Engine.build(settings)
    with harness.counting_calls() as calls:
        failures, _ = harness.run_until_done(settings, engine)
    assert failures == 0
    state = harness.end_state(account)
    assert state["Drafts"], "the backlog must produce drafts, or the suite proves nothing"
    assert state[harness.IGNORED], "the backlog must produce filings"
    return Reference(engine, state, delivered, dict(calls))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or report.outcome != "passed":
        previous = _outcomes.get(report.nodeid, "passed")
        _outcomes[report.nodeid] = report.outcome if previous == "passed" else previous


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("RESPONDER_WRITE_RELIABILITY") != "1" or not _outcomes:
        return
    rows = []
    if _results.exists():
        rows = [json.loads(line) for line in _results.read_text().splitlines() if line]
    (ROOT / "RELIABILITY.md").write_text(report.render(rows, _outcomes), encoding="utf-8")
