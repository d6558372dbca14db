"""The draft's self-check and the cheap paths that build a draft without the stdlib's help."""

from __future__ import annotations

import copy
import email
import email.policy
import pickle
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from email.headerregistry import Address
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from responder import compose
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


# --- message ids are copied octet for octet ---------------------------------------------


def test_a_parent_id_that_looks_like_an_encoded_word_is_copied_as_it_is(
    templates: Templates,
) -> None:
    """A msg-id is never RFC 2047 text: In-Reply-To and References carry the parent's id.

    The stdlib used to decode ``=?utf-8?q?x?=`` in it, so the draft replied to ``<x@b.org>``.
    """
    parent, root = "<=?utf-8?q?x?=@b.org>", "<=?utf-8?b?DQpCY2M6IHhAeQ==?=@r.org>"
    n = replace(INVITATION, message_id=parent, references=(root,))
    head = compose_draft(n, "genuine", DANA, templates, NOW).as_bytes().split(b"\r\n\r\n")[0]
    assert f"\r\nIn-Reply-To: {parent}\r\n".encode() in head
    assert f"\r\nReferences: {root}\r\n {parent}\r\n".encode() in head
    assert b"Bcc" not in head


# --- the self-check catches what a faulty header or body builder would write ------------


def _subject(line: str) -> Callable[[str, str], compose._Folded]:
    """A Subject builder that writes ``line`` instead (other headers as usual)."""
    real = compose._text_header

    def build(name: str, value: str) -> compose._Folded:
        return compose._Folded(line, value) if name == "Subject" else real(name, value)

    return build


FAULTY: dict[str, tuple[str, object, str]] = {
    # name: (function replaced, replacement, what the check says)
    "a header added": (
        "_text_header", _subject("Subject: hi\r\nBcc: evil@x.example\r\n"), "headers changed"
    ),
    "a bare LF": ("_text_header", _subject("Subject: hi\nBcc: evil@x.example\r\n"), "bare CR"),
    "a line that opens no field": (
        "_text_header", _subject("Subject: hi\r\nBcc evil@x.example\r\n"), "opens no field"
    ),
    "an encoded CR LF": (
        "_text_header", _subject("Subject: =?utf-8?q?hi=0D=0ABcc:_e@x?=\r\n"), "control"
    ),
    "a raw control": ("_text_header", _subject("Subject: hi\x0bthere\r\n"), "control"),
    "a line over 998 octets": ("_text_header", _subject(f"Subject: {'x' * 990}\r\n"), "998"),
    "a wrong In-Reply-To": (
        "_ids_header",
        lambda name, ids: compose._Folded(f"{name}: <x@b.org>\r\n", "<x@b.org>"),
        "is not",
    ),
    "a wrong To": (
        "_address_header",
        lambda name, address: compose._Folded(f"{name}: E <evil@x.example>\r\n", address),
        "another address",
    ),
    "a second To address": (
        "_address_header",
        lambda name, address: compose._Folded(
            f"{name}: {address}, evil@x.example\r\n", address
        ),
        "another address",
    ),
    "a body that does not decode to the text": (
        "_encoded_body", lambda body: ("quoted-printable", "Hi=0D=0A\n"), "body"
    ),
}


@pytest.mark.parametrize("fault", sorted(FAULTY))
def test_the_self_check_refuses_a_draft_with(
    fault: str, templates: Templates, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever the cheap builders might get wrong, compose_draft raises rather than return it."""
    target, replacement, message = FAULTY[fault]
    monkeypatch.setattr(compose, target, replacement)
    with pytest.raises(ValueError, match=message):
        compose_draft(INVITATION, "genuine", DANA, templates, NOW)


# --- the cheap paths write what the email package writes --------------------------------


def stdlib_bytes(msg: EmailMessage) -> bytes:
    """``msg`` written by the ``email`` package itself: the same header objects set one by
    one, the same text set with ``set_content``, as compose_draft once did."""
    ref = EmailMessage(policy=compose.DRAFT_POLICY)
    for name, value in msg.items():
        if not name.lower().startswith(("content-", "mime-")):
            ref[name] = value
    cte = str(msg["Content-Transfer-Encoding"])
    ref.set_content(msg.get_content(), charset="utf-8", cte=cte)
    return ref.as_bytes()


_NAMES = st.text(alphabet="AZaz09_.'- ", max_size=40) | st.sampled_from(
    ["Dr. Ana Ruiz", "Mary-Jane O'Neil", "J.R.R. Tolkien", "Ana (Ops)", "Hélène Marchetti",
     "山田 太郎", "a" * 80, "x " * 40, "", ".", "-", "' '", 'Pat "Cat"', "a=?b", "a\\b"]
)
_SUBJECTS = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=90) | (
    st.text(max_size=90)
)
_ZONES = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda m: timezone(timedelta(minutes=m))
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    subject=_SUBJECTS,
    name=_NAMES,
    from_name=_NAMES,
    ask=st.text(max_size=300),
    when=st.datetimes(timezones=_ZONES | st.just(UTC)),
)
def test_drafts_are_byte_for_byte_what_the_email_package_writes(
    subject: str, name: str, from_name: str, ask: str, when: datetime, templates: Templates
) -> None:
    """Plain values written as they are, long or encoded ones folded by the stdlib: the bytes
    are those of the same headers set on a message and serialised by the stdlib."""
    n = replace(INVITATION, subject=subject, sender_name=name, ask_text=f"{ask} ok@example.net")
    msg = compose_draft(n, "genuine", replace(DANA, from_name=from_name), templates, when)
    assert msg.as_bytes() == stdlib_bytes(msg)


@settings(max_examples=300, deadline=None)
@given(name=_NAMES, local=st.from_regex(r"[a-z0-9]+(\.[a-z0-9+_-]+)?", fullmatch=True))
def test_plain_names_are_judged_as_the_stdlib_judges_them(name: str, local: str) -> None:
    """The shortcut's verdict on whether an address reads back is the long way's verdict."""
    spec = f"{local}@mail.example.org"
    address = compose._address(name, spec)
    assert address == Address(display_name=name, addr_spec=spec)
    assert compose._round_trips(address) == compose._probe_round_trips(address)
    field = compose._address_header("To", address)
    assert compose._addr_specs("To", field) == [
        a.addr_spec for a in email.policy.default.header_factory("To", field).addresses
    ]


def test_a_draft_survives_copying_and_pickling(templates: Templates) -> None:
    """The pre-folded headers keep their text through deepcopy and pickle."""
    msg = compose_draft(
        replace(INVITATION, sender_name="Hélène Marchetti"), "genuine", DANA, templates, NOW
    )
    assert copy.deepcopy(msg).as_bytes() == msg.as_bytes()
    assert pickle.loads(pickle.dumps(msg)).as_bytes() == msg.as_bytes()  # noqa: S301
