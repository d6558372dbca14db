"""``responder run``, ``check`` and ``status``: the commands that touch the mailbox or state."""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from types import FrameType

import click

from responder.cli_common import fail, guarded, one_line_errors, settings_from
from responder.config import Settings
from responder.errors import ConfigError
from responder.pipeline import Engine, MessageReport, PassResult

log = logging.getLogger("responder")


def print_result(result: PassResult, *, dry_run: bool) -> None:
    """Print a table with one line per LinkedIn-looking message, then a summary line."""
    if result.reports:
        width = max(8, *(len(r.ref) for r in result.reports))
        # UIDs line up on the right like numbers; Maildir file names on the left.
        align = ">" if all(r.ref.isdigit() for r in result.reports) else "<"
        click.echo(f"{'message':{align}{width}}  {'action':<15} {'label':<16} {'from':<24} why")
        for r in result.reports:
            click.echo(format_report(r, width, align))
    s = result.summary
    counts = ", ".join(f"{n} {a}" for a, n in sorted(s.counts.items())) or "nothing to do"
    prefix = "dry run: would do " if dry_run else ""
    click.echo(
        f"{prefix}{counts}; {s.considered} new message(s) looked at, {s.errors} error(s), "
        f"{s.seconds:.2f}s"
    )


class ProgressBar:
    """A one-line bar on stderr (a terminal only): LinkedIn mail read so far of the backlog."""

    def __init__(self, width: int = 30) -> None:
        self.width = width
        self.shown = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.shown < 0.2:
            return
        self.shown = now
        filled = self.width * done // max(total, 1)
        bar = "#" * filled + "." * (self.width - filled)
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\rreading LinkedIn mail [{bar}] {done}/{total}{end}")
        sys.stderr.flush()


def format_report(r: MessageReport, width: int = 8, align: str = ">") -> str:
    """Return one line saying what happened to one message and why."""
    who = r.sender or "-"
    label = r.label or "-"
    return f"{r.ref:{align}{width}}  {r.action:<15} {label:<16} {who:<24} {r.reason}"


def starting_up_signals() -> None:
    """Signals before the daemon loop takes over (building the engine takes seconds).

    SIGTERM and SIGINT exit 0 at once: nothing is in hand yet. SIGHUP is ignored: the
    templates and patterns about to be loaded are the current ones anyway. The loop installs
    its own handlers and puts these back when it ends.
    """

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)


@click.command("run")
@click.option("--once", is_flag=True, help="Run one pass, then exit.")
@click.option("--dry-run", is_flag=True, help="Say what would happen; change nothing.")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="Process mail received since this date (an older backlog, on purpose).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log each message (with --once).")
@click.pass_context
def run_command(
    ctx: click.Context, once: bool, dry_run: bool, since: datetime | None, verbose: bool
) -> None:
    """Poll the mailbox: one pass with --once, else run as a daemon until stopped."""
    from responder.lock import acquire_lock
    from responder.logs import setup_logging
    from responder.runner import Runner
    from responder.state import StateStore

    settings = settings_from(ctx)
    level = settings.log_level if (verbose or not once) else "WARNING"
    setup_logging(level)
    for warning in settings.warnings:
        log.warning("%s", warning)
    dry_run = dry_run or settings.dry_run
    if not once:
        starting_up_signals()
    # The lock first: a second instance says "already running" at once, not after the build.
    lock = guarded(lambda: acquire_lock(settings.state_dir, settings.account))
    # With --once the classifier loads while the pass connects and searches; it is waited
    # for before the first message is read, and a bad pattern still exits 2 before any
    # mailbox change. The daemon waits for it here: its loop retries errors, not config.
    engine = guarded(lambda: Engine.build(settings, background=once), code=2)
    if not once:
        guarded(engine.ready, code=2)
    state = guarded(lambda: StateStore.open(settings.state_dir, settings.account))
    runner = Runner(
        settings=settings,
        engine=engine,
        state=state,
        dry_run=dry_run,
        since=since.replace(tzinfo=UTC) if since else None,
    )
    if once and sys.stderr.isatty():
        runner.progress = ProgressBar()
    try:
        if once:
            with one_line_errors():
                try:
                    runner.run_pass(threading.Event())
                    engine.ready()  # a bad patterns file fails even when nothing was new
                except ConfigError as exc:
                    fail(str(exc), 2)
            assert runner.last is not None
            print_result(runner.last, dry_run=dry_run)
            return
        from responder.notify import Notifier
        from responder.service import run_daemon

        code = run_daemon(
            runner,
            poll_seconds=settings.poll_seconds,
            idle=settings.idle,
            notifier=Notifier.from_env(),
            logger=log,
        )
        sys.exit(code)
    finally:
        runner.close()
        lock.release()


@click.command("check")
@click.pass_context
def check_command(ctx: click.Context) -> None:
    """Validate settings, templates and patterns; connect, log in and resolve the folders."""
    from responder.logs import setup_logging

    setup_logging("WARNING")
    settings = settings_from(ctx)
    problems: list[str] = []
    click.echo("settings: ok")
    for warning in settings.warnings:
        click.echo(f"WARNING: {warning}")
    try:
        engine = Engine.build(settings)
        click.echo("patterns and templates: loaded")
        for line in engine.classifier.never_matching():
            click.echo(f"WARNING: {line}")
        problems += engine.templates.check(engine.identity, settings.draft_labels)
        if settings.draft_labels and not settings.from_address:
            problems.append("RESPONDER_FROM_ADDRESS is empty: drafts need your address in From:")
    except Exception as exc:
        problems.append(str(exc))
    problems += _check_mailbox(settings)
    if problems:
        for p in problems:
            click.echo(f"problem: {p}", err=True)
        fail(f"{len(problems)} problem(s) found")
    click.echo("all checks passed")


def _check_mailbox(settings: Settings) -> list[str]:
    from responder.errors import ResponderError
    from responder.runner import open_store

    try:
        store = open_store(settings)
    except ResponderError as exc:
        return [str(exc)]
    try:
        where = settings.maildir or f"{settings.imap_user}@{settings.imap_host}"
        click.echo(f"logged in: {where}")
        caps = store.capabilities()
        if caps:
            click.echo("capabilities: " + " ".join(caps))
        describe = getattr(store, "candidate_search", None)
        if describe is not None:
            click.echo(f"candidate search in {settings.source_folder}: "
                       + describe(settings.source_folder))
        drafts = settings.drafts_folder or store.drafts_folder()
        click.echo(f"drafts folder: {drafts}")
        try:
            ignore = store.ignore_folder(settings.ignore_folder, create=False)
            click.echo(f"ignore folder: {ignore}")
        except ResponderError:
            click.echo(f"ignore folder: {settings.ignore_folder} (created at the first filing)")
    except ResponderError as exc:
        return [str(exc)]
    finally:
        store.close()
    return []


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def status_command(ctx: click.Context, as_json: bool) -> None:
    """Show the last pass, counts per label and action today and in total, the last errors."""
    import json

    from responder.state import StateStore

    settings = settings_from(ctx)
    db = settings.state_dir / "state.sqlite3"
    if not db.exists():
        fail(f"no state store yet at {db}: run a pass first")
    state = guarded(lambda: StateStore.open(settings.state_dir, settings.account))
    last = state.last_pass()
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    errors = state.last_errors()
    data: dict[str, object] = {
        "account": settings.account,
        "last_pass": None if last is None else {
            "started": last.started.isoformat(),
            "seconds": last.seconds,
            "considered": last.considered,
            "counts": last.counts,
            "errors": last.errors,
            "outcome": last.note,
        },
        "today": _flatten(state.counts(today)),
        "last_7_days": _flatten(state.counts(today - timedelta(days=7))),
        "total": _flatten(state.counts()),
        "last_errors": [{"at": a, "ref": r, "error": m} for a, r, m in errors],
    }
    state.close()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"account: {data['account']}")
    if last is None:
        click.echo("last pass: none yet")
    else:
        click.echo(
            f"last pass: {last.started:%Y-%m-%d %H:%M:%S} UTC, {last.seconds:.2f}s, "
            f"{last.note}, {last.considered} looked at, {last.errors} error(s)"
        )
    for title in ("today", "total"):
        rows = data[title]
        assert isinstance(rows, dict)
        click.echo(f"{title}: " + (", ".join(f"{k}={v}" for k, v in rows.items()) or "nothing"))
    for at, ref, message in errors:
        click.echo(f"error {at} {ref}: {message}")


def _flatten(counts: dict[tuple[str, str], int]) -> dict[str, int]:
    return {f"{action}/{label}": n for (action, label), n in sorted(counts.items())}
