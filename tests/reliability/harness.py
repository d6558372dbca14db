"""What the fault and abuse suite shares: settings, in-process and forked passes, kill points,
mail builders, and the comparison of a mailbox's end state with the fault-free reference.

A pass runs in-process through ``Runner`` (the daemon's own object) with an ``Engine`` built
once per session, or in a forked child that is killed with SIGKILL at a chosen point: a real
``kill -9`` of a process in the middle of real IMAP traffic, without paying for a spaCy load
per trial.
"""

from __future__ import annotations

import contextlib
import dataclasses
import email
import email.policy
import os
import signal
import sqlite3
import threading
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from responder.config import Settings, load_settings
from responder.errors import TransientMailboxError
from responder.imap import ImapStore
from responder.pipeline import Engine, PassResult
from responder.runner import Runner
from responder.state import StateStore
from tests.conftest import EML_DIR
from tests.dovecot import Account

IGNORED = "LinkedIn/Ignored"
HERE = Path(__file__).parent

#: (class, method) that a kill point can name; "tx" is inside a state transaction, before COMMIT.
#: Only the methods this version of responder has (batched variants included).
#: "bodies" counts messages as they arrive from the server (a FETCH brings a batch of them);
#: "append_draft" counts APPEND commands (one MULTIAPPEND carries a batch's drafts).
_ATTR = {"tx": "_tx", "bodies": "body_batches", "append_draft": "append_drafts"}
KILL_METHODS: dict[str, tuple[type, str]] = {
    name: (cls, _ATTR.get(name, name))
    for cls, names in (
        (ImapStore, ("bodies", "append_draft", "add_keyword", "add_keyword_many", "move",
                     "move_many")),
        (StateStore, ("begin_many", "finish_many", "tx")),
    )
    for name in names
    if hasattr(cls, _ATTR.get(name, name))
}


def settings_for(account: Account, state_dir: Path, **extra: str) -> Settings:
    """Return checked settings pointing at ``account`` (the CLI's own loader)."""
    return load_settings(None, account.env(state_dir, **extra))


def engine_for(base: Engine, settings: Settings) -> Engine:
    """Return the session's engine (classifier and templates loaded once) with ``settings``."""
    return dataclasses.replace(base, settings=settings)


def runner_for(settings: Settings, engine: Engine) -> Runner:
    """Return a Runner like ``run --once`` and the daemon build it."""
    state = StateStore.open(settings.state_dir, settings.account)
    return Runner(settings=settings, engine=engine_for(engine, settings), state=state)


def run_until_done(settings: Settings, engine: Engine, tries: int = 6) -> tuple[int, PassResult]:
    """Run passes with one Runner (reconnecting after transient failures, as the daemon does)
    until one completes; return (failed passes, the completed pass's result)."""
    runner = runner_for(settings, engine)
    failures = 0
    try:
        for _ in range(tries):
            try:
                runner.run_pass(threading.Event())
            except TransientMailboxError:
                failures += 1
                continue
            assert runner.last is not None
            return failures, runner.last
    finally:
        runner.close()
    raise AssertionError(f"no pass completed in {tries} tries")


# -- kill points ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KillPoint:
    """Kill the process ``phase`` ('before' or 'after') the ``n``-th call of ``method``."""

    method: str
    n: int
    phase: str = "after"

    def __str__(self) -> str:
        return f"{self.phase}:{self.method}#{self.n}"


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def install_kill(point: KillPoint) -> None:
    """Patch the method named by ``point`` in this process so it dies there (child only)."""
    cls, name = KILL_METHODS[point.method]
    original = getattr(cls, name)
    calls = 0

    def due() -> bool:
        nonlocal calls
        calls += 1
        return calls == point.n

    if point.method == "bodies":

        def bodies(self: Any, *args: Any, **kwargs: Any) -> Iterator[list[tuple[str, bytes]]]:
            for batch in original(self, *args, **kwargs):
                for _ in batch:
                    if due():  # fetched, not yet handled
                        _die()
                yield batch

        setattr(cls, name, bodies)
        return
    if point.method == "tx":

        @contextmanager
        def tx(self: Any) -> Iterator[sqlite3.Connection]:
            with original(self) as db:
                yield db
                if due():  # the writes are made, the COMMIT is not
                    _die()

        setattr(cls, name, tx)
        return

    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        hit = due()
        if hit and point.phase == "before":
            _die()
        result = original(self, *args, **kwargs)
        if hit:
            _die()
        return result

    setattr(cls, name, wrapper)


@contextmanager
def counting_calls() -> Iterator[Counter[str]]:
    """Count calls of every kill-point method in this process while the block runs."""
    counts: Counter[str] = Counter()
    saved = {}
    for key, (cls, name) in KILL_METHODS.items():
        original = getattr(cls, name)
        saved[key] = (cls, name, original)
        if key == "bodies":

            def bodies(self: Any, *a: Any, _o: Any = original, **k: Any) -> Iterator[Any]:
                for batch in _o(self, *a, **k):
                    counts["bodies"] += len(batch)
                    yield batch

            setattr(cls, name, bodies)
        elif key == "tx":

            @contextmanager
            def tx(self: Any, _o: Any = original) -> Iterator[Any]:
                with _o(self) as db:
                    yield db
                    counts["tx"] += 1

            setattr(cls, name, tx)
        else:

            def wrapper(self: Any, *a: Any, _o: Any = original, _k: str = key, **k: Any) -> Any:
                counts[_k] += 1
                return _o(self, *a, **k)

            setattr(cls, name, wrapper)
    try:
        yield counts
    finally:
        for cls, name, original in saved.values():
            setattr(cls, name, original)


def forked_pass(settings: Settings, engine: Engine, kill: KillPoint | None = None,
                before: Callable[[], None] | None = None) -> str:
    """Run one pass in a forked child; return 'killed', 'done', 'transient' or 'error'."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 0
        try:
            if before is not None:
                before()
            if kill is not None:
                install_kill(kill)
            runner = runner_for(settings, engine)
            try:
                runner.run_pass(threading.Event())
            except TransientMailboxError:
                code = 3
            finally:
                runner.close()
        except BaseException:
            traceback.print_exc()
            code = 4
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return "killed"
    return {0: "done", 3: "transient"}.get(os.WEXITSTATUS(status), "error")


# -- mailboxes and their end state ------------------------------------------------------------


def corpus_paths() -> list[Path]:
    return sorted(EML_DIR.glob("*.eml"))


def parse(raw: object) -> EmailMessage:
    assert isinstance(raw, bytes)
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def message_id_of(raw: bytes) -> str:
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    return str(msg["Message-ID"]).strip()


#: A message the user flagged \Deleted and has not expunged: no pass may ever remove it.
USER_DELETED = (
    b"From: Sam Ortiz <sam@example.net>\r\nTo: dana@example.org\r\n"
    b"Subject: lunch on Friday?\r\nMessage-ID: <user-deleted-1@example.net>\r\n"
    b"Date: Mon, 01 Sep 2025 10:00:00 +0000\r\n\r\nSee you there.\r\n"
)


def load_backlog(account: Account) -> list[str]:
    """Deliver the corpus and a user-\\Deleted mail; return every Message-ID delivered."""
    account.deliver_all(corpus_paths())
    with account.client() as c:
        c.append("INBOX", USER_DELETED, flags=[b"\\Deleted"])
    return [message_id_of(p.read_bytes()) for p in corpus_paths()] + [
        message_id_of(USER_DELETED)
    ]


Flags = frozenset[bytes]
EndState = dict[str, list[tuple[str, Flags]]]


def end_state(account: Account) -> EndState:
    """Each folder's messages as (Message-ID, flags without \\Recent); drafts by In-Reply-To."""
    result: EndState = {}
    for name in account.folders():
        rows = []
        for row in account.folder(name).values():
            msg = parse(row[b"BODY[]"])
            flags = row[b"FLAGS"]
            assert isinstance(flags, tuple)
            key = str(msg["Message-ID"])
            if name == "Drafts" and msg["X-Responder-Draft"] is not None:
                key = "draft-for:" + str(msg["In-Reply-To"])
            rows.append((key, frozenset(flags) - {b"\\Recent"}))
        result[name] = sorted(rows, key=lambda r: (r[0], sorted(r[1])))
    return result


@dataclass
class Damage:
    """How an end state differs from the reference, counted the way RELIABILITY.md reports it."""

    duplicates: int = 0  # drafts beyond one per parent, or drafts the reference has not
    losses: int = 0  # delivered mail missing, doubled, misplaced or left half-moved
    differences: list[str] = dataclasses.field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.duplicates or self.losses or self.differences)


def compare(reference: EndState, actual: EndState, delivered: list[str]) -> Damage:
    """Count duplicate drafts and lost or half-moved mail in ``actual`` against ``reference``."""
    damage = Damage()
    ref_drafts = Counter(k for k, _ in reference.get("Drafts", []))
    got_drafts = Counter(k for k, _ in actual.get("Drafts", []))
    for key, n in got_drafts.items():
        damage.duplicates += max(0, n - ref_drafts.get(key, 0))
    where_ref = _locations(reference)
    where_got = _locations(actual)
    for mid in delivered:
        if sorted(where_got.get(mid, [])) != sorted(where_ref.get(mid, [])):
            damage.losses += 1
            damage.differences.append(
                f"{mid}: expected {where_ref.get(mid)}, found {where_got.get(mid)}"
            )
    for folder in sorted(set(reference) | set(actual)):
        if reference.get(folder, []) != actual.get(folder, []):
            damage.differences.append(f"{folder} differs")
    return damage


def _locations(state: EndState) -> dict[str, list[tuple[str, tuple[bytes, ...]]]]:
    out: dict[str, list[tuple[str, tuple[bytes, ...]]]] = {}
    for folder, rows in state.items():
        for key, flags in rows:
            out.setdefault(key, []).append((folder, tuple(sorted(flags))))
    return out


def state_readable(settings: Settings) -> bool:
    """True when the state store opens and SQLite finds it intact."""
    store = StateStore.open(settings.state_dir, settings.account)
    try:
        row = store._db.execute("PRAGMA integrity_check").fetchone()
        store.outcomes(5)
        return bool(row and row[0] == "ok")
    finally:
        store.close()


# -- building mail ---------------------------------------------------------------------------

GENUINE_NOTE = (
    "Hi Dana, I maintain the Rust port of tidewater and I think I found an ordering bug in the "
    "windowed join with late watermarks. I have a repro and a patch. Could we do a short call "
    "before I open the PR?"
)
AR_OURS = (
    "mx.example.org; dkim=pass header.d=linkedin.com header.i=@linkedin.com; "
    "spf=pass smtp.mailfrom=bounce.linkedin.com; dmarc=pass header.from=linkedin.com"
)
_serial = iter(range(1, 10**9))


def invitation(
    *,
    name: str = "Oskar Lindqvist",
    note: str = GENUINE_NOTE,
    subject: str = "I want to connect",
    from_addr: str = "invitations@linkedin.com",
    headers: Mapping[str, str] | None = None,
    drop: tuple[str, ...] = (),
    message_id: str | None = None,
    profile: str | None = None,
) -> EmailMessage:
    """Return an authentic-looking LinkedIn invitation, laid out like the corpus's 01."""
    serial = next(_serial)
    msg = EmailMessage(policy=email.policy.SMTP)
    base: dict[str, str] = {
        "Return-Path": "<s-abc123@bounce.linkedin.com>",
        "Authentication-Results": AR_OURS,
        "Date": "Tue, 02 Sep 2025 15:41:07 +0000",
        "From": f"{name} <{from_addr}>",
        "To": "Dana Reyes <dana@example.org>",
        "Message-ID": message_id or f"<{serial}.rel.{os.getpid()}@ltx1-app1.prod.linkedin.com>",
        "Subject": subject,
        "X-LinkedIn-Class": "INVITE",
        "X-LinkedIn-Template": "email_m2m_invite_single_01",
        "List-Unsubscribe": "<https://www.linkedin.com/comm/psettings/email-unsubscribe>",
    }
    for key, value in base.items():
        if key not in drop:
            msg[key] = value
    for key, value in (headers or {}).items():
        msg[key] = value
    slug = profile or f"person-{serial}"
    msg.set_content(
        f"Hi Dana,\n\n{note}\n\n{name}\nSoftware Engineer at Quillmate\n\n"
        f"View profile: https://www.linkedin.com/comm/in/{slug}?trk=eml-email_m2m_invite_"
        "single_01-header-0-profile_glimmer\n"
        "Accept: https://www.linkedin.com/comm/mynetwork/invite-accept/invitationId/1/\n\n"
        ".....................................\n\n"
        "You are receiving Invitation emails.\n\n"
        "This email was intended for Dana Reyes (Staff Data Engineer at Fernhill Logistics).\n"
    )
    return msg


def raw_invitation(**kwargs: Any) -> bytes:
    """The bytes of ``invitation(**kwargs)``, with header values written exactly as given.

    Header values are set raw (no re-encoding), so hostile bytes reach the server verbatim.
    """
    headers = kwargs.pop("raw_headers", {})
    msg = invitation(**kwargs)
    raw = msg.as_bytes()
    head, sep, body = raw.partition(b"\r\n\r\n")
    for name, value in headers.items():
        head += b"\r\n" + name.encode() + b": " + value
    return head + sep + body


def drafts_in(account: Account) -> list[EmailMessage]:
    """Every draft responder made in the account's Drafts folder, parsed."""
    return [parse(r[b"BODY[]"]) for r in account.folder("Drafts").values()]


def raw_drafts_in(account: Account) -> list[bytes]:
    out = []
    for row in account.folder("Drafts").values():
        raw = row[b"BODY[]"]
        assert isinstance(raw, bytes)
        out.append(raw)
    return out


@contextlib.contextmanager
def env_var(name: str, value: str) -> Iterator[None]:
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old
