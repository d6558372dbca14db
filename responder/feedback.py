"""Learn from the user's review: what became of each draft, each filing and each mail left alone.

At the start of every pass responder looks, read-only, at what the user did in their mail
client since the last pass, and records each finding once (a *signal*) with the label and
winning pattern ids of the decision it judges:

- ``sent_as_is`` / ``sent_edited``: a message in the Sent folder carries a draft's Message-ID or
  answers (In-Reply-To/References) a notification responder drafted for; its text is compared
  with the drafted text, which is kept (whitespace-normalised) when the draft is made;
- ``discarded``: a draft left Drafts and nothing was sent within
  ``RESPONDER_DISCARD_GRACE_DAYS``;
- ``rescued``: a message responder filed is back in the source folder (or one of
  ``RESPONDER_RESCUE_FOLDERS``): matched by Message-ID against filed outcomes;
- ``answered``: the user answered a notification responder left alone (a Sent message
  answering it, or the ``\\Answered`` flag on it).

Cost: one STATUS per watched folder per pass. Sent and the source folder are read only above a
per-folder UIDNEXT watermark; Drafts is listed only while responder's drafts await a verdict
and its counters changed; the ``\\Answered`` search runs only while mail left alone awaits
one and (with CONDSTORE) the source folder's HIGHESTMODSEQ moved.

Rescues and discards can teach per-person overrides (``RESPONDER_LEARN_FROM``): the person of a
rescued mail is drafted next time, the person of a discarded draft is filed next time. They
are listed and removed with ``responder overrides``; never learned for the user's own name or
address. Everything stays in the one SQLite file under the state dir.
"""

from __future__ import annotations

import difflib
import email
import email.policy
import json
import logging
import re
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Literal

from responder.config import Settings
from responder.errors import StateError
from responder.mailstore import FolderStatus, MailStore, Peek
from responder.models import Action, Notification
from responder.state import connect, transaction

log = logging.getLogger(__name__)

SignalKind = Literal["sent_as_is", "sent_edited", "discarded", "rescued", "answered"]
SIGNAL_KINDS: tuple[SignalKind, ...] = (
    "sent_as_is", "sent_edited", "discarded", "rescued", "answered",
)
#: Decisions older than this are no longer watched for a verdict.
WATCH_DAYS = 90

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback_marks (
    account TEXT NOT NULL,
    folder TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    last_pos INTEGER NOT NULL,
    fingerprint TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (account, folder)
);
CREATE TABLE IF NOT EXISTS feedback_drafts (
    account TEXT NOT NULL,
    draft_message_id TEXT NOT NULL,
    body TEXT,
    has_address INTEGER,
    departed_at TEXT,
    PRIMARY KEY (account, draft_message_id)
);
CREATE TABLE IF NOT EXISTS feedback_asks (
    account TEXT NOT NULL,
    outcome_id INTEGER NOT NULL,
    ask TEXT NOT NULL,
    PRIMARY KEY (account, outcome_id)
);
CREATE TABLE IF NOT EXISTS signals (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    subject TEXT NOT NULL,
    kind TEXT NOT NULL,
    outcome_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    label TEXT,
    patterns TEXT NOT NULL DEFAULT '[]',
    person TEXT,
    decided_at TEXT NOT NULL,
    at TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    UNIQUE (account, subject)
);
CREATE TABLE IF NOT EXISTS overrides (
    account TEXT NOT NULL,
    person TEXT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL,
    signal_id INTEGER,
    at TEXT NOT NULL,
    PRIMARY KEY (account, person)
);
"""

_ID = re.compile(r"<[^<>\s]+>")
_SENT_FIELDS = ("MESSAGE-ID", "IN-REPLY-TO", "REFERENCES")


@dataclass(frozen=True)
class Decided:
    """One completed decision (the newest outcome row for its message) awaiting a verdict."""

    id: int
    message_id: str | None
    action: str
    label: str | None
    patterns: tuple[str, ...]
    person: str | None
    draft_message_id: str | None
    folder: str
    ref: str
    at: datetime

    @property
    def subject(self) -> str:
        """What a signal is about: the notification's Message-ID, else the outcome row."""
        return self.message_id or f"outcome:{self.id}"


@dataclass(frozen=True)
class Signal:
    """One thing the user did about one decision, recorded once."""

    kind: SignalKind
    decision: Decided
    at: datetime
    detail: str = ""


@dataclass(frozen=True)
class Override:
    """A per-person action learned from the user's review (or set by them)."""

    person: str
    action: Action
    reason: str
    at: datetime


@dataclass(frozen=True)
class Mark:
    """Where the feedback loop stopped reading a folder."""

    uidvalidity: int
    pos: int
    fingerprint: str


# -- pure helpers --------------------------------------------------------------------------


def norm_id(value: str | None) -> str | None:
    """A Message-ID as ``<left@right>``, or None."""
    text = (value or "").strip()
    if not text:
        return None
    found = _ID.search(text)
    if found:
        return found.group(0)
    return f"<{text}>" if " " not in text else None


def ids_in(value: str | None) -> list[str]:
    """Every ``<msg-id>`` in a header value (In-Reply-To, References)."""
    return _ID.findall(value or "")


def normalise_body(text: str) -> str:
    """The words of a reply as a person wrote them: quoted lines, signature and spacing dropped.

    Robust to a client re-wrapping lines, converting newlines or appending the quoted original.
    """
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.rstrip() == "--":
            break  # "-- " starts a signature the client may have added
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return " ".join(" ".join(kept).split())


def body_text(msg: Message) -> str:
    """The text of a message's plain body (else its HTML with the tags removed), or ''."""
    if isinstance(msg, EmailMessage):
        part = msg.get_body(("plain", "html"))
        if part is None:
            return ""
        try:
            content = part.get_content()
        except (LookupError, ValueError):
            return ""
        text = str(content)
        if part.get_content_subtype() == "html":
            text = re.sub(r"<[^>]*>", " ", text)
        return text
    return ""


def compare_bodies(drafted: str | None, sent: str) -> tuple[SignalKind, str]:
    """``sent_as_is`` when the normalised texts are equal, else ``sent_edited`` with a measure."""
    if drafted is None:
        return "sent_edited", "the drafted text was not kept (draft made before feedback)"
    mine = normalise_body(sent)
    if mine == drafted:
        return "sent_as_is", "sent exactly as drafted"
    ratio = difflib.SequenceMatcher(None, drafted, mine, autojunk=False).ratio()
    return "sent_edited", f"edited: {round(100 * (1 - ratio))}% of the text changed"


def is_own(person: str | None, settings: Settings) -> bool:
    """True when a person key is the user themself (never learn an override for that)."""
    if not person:
        return True
    key = person.casefold()
    addresses = [settings.from_address, settings.imap_user]
    if any(a.strip() and "@" in a and a.strip().casefold() in key for a in addresses):
        return True
    name = " ".join(settings.from_name.split()).casefold()
    return bool(name) and key == f"name:{name}"


def learned_action(signal: Signal, settings: Settings, has_address: bool | None) -> Action | None:
    """The per-person override a signal teaches, if any (see RESPONDER_LEARN_FROM)."""
    if is_own(signal.decision.person, settings):
        return None
    if signal.kind == "rescued" and "rescued" in settings.learn_from:
        return "draft"
    # A draft with no email address is answered on LinkedIn by copying its text and then
    # deleted: its leaving Drafts says nothing against the person, so nothing is learned.
    if signal.kind == "discarded" and "discarded" in settings.learn_from and has_address:
        return "file"
    return None


def header_of(raw: bytes) -> Message:
    """Parse a header block (or a whole message's header) without failing."""
    return BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)


# -- the store -----------------------------------------------------------------------------


class FeedbackStore:
    """The feedback tables, in the same SQLite file as the state store (its own connection)."""

    def __init__(self, path: Path, account: str) -> None:
        self.path = path
        self.account = account
        try:
            # Notes are best effort (exactly-once lives in the outcomes, written with FULL
            # sync): NORMAL survives a crash of the process and skips an fsync per note.
            self._db = connect(path, SCHEMA, synchronous="NORMAL")
        except (sqlite3.Error, OSError) as exc:
            raise StateError(f"cannot open the feedback tables in {path}: {exc}") from exc

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def _tx(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self._db, self.path)

    def _has_outcomes(self) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='outcomes'"
        ).fetchone()
        return row is not None

    # -- watermarks --------------------------------------------------------------------------

    def mark(self, folder: str) -> Mark | None:
        """Return where reading ``folder`` stopped, or None before the first look."""
        row = self._db.execute(
            "SELECT uidvalidity, last_pos, fingerprint FROM feedback_marks "
            "WHERE account=? AND folder=?", (self.account, folder),
        ).fetchone()
        return Mark(int(row[0]), int(row[1]), str(row[2])) if row else None

    def set_mark(self, folder: str, uidvalidity: int, pos: int, fingerprint: str = "") -> None:
        """Remember where reading ``folder`` stopped."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO feedback_marks(account, folder, uidvalidity, last_pos, fingerprint) "
                "VALUES (?,?,?,?,?) ON CONFLICT(account, folder) DO UPDATE SET "
                "uidvalidity=excluded.uidvalidity, last_pos=excluded.last_pos, "
                "fingerprint=excluded.fingerprint",
                (self.account, folder, uidvalidity, pos, fingerprint),
            )

    # -- what a pass notes when it decides ---------------------------------------------------

    def note_many(self, drafts: list[tuple[str, str, bool]], asks: list[tuple[int, str]]) -> None:
        """Keep drafts as made (draft Message-ID, normalised text, whether it has a To), to
        tell later whether they were edited, and short copies of asks (outcome id, text) for
        the phrase suggestions of ``responder report``; one transaction."""
        with self._tx() as db:
            db.executemany(
                "INSERT INTO feedback_drafts(account, draft_message_id, body, has_address) "
                "VALUES (?,?,?,?) ON CONFLICT(account, draft_message_id) DO UPDATE SET "
                "body=excluded.body, has_address=excluded.has_address",
                [(self.account, i, body, int(to)) for i, body, to in drafts],
            )
            db.executemany(
                "INSERT OR REPLACE INTO feedback_asks(account, outcome_id, ask) VALUES (?,?,?)",
                [(self.account, outcome_id, ask) for outcome_id, ask in asks],
            )

    # -- decisions ---------------------------------------------------------------------------

    def decisions(
        self, since: datetime, *, actions: Iterable[str] = (), open_only: bool = False
    ) -> list[Decided]:
        """The newest completed decision per message since ``since`` (only unjudged ones)."""
        if not self._has_outcomes():
            return []
        sql = (
            "SELECT o.id, o.message_id, o.action, o.label, o.patterns, o.person, "
            "o.draft_message_id, o.folder, o.ref, o.at FROM outcomes o "
            "WHERE o.account=? AND o.status='done' AND o.at>=? AND (o.message_id IS NULL OR "
            "o.id=(SELECT max(p.id) FROM outcomes p WHERE p.account=o.account AND "
            "p.status='done' AND p.message_id=o.message_id))"
        )
        args: list[object] = [self.account, since.isoformat()]
        wanted = list(actions)
        if wanted:
            sql += f" AND o.action IN ({','.join('?' * len(wanted))})"
            args += wanted
        if open_only:
            sql += (
                " AND NOT EXISTS (SELECT 1 FROM signals s WHERE s.account=o.account AND "
                "s.subject=coalesce(o.message_id, 'outcome:' || o.id))"
            )
        rows = self._db.execute(sql + " ORDER BY o.id", args).fetchall()
        return [
            Decided(
                id=int(r[0]),
                message_id=norm_id(r[1]),
                action=str(r[2]),
                label=None if r[3] is None else str(r[3]),
                patterns=tuple(json.loads(str(r[4]))),
                person=None if r[5] is None else str(r[5]),
                draft_message_id=norm_id(r[6]),
                folder=str(r[7]),
                ref=str(r[8]),
                at=datetime.fromisoformat(str(r[9])),
            )
            for r in rows
        ]

    def draft_notes(self) -> dict[str, tuple[str | None, bool | None, datetime | None]]:
        """{draft Message-ID: (drafted text, has an email address, when it left Drafts)}."""
        rows = self._db.execute(
            "SELECT draft_message_id, body, has_address, departed_at FROM feedback_drafts "
            "WHERE account=?", (self.account,),
        ).fetchall()
        return {
            str(r[0]): (
                None if r[1] is None else str(r[1]),
                None if r[2] is None else bool(r[2]),
                None if r[3] is None else datetime.fromisoformat(str(r[3])),
            )
            for r in rows
        }

    def set_departed(self, draft_message_id: str, when: datetime | None) -> None:
        """Record when a draft was first seen gone from Drafts (None: it is back)."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO feedback_drafts(account, draft_message_id, departed_at) "
                "VALUES (?,?,?) ON CONFLICT(account, draft_message_id) DO UPDATE SET "
                "departed_at=excluded.departed_at",
                (self.account, draft_message_id, None if when is None else when.isoformat()),
            )

    def asks(self) -> dict[int, str]:
        """{outcome id: the kept start of its ask}."""
        rows = self._db.execute(
            "SELECT outcome_id, ask FROM feedback_asks WHERE account=?", (self.account,)
        ).fetchall()
        return {int(r[0]): str(r[1]) for r in rows}

    # -- signals -----------------------------------------------------------------------------

    def record(self, signal: Signal) -> int | None:
        """Record a signal unless one is already recorded for its decision; return its id."""
        d = signal.decision
        with self._tx() as db:
            cur = db.execute(
                "INSERT OR IGNORE INTO signals(account, subject, kind, outcome_id, action, "
                "label, patterns, person, decided_at, at, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    self.account, d.subject, signal.kind, d.id, d.action, d.label,
                    json.dumps(list(d.patterns)), d.person, d.at.isoformat(),
                    signal.at.isoformat(), signal.detail,
                ),
            )
            return int(cur.lastrowid or 0) if cur.rowcount else None

    def signals(self, since: datetime | None = None) -> list[dict[str, object]]:
        """Recorded signals (about decisions made since ``since``), oldest first."""
        sql = (
            "SELECT id, subject, kind, outcome_id, action, label, patterns, person, decided_at, "
            "at, detail FROM signals WHERE account=?"
        )
        args: list[object] = [self.account]
        if since is not None:
            sql += " AND decided_at>=?"
            args.append(since.isoformat())
        rows = self._db.execute(sql + " ORDER BY id", args).fetchall()
        keys = ("id", "subject", "kind", "outcome_id", "action", "label", "patterns", "person",
                "decided_at", "at", "detail")
        out = []
        for r in rows:
            item = dict(zip(keys, r, strict=True))
            item["patterns"] = json.loads(str(item["patterns"]))
            out.append(item)
        return out

    # -- overrides ---------------------------------------------------------------------------

    def override_actions(self) -> dict[str, Action]:
        """Every person with a 'draft' or 'file' override, and that action."""
        rows = self._db.execute(
            "SELECT person, action FROM overrides WHERE account=? AND action IN ('draft', "
            "'file')", (self.account,),
        ).fetchall()
        return {str(p): "draft" if a == "draft" else "file" for p, a in rows}

    def set_override(
        self, person: str, action: Action, reason: str, at: datetime, signal_id: int | None = None
    ) -> None:
        """Set (or replace) the override for ``person``."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO overrides(account, person, action, reason, signal_id, at) "
                "VALUES (?,?,?,?,?,?) ON CONFLICT(account, person) DO UPDATE SET "
                "action=excluded.action, reason=excluded.reason, signal_id=excluded.signal_id, "
                "at=excluded.at",
                (self.account, person, action, reason, signal_id, at.isoformat()),
            )

    def remove_override(self, person: str) -> bool:
        """Remove the override for ``person``; False when there was none."""
        with self._tx() as db:
            cur = db.execute(
                "DELETE FROM overrides WHERE account=? AND person=?", (self.account, person)
            )
            return cur.rowcount > 0

    def overrides(self) -> list[Override]:
        """Every override, newest first."""
        rows = self._db.execute(
            "SELECT person, action, reason, at FROM overrides WHERE account=? "
            "ORDER BY at DESC, person", (self.account,),
        ).fetchall()
        return [
            Override(str(p), "draft" if a == "draft" else "file", str(r),
                     datetime.fromisoformat(str(t)))
            for p, a, r, t in rows
        ]


# -- collecting signals from the mailbox ---------------------------------------------------


@dataclass
class Collector:
    """One look at the mailbox for the user's verdicts; ``run`` returns the new signals."""

    store: MailStore
    db: FeedbackStore
    settings: Settings
    now: datetime
    drafts_folder: Callable[[], str]
    _statuses: dict[str, FolderStatus | None] = field(default_factory=dict)

    def _status(self, folder: str) -> FolderStatus | None:
        """One STATUS per folder per look, however many checks need it."""
        if folder not in self._statuses:
            self._statuses[folder] = self.store.folder_status(folder)
        return self._statuses[folder]

    def _remembered(self, role: str, resolve: Callable[[], str | None]) -> str | None:
        """A special folder's name as found by an earlier look (saving a LIST per pass)."""
        mark = self.db.mark(f"@folder {role}")
        if mark is not None and mark.fingerprint:
            return mark.fingerprint
        name = resolve()
        if name:
            self.db.set_mark(f"@folder {role}", 0, 0, name)
        return name

    def run(self) -> list[Signal]:
        """Look at Sent, Drafts, the source (and rescue) folders; record and learn."""
        since = self.now - timedelta(days=WATCH_DAYS)
        open_ = self.db.decisions(since, actions=("draft", "file", "leave"), open_only=True)
        found: list[Signal] = []
        found += self._sent(open_)
        done = {s.decision.subject for s in found}
        open_ = [d for d in open_ if d.subject not in done]
        found += self._drafts([d for d in open_ if d.action == "draft" and d.draft_message_id])
        found += self._rescues([d for d in open_ if d.action == "file"])
        done = {s.decision.subject for s in found}
        found += self._answered([d for d in open_ if d.action == "leave"
                                 and d.subject not in done])
        return self._record(found)

    # -- Sent: drafts sent (as drafted or edited), mail left alone answered ------------------

    def _sent(self, open_: list[Decided]) -> list[Signal]:
        name = self.settings.sent_folder or self._remembered("sent", self.store.sent_folder)
        if not name:
            return []
        status = self._status(name)
        if status is None:
            self.db.set_mark("@folder sent", 0, 0, "")  # gone: look it up again next time
            return []
        mark = self.db.mark(name)
        same = mark is not None and mark.uidvalidity == status.uidvalidity
        if same and mark is not None and status.uidnext - 1 <= mark.pos:
            return []
        watched = [d for d in open_ if d.action in ("draft", "leave")]
        if not same and not watched:
            self.db.set_mark(name, status.uidvalidity, status.uidnext - 1)
            return []
        after = mark.pos if same and mark is not None else 0
        window = None if same else min(d.at for d in watched) - timedelta(days=1)
        peeks = self.store.peek_headers(name, after, _SENT_FIELDS, window)
        matches = match_sent(peeks, watched)
        drafted = {ref: d for ref, d in matches.items() if d.action == "draft"}
        raws = self.store.peek_messages(name, sorted(drafted, key=_ref_order))
        notes = self.db.draft_notes()
        found: list[Signal] = []
        for ref, d in matches.items():
            if d.action == "leave":
                found.append(Signal("answered", d, self.now, "you replied from your mail client"))
                continue
            raw = raws.get(ref)
            if raw is None:
                continue
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            drafted_text = notes.get(d.draft_message_id or "", (None, None, None))[0]
            kind, detail = compare_bodies(drafted_text, body_text(msg))
            found.append(Signal(kind, d, self.now, detail))
        top = max([status.uidnext - 1, *(p.pos for p in peeks)])
        self.db.set_mark(name, status.uidvalidity, top)
        return found

    # -- Drafts: drafts that left without being sent ----------------------------------------

    def _drafts(self, open_: list[Decided]) -> list[Signal]:
        if not open_:
            return []
        name = self.settings.drafts_folder or self._remembered("drafts", self.drafts_folder)
        if not name:
            return []
        status = self._status(name)
        if status is None:
            self.db.set_mark("@folder drafts", 0, 0, "")
            return []
        fingerprint = f"{status.uidvalidity}:{status.uidnext}:{status.messages}:{status.modseq}"
        notes = self.db.draft_notes()
        mark = self.db.mark(name)
        unseen = any(d.draft_message_id not in notes for d in open_)
        if mark is None or mark.fingerprint != fingerprint or unseen:
            peeks = self.store.peek_headers(name, 0, ("MESSAGE-ID", "IN-REPLY-TO"))
            present: set[str] = set()
            for p in peeks:
                h = header_of(p.header)
                present.update(ids_in(h.get("Message-ID")) + ids_in(h.get("In-Reply-To")))
            for d in open_:
                assert d.draft_message_id is not None
                here = d.draft_message_id in present or (d.message_id or "-") in present
                left = notes.get(d.draft_message_id, (None, None, None))[2]
                if not here and left is None:
                    self.db.set_departed(d.draft_message_id, self.now)
                elif here and (left is not None or d.draft_message_id not in notes):
                    self.db.set_departed(d.draft_message_id, None)
            self.db.set_mark(name, status.uidvalidity, status.uidnext - 1, fingerprint)
            notes = self.db.draft_notes()
        grace = timedelta(days=self.settings.discard_grace_days)
        found: list[Signal] = []
        for d in open_:
            _body, has_address, left = notes.get(d.draft_message_id or "", (None, None, None))
            if left is not None and self.now - left >= grace:
                detail = f"left Drafts {left:%Y-%m-%d}; nothing sent within {grace.days} day(s)"
                if has_address is False:
                    detail += " (no email address: perhaps answered on LinkedIn)"
                found.append(Signal("discarded", d, self.now, detail))
        return found

    # -- the source folder: filed mail moved back --------------------------------------------

    def _rescues(self, open_: list[Decided]) -> list[Signal]:
        by_id = {d.message_id: d for d in open_ if d.message_id}
        ignore = self.settings.ignore_folder
        folders = [self.settings.source_folder]
        folders += [f for f in self.settings.rescue_folders if f not in folders and f != ignore]
        found: list[Signal] = []
        for name in folders:
            status = self._status(name)
            if status is None:
                continue
            mark = self.db.mark(name)
            same = mark is not None and mark.uidvalidity == status.uidvalidity
            if same and mark is not None and status.uidnext - 1 <= mark.pos:
                continue
            if same and mark is not None and by_id:
                peeks = self.store.peek_headers(name, mark.pos, ("MESSAGE-ID",))
                for p in peeks:
                    mid = norm_id(header_of(p.header).get("Message-ID"))
                    d = by_id.pop(mid, None) if mid else None
                    if d is not None:
                        where = "" if name == self.settings.source_folder else f" to {name}"
                        found.append(Signal("rescued", d, self.now,
                                            f"you moved it back{where}"))
            # First look, or UIDVALIDITY changed: start from here (old mail is no rescue).
            self.db.set_mark(name, status.uidvalidity, status.uidnext - 1, _keep(mark))
        return found

    # -- the source folder: \Answered on mail left alone -------------------------------------

    def _answered(self, open_: list[Decided]) -> list[Signal]:
        source = self.settings.source_folder
        mine = [d for d in open_ if d.folder == source and d.message_id]
        if not mine:
            return []
        status = self._status(source)
        if status is None:
            return []
        key = "\\Answered " + source
        mark = self.db.mark(key)
        fingerprint = f"{status.uidvalidity}:{status.modseq}" if status.modseq else ""
        if fingerprint and mark is not None and mark.fingerprint == fingerprint:
            return []
        hits = self.store.answered(source, sorted({d.ref for d in mine}, key=_ref_order))
        found = []
        for d in mine:
            header = hits.get(d.ref)
            if header is not None and norm_id(header_of(header).get("Message-ID")) == d.message_id:
                found.append(Signal("answered", d, self.now, "marked \\Answered"))
        self.db.set_mark(key, status.uidvalidity, 0, fingerprint)
        return found

    # -- recording and learning --------------------------------------------------------------

    def _record(self, found: list[Signal]) -> list[Signal]:
        notes = self.db.draft_notes()
        recorded = []
        for s in found:
            signal_id = self.db.record(s)
            if signal_id is None:
                continue
            recorded.append(s)
            d = s.decision
            log.info("feedback: %s %s label=%s patterns=%s person=%s", s.kind, d.subject,
                     d.label or "-", ",".join(d.patterns) or "-", d.person or "-")
            has_address = notes.get(d.draft_message_id or "", (None, None, None))[1]
            action = learned_action(s, self.settings, has_address)
            if action is not None and d.person is not None:
                did = "moved filed mail back" if s.kind == "rescued" else "discarded a draft"
                reason = f"you {did} ({d.label or 'no label'}, {s.at:%Y-%m-%d})"
                self.db.set_override(d.person, action, reason, s.at, signal_id)
        return recorded


def match_sent(peeks: list[Peek], watched: list[Decided]) -> dict[str, Decided]:
    """{Sent ref: the decision it answers}: by a draft's Message-ID, else In-Reply-To/References.

    Pure. A decision is matched at most once (by its first Sent message).
    """
    by_draft = {d.draft_message_id: d for d in watched if d.draft_message_id}
    by_parent = {d.message_id: d for d in watched if d.message_id}
    matched: dict[str, Decided] = {}
    taken: set[str] = set()
    for p in peeks:
        h = header_of(p.header)
        own = norm_id(h.get("Message-ID"))
        d = by_draft.get(own) if own else None
        if d is None:
            parents = ids_in(h.get("In-Reply-To")) + list(reversed(ids_in(h.get("References"))))
            d = next((by_parent[i] for i in parents if i in by_parent), None)
        if d is not None and d.subject not in taken:
            taken.add(d.subject)
            matched[p.ref] = d
    return matched


def _keep(mark: Mark | None) -> str:
    return mark.fingerprint if mark is not None else ""


def _ref_order(ref: str) -> tuple[int, str]:
    return (int(ref), "") if ref.isdigit() else (0, ref)


# -- what the pass calls -------------------------------------------------------------------


class Feedback:
    """The pass's handle on the feedback loop: collect, note, and look up overrides."""

    def __init__(self, db: FeedbackStore, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        #: Every override by person, read at the first lookup of a pass (one query, not one
        #: per message); collecting signals may add overrides, so it starts the read over.
        self._overrides: dict[str, Action] | None = None

    @classmethod
    def open(cls, state_path: Path, account: str, settings: Settings) -> Feedback:
        """Open the feedback tables of the state store at ``state_path``."""
        return cls(FeedbackStore(state_path, account), settings)

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def collect(
        self, store: MailStore, now: datetime, drafts_folder: Callable[[], str]
    ) -> list[Signal]:
        """Record what the user did since the last pass; return the new signals."""
        self._overrides = None
        return Collector(store, self.db, self.settings, now, drafts_folder).run()

    def override_for(self, person: str | None) -> Action | None:
        """The per-person override for ``person``, if any."""
        if not person:
            return None
        if self._overrides is None:
            self._overrides = self.db.override_actions()
        return self._overrides.get(person)

    def note_many(self, items: list[tuple[int, Notification, EmailMessage | None]]) -> None:
        """Keep the drafted text (normalised) and the start of the ask of each (outcome id,
        notification, draft or None), local to the state dir, in one transaction.

        Best effort: a failure here is logged and never stops a message being handled.
        """
        drafts: list[tuple[str, str, bool]] = []
        asks: list[tuple[int, str]] = []
        keep = self.settings.keep_ask_chars
        for outcome_id, n, draft in items:
            try:
                if draft is not None:
                    draft_id = norm_id(str(draft.get("Message-ID", "")))
                    if draft_id is not None:
                        drafts.append((draft_id, normalise_body(body_text(draft)),
                                       bool(draft.get("To"))))
                if keep and n.ask_text and n.authentic:
                    asks.append((outcome_id, " ".join(n.ask_text.split())[:keep]))
            except (ValueError, LookupError) as exc:
                log.warning("feedback note for outcome %d not kept: %s", outcome_id, exc)
        try:
            self.db.note_many(drafts, asks)
        except StateError as exc:
            log.warning("feedback notes for %d outcome(s) not kept: %s", len(items), exc)
