"""The draft's self-check and the cheap paths that build a draft without the stdlib's help."""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from responder.compose import Identity, Templates, compose_draft
from responder.models import Notification

NOW = datetime(2025, 10, 20, 9, 30, tzinfo=UTC)
DANA = Identity("Dana Reyes", "dana@example.org", phone="+1 555 0142", skype="dana.reyes")
PARENT = "<1084163030.21403333.1756827667997@ltx1-app166997.prod.linkedin.com>"
INVITATION = Notification(
    message_id=PARENT,
    subject="I want to connect",
    linkedin=True,
    authentic=True,
    kind="invitation",
    has_ask=True,
    ask_text="Hi Dana, could we talk about tidewater? Mail me at ok@example.net.",
    sender_name="Oskar Lindqvist",
    profile_url="https://www.linkedin.com/in/oskar-lindqvist",
)


@pytest.fixture(scope="module")
def templates() -> Templates:
    """The built-in templates, loaded once."""
    return Templates.load()


def reparse(msg: EmailMessage) -> EmailMessage:
    """The draft as a mail server would hand it back."""
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


#: Long names starting with a dot on which Python 3.11.7's address parser raises
#: AttributeError or TypeError when it reads the folded header back.
UNREADABLE_NAMES = [
    ".xxxxxxxxxxxxx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx@xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    ".=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxaxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx)\\==0D=0ARe:",
    ':x@yxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx >,xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx@> ; ; "',
]


@pytest.mark.parametrize("name", UNREADABLE_NAMES)
def test_a_name_the_stdlib_cannot_read_back_is_simplified_not_fatal(
    name: str, templates: Templates
) -> None:
    """The draft is still made, to the one address, for the person and from the user."""
    msg = compose_draft(
        replace(INVITATION, sender_name=name), "genuine", replace(DANA, from_name=name),
        templates, NOW,
    )
    back = reparse(msg)
    assert [k.lower() for k in back.keys()] == [k.lower() for k in msg.keys()]  # noqa: SIM118
    assert [a.addr_spec for a in back["To"].addresses] == ["ok@example.net"]
    assert [a.addr_spec for a in back["From"].addresses] == ["dana@example.org"]
