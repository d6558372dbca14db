"""The state store's batched lookups that a backlog pass makes once instead of per message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from responder.state import Outcome, StateStore

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _outcome(ref: int, *, message_id: str | None, action: str = "file",
             person: str | None = None, at: datetime = NOW) -> Outcome:
    return Outcome(folder="INBOX", ref=str(ref), message_id=message_id, action=action,
                   label="pitch", patterns=(), reason="test", person=person,
                   draft_message_id=None, status="pending", at=at)


def _record(store: StateStore, outcomes: list[Outcome], *, finish: bool) -> None:
    rows = store.begin_many(outcomes)
    if finish:
        store.finish_many(rows, "INBOX", 7, max(int(o.ref) for o in outcomes))


def test_done_message_ids_names_only_completed_outcomes_of_this_account(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.sqlite3", "me")
    other = StateStore(tmp_path / "state.sqlite3", "someone-else")
    _record(store, [_outcome(1, message_id="<a@x>"), _outcome(2, message_id="<b@x>")],
            finish=True)
    _record(store, [_outcome(3, message_id="<pending@x>")], finish=False)
    _record(other, [_outcome(4, message_id="<theirs@x>")], finish=True)
    asked = ["<a@x>", "<b@x>", "<pending@x>", "<theirs@x>", "<never@x>", "<a@x>"]
    assert store.done_message_ids(asked) == {"<a@x>", "<b@x>"}
    assert store.done_message_ids([]) == set()


def test_done_message_ids_takes_more_ids_than_sqlite_binds_and_odd_characters(
    tmp_path: Path,
) -> None:
    store = StateStore(tmp_path / "state.sqlite3", "me")
    odd = '<"quoted\\back\'slash"@x>'
    _record(store, [_outcome(i, message_id=f"<{i}@x>") for i in range(1, 40_001, 400)]
            + [_outcome(50_000, message_id=odd)], finish=True)
    asked = [f"<{i}@x>" for i in range(1, 40_001)] + [odd]
    assert store.done_message_ids(asked) == {f"<{i}@x>" for i in range(1, 40_001, 400)} | {odd}


def test_persons_drafted_since_counts_completed_drafts_from_then_on(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "state.sqlite3", "me")
    _record(store, [
        _outcome(1, message_id="<1@x>", action="draft", person="p:recent"),
        _outcome(2, message_id="<2@x>", action="draft", person="p:old",
                 at=NOW - timedelta(days=40)),
        _outcome(3, message_id="<3@x>", action="file", person="p:filed"),
        _outcome(4, message_id="<4@x>", action="draft", person=None),
    ], finish=True)
    _record(store, [_outcome(5, message_id="<5@x>", action="draft", person="p:pending")],
            finish=False)
    assert store.persons_drafted_since(NOW - timedelta(days=30)) == {"p:recent"}
    assert store.persons_drafted_since(NOW - timedelta(days=50)) == {"p:recent", "p:old"}
