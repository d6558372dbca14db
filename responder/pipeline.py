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
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from responder.config import Settings
from responder.decide import Policy, decide, needs_classification
from responder.errors import ResponderError, TransientMailboxError
from responder.feedback import Feedback
from responder.mailstore import (
    KEYWORD_DRAFTED,
    KEYWORD_FILED,
    KEYWORD_SUSPICIOUS,
    HeaderInfo,
    MailStore,
    looks_like_linkedin,
)
from responder.models import Classification, Decision, Notification, PassSummary
from responder.state import Outcome, StateStore

log = logging.getLogger(__name__)

HANDLED_KEYWORDS = frozenset({KEYWORD_DRAFTED, KEYWORD_FILED})


@dataclass
class Engine:
    """The expensive, reloadable parts, built once: classifier, templates, identity, policy."""

    settings: Settings
    classifier: object
    templates: object
    identity: object
    policy: Policy

    @classmethod
    def build(cls, settings: Settings) -> Engine:
        """Load patterns and templates; raise ConfigError naming what is wrong."""
        from responder.classify import Classifier
        from responder.compose import Identity, Templates

        identity = Identity(
            from_name=settings.from_name,
            from_address=settings.from_address,
            phone=settings.phone,
            skype=settings.skype,
            extra=dict(settings.template_extra),
            reply_via_relay=settings.reply_via_linkedin_relay,
        )
        return cls(
            settings=settings,
            classifier=Classifier.load(settings.patterns_file),
            templates=Templates.load(settings.templates_dir),
            identity=identity,
            policy=Policy(
                draft_labels=settings.draft_labels,
                file_labels=settings.file_labels,
                reply_once_days=settings.reply_once_days,
            ),
        )

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
        result: Classification = self.classifier.classify(  # type: ignore[attr-defined]
            n.ask_text or "", n.kind
        )
        return result

    def compose(self, n: Notification, label: str, now: datetime) -> EmailMessage:
        """Return the draft reply for ``n``."""
        from responder.compose import compose_draft

        return compose_draft(n, label, self.identity, self.templates, now)  # type: ignore[arg-type]


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
    _feedback: Feedback | None = None

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
        if not self.dry_run:
            self._collect_feedback(started)
        scan = self.store.scan(folder, mark, window)
        reports: list[MessageReport] = []
        errors = 0
        considered = 0
        if scan is not None:
            if scan.reset:
                log.warning(
                    "UIDVALIDITY of %s changed: rescanning the last %d days; handled mail is "
                    "recognised by Message-ID", folder, settings.since_days,
                )
            headers = self.store.headers(scan.refs)
            considered = len(headers)
            candidates = [h for h in headers if self._worth_reading(h)]
            done_upto = 0
            todo = {h.ref: h for h in candidates}
            for ref, raw in self.store.bodies([h.ref for h in candidates if self._small(h)]):
                if self.stop.is_set():
                    break
                info = todo.pop(ref)
                report = self._handle(info, raw, scan.uidvalidity)
                reports.append(report)
                errors += report.error is not None
                done_upto = info.pos
            for info in list(todo.values()):
                if self.stop.is_set() or self._small(info):
                    continue
                reports.append(self._too_big(info, scan.uidvalidity))
                errors += 1
            if not self.dry_run and not self.stop.is_set() and scan.refs:
                self.state.advance(folder, scan.uidvalidity, scan.refs[-1][1])
            elif not self.dry_run and done_upto:
                self.state.advance(folder, scan.uidvalidity, done_upto)
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

    def _worth_reading(self, h: HeaderInfo) -> bool:
        if not looks_like_linkedin(h.header):
            return False
        if KEYWORD_DRAFTED in h.keywords:
            return False
        if KEYWORD_FILED in h.keywords and not self._moves_out():
            return False  # the original a COPY-only server keeps: filed already
        message_id = _header_value(h.header, "message-id")
        done = self.state.done(message_id, self.engine.settings.source_folder, h.ref)
        return done is None

    def _moves_out(self) -> bool:
        """True when a move removes the original (MOVE, or UIDPLUS for COPY + UID EXPUNGE).

        $ResponderFiled is set just before the move, so on such a server a message still in
        the source folder with it was never moved (a crash or a dropped connection in between)
        and is filed again; without them the kept original carries it by design.
        """
        caps = self.store.capabilities()
        return "MOVE" in caps or "UIDPLUS" in caps

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

    def _handle(self, info: HeaderInfo, raw: bytes, uidvalidity: int) -> MessageReport:
        ref = self._ref(info.ref, uidvalidity)
        try:
            n = self.engine.read(raw)
            c = self.engine.classify(n)
            person = person_key(n)
            recent = False
            if c is not None and person is not None and self.engine.policy.reply_once_days:
                since = self.now() - timedelta(days=self.engine.policy.reply_once_days)
                recent = self.state.drafted_to_person_since(person, since)
            override = self._fb().override_for(person) if c is not None else None
            d = decide(n, c, self.engine.policy, drafted_to_person_recently=recent,
                       override=override)
            return self._act(info, uidvalidity, n, d, person)
        except TransientMailboxError:
            raise
        except Exception as exc:  # one bad message never stops a pass
            problem = f"{type(exc).__name__}: {exc}"
            log.error("ref=%s left untouched: %s", ref, problem,
                      exc_info=not isinstance(exc, ResponderError))
            if not self.dry_run:
                self.state.record_error(ref, problem)
            return MessageReport(info.ref, "leave", "error: " + problem, error=problem)

    def _act(
        self, info: HeaderInfo, uidvalidity: int, n: Notification, d: Decision, person: str | None
    ) -> MessageReport:
        settings = self.engine.settings
        folder = settings.source_folder
        ref = self._ref(info.ref, uidvalidity)
        draft_id = None
        raw_draft = b""
        if d.action == "draft" and d.label is not None:
            draft = self.engine.compose(n, d.label, self.now())
            draft_id = str(draft["Message-ID"])
            raw_draft = draft.as_bytes()
        report = MessageReport(
            info.ref, d.action, d.reason, d.label, d.patterns, n.kind, n.sender_name, draft_id
        )
        log.info(
            "ref=%s kind=%s action=%s label=%s patterns=%s%s",
            ref, n.kind, d.action, d.label or "-", ",".join(d.patterns) or "-",
            " (dry run)" if self.dry_run else "",
        )
        if self.dry_run or (not n.linkedin):
            return report
        row = self.state.begin(
            Outcome(
                folder=folder,
                ref=info.ref,
                message_id=n.message_id,
                action=d.action,
                label=d.label,
                patterns=d.patterns,
                reason=d.reason,
                person=person,
                draft_message_id=draft_id,
                status="pending",
                at=self.now(),
            )
        )
        self._fb().note(row, n, raw_draft)
        if d.action == "draft" and draft_id is not None:
            drafts = self._drafts_folder()
            if draft_id not in self._existing_drafts(drafts):
                self.store.append_draft(drafts, raw_draft)
                self._existing_drafts(drafts).add(draft_id)
            self.store.add_keyword(info.ref, KEYWORD_DRAFTED)
        elif d.action == "file":
            target = self._ignore_folder()
            self.store.add_keyword(info.ref, KEYWORD_FILED)
            self.store.move(info.ref, target)
        elif d.action == "flag_suspicious" and settings.flag_suspicious:
            self.store.add_keyword(info.ref, KEYWORD_SUSPICIOUS)
        self.state.finish(row, folder, uidvalidity, info.pos)
        return report

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

    def _existing_drafts(self, drafts: str) -> set[str]:
        if self._draft_ids is None:
            self._draft_ids = self.store.draft_ids(drafts)
        return self._draft_ids


def _header_value(header: bytes, name: str) -> str | None:
    """Return the first value of ``name`` in a raw header block, unfolded, or None."""
    text = header.decode("ascii", "replace")
    match = re.search(rf"^{re.escape(name)}:[ \t]*(.*(?:\r?\n[ \t].*)*)", text, re.I | re.M)
    if match is None:
        return None
    value = re.sub(r"\r?\n[ \t]+", " ", match.group(1)).strip()
    return value or None
