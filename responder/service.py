"""The daemon loop: a pass every ``poll_seconds`` (sooner on IMAP IDLE news), for months.

One thread, the main one, owns the ``PassRunner``: passes, IDLE waits and reloads never overlap,
so the IMAP connection is never used twice at once. APScheduler keeps the clock: an interval
job (first run at start-up, a little jitter, ``max_instances=1``, ``coalesce=True``) marks a pass
as due, back-off moves that job's next run, and a second job pings the systemd watchdog.
Signal handlers only set flags: SIGTERM/SIGINT stop after the message in hand, SIGHUP reloads
templates and patterns between passes.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Protocol, TypeVar

from apscheduler.schedulers.background import BackgroundScheduler

from responder.backoff import BackoffPolicy, Health, Step, describe_seconds
from responder.errors import ConfigError, ResponderError, TransientMailboxError
from responder.models import PassSummary
from responder.notify import Notifier, watchdog_interval

POLL_JOB = "poll"
WATCHDOG_JOB = "watchdog"
LEVELS = {"info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}
#: Seconds after SIGTERM/SIGINT before a loop stuck on a silent server is abandoned: under
#: systemd's TimeoutStopSec=15, and longer than any message in hand takes on a live server.
STOP_GRACE = 8.0
T = TypeVar("T")


class PassRunner(Protocol):
    """What the daemon drives; ``responder.pipeline`` implements it over IMAP."""

    def run_pass(self, stop: threading.Event) -> PassSummary:
        """One pass over the source folder; checks *stop* between messages."""
        ...

    def wait_for_news(self, timeout: float, stop: threading.Event) -> bool:
        """True on new mail, False on timeout; returns promptly once *stop* is set."""
        ...

    def reload(self) -> None:
        """Reload templates and patterns; ConfigError keeps the old ones."""
        ...

    def close(self) -> None:
        """Log out."""
        ...


def describe_pass(summary: PassSummary) -> str:
    """One status line for a pass: when, how many mails, what was done to them."""
    when = summary.started.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    done = ", ".join(f"{action} {n}" for action, n in sorted(summary.counts.items()) if n)
    parts = [f"last pass {when}: {summary.considered} considered"]
    if done:
        parts.append(done)
    if summary.errors:
        parts.append(f"{summary.errors} errors")
    if summary.note:
        parts.append(summary.note)
    return ", ".join(parts)


def pass_jitter(poll_seconds: int) -> float:
    """Seconds of jitter for the pass schedule: a tenth of the interval, at most 30 s."""
    return min(poll_seconds / 10, 30.0)


class Daemon:
    """The state of one ``run_daemon`` call; see the module docstring."""

    def __init__(
        self,
        runner: PassRunner,
        *,
        poll_seconds: int,
        idle: bool,
        notifier: Notifier,
        logger: logging.Logger,
        health: Health,
        watchdog_seconds: float | None,
        stall_seconds: float,
        stop_grace: float | None = STOP_GRACE,
    ) -> None:
        self.runner = runner
        self.poll_seconds = max(1, poll_seconds)
        self.idle = idle
        self.notifier = notifier
        self.log = logger
        self.health = health
        self.watchdog_seconds = watchdog_seconds
        self.stall_seconds = stall_seconds
        self.stop = threading.Event()
        self.wake = threading.Event()
        self.due = threading.Event()
        self.reload_wanted = threading.Event()
        self.scheduler = BackgroundScheduler(timezone=UTC)
        self.passes = 0
        self.busy_since: float | None = None
        self.stalled = False
        self.stop_grace = stop_grace
        self.give_up_timer: threading.Timer | None = None

    # -- signals and scheduler callbacks: they only set flags --------------------------------

    def on_stop_signal(self, signum: int, frame: FrameType | None) -> None:
        """SIGTERM/SIGINT: finish the message in hand, then stop.

        A loop blocked on a server that does not answer (a connect or read waiting out
        RESPONDER_IMAP_TIMEOUT) would not notice for a minute: after ``STOP_GRACE`` seconds
        the process exits anyway, which is as safe as a crash (the state store and the
        drafts' Message-IDs make the next start pick up exactly where this one stopped).
        """
        if not self.stop.is_set() and self.stop_grace is not None:
            self.give_up_timer = threading.Timer(self.stop_grace, self.give_up)
            self.give_up_timer.daemon = True
            self.give_up_timer.start()
        self.stop.set()
        self.wake.set()

    def give_up(self) -> None:
        """The stop grace ran out: say so and exit 0 without waiting for the server."""
        self.log.warning(
            "still busy %g s after the stop signal (the server is not answering): "
            "exiting without waiting; the next start picks up where this one stopped",
            self.stop_grace,
        )
        self.notifier.stopping()
        for handler in logging.getLogger().handlers:
            handler.flush()
        os._exit(0)

    def on_reload_signal(self, signum: int, frame: FrameType | None) -> None:
        """SIGHUP: reload templates and patterns before the next pass."""
        self.reload_wanted.set()
        self.wake.set()

    def mark_due(self) -> None:
        """The interval job: a pass is due."""
        self.due.set()
        self.wake.set()

    def ping_watchdog(self) -> None:
        """The watchdog job: ping unless one pass or wait has run far too long."""
        busy = self.busy_since
        if busy is not None and time.monotonic() - busy > self.stall_seconds:
            if not self.stalled:
                self.stalled = True
                self.log.error(
                    "a pass has been running for over %d s; stopping watchdog pings so "
                    "systemd restarts the service",
                    self.stall_seconds,
                )
            return
        self.notifier.watchdog()

    # -- the loop ------------------------------------------------------------------------------

    def run(self) -> int:
        """Loop until SIGTERM/SIGINT; 0 after a clean stop."""
        previous = self.install_signal_handlers()
        self.start_scheduler()
        try:
            while not self.stop.is_set():
                self.step()
        finally:
            self.notifier.stopping()
            self.notifier.status("stopping")
            self.scheduler.shutdown(wait=False)
            self.close_runner()
            if self.give_up_timer is not None:
                self.give_up_timer.cancel()
            restore_signal_handlers(previous)
        self.log.info("stopped")
        return 0

    def install_signal_handlers(self) -> dict[int, object]:
        """Route SIGTERM, SIGINT and SIGHUP to the flag setters; the old handlers come back."""
        handlers = {
            signal.SIGTERM: self.on_stop_signal,
            signal.SIGINT: self.on_stop_signal,
            signal.SIGHUP: self.on_reload_signal,
        }
        return {signum: signal.signal(signum, handler) for signum, handler in handlers.items()}

    def start_scheduler(self) -> None:
        """The pass job (first run now) and, under a systemd watchdog, the ping job."""
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        self.scheduler.add_job(
            self.mark_due,
            "interval",
            seconds=self.poll_seconds,
            jitter=pass_jitter(self.poll_seconds),
            id=POLL_JOB,
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        if self.watchdog_seconds:
            self.scheduler.add_job(
                self.ping_watchdog,
                "interval",
                seconds=self.watchdog_seconds / 2,
                id=WATCHDOG_JOB,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
            )
        self.scheduler.start()

    def step(self) -> None:
        """Do the one most urgent thing: reload, a due pass, an IDLE wait, or sleep."""
        self.wake.clear()
        if self.stop.is_set():
            return
        if self.reload_wanted.is_set():
            self.reload_wanted.clear()
            self.reload()
        elif self.due.is_set():
            self.due.clear()
            self.run_pass()
        elif self.idle and self.passes and self.health.state == "ok":
            self.wait_for_news()
        else:
            self.wake.wait(max(0.05, self.seconds_to_next_pass()))

    def run_pass(self) -> None:
        """One pass; its outcome decides the status line and the next run."""
        if self.passes == 0:
            self.notifier.ready()
        self.passes += 1
        try:
            summary = self.busy(lambda: self.runner.run_pass(self.stop))
        except Exception as exc:
            self.failed(exc)
            return
        self.report(self.health.success())
        self.notifier.status(describe_pass(summary))
        level = logging.INFO if summary.considered or summary.errors else logging.DEBUG
        self.log.log(level, "%s", describe_pass(summary))

    def wait_for_news(self) -> None:
        """IDLE until news (then a pass runs now), the next scheduled pass, or a signal."""
        timeout = max(1.0, min(float(self.poll_seconds), self.seconds_to_next_pass()))
        try:
            news = self.busy(lambda: self.runner.wait_for_news(timeout, self.wake))
        except Exception as exc:
            self.failed(exc)
            return
        if news and not self.stop.is_set():
            self.log.debug("new mail announced; running a pass now")
            self.due.set()

    def reload(self) -> None:
        """Reload templates and patterns; a broken file keeps the old ones."""
        self.notifier.reloading()
        try:
            self.busy(self.runner.reload)
        except ConfigError as exc:
            self.log.error("reload failed, keeping the old ones: %s", exc)
        except Exception:
            self.log.exception("reload failed, keeping the old ones")
        else:
            self.log.info("reloaded templates and patterns")
        self.notifier.ready()

    def failed(self, exc: Exception) -> None:
        """Back off after a failed pass or wait: quickly for transient, slowly for the rest.

        An exception that is not a ResponderError is a bug: it is logged with its traceback
        and retried slowly, so one bad mail cannot turn into a restart loop.
        """
        transient = isinstance(exc, TransientMailboxError)
        problem = describe_error(exc)
        step = self.health.failure(problem, permanent=not transient)
        self.report(step, None if isinstance(exc, ResponderError) else exc)
        delay = step.delay or float(self.poll_seconds)
        self.reschedule(delay)
        self.notifier.status(f"{problem}; retrying in {describe_seconds(delay)}")

    def report(self, step: Step, exc: BaseException | None = None) -> None:
        """Log the step's news, if any, at its level (with *exc*'s traceback when given)."""
        if step.news:
            self.log.log(LEVELS[step.level], "%s", step.news, exc_info=exc)

    def reschedule(self, delay: float) -> None:
        """Move the next pass to *delay* seconds from now."""
        self.due.clear()
        when = datetime.now(UTC) + timedelta(seconds=delay)
        self.scheduler.modify_job(POLL_JOB, next_run_time=when)

    def seconds_to_next_pass(self) -> float:
        """Seconds until the pass job fires next (at least 0)."""
        job = self.scheduler.get_job(POLL_JOB)
        next_run: datetime | None = job.next_run_time if job is not None else None
        if next_run is None:
            return float(self.poll_seconds)
        return max(0.0, (next_run - datetime.now(UTC)).total_seconds())

    def busy(self, work: Callable[[], T]) -> T:
        """Run *work*, marking the loop busy for the watchdog's stall check."""
        self.busy_since = time.monotonic()
        try:
            return work()
        finally:
            self.busy_since = None

    def close_runner(self) -> None:
        """Log out; a failure here is reported but does not change the exit status."""
        try:
            self.runner.close()
        except Exception as exc:
            self.log.warning("logout failed: %s", describe_error(exc))


def describe_error(exc: BaseException) -> str:
    """The one-line text of *exc*: a ResponderError's message, else type and message."""
    if isinstance(exc, ResponderError) and str(exc):
        return str(exc)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def restore_signal_handlers(previous: dict[int, object]) -> None:
    """Put back the handlers ``install_signal_handlers`` replaced."""
    for signum, handler in previous.items():
        signal.signal(signum, handler)  # type: ignore[arg-type]


def run_daemon(
    runner: PassRunner,
    *,
    poll_seconds: int,
    idle: bool,
    notifier: Notifier,
    logger: logging.Logger,
    policy: BackoffPolicy | None = None,
    rng: random.Random | None = None,
    watchdog_seconds: float | None = None,
    stall_seconds: float = 3600.0,
) -> int:
    """Run passes until SIGTERM/SIGINT and return the exit status (0 after a clean stop).

    Must be called from the main thread (it installs signal handlers). *watchdog_seconds*
    defaults to systemd's ``WatchdogSec=`` (``$WATCHDOG_USEC``); pings go out at half of it.
    """
    daemon = Daemon(
        runner,
        poll_seconds=poll_seconds,
        idle=idle,
        notifier=notifier,
        logger=logger,
        health=Health(policy, rng),
        watchdog_seconds=watchdog_seconds or watchdog_interval(),
        stall_seconds=stall_seconds,
    )
    return daemon.run()
