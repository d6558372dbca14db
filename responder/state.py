"""The state store: SQLite (WAL) under the state dir.

It keeps, per account and folder, the UIDVALIDITY and the highest UID handled; every outcome
(with its label and winning pattern ids, so a user can later ask why); who was drafted to and
when; and a short history of passes and errors for ``responder status``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from responder.errors import StateError
from responder.models import PassSummary

log = logging.getLogger(__name__)

#: SQLite result codes that mean the file itself is damaged, not busy, locked or unreachable.
_DAMAGED = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


class CorruptStateError(StateError):
    """The state file is not a sound SQLite database."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS folders (
    account TEXT NOT NULL,
    folder TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    last_uid INTEGER NOT NULL,
    PRIMARY KEY (account, folder)
);
CREATE TABLE IF NOT EXISTS outcomes (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    folder TEXT NOT NULL,
    ref TEXT NOT NULL,
    message_id TEXT,
    status TEXT NOT NULL,
    action TEXT NOT NULL,
    label TEXT,
    patterns TEXT NOT NULL DEFAULT '[]',
    reason TEXT NOT NULL DEFAULT '',
    person TEXT,
    draft_message_id TEXT,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS outcomes_message_id ON outcomes (account, message_id);
CREATE INDEX IF NOT EXISTS outcomes_person ON outcomes (account, person, action);
CREATE TABLE IF NOT EXISTS passes (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    started TEXT NOT NULL,
    seconds REAL NOT NULL,
    considered INTEGER NOT NULL,
    counts TEXT NOT NULL,
    errors INTEGER NOT NULL,
    note TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS errors (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    at TEXT NOT NULL,
    ref TEXT NOT NULL,
    message TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Outcome:
    """One recorded decision about one message."""

    folder: str
    ref: str
    message_id: str | None
    action: str
    label: str | None
    patterns: tuple[str, ...]
    reason: str
    person: str | None
    draft_message_id: str | None
    status: str
    at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


def connect(path: Path, schema: str, *, synchronous: str) -> sqlite3.Connection:
    """Open (creating) the SQLite file at ``path`` in WAL mode and apply ``schema``.

    Raises sqlite3.Error or OSError; callers name the file in their own error.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    db = sqlite3.connect(path, isolation_level=None, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={synchronous}")
    db.executescript(schema)
    return db


@contextmanager
def transaction(db: sqlite3.Connection, path: Path) -> Iterator[sqlite3.Connection]:
    """Run the block in one write transaction; StateError naming ``path`` when it fails."""
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    except sqlite3.Error as exc:
        raise StateError(f"cannot write state store {path}: {exc}") from exc


class StateStore:
    """All reads and writes of ``state.sqlite3`` for one account."""

    def __init__(self, path: Path, account: str) -> None:
        self.path = path
        self.account = account
        try:
            self._db = connect(path, SCHEMA, synchronous="FULL")
            self._db.execute("SELECT count(*) FROM outcomes").fetchone()
            check = self._db.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check: {check[0] if check else '?'}")
        except sqlite3.DatabaseError as exc:
            if hasattr(self, "_db"):
                with contextlib.suppress(sqlite3.Error):
                    self._db.close()
            code = getattr(exc, "sqlite_errorcode", None)
            if code in _DAMAGED or str(exc).startswith("integrity check"):
                raise CorruptStateError(f"state store {path} is damaged ({exc})") from exc
            raise StateError(f"state store {path} is unreadable ({exc}); move it away "
                             "and run again: it is rebuilt without duplicate drafts") from exc
        except OSError as exc:
            raise StateError(f"cannot create state dir {path.parent}: {exc.strerror}") from exc

    @classmethod
    def open(cls, state_dir: Path, account: str) -> StateStore:
        """Return the store under ``state_dir``, creating it when missing.

        A damaged file is moved aside (``state.sqlite3.corrupt-<UTC time>``, its WAL with
        it) and a new store is started, with an ERROR in the log: nothing is answered twice,
        because drafts are recognised by their Message-ID in Drafts and handled mail by its
        keyword; only the history for ``status`` starts over.
        """
        path = state_dir / "state.sqlite3"
        try:
            return cls(path, account)
        except CorruptStateError as exc:
            aside = _move_aside(path)
            log.error("%s: moved to %s and starting a new state store; drafts already made "
                      "are found by Message-ID, so none is made twice", exc, aside)
            return cls(path, account)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def _tx(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self._db, self.path)

    # -- watermarks ------------------------------------------------------------------------

    def watermark(self, folder: str) -> tuple[int, int] | None:
        """Return (uidvalidity, last_uid) handled in ``folder``, or None before the first pass."""
        row = self._db.execute(
            "SELECT uidvalidity, last_uid FROM folders WHERE account=? AND folder=?",
            (self.account, folder),
        ).fetchone()
        return (int(row[0]), int(row[1])) if row else None

    # -- outcomes --------------------------------------------------------------------------

    def done(self, message_id: str | None, folder: str, ref: str) -> Outcome | None:
        """Return the completed outcome for this Message-ID (or folder and ref), if any."""
        if message_id:
            row = self._db.execute(
                "SELECT * FROM outcomes WHERE account=? AND message_id=? AND status='done' "
                "ORDER BY id DESC LIMIT 1",
                (self.account, message_id),
            ).fetchone()
        else:
            row = self._db.execute(
                "SELECT * FROM outcomes WHERE account=? AND folder=? AND ref=? AND "
                "status='done' ORDER BY id DESC LIMIT 1",
                (self.account, folder, ref),
            ).fetchone()
        return _outcome(row) if row else None

    def done_message_ids(self, message_ids: Iterable[str]) -> set[str]:
        """Return which of ``message_ids`` have a completed outcome (one query)."""
        rows = self._db.execute(
            "SELECT DISTINCT message_id FROM outcomes WHERE account=? AND status='done' "
            "AND message_id IN (SELECT value FROM json_each(?))",
            (self.account, json.dumps(sorted(set(message_ids)))),
        ).fetchall()
        return {str(r[0]) for r in rows}

    def begin_many(self, outcomes: list[Outcome]) -> list[int]:
        """Record several outcomes as 'pending' in one transaction; return their row ids."""
        ids: list[int] = []
        with self._tx() as db:
            for outcome in outcomes:
                cur = db.execute(
                    "INSERT INTO outcomes(account, folder, ref, message_id, status, action, "
                    "label, patterns, reason, person, draft_message_id, at) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        self.account, outcome.folder, outcome.ref, outcome.message_id,
                        outcome.status, outcome.action, outcome.label,
                        json.dumps(list(outcome.patterns)), outcome.reason, outcome.person,
                        outcome.draft_message_id, outcome.at.isoformat(),
                    ),
                )
                ids.append(int(cur.lastrowid or 0))
        return ids

    def finish_many(self, row_ids: list[int], folder: str, uidvalidity: int, uid: int) -> None:
        """Mark several outcomes done and advance the watermark to ``uid``, in one transaction.

        One commit (one fsync) for a batch instead of one per message.
        """
        with self._tx() as db:
            db.executemany("UPDATE outcomes SET status='done' WHERE id=?",
                           [(row_id,) for row_id in row_ids])
            _advance(db, self.account, folder, uidvalidity, uid)

    def advance(self, folder: str, uidvalidity: int, uid: int) -> None:
        """Advance the watermark past a message that needed no action."""
        with self._tx() as db:
            _advance(db, self.account, folder, uidvalidity, uid)

    def persons_drafted_since(self, since: datetime) -> set[str]:
        """Return everyone a draft was created for at or after ``since``."""
        rows = self._db.execute(
            "SELECT DISTINCT person FROM outcomes WHERE account=? AND action='draft' AND "
            "status='done' AND person IS NOT NULL AND at>=?",
            (self.account, since.isoformat()),
        ).fetchall()
        return {str(r[0]) for r in rows}

    def outcomes(self, limit: int = 100) -> list[Outcome]:
        """Return the most recent outcomes, newest first."""
        rows = self._db.execute(
            "SELECT * FROM outcomes WHERE account=? ORDER BY id DESC LIMIT ?",
            (self.account, limit),
        ).fetchall()
        return [_outcome(r) for r in rows]

    # -- passes and errors -----------------------------------------------------------------

    def record_pass(self, summary: PassSummary) -> None:
        """Keep the summary of a finished pass."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO passes(account, started, seconds, considered, counts, errors, note) "
                "VALUES (?,?,?,?,?,?,?)",
                (
                    self.account,
                    summary.started.isoformat(),
                    summary.seconds,
                    summary.considered,
                    json.dumps(summary.counts, sort_keys=True),
                    summary.errors,
                    summary.note,
                ),
            )

    def record_error(self, ref: str, message: str) -> None:
        """Keep one error (never a body or a secret) for ``responder status``."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO errors(account, at, ref, message) VALUES (?,?,?,?)",
                (self.account, _now().isoformat(), ref, message[:500]),
            )

    def last_pass(self) -> PassSummary | None:
        """Return the newest pass summary, or None before the first pass."""
        row = self._db.execute(
            "SELECT started, seconds, considered, counts, errors, note FROM passes "
            "WHERE account=? ORDER BY id DESC LIMIT 1",
            (self.account,),
        ).fetchone()
        if row is None:
            return None
        return PassSummary(
            started=datetime.fromisoformat(row[0]),
            seconds=float(row[1]),
            considered=int(row[2]),
            counts=json.loads(row[3]),
            errors=int(row[4]),
            note=str(row[5]),
        )

    def last_errors(self, limit: int = 5) -> list[tuple[str, str, str]]:
        """Return (at, ref, message) of the newest errors."""
        rows = self._db.execute(
            "SELECT at, ref, message FROM errors WHERE account=? ORDER BY id DESC LIMIT ?",
            (self.account, limit),
        ).fetchall()
        return [(str(a), str(r), str(m)) for a, r, m in rows]

    def counts(self, since: datetime | None = None) -> dict[tuple[str, str], int]:
        """Return {(action, label): n} over completed outcomes, optionally since a time."""
        sql = (
            "SELECT action, coalesce(label, '-'), count(*) FROM outcomes "
            "WHERE account=? AND status='done'"
        )
        args: list[object] = [self.account]
        if since is not None:
            sql += " AND at>=?"
            args.append(since.isoformat())
        rows = self._db.execute(sql + " GROUP BY 1, 2", args).fetchall()
        return {(str(a), str(lbl)): int(n) for a, lbl, n in rows}


def _move_aside(path: Path) -> Path:
    """Rename a damaged database and its WAL and shared-memory files; return the new name."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = path.with_name(path.name + suffix)
        if source.exists():
            try:
                source.rename(path.with_name(aside.name + suffix))
            except OSError as exc:
                raise StateError(f"state store {path} is damaged and cannot be moved aside "
                                 f"({exc.strerror}): move it away by hand") from exc
    return aside


def _advance(db: sqlite3.Connection, account: str, folder: str, uidvalidity: int, uid: int) -> None:
    db.execute(
        "INSERT INTO folders(account, folder, uidvalidity, last_uid) VALUES (?,?,?,?) "
        "ON CONFLICT(account, folder) DO UPDATE SET uidvalidity=excluded.uidvalidity, "
        "last_uid=max(CASE WHEN folders.uidvalidity=excluded.uidvalidity "
        "THEN folders.last_uid ELSE 0 END, excluded.last_uid)",
        (account, folder, uidvalidity, uid),
    )


def _outcome(row: sqlite3.Row | tuple[object, ...]) -> Outcome:
    (_, _, folder, ref, message_id, status, action, label, patterns, reason, person, draft_id,
     at) = row
    return Outcome(
        folder=str(folder),
        ref=str(ref),
        message_id=None if message_id is None else str(message_id),
        action=str(action),
        label=None if label is None else str(label),
        patterns=tuple(json.loads(str(patterns))),
        reason=str(reason),
        person=None if person is None else str(person),
        draft_message_id=None if draft_id is None else str(draft_id),
        status=str(status),
        at=datetime.fromisoformat(str(at)),
    )
