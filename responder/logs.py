"""Logging set-up: journald-friendly lines under systemd, timestamped lines elsewhere.

Every handler set up here carries the process-wide ``RedactingFilter``: register each secret
(``register_secret``, ``register_login``, ``register_oauth2``) as soon as it is known and it is
replaced by ``**REDACTED**`` in messages, arguments, tracebacks and stack text of every record,
whichever logger (ours or imapclient's) emitted it.
"""

from __future__ import annotations

import base64
import logging
import os
import sys
from collections.abc import Mapping
from typing import TextIO

from responder.errors import ConfigError

REDACTED = "**REDACTED**"

#: logging level -> syslog priority, as journald reads it from a "<N>" line prefix.
SYSLOG_PRIORITY = {
    logging.CRITICAL: 2,
    logging.ERROR: 3,
    logging.WARNING: 4,
    logging.INFO: 6,
    logging.DEBUG: 7,
}


def syslog_priority(levelno: int) -> int:
    """The syslog priority of a logging level (levels in between round towards DEBUG)."""
    for level in sorted(SYSLOG_PRIORITY, reverse=True):
        if levelno >= level:
            return SYSLOG_PRIORITY[level]
    return 7


def secret_forms(secret: str) -> set[str]:
    """The ways *secret* can show up in a log line: as is, and as a str or bytes repr body."""
    if not secret:
        return set()
    forms = {secret, repr(secret)[1:-1], repr(secret.encode())[2:-1]}
    return {form for form in forms if form}


def plain_blob(user: str, password: str) -> str:
    """The base64 SASL PLAIN response (``\\0user\\0password``) as sent by AUTHENTICATE."""
    return base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")


def xoauth2_blob(user: str, token: str) -> str:
    """The base64 SASL XOAUTH2 response carrying *token*."""
    return base64.b64encode(f"user={user}\1auth=Bearer {token}\1\1".encode()).decode("ascii")


class RedactingFilter(logging.Filter):
    """Replaces every registered secret in a record's text; never drops a record."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def register(self, secret: str) -> None:
        """Redact *secret* (and its repr forms) from now on."""
        self._secrets |= secret_forms(secret)

    def clear(self) -> None:
        """Forget all secrets (tests only)."""
        self._secrets.clear()

    def redact(self, text: str) -> str:
        """*text* with every registered secret replaced, longest first."""
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place: message merged with args, traceback pre-formatted."""
        if not self._secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not hide a secret in its args
            message = f"{record.msg!r} % {record.args!r}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


#: The one filter every handler of ``setup_logging`` carries.
REDACTOR = RedactingFilter()


def register_secret(secret: str) -> None:
    """Keep *secret* out of every log line from now on."""
    REDACTOR.register(secret)


def register_login(user: str, password: str) -> None:
    """Register a password and the SASL PLAIN blob that carries it."""
    register_secret(password)
    register_secret(plain_blob(user, password))


def register_oauth2(user: str, token: str) -> None:
    """Register an OAuth2 access token and the XOAUTH2 blob that carries it."""
    register_secret(token)
    register_secret(xoauth2_blob(user, token))


class JournalFormatter(logging.Formatter):
    """``<N>logger: message`` on one line; journald adds the time and reads the priority."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        return f"<{syslog_priority(record.levelno)}>" + text.replace("\n", " | ")


def under_journal(environ: Mapping[str, str] | None = None) -> bool:
    """True when stderr is connected to journald (systemd sets ``JOURNAL_STREAM``)."""
    env = os.environ if environ is None else environ
    return bool(env.get("JOURNAL_STREAM"))


def setup_logging(level: str, journal: bool | None = None, stream: TextIO | None = None) -> None:
    """Send the root logger to *stream* (stderr) at *level*, redacted, in journal or plain form.

    *journal* None means: detect from ``JOURNAL_STREAM``. Replaces handlers set up earlier.
    """
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ConfigError(f"unknown log level {level!r}: use DEBUG, INFO, WARNING or ERROR")
    use_journal = under_journal() if journal is None else journal
    handler = logging.StreamHandler(stream or sys.stderr)
    if use_journal:
        handler.setFormatter(JournalFormatter("%(name)s: %(message)s"))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(REDACTOR)
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_responder", False):
            root.removeHandler(old)
    handler._responder = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(numeric)


def quiet_spacy() -> None:
    """Route spaCy's log through ours, warnings only.

    spaCy gives its logger a handler of its own, with its own timestamps, and announces every
    pipeline it builds at INFO: under the journal those lines would be doubled and stamped.
    """
    import spacy.util

    spacy_log = logging.getLogger(spacy.util.logger.name)
    for handler in list(spacy_log.handlers):
        spacy_log.removeHandler(handler)
    spacy_log.setLevel(logging.WARNING)
