"""Open the configured mail store and run passes over it, reconnecting when needed.

``Runner`` is what the daemon drives (``service.PassRunner``) and what ``run --once`` uses:
it keeps one connection across passes, drops it after a transient failure so the next pass
reconnects, and swaps in new templates and patterns on reload only when they load cleanly.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from responder.config import Settings
from responder.errors import MailboxError, TransientMailboxError
from responder.mailstore import MailStore
from responder.models import PassSummary
from responder.pipeline import Engine, Pass, PassResult
from responder.state import StateStore

log = logging.getLogger(__name__)


def open_store(settings: Settings) -> MailStore:
    """Return a logged-in IMAP store or the Maildir store the settings name."""
    if settings.maildir is not None:
        from responder.maildir import MaildirStore

        return MaildirStore(settings.maildir)
    from responder.imap import ImapStore
    from responder.secrets import resolve_password, token_from_command
    from responder.tls import check_plain_allowed, make_ssl_context

    if settings.imap_security == "plain":
        check_plain_allowed(settings.imap_host)
        context = None
    else:
        context = make_ssl_context(settings.imap_ca_file)
    token_cmd = settings.imap_oauth2_token_cmd

    def password() -> str:
        return resolve_password(
            password=settings.imap_password or None,
            password_file=settings.imap_password_file,
            password_cmd=settings.imap_password_cmd or None,
            credentials_dir=os.environ.get("CREDENTIALS_DIRECTORY"),
        )

    return ImapStore.connect(
        host=settings.imap_host,
        port=settings.imap_port,
        user=settings.imap_user,
        security=settings.imap_security,
        ssl_context=context,
        timeout=settings.imap_timeout,
        password=None if token_cmd else password,
        oauth2_token=(lambda: token_from_command(token_cmd)) if token_cmd else None,
        candidates=settings.candidate_search,
    )


@dataclass
class Runner:
    """Runs passes for one account; owns the connection, the state store and the engine."""

    settings: Settings
    engine: Engine
    state: StateStore
    dry_run: bool = False
    since: datetime | None = None
    last: PassResult | None = None
    #: Called with (read, to read) during a pass; the run command's progress bar.
    progress: Callable[[int, int], None] | None = None
    _store: MailStore | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _closed: bool = field(default=False, repr=False)
    _said_no_idle: bool = field(default=False, repr=False)

    def store(self) -> MailStore:
        """Return the open store, connecting first when there is none."""
        if self._store is None:
            self._store = open_store(self.settings)
        return self._store

    def run_pass(self, stop: threading.Event) -> PassSummary:
        """Run one pass; after a transient failure the connection is dropped and re-made."""
        with self._lock:
            try:
                result = Pass(
                    store=self.store(),
                    state=self.state,
                    engine=self.engine,
                    dry_run=self.dry_run,
                    since=self.since,
                    stop=stop,
                    progress=self.progress,
                ).run()
            except TransientMailboxError:
                self._drop()
                raise
            self.last = result
            return result.summary

    def wait_for_news(self, timeout: float, stop: threading.Event) -> bool:
        """IDLE on the source folder when enabled and offered; else just wait. True on news."""
        if not self.settings.idle or self.settings.maildir is not None:
            stop.wait(timeout)
            return False
        store = self.store()
        idle_wait = getattr(store, "idle_wait", None)
        if idle_wait is None or "IDLE" not in store.capabilities():
            if not self._said_no_idle:
                self._said_no_idle = True
                log.info("the server does not offer IDLE: checking for mail every %d s instead",
                         self.settings.poll_seconds)
            stop.wait(timeout)
            return False
        try:
            with self._lock:
                # Re-issued well within the 29-minute limit of RFC 2177.
                news: bool = idle_wait(self.settings.source_folder, min(timeout, 600.0), stop)
            return news
        except TransientMailboxError:
            self._drop()
            raise
        except MailboxError as exc:
            log.warning("IDLE failed (%s): polling instead", exc)
            stop.wait(timeout)
            return False

    def reload(self) -> None:
        """Rebuild templates and patterns; keep the old ones when the new ones fail."""
        self.engine = Engine.build(self.settings)

    def close(self) -> None:
        """Log out and close the state store."""
        self._drop()
        if not self._closed:
            self._closed = True
            self.state.close()

    def _drop(self) -> None:
        if self._store is not None:
            store, self._store = self._store, None
            store.close()
