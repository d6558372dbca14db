"""The draft lifecycle against a real Dovecot: one per notification, once per person, and a
draft the user has touched is theirs."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.conftest import EML_DIR
from tests.dovecot import Account
from tests.test_pass_imap import parse, responder

pytestmark = pytest.mark.imap

GENUINE = EML_DIR / "01-invitation-genuine.eml"
INMAIL = EML_DIR / "10-inmail-genuine-speaker.eml"


def variant(path: Path, message_id: str) -> bytes:
    """Return the mail at ``path`` as a new notification with another Message-ID."""
    raw = path.read_bytes()
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    old = str(msg["Message-ID"]).strip()
    return raw.replace(old.encode(), message_id.encode())


def drafts(mailbox: Account) -> list[EmailMessage]:
    return [parse(r[b"BODY[]"]) for r in mailbox.folder("Drafts").values()]


def test_same_notification_delivered_twice_gets_one_draft(mailbox: Account, tmp_path: Path) -> None:
    """Two copies of one notification (same Message-ID) yield exactly one draft."""
    mailbox.deliver(GENUINE.read_bytes())
    mailbox.deliver(GENUINE.read_bytes())
    responder(mailbox.env(tmp_path / "s"), "run", "--once")
    assert len(drafts(mailbox)) == 1


def test_second_invitation_from_same_person_within_window_is_filed(
    mailbox: Account, tmp_path: Path
) -> None:
    """A person who got a draft is not drafted again within RESPONDER_REPLY_ONCE_DAYS."""
    env = mailbox.env(tmp_path / "s")
    mailbox.deliver(GENUINE.read_bytes())
    responder(env, "run", "--once")
    mailbox.deliver(variant(GENUINE, "<second-invite-1@ltx1-app1.prod.linkedin.com>"))
    out = responder(env, "run", "--once")
    assert len(drafts(mailbox)) == 1
    filed = [parse(r[b"BODY[]"])["Message-ID"] for r in mailbox.folder("LinkedIn/Ignored").values()]
    assert filed == ["<second-invite-1@ltx1-app1.prod.linkedin.com>"]
    assert "already got a draft" in out.stdout


def test_window_of_zero_days_drafts_every_notification(mailbox: Account, tmp_path: Path) -> None:
    """RESPONDER_REPLY_ONCE_DAYS=0 lifts the once-per-person rule."""
    env = mailbox.env(tmp_path / "s", RESPONDER_REPLY_ONCE_DAYS="0")
    mailbox.deliver(GENUINE.read_bytes())
    responder(env, "run", "--once")
    mailbox.deliver(variant(GENUINE, "<second-invite-2@ltx1-app1.prod.linkedin.com>"))
    responder(env, "run", "--once")
    assert len(drafts(mailbox)) == 2


def test_draft_deleted_by_user_is_never_recreated(mailbox: Account, tmp_path: Path) -> None:
    """A draft the user deleted stays deleted, even after the state store is lost."""
    env = mailbox.env(tmp_path / "s")
    mailbox.deliver(GENUINE.read_bytes())
    responder(env, "run", "--once")
    with mailbox.client() as c:
        c.select_folder("Drafts")
        c.delete_messages(c.search(["ALL"]))
        c.expunge()
    responder(env, "run", "--once")
    for path in (tmp_path / "s").glob("state.sqlite3*"):
        path.unlink()
    responder(env, "run", "--once")
    assert drafts(mailbox) == []


def test_draft_edited_by_user_is_left_as_they_wrote_it(mailbox: Account, tmp_path: Path) -> None:
    """A draft the user edited (saved as a new message, as clients do) is never touched."""
    env = mailbox.env(tmp_path / "s")
    mailbox.deliver(GENUINE.read_bytes())
    responder(env, "run", "--once")
    (original,) = drafts(mailbox)
    edited = EmailMessage()
    for name in ("From", "Subject", "In-Reply-To", "References", "Message-ID"):
        edited[name] = original[name]
    edited.set_content("Hi Oskar, call me tomorrow at 10. Dana\n")
    with mailbox.client() as c:
        c.select_folder("Drafts")
        c.delete_messages(c.search(["ALL"]))
        c.expunge()
        c.append("Drafts", edited.as_bytes(), flags=(b"\\Draft",))
    mailbox.deliver(variant(INMAIL, "<another-1@ltx1-app1.prod.linkedin.com>"))
    responder(env, "run", "--once")
    bodies = [d.get_body(("plain",)).get_content().replace("\r\n", "\n") for d in drafts(mailbox)]
    assert "Hi Oskar, call me tomorrow at 10. Dana\n" in bodies
    assert len(bodies) == 2


def test_inmail_draft_addressing_follows_the_relay_setting(
    mailbox: Account, tmp_path: Path
) -> None:
    """InMail drafts go to LinkedIn's reply relay only when the user enabled it."""
    mailbox.deliver(INMAIL.read_bytes())
    responder(mailbox.env(tmp_path / "a"), "run", "--once")
    (plain,) = drafts(mailbox)
    assert plain["To"] is None
    body = plain.get_body(("plain",)).get_content()
    assert body.splitlines()[0].startswith("https://www.linkedin.com/")

    other = mailbox.server.account(499)
    other.deliver(INMAIL.read_bytes())
    responder(other.env(tmp_path / "b", RESPONDER_REPLY_VIA_LINKEDIN_RELAY="true"),
              "run", "--once")
    (relayed,) = drafts(other)
    assert str(relayed["To"]).endswith("@reply.linkedin.com>")


def test_non_ascii_names_and_text_survive_the_round_trip(mailbox: Account, tmp_path: Path) -> None:
    """A Spanish note from Lucía is drafted, stored and read back with every accent intact."""
    mailbox.deliver((EML_DIR / "05-invitation-spanish-note.eml").read_bytes())
    responder(mailbox.env(tmp_path / "s", RESPONDER_FROM_NAME="Dana Núñez"), "run", "--once")
    (draft,) = drafts(mailbox)
    body = draft.get_body(("plain",)).get_content()
    assert "Lucía" in body
    assert "StreamConf" in body, "the draft quotes the ask"
    assert str(draft["From"]) == "Dana Núñez <dana@example.org>"
    raw = next(iter(mailbox.folder("Drafts").values()))[b"BODY[]"]
    assert isinstance(raw, bytes)
    assert raw.isascii(), "headers and body are transfer-encoded, never raw 8-bit"
