"""Log format under journald and on a terminal, and that secrets never reach the output."""

from __future__ import annotations

import base64
import io
import logging

import pytest
from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from responder.errors import ConfigError
from responder.logs import (
    REDACTED,
    plain_blob,
    register_login,
    register_oauth2,
    register_secret,
    setup_logging,
    syslog_priority,
    under_journal,
    xoauth2_blob,
)
from tests.dovecot import PASSWORD as DOVECOT_PASSWORD
from tests.dovecot import Account

PASSWORD = "s3cr'et\\pw-Ω"
TOKEN = "ya29.a0AfB_token-value"




def _all_forms() -> list[str]:
    return [
        PASSWORD,
        repr(PASSWORD)[1:-1],
        repr(PASSWORD.encode())[2:-1],
        plain_blob("alice", PASSWORD),
        TOKEN,
        xoauth2_blob("alice", TOKEN),
    ]


def test_secrets_are_redacted_everywhere(captured_log: io.StringIO) -> None:
    register_login("alice", PASSWORD)
    register_oauth2("alice", TOKEN)
    log = logging.getLogger("responder.test")
    log.info("login as %s with %s", "alice", PASSWORD)
    log.info("bytes %r", PASSWORD.encode())
    log.info("str repr %r", PASSWORD)
    log.warning("token %s", TOKEN)
    log.info("dict %s", {"password": PASSWORD})
    log.info(f"an f-string {PASSWORD}")  # the careless call must survive too
    try:
        raise RuntimeError(f"server said no to {PASSWORD}")
    except RuntimeError:
        log.exception("login failed")
    log.info("stack", stack_info=True, extra={"unused": PASSWORD})
    imaplib_log = logging.getLogger("imapclient.imaplib")
    imaplib_log.debug("> b'A001 LOGIN alice \"%s\"'", PASSWORD)
    imaplib_log.debug("> b'%s'", plain_blob("alice", PASSWORD))
    imaplib_log.debug("> b'%s'", xoauth2_blob("alice", TOKEN))
    logging.getLogger("imapclient.imapclient").debug("raw %s", PASSWORD.encode())
    text = captured_log.getvalue()
    for form in _all_forms():
        assert text.count(form) == 0, form
    assert text.count(REDACTED) >= 10
    assert "login failed" in text
    assert "RuntimeError: server said no to **REDACTED**" in text


def test_a_broken_format_string_still_redacts(captured_log: io.StringIO) -> None:
    register_secret(PASSWORD)
    logging.getLogger("responder.test").info("%d items", PASSWORD)
    assert PASSWORD not in captured_log.getvalue()
    assert REDACTED in captured_log.getvalue()


def test_blobs_are_the_sasl_forms() -> None:
    assert base64.b64decode(plain_blob("al", "pw")) == b"\0al\0pw"
    assert base64.b64decode(xoauth2_blob("al", "tk")) == b"user=al\x01auth=Bearer tk\x01\x01"


def test_empty_secret_is_ignored(captured_log: io.StringIO) -> None:
    register_secret("")
    logging.getLogger("responder.test").info("nothing hidden")
    assert "nothing hidden" in captured_log.getvalue()


def test_journal_lines_carry_priority_and_no_timestamp() -> None:
    stream = io.StringIO()
    setup_logging("DEBUG", journal=True, stream=stream)
    log = logging.getLogger("responder.svc")
    log.debug("d")
    log.info("i")
    log.warning("w")
    log.error("e")
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("failed")
    setup_logging("WARNING", journal=False)
    lines = stream.getvalue().splitlines()
    assert lines[:4] == [
        "<7>responder.svc: d",
        "<6>responder.svc: i",
        "<4>responder.svc: w",
        "<3>responder.svc: e",
    ]
    assert len(lines) == 5
    assert lines[4].startswith("<3>responder.svc: failed | Traceback")
    assert lines[4].endswith("ValueError: boom")


def test_plain_lines_are_timestamped() -> None:
    stream = io.StringIO()
    setup_logging("INFO", journal=False, stream=stream)
    logging.getLogger("responder.svc").info("hello")
    logging.getLogger("responder.svc").debug("hidden")
    setup_logging("WARNING", journal=False)
    (line,) = stream.getvalue().splitlines()
    assert line[:4].isdigit()
    assert line.endswith(" INFO responder.svc: hello")


def test_setup_replaces_its_own_handler() -> None:
    setup_logging("INFO", journal=False, stream=io.StringIO())
    setup_logging("INFO", journal=False, stream=io.StringIO())
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_responder", False)]
    assert len(ours) == 1
    setup_logging("WARNING", journal=False)


def test_journal_detection_and_levels() -> None:
    assert under_journal({"JOURNAL_STREAM": "8:12345"})
    assert not under_journal({})
    assert syslog_priority(logging.INFO + 5) == 6
    assert syslog_priority(logging.CRITICAL) == 2
    with pytest.raises(ConfigError, match="unknown log level"):
        setup_logging("LOUD")


@pytest.mark.imap
def test_real_imapclient_debug_log_carries_no_password(
    captured_log: io.StringIO, mailbox: Account
) -> None:
    """A real LOGIN, AUTHENTICATE PLAIN and a refused login, all logged at DEBUG."""
    register_login(mailbox.user, DOVECOT_PASSWORD)
    host, port = "127.0.0.1", mailbox.server.port
    with IMAPClient(host, port, ssl=False, timeout=10) as client:
        client.login(mailbox.user, DOVECOT_PASSWORD)
        client.select_folder("INBOX")
    with IMAPClient(host, port, ssl=False, timeout=10) as client:
        client.plain_login(mailbox.user, DOVECOT_PASSWORD)
    wrong = DOVECOT_PASSWORD + "-old"
    register_login(mailbox.user, wrong)
    with IMAPClient(host, port, ssl=False, timeout=10) as client:
        try:
            client.login(mailbox.user, wrong)
        except LoginError:
            logging.getLogger("responder.mailbox").exception("login as %s refused", mailbox.user)
    text = captured_log.getvalue()
    assert "LOGIN" in text, "imapclient's debug log was not captured"
    assert "AUTHENTICATE" in text
    for secret in (DOVECOT_PASSWORD, wrong):
        assert text.count(secret) == 0
        assert text.count(plain_blob(mailbox.user, secret)) == 0
