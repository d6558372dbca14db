"""Settings: defaults, the environment over the file, and clear errors for wrong values."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from responder.config import KNOWN, load_settings
from responder.errors import ConfigError

ROOT = Path(__file__).parent.parent
BASE = {"RESPONDER_IMAP_HOST": "imap.example.org", "RESPONDER_IMAP_USER": "dana"}


def test_example_env_documents_every_setting_with_its_default() -> None:
    """config.example.env names every setting; where it shows a default it is the real one."""
    text = (ROOT / "config.example.env").read_text()
    shown = dict(re.findall(r"^(RESPONDER_[A-Z0-9_]+)=(.*)$", text, re.M))
    assert set(KNOWN) <= set(shown)
    for name in ("RESPONDER_IMAP_SECURITY", "RESPONDER_SOURCE_FOLDER", "RESPONDER_SINCE_DAYS",
                 "RESPONDER_IGNORE_FOLDER", "RESPONDER_POLL_SECONDS", "RESPONDER_DRAFT_LABELS",
                 "RESPONDER_FILE_LABELS", "RESPONDER_REPLY_ONCE_DAYS"):
        assert shown[name] == KNOWN[name], name


def test_defaults() -> None:
    """Unset settings take the documented defaults."""
    s = load_settings(None, BASE)
    assert (s.imap_security, s.imap_port, s.source_folder) == ("ssl", 993, "INBOX")
    assert (s.since_days, s.poll_seconds, s.ignore_folder) == (7, 300, "LinkedIn/Ignored")
    assert s.draft_labels == ("genuine", "stale_reconnect")
    assert load_settings(None, {**BASE, "RESPONDER_IMAP_SECURITY": "starttls"}).imap_port == 143


def test_environment_wins_over_file(tmp_path: Path) -> None:
    """A value in the real environment overrides the same name in the .env file."""
    env = tmp_path / ".env"
    env.write_text("RESPONDER_IMAP_HOST=file.example.org\nRESPONDER_IMAP_USER=dana\n"
                   "RESPONDER_POLL_SECONDS=60\n")
    s = load_settings(env, {"RESPONDER_POLL_SECONDS": "120"})
    assert (s.imap_host, s.poll_seconds) == ("file.example.org", 120)


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("RESPONDER_POLL_SECONDS", "soon", "whole number"),
        ("RESPONDER_POLL_SECONDS", "1", "out of range"),
        ("RESPONDER_IMAP_SECURITY", "tls", "ssl, starttls, plain"),
        ("RESPONDER_DRY_RUN", "maybe", "true or false"),
        ("RESPONDER_DRAFT_LABELS", "genuine,nice", "unknown label"),
        ("RESPONDER_PATTERNS_FILE", "/nonexistent/p.jsonl", "no such file"),
    ],
)
def test_wrong_value_names_setting_and_what_is_allowed(name: str, value: str, words: str) -> None:
    """A wrong value fails with the setting's name and what is allowed."""
    with pytest.raises(ConfigError, match=name) as info:
        load_settings(None, {**BASE, name: value})
    assert words in str(info.value)


def test_unknown_name_is_a_likely_typo() -> None:
    """A misspelt RESPONDER_* name is refused with the nearest known name."""
    with pytest.raises(ConfigError, match="did you mean RESPONDER_DRAFT_LABELS"):
        load_settings(None, {**BASE, "RESPONDER_DRAFT_LABLES": "genuine"})


def test_template_values_are_not_typos() -> None:
    """RESPONDER_TEMPLATE_* values are free-form template variables."""
    s = load_settings(None, {**BASE, "RESPONDER_TEMPLATE_CALENDAR_LINK": "https://cal.example"})
    assert s.template_extra == {"calendar_link": "https://cal.example"}


def test_plain_imap_refused_for_remote_host() -> None:
    """Unencrypted IMAP is allowed only on loopback."""
    with pytest.raises(ConfigError, match="plain"):
        load_settings(None, {**BASE, "RESPONDER_IMAP_SECURITY": "plain"})
    ok = load_settings(None, {**BASE, "RESPONDER_IMAP_HOST": "127.0.0.1",
                              "RESPONDER_IMAP_SECURITY": "plain"})
    assert ok.imap_security == "plain"


def test_scam_in_draft_labels_is_dropped_with_a_warning() -> None:
    """Scam is never drafted whatever the setting says, and the user is told."""
    s = load_settings(None, {**BASE, "RESPONDER_DRAFT_LABELS": "genuine,scam",
                             "RESPONDER_FILE_LABELS": "recruiter"})
    assert "scam" not in s.draft_labels
    assert any("scam" in w for w in s.warnings)


def test_missing_authserv_id_warns_loudly() -> None:
    """Without an authserv-id nothing is trusted, and the settings say so."""
    s = load_settings(None, BASE)
    assert any("RESPONDER_AUTHSERV_ID" in w for w in s.warnings)
    s = load_settings(None, {**BASE, "RESPONDER_AUTHSERV_ID": "mx.example.org"})
    assert s.warnings == ()


def test_state_dir_follows_systemd_then_xdg(tmp_path: Path) -> None:
    """The state dir is the setting, else $STATE_DIRECTORY, else the XDG state dir."""
    assert load_settings(None, {**BASE, "STATE_DIRECTORY": "/var/lib/responder"}).state_dir == \
        Path("/var/lib/responder")
    xdg = load_settings(None, {**BASE, "XDG_STATE_HOME": str(tmp_path)}).state_dir
    assert xdg == tmp_path / "responder"


def test_from_address_defaults_to_a_mail_address_login() -> None:
    """Drafts are from the IMAP login when it is an address and nothing else is set."""
    s = load_settings(None, {**BASE, "RESPONDER_IMAP_USER": "dana@example.org"})
    assert s.from_address == "dana@example.org"
    assert load_settings(None, BASE).from_address == ""
    s = load_settings(None, {**BASE, "RESPONDER_IMAP_USER": "dana@example.org",
                             "RESPONDER_FROM_ADDRESS": "d@example.net"})
    assert s.from_address == "d@example.net"
