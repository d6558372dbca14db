"""``responder demo``: one real pass over a throwaway Maildir of sample notifications.

For a newcomer with no mail server at hand. Nothing outside the temporary directory is read
or written, and no network connection is made.
"""

from __future__ import annotations

import email
import email.policy
import shutil
import tempfile
import threading
from importlib import resources
from pathlib import Path

import click

from responder.cli_common import guarded
from responder.cli_run import print_result
from responder.config import load_settings
from responder.maildir import folder_path, make_folder

DEMO_SETTINGS = {
    "RESPONDER_AUTHSERV_ID": "mx.example.org",
    "RESPONDER_SINCE_DAYS": "36500",
    "RESPONDER_FROM_NAME": "Dana Reyes",
    "RESPONDER_FROM_ADDRESS": "dana@example.org",
    "RESPONDER_PHONE": "+1 555 0100",
    "RESPONDER_SKYPE": "dana.reyes",
    "RESPONDER_LOG_LEVEL": "WARNING",
}


def seed_maildir(root: Path) -> list[str]:
    """Create a Maildir at ``root`` holding the bundled sample mails; return their file keys."""
    make_folder(root)
    names = []
    samples = resources.files("responder") / "demo_mail"
    for number, sample in enumerate(sorted(samples.iterdir(), key=lambda p: p.name), 1):
        if not sample.name.endswith(".eml"):
            continue
        key = f"{number:04d}.demo.{sample.name}"
        (root / "new" / key).write_bytes(sample.read_bytes())
        names.append(key)
    return names


@click.command("demo")
@click.option(
    "--keep",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Build the demo Maildir here and keep it (default: a temporary directory).",
)
def demo_command(keep: Path | None) -> None:
    """Run one real pass on a throwaway Maildir of sample notifications and show the result."""
    from responder.logs import setup_logging
    from responder.pipeline import Engine
    from responder.runner import Runner
    from responder.state import StateStore

    setup_logging("WARNING")
    workdir = keep or Path(tempfile.mkdtemp(prefix="responder-demo-"))
    maildir = workdir / "Maildir"
    names = seed_maildir(maildir)
    environ = dict(DEMO_SETTINGS)
    environ["RESPONDER_MAILDIR"] = str(maildir)
    environ["RESPONDER_STATE_DIR"] = str(workdir / "state")
    settings = guarded(lambda: load_settings(None, environ))
    click.echo(f"demo Maildir with {len(names)} sample mails: {maildir}")
    click.echo("loading patterns and templates ...")
    engine = guarded(lambda: Engine.build(settings), code=2)
    state = guarded(lambda: StateStore.open(settings.state_dir, settings.account))
    runner = Runner(settings=settings, engine=engine, state=state)
    try:
        guarded(lambda: runner.run_pass(threading.Event()))
    finally:
        runner.close()
    assert runner.last is not None
    click.echo("")
    print_result(runner.last, dry_run=False)
    seen = {r.ref for r in runner.last.reports}
    for key in names:
        if key not in seen:
            click.echo(f"{key}: not LinkedIn, so never downloaded, moved or flagged")
    _show_drafts(maildir)
    ignored = folder_path(maildir, settings.ignore_folder)
    click.echo(f"\nfiled mail: {ignored}")
    if keep is None:
        shutil.rmtree(workdir, ignore_errors=True)
        click.echo("(the demo directory was removed; use --keep DIR to look around)")


def _show_drafts(maildir: Path) -> None:
    drafts_dir = folder_path(maildir, "Drafts") / "cur"
    drafts = sorted(drafts_dir.iterdir()) if drafts_dir.is_dir() else []
    click.echo(f"\n{len(drafts)} draft(s) in {drafts_dir.parent}")
    for path in drafts[:1]:
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        click.echo("\n--- the first draft, as your mail client will show it ---")
        for name in ("From", "To", "Subject", "In-Reply-To"):
            if msg[name] is not None:
                click.echo(f"{name}: {msg[name]}")
        body = msg.get_body(("plain",))
        if body is not None:
            click.echo("")
            click.echo(body.get_content().rstrip())
        click.echo("--- end ---")
