"""One message and one pass: read, classify, decide, compose, act, record.

Every outcome is recorded as 'pending' before the mailbox is changed and 'done' after, and
each act is safe to repeat: a draft is APPENDed only when no draft with its derived
Message-ID is in the Drafts folder, and a message is moved only while it is still in the source
folder. So a crash at any point, a lost state store or a UIDVALIDITY change never duplicates a
draft and never loses a message. One bad message never stops a pass.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING, TypeVar, cast

from responder.config import Settings
from responder.decide import Policy, decide, needs_classification
from responder.errors import MailboxError, ResponderError, TransientMailboxError
from responder.feedback import Feedback
from responder.mailstore import (
    KEYWORD_DRAFTED,
    KEYWORD_FILED,
    KEYWORD_SUSPICIOUS,
    HeaderInfo,
    MailStore,
    Scan,
    looks_like_linkedin,
)
from responder.models import Classification, Decision, Notification, PassSummary
from responder.state import Outcome, StateStore

if TYPE_CHECKING:  # imported for real inside Engine.build: spaCy loads only when needed
    from responder.classify import Classifier
    from responder.templating import Identity, Templates

log = logging.getLogger(__name__)

T = TypeVar("T")



@dataclass
class Engine:
    """The expensive, reloadable parts, built once: classifier, templates, identity, policy."""

    settings: Settings
    templates: Templates
    identity: Identity
    policy: Policy
    #: The classifier, or the load of it still under way on another thread (``background``).
    _classifier: Classifier | Future[Classifier] = field(repr=False)

    @classmethod
    def build(cls, settings: Settings, *, background: bool = False) -> Engine:
        """Load patterns and templates; raise ConfigError naming what is wrong.

        With ``background``, templates are loaded at once (a mistake there raises here) and
        the classifier (importing spaCy, about a second) on a thread, so a pass can connect
        and search meanwhile; :meth:`ready` waits for it and raises its ConfigError.
        """
        from responder.compose import Identity, Templates

        identity = Identity(
            from_name=settings.from_name,
            from_address=settings.from_address,
            phone=settings.phone,
            skype=settings.skype,
            extra=dict(settings.template_extra),
            reply_via_relay=settings.reply_via_linkedin_relay,
        )
        templates = Templates.load(settings.templates_dir)
        classifier: Classifier | Future[Classifier]
        if background:
            classifier = Future()
            threading.Thread(target=_load_into, args=(classifier, settings), daemon=True,
                             name="responder-classifier").start()
        else:
            classifier = _load_classifier(settings)
        return cls(
            settings=settings,
            templates=templates,
            identity=identity,
            policy=Policy(
                draft_labels=settings.draft_labels,
                file_labels=settings.file_labels,
                reply_once_days=settings.reply_once_days,
            ),
            _classifier=classifier,
        )

    @property
    def classifier(self) -> Classifier:
        """The classifier, once loaded (see :meth:`ready`)."""
        return self.ready()

    def ready(self) -> Classifier:
        """Wait until the classifier is loaded and return it; raise its ConfigError."""
        if isinstance(self._classifier, Future):
            self._classifier = self._classifier.result()
        return self._classifier

    def read(self, raw: bytes) -> Notification:
        """Return the reading of one raw mail."""
        from responder.parse import read_mail

        return read_mail(
            raw,
            authserv_id=self.settings.authserv_id or None,
            require_authentication=self.settings.require_authentication,
        )

    def classify(self, n: Notification) -> Classification | None:
        """Return the label of the mail's ask, or None when it has no ask to label."""
        if not needs_classification(n):
            return None
        return self.classifier.classify(n.ask_text or "", n.kind)

    def classify_each(
        self, readings: Sequence[Notification | Exception]
    ) -> list[Classification | Exception | None]:
        """Return :meth:`classify` of each reading, in order; a reading that is an error (a
        mail that could not be read) gives None.

        The asks are labelled together (the classifier is faster so); should that fail, each
        is labelled alone, so an ask that breaks the classifier gets its own error and the
        others their labels.
        """
        asks = [isinstance(r, Notification) and needs_classification(r) for r in readings]
        try:
            labelled = iter(self.classifier.classify_many(
                (r.ask_text or "", r.kind)
                for r, ask in zip(readings, asks, strict=True)
                if ask and isinstance(r, Notification)
            ))
            return [next(labelled) if ask else None for ask in asks]
        except Exception as exc:
            log.warning("labelling %d asks together failed (%s); labelling each alone",
                        sum(asks), exc)
        out: list[Classification | Exception | None] = []
        for r in readings:
            try:
                out.append(self.classify(r) if isinstance(r, Notification) else None)
            except Exception as exc:  # reported with its mail by the pass
                out.append(exc)
        return out

    def compose(self, n: Notification, label: str, now: datetime) -> EmailMessage:
        """Return the draft reply for ``n``."""
        from responder.compose import compose_draft

        return compose_draft(n, label, self.identity, self.templates, now)


@dataclass(frozen=True)
class MessageReport:
    """What a pass did (or, in a dry run, would do) with one message."""

    ref: str
    action: str
    reason: str
    label: str | None = None
    patterns: tuple[str, ...] = ()
    kind: str = ""
    sender: str | None = None
    draft_message_id: str | None = None
    error: str | None = None


@dataclass
class PassResult:
    """The summary of a pass and the report of each LinkedIn-looking message it read."""

    summary: PassSummary
    reports: list[MessageReport] = field(default_factory=list)


def person_key(n: Notification) -> str | None:
    """Return who the ask is from, for the once-per-person rule (never the From address)."""
    for url in (n.profile_url, n.thread_url):
        if url:
            return url.split("?", 1)[0].rstrip("/").lower()
    if n.sender_name:
        return "name:" + re.sub(r"\s+", " ", n.sender_name).strip().casefold()
    return None


@dataclass
class _Planned:
    """A message read and decided, waiting for its batch to be carried out."""

    info: HeaderInfo
    n: Notification
    d: Decision
    person: str | None
    raw_draft: bytes
    draft_id: str | None
    draft: EmailMessage | None
    index: int  # of its report in the pass's reports
    row: int = 0


@dataclass
class _Acting:
    """A batch whose mailbox changes run on the I/O thread: per message, its error or None."""

    batch: list[_Planned]
    future: Future[list[Exception | None]]
    settled: bool = False

    def succeeded(self) -> bool:
        """True when the changes ran to the end (some messages may have failed alone)."""
        return self.future.done() and self.future.exception() is None


#: Messages decided before their mailbox changes are made together: one APPEND of the drafts,
#: one STORE per keyword, one MOVE and two state transactions per batch, not per message.
#: Each command is a transaction on the server, so bigger batches cost it less; a batch's
#: drafts (a few KB each) are all that is held meanwhile.
ACT_BATCH = 500
#: From this many drafts in one batch, list every draft's Message-ID once for the pass
#: instead of searching Drafts for each batch's few.
FULL_DRAFT_LIST = 10
#: Batches of bodies fetched ahead of the one being worked on (a few hundred KB each).
READ_AHEAD = 2


def _load_classifier(settings: Settings) -> Classifier:
    """Import spaCy (its log routed through ours) and load the patterns."""
    from responder.classify import Classifier
    from responder.logs import quiet_spacy

    quiet_spacy()
    return Classifier.load(settings.patterns_file)


def _load_into(slot: Future[Classifier], settings: Settings) -> None:
    """Load the classifier into ``slot`` (on a thread): its result, or the error."""
    try:
        slot.set_result(_load_classifier(settings))
    except BaseException as exc:  # handed to whoever waits in Engine.ready
        slot.set_exception(exc)


class ReadAhead:
    """Iterate over ``batches``, fetching the next ones on a worker thread meanwhile.

    While the caller reads, classifies and composes one batch, the server is already sending
    the next :data:`READ_AHEAD`, so the pass's CPU work and the server's work overlap. The
    same thread carries out the mailbox changes the caller hands it (:meth:`submit`), in
    order with the fetches, so the connection is only ever used by that one thread while a
    ``with`` block is open; leaving the block waits for all of it.
    """

    def __init__(self, batches: Iterator[list[tuple[str, bytes]]]) -> None:
        self._batches = batches
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="responder-io")
        self._pending: deque[Future[list[tuple[str, bytes]] | None]] = deque()
        self._last: Future[object] | None = None

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.wait()
        self._pool.shutdown(wait=True)

    def __iter__(self) -> Iterator[list[tuple[str, bytes]]]:
        for _ in range(READ_AHEAD):
            self._fetch()
        while True:
            batch = self._pending.popleft().result()  # a fetch's error is raised here
            if batch is None:
                return
            self._fetch()
            yield batch

    def _fetch(self) -> None:
        future = self._pool.submit(next, self._batches, None)
        self._pending.append(future)
        self._last = cast("Future[object]", future)

    def submit(self, work: Callable[[], T]) -> Future[T]:
        """Run ``work`` on the worker thread after the fetches asked for so far."""
        future = self._pool.submit(work)
        self._last = cast("Future[object]", future)
        return future

    def wait(self) -> None:
        """Return once nothing is in flight (results and errors are kept for their owners)."""
        if self._last is not None:
            futures_wait([self._last])


@dataclass
class Pass:
    """One pass over the source folder of one mail store."""

    store: MailStore
    state: StateStore
    engine: Engine
    dry_run: bool = False
    since: datetime | None = None
    stop: threading.Event = field(default_factory=threading.Event)
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    _drafts: str | None = None
    _ignore: str | None = None
    _draft_ids: set[str] | None = None
    _appended: set[str] = field(default_factory=set)
    _feedback: Feedback | None = None
    #: Called with (messages read, messages to read) as the backlog is worked through.
    progress: Callable[[int, int], None] | None = None
    _drafted_persons: set[str] = field(default_factory=set)
    #: Everyone drafted to within reply_once_days before this pass, read once per pass.
    _recent_persons: set[str] | None = None
    #: Lowest position whose mailbox change the server refused (no Drafts, [OVERQUOTA], ...):
    #: the watermark stays below it, so the next pass tries that message again.
    _retry_from: int | None = None

    def run(self) -> PassResult:
        """Handle every new message of the source folder; return what happened.

        Raises TransientMailboxError when the connection fails mid-pass (nothing is lost:
        the watermark stays at the last message handled) and MailboxError when a folder
        cannot be resolved.
        """
        started = self.now()
        clock = time.monotonic()
        settings = self.engine.settings
        folder = settings.source_folder
        mark = None if self.since is not None else self.state.watermark(folder)
        window = self.since or (started - timedelta(days=settings.since_days))
        new_pass = getattr(self.store, "new_pass", None)
        if new_pass is not None:
            new_pass()  # no STATUS answer of an earlier pass is reused
        if not self.dry_run:
            self._collect_feedback(started)
        scan = self.store.scan(folder, mark, window)
        reports: list[MessageReport] = []
        considered = 0
        if scan is not None:
            if scan.reset:
                log.warning(
                    "UIDVALIDITY of %s changed: rescanning the last %d days; handled mail is "
                    "recognised by Message-ID", folder, settings.since_days,
                )
            reports, considered = self._work_through(scan)
        errors = sum(r.error is not None for r in reports)
        counts = Counter(r.action for r in reports)
        summary = PassSummary(
            started=started,
            seconds=round(time.monotonic() - clock, 3),
            considered=considered,
            counts=dict(counts),
            errors=errors,
            note="dry run" if self.dry_run else ("stopped" if self.stop.is_set() else "ok"),
        )
        if not self.dry_run:
            self.state.record_pass(summary)
        if self._feedback is not None:
            self._feedback.close()
            self._feedback = None
        return PassResult(summary, reports)

    def _work_through(self, scan: Scan) -> tuple[list[MessageReport], int]:
        """Handle the new messages of ``scan`` and advance the watermark past them.

        Returns the reports of the LinkedIn-looking messages and how many were looked at.
        """
        folder = self.engine.settings.source_folder
        headers = self.store.headers(scan.refs)
        looking = [h for h in headers if _worth_reading(h)]
        ids = {h.ref: _header_value(h.header, "message-id") for h in looking}
        # A message without a Message-ID in the sweep is checked on its body (_done_already).
        handled = self.state.done_message_ids(i for i in ids.values() if i is not None)
        candidates = [h for h in looking if ids[h.ref] not in handled]
        reports: list[MessageReport] = []
        done_upto = 0
        todo = {h.ref: h for h in candidates}
        wanted = [h.ref for h in candidates if self._small(h)]
        count = 0
        batch: list[_Planned] = []
        acting: _Acting | None = None
        try:
            with ReadAhead(self.store.body_batches(wanted)) as io:
                if wanted:
                    self.engine.ready()  # the first fetches are under way meanwhile
                for fetched in io:
                    read_ids = _unswept_ids(fetched, ids)
                    handled_now = self.state.done_message_ids(
                        i for i in read_ids.values() if i is not None
                    )
                    fresh: list[HeaderInfo] = []
                    raws: list[bytes] = []
                    for ref, raw in fetched:
                        info = todo.pop(ref)
                        if ref in read_ids and self._done_already(info, read_ids[ref],
                                                                  handled_now):
                            count += 1
                            if self.progress is not None:
                                self.progress(count, len(wanted))
                            continue
                        fresh.append(info)
                        raws.append(raw)
                    readings = [self._read(raw) for raw in raws]
                    labels = self.engine.classify_each(readings)
                    for info, reading, c in zip(fresh, readings, labels, strict=True):
                        if self.stop.is_set():
                            break
                        count += 1
                        if self.progress is not None:
                            self.progress(count, len(wanted))
                        planned = self._handle(info, reading, c, scan.uidvalidity, len(reports))
                        if isinstance(planned, _Planned):
                            reports.append(self._report(planned))
                            batch.append(planned)
                        else:
                            reports.append(planned)
                            done_upto = info.pos
                    if len(batch) >= ACT_BATCH or self.stop.is_set():
                        # The previous batch's changes are settled before this one's start,
                        # which then run while the next batches are read.
                        done_upto = max(done_upto, self._settle(acting, scan.uidvalidity,
                                                                reports))
                        acting = self._start(batch, io)
                        batch = []
                    if self.stop.is_set():
                        break
                done_upto = max(done_upto, self._settle(acting, scan.uidvalidity, reports))
                acting = self._start(batch, io)
                done_upto = max(done_upto, self._settle(acting, scan.uidvalidity, reports))
        except BaseException:
            # A fetch failed while a batch's changes were under way: they are finished by
            # now (leaving the block waited); record what was done before giving up.
            if acting is not None and not acting.settled and acting.succeeded():
                self._settle(acting, scan.uidvalidity, reports)
            raise
        for info in list(todo.values()):
            if self.stop.is_set() or self._small(info):
                continue
            reports.append(self._too_big(info, scan.uidvalidity))
        last = max(scan.upto, scan.refs[-1][1] if scan.refs else 0)
        if not self.dry_run and not self.stop.is_set() and last:
            self.state.advance(folder, scan.uidvalidity, self._below_retry(last))
        elif not self.dry_run and done_upto:
            self.state.advance(folder, scan.uidvalidity, self._below_retry(done_upto))
        return reports, len(headers)

    # -- the user's review (responder.feedback) -------------------------------------------

    def _fb(self) -> Feedback:
        if self._feedback is None:
            self._feedback = Feedback.open(self.state.path, self.state.account,
                                           self.engine.settings)
        return self._feedback

    def _collect_feedback(self, now: datetime) -> None:
        """Record what the user did with earlier drafts and filings; never stops the pass."""
        try:
            self._fb().collect(self.store, now, self._drafts_folder)
        except TransientMailboxError:
            raise
        except Exception as exc:
            problem = f"{type(exc).__name__}: {exc}"
            log.error("feedback not collected: %s", problem,
                      exc_info=not isinstance(exc, ResponderError))
            self.state.record_error("feedback", problem)

    # -- choosing what to read ------------------------------------------------------------

    def _done_already(self, h: HeaderInfo, message_id: str | None, handled: set[str]) -> bool:
        """True when this message's outcome is recorded done: by its Message-ID (``handled``
        holds the batch's done ones), else by folder and ref."""
        if message_id is not None:
            return message_id in handled
        return self.state.done(None, self.engine.settings.source_folder, h.ref) is not None

    def _small(self, h: HeaderInfo) -> bool:
        return h.size <= self.engine.settings.max_message_bytes

    def _too_big(self, h: HeaderInfo, uidvalidity: int) -> MessageReport:
        reason = (
            f"{h.size} bytes is over RESPONDER_MAX_MESSAGE_BYTES="
            f"{self.engine.settings.max_message_bytes}: left untouched"
        )
        log.warning("ref=%s skipped: %s", self._ref(h.ref, uidvalidity), reason)
        if not self.dry_run:
            self.state.record_error(self._ref(h.ref, uidvalidity), reason)
        return MessageReport(h.ref, "leave", reason, error=reason)

    # -- one message ----------------------------------------------------------------------

    def _ref(self, ref: str, uidvalidity: int) -> str:
        return f"{self.engine.settings.source_folder}/{uidvalidity}/{ref}"

    def _read(self, raw: bytes) -> Notification | Exception:
        """The reading of one raw mail, or the error that stopped it (reported by _handle)."""
        try:
            return self.engine.read(raw)
        except Exception as exc:  # one bad message never stops a pass
            return exc

    def _handle(
        self,
        info: HeaderInfo,
        n: Notification | Exception,
        c: Classification | Exception | None,
        uidvalidity: int,
        index: int,
    ) -> _Planned | MessageReport:
        """Decide and compose, from the mail's reading ``n`` and its label ``c`` (either may
        be the error that stopped it); nothing in the mailbox changes yet.

        Returns the plan to carry out, or the final report when there is nothing to carry
        out (a dry run, mail that is not LinkedIn, an error).
        """
        ref = self._ref(info.ref, uidvalidity)
        try:
            if isinstance(n, Exception):
                raise n
            if isinstance(c, Exception):
                raise c
            person = person_key(n)
            recent = False
            if c is not None and person is not None and self.engine.policy.reply_once_days:
                since = self.now() - timedelta(days=self.engine.policy.reply_once_days)
                # Drafts of this pass still waiting in a batch count as already made.
                if self._recent_persons is None:
                    self._recent_persons = self.state.persons_drafted_since(since)
                recent = person in self._drafted_persons or person in self._recent_persons
            override = self._fb().override_for(person) if c is not None else None
            d = decide(n, c, self.engine.policy, drafted_to_person_recently=recent,
                       override=override)
            raw_draft = b""
            draft_id = None
            draft = None
            if d.action == "draft" and d.label is not None:
                draft = self.engine.compose(n, d.label, self.now())
                draft_id = str(draft["Message-ID"])
                raw_draft = draft.as_bytes()
                if person is not None:
                    self._drafted_persons.add(person)
            planned = _Planned(info, n, d, person, raw_draft, draft_id, draft, index)
            log.info(
                "ref=%s kind=%s action=%s label=%s patterns=%s%s",
                ref, n.kind, d.action, d.label or "-", ",".join(d.patterns) or "-",
                " (dry run)" if self.dry_run else "",
            )
            if self.dry_run or (not n.linkedin):
                return self._report(planned)
            return planned
        except TransientMailboxError:
            raise
        except Exception as exc:  # one bad message never stops a pass
            return self._failed(info, uidvalidity, exc)

    def _failed(self, info: HeaderInfo, uidvalidity: int, exc: Exception) -> MessageReport:
        ref = self._ref(info.ref, uidvalidity)
        problem = f"{type(exc).__name__}: {exc}"
        log.error("ref=%s left untouched: %s", ref, problem,
                  exc_info=not isinstance(exc, ResponderError))
        if not self.dry_run:
            self.state.record_error(ref, problem)
        return MessageReport(info.ref, "leave", "error: " + problem, error=problem)

    @staticmethod
    def _report(p: _Planned) -> MessageReport:
        return MessageReport(p.info.ref, p.d.action, p.d.reason, p.d.label, p.d.patterns,
                             p.n.kind, p.n.sender_name, p.draft_id)

    def _start(self, batch: list[_Planned], io: ReadAhead) -> _Acting | None:
        """Record ``batch`` pending and hand its mailbox changes to the I/O thread.

        Every outcome is recorded 'pending' (one transaction) before the mailbox changes and
        'done' (one transaction, with the watermark) after, in :meth:`_settle`.
        """
        if not batch:
            return None
        rows = self.state.begin_many([self._outcome(p) for p in batch])
        for p, row in zip(batch, rows, strict=True):
            p.row = row
        self._fb().note_many([(p.row, p.n, p.draft) for p in batch])
        return _Acting(batch, io.submit(lambda: self._carry_out(batch)))

    def _carry_out(self, batch: list[_Planned]) -> list[Exception | None]:
        """Make the mailbox changes of ``batch`` (on the I/O thread); each message's error.

        When a batched command fails, the batch is carried out message by message, so one
        bad message stops no other. Touches the mail store only, never the state store.
        """
        try:
            self._apply(batch)
            return [None] * len(batch)
        except TransientMailboxError:
            raise
        except Exception:
            errors: list[Exception | None] = []
            for p in batch:
                try:
                    self._apply([p])
                    errors.append(None)
                except TransientMailboxError:
                    raise
                except Exception as exc:
                    errors.append(exc)
            return errors

    def _settle(
        self, acting: _Acting | None, uidvalidity: int, reports: list[MessageReport]
    ) -> int:
        """Wait for a batch's changes, record them done; return the highest position handled.

        Raises what stopped the batch as a whole (a dropped connection).
        """
        if acting is None or acting.settled:
            return 0
        acting.settled = True
        errors = acting.future.result()
        done = []
        for p, exc in zip(acting.batch, errors, strict=True):
            if exc is None:
                done.append(p)
                continue
            reports[p.index] = self._failed(p.info, uidvalidity, exc)
            if isinstance(exc, MailboxError):
                self._retry_from = min(self._retry_from or p.info.pos, p.info.pos)
        top = self._below_retry(max(p.info.pos for p in acting.batch))
        folder = self.engine.settings.source_folder
        self.state.finish_many([p.row for p in done], folder, uidvalidity, top)
        return top

    def _below_retry(self, pos: int) -> int:
        """``pos``, or just below the first message to try again, whichever is lower."""
        return pos if self._retry_from is None else min(pos, self._retry_from - 1)

    def _outcome(self, p: _Planned) -> Outcome:
        return Outcome(
            folder=self.engine.settings.source_folder,
            ref=p.info.ref,
            message_id=p.n.message_id,
            action=p.d.action,
            label=p.d.label,
            patterns=p.d.patterns,
            reason=p.d.reason,
            person=p.person,
            draft_message_id=p.draft_id,
            status="pending",
            at=self.now(),
        )

    def _apply(self, batch: list[_Planned]) -> None:
        """APPEND the drafts, then set keywords and MOVE, one command per kind."""
        drafted = [p for p in batch if p.d.action == "draft" and p.draft_id is not None]
        if drafted:
            drafts = self._drafts_folder()
            existing = self._existing_drafts(drafts, [str(p.draft_id) for p in drafted])
            new = [p for p in drafted
                   if p.draft_id not in existing and p.draft_id not in self._appended]
            if new:
                self.store.append_drafts(drafts, [p.raw_draft for p in new])
                self._appended.update(str(p.draft_id) for p in new)
        _add_keyword(self.store, [p.info.ref for p in drafted], KEYWORD_DRAFTED)
        filed = [p.info.ref for p in batch if p.d.action == "file"]
        if filed:
            target = self._ignore_folder()
            _add_keyword(self.store, filed, KEYWORD_FILED)
            try:
                _move(self.store, filed, target)
            except TransientMailboxError:
                raise
            except MailboxError:
                # The user may have deleted the folder since it was found ([TRYCREATE]):
                # find or make it again and move once more; a second failure is reported.
                self._ignore = None
                _move(self.store, filed, self._ignore_folder())
        if self.engine.settings.flag_suspicious:
            flagged = [p.info.ref for p in batch if p.d.action == "flag_suspicious"]
            _add_keyword(self.store, flagged, KEYWORD_SUSPICIOUS)

    def _drafts_folder(self) -> str:
        if self._drafts is None:
            configured = self.engine.settings.drafts_folder
            self._drafts = configured or self.store.drafts_folder()
        return self._drafts

    def _ignore_folder(self) -> str:
        if self._ignore is None:
            self._ignore = self.store.ignore_folder(
                self.engine.settings.ignore_folder, create=True
            )
        return self._ignore

    def _existing_drafts(self, drafts: str, ids: list[str]) -> set[str]:
        """Which of ``ids`` are in Drafts already: a search for just them, for a few new
        drafts; for a backlog (FULL_DRAFT_LIST or more at once) every draft's id, once."""
        if self._draft_ids is not None:
            return self._draft_ids
        find = getattr(self.store, "find_drafts", None)
        if find is not None and len(ids) < FULL_DRAFT_LIST:
            found: set[str] = find(drafts, ids)
            return found
        self._draft_ids = self.store.draft_ids(drafts)
        return self._draft_ids


def _unswept_ids(
    fetched: list[tuple[str, bytes]], swept: dict[str, str | None]
) -> dict[str, str | None]:
    """The Message-ID (or None) in the body of each fetched message that had none in the
    header sweep (``swept``: ref -> its Message-ID there), by ref: those are checked against
    the state store once read."""
    ids: dict[str, str | None] = {}
    for ref, raw in fetched:
        if swept.get(ref) is None:
            end = raw.find(b"\r\n\r\n")
            ids[ref] = _header_value(raw[: end if end >= 0 else raw.find(b"\n\n")],
                                     "message-id")
    return ids


def _worth_reading(h: HeaderInfo) -> bool:
    """True when ``h`` looks like LinkedIn mail that holds no draft of ours yet."""
    # $ResponderFiled is no reason to skip: it is set before the move, so a message still
    # here with it may never have been moved (killed in between). Filing again is safe:
    # MOVE takes what is here, and the COPY fallback first looks for the copy.
    return looks_like_linkedin(h.header) and KEYWORD_DRAFTED not in h.keywords


def _add_keyword(store: MailStore, refs: list[str], keyword: str) -> None:
    """Set ``keyword`` on ``refs``: one command where the store can, else one by one."""
    if not refs:
        return
    many = getattr(store, "add_keyword_many", None)
    if many is not None:
        many(refs, keyword)
        return
    for ref in refs:
        store.add_keyword(ref, keyword)


def _move(store: MailStore, refs: list[str], folder: str) -> None:
    """Move ``refs`` to ``folder``: one command where the store can, else one by one."""
    many = getattr(store, "move_many", None)
    if many is not None:
        many(refs, folder)
        return
    for ref in refs:
        store.move(ref, folder)


def _header_value(header: bytes, name: str) -> str | None:
    """Return the first value of ``name`` in a raw header block, unfolded, or None."""
    text = header.decode("ascii", "replace")
    match = re.search(rf"^{re.escape(name)}:[ \t]*(.*(?:\r?\n[ \t].*)*)", text, re.I | re.M)
    if match is None:
        return None
    value = re.sub(r"\r?\n[ \t]+", " ", match.group(1)).strip()
    return value or None
