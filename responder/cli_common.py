"""What every command shares: settings from ``--env``, and errors mapped to one-line exits."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn, TypeVar

import click

from responder.config import Settings, load_settings
from responder.errors import ResponderError

T = TypeVar("T")


def env_file(ctx: click.Context) -> Path | None:
    """Return the settings file chosen by the global ``--env`` option (or ./.env)."""
    root = ctx.find_root()
    obj = root.obj or {}
    path: Path | None = obj.get("env_file")
    return path


def settings_from(ctx: click.Context, *, need_mailbox: bool = True) -> Settings:
    """Load the settings or exit 2 with the setting's name and what is allowed."""
    with one_line_errors(code=2):
        return load_settings(env_file(ctx), need_mailbox=need_mailbox)
    raise AssertionError("unreachable")  # pragma: no cover


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``responder: error: message`` on stderr and exit with ``code``."""
    click.echo(f"responder: error: {message}", err=True)
    sys.exit(code)


@contextmanager
def one_line_errors(code: int = 1) -> Iterator[None]:
    """Turn a ResponderError into a one-line message and a non-zero exit."""
    try:
        yield
    except ResponderError as exc:
        fail(str(exc), code)


def guarded(fn: Callable[[], T], code: int = 1) -> T:
    """Call ``fn``; a ResponderError becomes a one-line message and exit ``code``."""
    with one_line_errors(code):
        return fn()
    raise AssertionError("unreachable")  # pragma: no cover
