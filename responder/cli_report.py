"""``responder report`` and ``responder overrides``: what the user's review says, and its effects.

Both read only the state store (no mailbox): the signals are collected by every pass.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from responder.cli_common import fail, guarded, one_line_errors, settings_from
from responder.config import Settings
from responder.feedback import FeedbackStore


def _open(settings: Settings) -> FeedbackStore:
    db = settings.state_dir / "state.sqlite3"
    if not db.exists():
        fail(f"no state store yet at {db}: run a pass first")
    return guarded(lambda: FeedbackStore(db, settings.account))


@click.command("report")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--since", "since_text", default="30d", show_default=True,
              help="Window: 30d, 8w, YYYY-MM-DD or all.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write a self-contained HTML page with the charts.")
@click.option("--patterns-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the suggested patterns file "
                   "(default: suggested-patterns.jsonl in the state dir).")
@click.pass_context
def report_command(
    ctx: click.Context, as_json: bool, since_text: str, html_file: Path | None,
    patterns_out: Path | None,
) -> None:
    """Is responder doing what you would do? Counts, agreement and suggested pattern changes."""
    from responder.report import build, parse_since, patterns_file, render_html, render_text
    from responder.report import to_json as report_json

    settings = settings_from(ctx, need_mailbox=False)
    now = datetime.now(UTC)
    try:
        since = parse_since(since_text, now)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    db = _open(settings)
    try:
        report = build(
            db.decisions(since),
            db.signals(since),
            since=since,
            until=now,
            asks=db.asks(),
            overrides=db.overrides(),
        )
    finally:
        db.close()
    target = patterns_out or settings.state_dir / "suggested-patterns.jsonl"
    if report.disable or report.phrases:
        try:
            target.write_text(patterns_file(report), encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {target}: {exc.strerror}")
        report.patterns_file = str(target)
    if html_file is not None:
        try:
            html_file.write_text(render_html(report), encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {html_file}: {exc.strerror}")
        report.notes.append(f"HTML report: {html_file}")
    if as_json:
        click.echo(json.dumps(report_json(report), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(report))


@click.command("overrides")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--remove", "remove", metavar="KEY", multiple=True,
              help="Remove the override of this person key (repeatable).")
@click.pass_context
def overrides_command(ctx: click.Context, as_json: bool, remove: tuple[str, ...]) -> None:
    """List the per-person overrides learned from your review; --remove KEY undoes one."""
    settings = settings_from(ctx, need_mailbox=False)
    db = _open(settings)
    try:
        with one_line_errors():
            missing = [key for key in remove if not db.remove_override(key)]
            for key in remove:
                if key not in missing:
                    click.echo(f"removed override for {key}", err=as_json)
            rows = db.overrides()
    finally:
        db.close()
    if missing:
        fail(f"no override for {', '.join(missing)} (see responder overrides)")
    if as_json:
        click.echo(json.dumps([{"person": o.person, "action": o.action, "reason": o.reason,
                                "at": o.at.isoformat()} for o in rows], indent=2))
        return
    if not rows:
        if not remove:
            click.echo("no overrides: responder follows the labels")
        return
    for o in rows:
        click.echo(f"{o.action:<6} {o.person}  ({o.reason})")
    click.echo("remove one with: responder overrides --remove KEY")
