"""``responder preview`` and ``responder templates init``: see and edit the reply drafts."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import click

from responder.compose import (
    Identity,
    Templates,
    compose_draft,
    draft_as_text,
    sample_notification,
)
from responder.errors import ResponderError
from responder.models import Notification
from responder.templating import DRAFTABLE_LABELS, builtin_templates_dir

TEMPLATE_PREFIX = "RESPONDER_TEMPLATE_"
_TRUE = frozenset({"1", "true", "yes", "on"})

#: Demo identity used where a setting is absent (the corpus recipient, with fictional numbers).
DEMO: Mapping[str, str] = {
    "RESPONDER_FROM_NAME": "Dana Reyes",
    "RESPONDER_FROM_ADDRESS": "dana@example.org",
    "RESPONDER_PHONE": "+1 555 0142",
    "RESPONDER_SKYPE": "dana.reyes",
}


def identity_from_env(environ: Mapping[str, str]) -> Identity:
    """The drafting identity from ``RESPONDER_*`` variables, demo values where one is absent.

    A variable that is set but empty stays empty (so "no Skype" can be previewed).
    """

    def get(name: str) -> str:
        return environ.get(name, DEMO.get(name, "")).strip()

    extra = {
        name[len(TEMPLATE_PREFIX) :].lower(): value
        for name, value in environ.items()
        if name.startswith(TEMPLATE_PREFIX) and len(name) > len(TEMPLATE_PREFIX)
    }
    return Identity(
        from_name=get("RESPONDER_FROM_NAME"),
        from_address=get("RESPONDER_FROM_ADDRESS"),
        phone=get("RESPONDER_PHONE"),
        skype=get("RESPONDER_SKYPE"),
        extra=extra,
        reply_via_relay=get("RESPONDER_REPLY_VIA_LINKEDIN_RELAY").lower() in _TRUE,
    )


def _environment(ctx: click.Context) -> dict[str, str]:
    """The settings file chosen with ``--env`` (if any) under the real environment."""
    values: dict[str, str] = {}
    obj = ctx.find_root().obj or {}
    env_file = obj.get("env_file") if isinstance(obj, dict) else None
    if env_file is not None:
        from dotenv import dotenv_values

        values = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
    values.update(os.environ)
    return values


def _fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"responder: error: {message}", err=True)
    sys.exit(code)


def _notification_from(eml: Path, environ: Mapping[str, str]) -> Notification:
    """Read ``eml`` as a pass would, without requiring authentication."""
    from responder.parse import read_mail  # the reader is heavy; import it only when asked

    authserv_id = environ.get("RESPONDER_AUTHSERV_ID", "").strip() or None
    n = read_mail(eml.read_bytes(), authserv_id=authserv_id, require_authentication=False)
    if n.problem:
        _fail(f"{eml}: {n.problem}")
    if not n.has_ask:
        click.echo(f"note: {eml} carries no personal ask; a pass would not draft it", err=True)
    return n


@click.command("preview")
@click.argument("label")
@click.option(
    "--eml",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Draft a reply to this .eml file instead of the built-in sample.",
)
@click.option("--raw", is_flag=True, help="Print the exact bytes a pass would store (CRLF).")
@click.pass_context
def preview_command(ctx: click.Context, label: str, eml: Path | None, raw: bool) -> None:
    """Print the complete draft (headers and body) a pass would create for LABEL."""
    if label not in DRAFTABLE_LABELS:
        why = "is never drafted" if label == "scam" else "is not a label"
        _fail(f"{label!r} {why}; choose one of: {', '.join(DRAFTABLE_LABELS)}", 2)
    environ = _environment(ctx)
    identity = identity_from_env(environ)
    user_dir = environ.get("RESPONDER_TEMPLATES_DIR", "").strip()
    try:
        templates = Templates.load(Path(user_dir) if user_dir else None)
        n = _notification_from(eml, environ) if eml else sample_notification(label)
        msg = compose_draft(n, label, identity, templates, datetime.now(UTC))
    except ResponderError as exc:
        _fail(str(exc))
    if raw:
        sys.stdout.buffer.write(msg.as_bytes())
        sys.stdout.flush()
    else:
        click.echo(draft_as_text(msg), nl=False)


@click.group("templates")
def templates_group() -> None:
    """Copy the default reply templates out for editing."""


@templates_group.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files that already exist there.")
def init_command(directory: Path, force: bool) -> None:
    """Copy the default templates into DIRECTORY; edit them there, file by file."""
    source = builtin_templates_dir()
    files = sorted(p for p in source.iterdir() if p.is_file() and p.suffix in (".j2", ".md"))
    clashes = [directory / p.name for p in files if (directory / p.name).exists()]
    if clashes and not force:
        _fail(f"{clashes[0]} already exists (use --force to overwrite)")
    directory.mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copyfile(path, directory / path.name)
    click.echo(f"copied {len(files)} files to {directory}")
    click.echo(f"use them with: RESPONDER_TEMPLATES_DIR={directory.resolve()}")
    click.echo("delete any file you do not change: the built-in one is used in its place")
