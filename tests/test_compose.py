"""The draft as a message: threading, subject, addressing, encoding and header safety."""

from __future__ import annotations

import base64
import email
import email.policy
import json
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from responder.compose import (
    DRAFT_HEADER,
    MAX_SUBJECT,
    Identity,
    Templates,
    address_in_ask,
    compose_draft,
    draft_as_text,
    draft_message_id,
    header_text,
    reply_subject,
    valid_msg_id,
)
from responder.errors import ConfigError
from responder.models import Notification
from responder.templating import ask_quote, clean_url, first_name

GOLDEN = Path(__file__).parent / "golden"
EML = Path(__file__).parent / "corpus" / "eml"
NOW = datetime(2025, 10, 20, 9, 30, tzinfo=UTC)
DANA = Identity(
    from_name="Dana Reyes",
    from_address="dana@example.org",
    phone="+1 555 0142",
    skype="dana.reyes",
)
PARENT = "<1084163030.21403333.1756827667997@ltx1-app166997.prod.linkedin.com>"
SINGLETONS = ("date", "from", "to", "subject", "message-id", "in-reply-to", "references")


@pytest.fixture(scope="module")
def templates() -> Templates:
    """The built-in templates, loaded once."""
    return Templates.load()


def draft(
    n: Notification, templates: Templates, identity: Identity = DANA, label: str = "genuine"
) -> EmailMessage:
    """Compose with the fixed clock."""
    return compose_draft(n, label, identity, templates, NOW)


def reparse(msg: EmailMessage) -> EmailMessage:
    """The draft as a mail server would hand it back."""
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def body_of(msg: EmailMessage) -> str:
    """The decoded text body."""
    text: str = reparse(msg).get_content()
    return text.replace("\r\n", "\n")


def invitation(**changes: object) -> Notification:
    """Corpus file 01 as the reader sees it, with ``changes``."""
    base = Notification(
        message_id=PARENT,
        subject="I want to connect",
        date=datetime(2025, 9, 2, 15, 41, 7, tzinfo=UTC),
        linkedin=True,
        authentic=True,
        kind="invitation",
        template="email_m2m_invite_single_01",
        has_ask=True,
        ask_text=(
            "Hi Dana, I maintain the Rust port of tidewater and I think I found an ordering "
            "bug in the windowed join with late watermarks. I have a repro and a patch. Could "
            "we do a short call before I open the PR?"
        ),
        sender_name="Oskar Lindqvist",
        headline="Software Engineer at Quillmate | Rust and stream processing",
        profile_url=(
            "https://www.linkedin.com/comm/in/oskar-lindqvist-4b1a9?trk=eml-email_m2m_invite_"
            "single_01-header-0-profile_glimmer&midToken=AQH1X5Ld0NkOpmn92qu7X6GWSZUQuCU"
        ),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# --- the corpus, as golden files --------------------------------------------------------

CORPUS_NOTIFICATIONS: dict[str, tuple[str, Notification]] = {
    "01-invitation-genuine": ("genuine", invitation()),
    "02-invitation-stale-reconnect": (
        "stale_reconnect",
        Notification(
            message_id="<1005925232.52043160.1757059975514@ltx1-app152630.prod.linkedin.com>",
            subject="Dana, please add me to your LinkedIn network",
            linkedin=True,
            authentic=True,
            kind="invitation",
            has_ask=True,
            ask_text=(
                "Hi Dana, we were on the same floor at Brightline Freight back in 2017. Came "
                "across your profile today, would be nice to stay in touch!"
            ),
            sender_name="Gordon Pike",
            headline="Operations Analyst at Cascadia Cold Storage",
            profile_url="https://www.linkedin.com/comm/in/gordonpike?trk=eml-email_m2m",
        ),
    ),
    "05-invitation-spanish-note": (
        "genuine",
        Notification(
            message_id="<1520897495.44865090.1758191204371@ltx1-app175896.prod.linkedin.com>",
            subject="I want to connect",
            linkedin=True,
            authentic=True,
            kind="invitation",
            has_ask=True,
            ask_text=(
                "Hola Dana, estuve en tu charla de StreamConf sobre reprocesar topics "
                "compactados. En Rutalia tenemos el mismo problema con los eventos GPS y lo "
                "resolvimos de otra forma. ¿Comparamos notas en una llamada?"
            ),
            sender_name="Lucía Ferrer",
            headline="Ingeniera de datos en Rutalia",
            profile_url="https://www.linkedin.com/comm/in/lucia-ferrer-datos?trk=eml-x",
        ),
    ),
    "10-inmail-genuine-speaker": (
        "genuine",
        Notification(
            message_id="<1059037666.78708722.1760087151699@ltx1-app146271.prod.linkedin.com>",
            subject="Speaking invitation: DataDays Lyon 2026",
            linkedin=True,
            authentic=True,
            kind="inmail",
            has_ask=True,
            ask_text=(
                "Hello Dana,\n\nI'm on the programme committee for DataDays Lyon, which runs "
                "on 12 and 13 March. Several attendees of last year's edition asked for a "
                "practical talk on exactly-once delivery, and your blog series on it was the "
                "first thing three of us recommended.\n\nWe cover travel and two nights at the "
                "conference hotel, and we pay a speaker fee of 800 euros. The slot would be 30 "
                "minutes plus questions.\n\nWould you be open to a short call next week to talk "
                "it through?\n\nBest regards,\nHélène Marchetti\nDataDays Lyon programme "
                "committee"
            ),
            sender_name="Hélène Marchetti",
            thread_url=(
                "https://www.linkedin.com/messaging/thread/"
                "2-BGvndfnMqCNw8cspT3lduTM5vDKfasdkFCwocJT9==/"
            ),
            reply_to=("Hélène Marchetti <9408f17c-0ad0-4f42-adf2-651bb68c978a@reply.linkedin.com>"),
        ),
    ),
    "13-message-full-text": (
        "free_work",
        Notification(
            message_id="<1459499446.22366685.1760933892962@ltx1-app154704.prod.linkedin.com>",
            subject="Sandeep just messaged you",
            linkedin=True,
            authentic=True,
            kind="message",
            has_ask=True,
            ask_text=(
                "Hi Dana mam, I am final year student in Hyderabad doing my project on Kafka. "
                "I am getting rebalance error in consumer group and not able to solve. Please "
                "can you check my code and help me, submission is on Monday. Thank you mam."
            ),
            sender_name="Sandeep Rao",
            headline="Student at Osmania University",
            thread_url=(
                "https://www.linkedin.com/comm/messaging/thread/"
                "2-PXJt9VDsUwVt7o3oHjV0I46IjsMpN7OZfb2o1pLj==/?trk=eml-email_member_message_v2"
            ),
        ),
    ),
}

#: golden name -> (corpus key, identity)
GOLDEN_CASES: dict[str, tuple[str, Identity]] = {
    "01-invitation-genuine": ("01-invitation-genuine", DANA),
    "02-invitation-stale-reconnect": ("02-invitation-stale-reconnect", DANA),
    "05-invitation-spanish-note": ("05-invitation-spanish-note", DANA),
    "10-inmail-genuine-speaker": ("10-inmail-genuine-speaker", DANA),
    "10-inmail-genuine-speaker-relay": (
        "10-inmail-genuine-speaker",
        replace(DANA, reply_via_relay=True),
    ),
    "13-message-full-text-phone-only": ("13-message-full-text", replace(DANA, skype="")),
}


def check_golden(name: str, text: str) -> None:
    """Compare with ``tests/golden/NAME.txt``; RESPONDER_UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("RESPONDER_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8", newline="\n")
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_default_templates_render_corpus_mail_exactly_as_the_golden_files(
    name: str, templates: Templates
) -> None:
    """Each golden file is the whole draft (decoded headers and body) for one corpus mail."""
    key, identity = GOLDEN_CASES[name]
    label, n = CORPUS_NOTIFICATIONS[key]
    check_golden(name, draft_as_text(draft(n, templates, identity, label)))


def _read_mail_or_skip() -> object:
    parse = pytest.importorskip("responder.parse")
    return parse.read_mail


@pytest.mark.parametrize("key", sorted(CORPUS_NOTIFICATIONS))
def test_the_reader_s_notifications_give_the_same_drafts(key: str, templates: Templates) -> None:
    """Drafts from the real reader on the .eml files match the golden files."""
    read_mail = _read_mail_or_skip()
    label, _ = CORPUS_NOTIFICATIONS[key]
    n = read_mail(  # type: ignore[operator]
        (EML / f"{key}.eml").read_bytes(), authserv_id="mx.example.org"
    )
    names = [g for g, (k, identity) in GOLDEN_CASES.items() if k == key]
    for name in names:
        identity = GOLDEN_CASES[name][1]
        check_golden(name, draft_as_text(draft(n, templates, identity, label)))


#: golden name -> (corpus file, label, identity): the other labels, read by the real reader.
READER_GOLDEN_CASES: dict[str, tuple[str, str, Identity]] = {
    "03-invitation-recruiter": ("03-invitation-recruiter", "recruiter", DANA),
    "06-invitation-default-note": ("06-invitation-default-note", "bare_invite", DANA),
    "07-invitation-reminder": ("07-invitation-reminder", "pitch", DANA),
    "11-inmail-base64-text-relay": (
        "11-inmail-base64-text",
        "investor_ask",
        replace(DANA, reply_via_relay=True),
    ),
    "12-message-preview-only": ("12-message-preview-only", "unclear", DANA),
    "31-invitation-zero-width": ("31-invitation-zero-width", "genuine", DANA),
    "33-invitation-malformed-boundary": (
        "33-invitation-malformed-boundary",
        "contact_harvest",
        DANA,
    ),
}


@pytest.mark.parametrize("name", sorted(READER_GOLDEN_CASES))
def test_every_other_default_template_renders_corpus_mail_as_the_golden_file(
    name: str, templates: Templates
) -> None:
    """Corpus mail of each remaining label, through the reader, gives the golden draft."""
    from responder.parse import read_mail

    stem, label, identity = READER_GOLDEN_CASES[name]
    n = read_mail((EML / f"{stem}.eml").read_bytes(), authserv_id="mx.example.org")
    assert n.problem is None
    check_golden(name, draft_as_text(draft(n, templates, identity, label)))


def test_the_mlm_template_renders_a_corpus_ask_as_the_golden_file(templates: Templates) -> None:
    """No corpus mail is mlm, so the ask comes from asks.jsonl (dev-0008)."""
    rows = (EML.parent / "asks.jsonl").read_text(encoding="utf-8").splitlines()
    row = next(json.loads(r) for r in rows if json.loads(r)["id"] == "dev-0008")
    assert row["label"] == "mlm"
    n = invitation(
        message_id="<dev-0008@corpus.example.org>",
        ask_text=row["text"],
        sender_name="Tessa Wynn",
        headline=None,
        profile_url="https://www.linkedin.com/comm/in/tessa-wynn",
    )
    check_golden("dev-0008-mlm", draft_as_text(draft(n, templates, DANA, "mlm")))


# --- threading and identity -------------------------------------------------------------


def test_threading_headers_point_at_the_notification(templates: Templates) -> None:
    """In-Reply-To is the parent id; References is the parent's References then its id."""
    refs = ("<root@example.org>", "<mid@example.org>")
    msg = reparse(draft(invitation(references=refs), templates))
    assert msg["In-Reply-To"] == PARENT
    assert msg["References"].split() == [*refs, PARENT]


def test_references_drop_invalid_and_duplicate_ids(templates: Templates) -> None:
    """Junk, repeats and the parent itself are not copied from the parent's References."""
    refs = ("<a@x.org> not-an-id <a@x.org>", PARENT, "<b@x.org>")
    msg = reparse(draft(invitation(references=refs), templates))
    assert msg["References"].split() == ["<a@x.org>", "<b@x.org>", PARENT]


def test_long_reference_chains_keep_the_root_and_the_newest(templates: Templates) -> None:
    """At most 20 ids: the thread root, the newest ones, and the parent."""
    refs = tuple(f"<r{i}@x.org>" for i in range(40))
    ids = reparse(draft(invitation(references=refs), templates))["References"].split()
    assert len(ids) == 20
    assert ids[0] == "<r0@x.org>"
    assert ids[-2:] == ["<r39@x.org>", PARENT]


def test_a_long_message_id_is_never_encoded(templates: Templates) -> None:
    """Ids longer than a line are folded between ids, never turned into encoded-words."""
    long_id = "<" + "a" * 200 + "@" + "b" * 80 + ".example>"
    msg = draft(invitation(message_id=long_id, references=(long_id.replace("a", "c"),)), templates)
    raw = msg.as_bytes()
    assert b"=?" not in raw.split(b"\r\n\r\n")[0]
    assert reparse(msg)["In-Reply-To"] == long_id


@pytest.mark.parametrize(
    "bad_id",
    [
        None,
        "",
        "not an id",
        "<has space@x.org>",
        "<a@b.org>\r\nBcc: x@y",
        "<@x.org>",
        "<a@>",
        "<a@b.org> <c@d.org>",
        "<" + "a" * 990 + "@b.org>",
    ],
)
def test_threading_headers_are_omitted_for_a_missing_or_malformed_parent_id(
    bad_id: str | None, templates: Templates
) -> None:
    """No In-Reply-To and no References when the parent id is not msg-id syntax."""
    msg = reparse(draft(invitation(message_id=bad_id, references=("<r@x.org>",)), templates))
    assert msg["In-Reply-To"] is None
    assert msg["References"] is None
    assert msg["Message-ID"].startswith("<responder.")


def test_a_bare_message_id_gets_angle_brackets() -> None:
    """A parent id stored without brackets is accepted and normalised."""
    assert valid_msg_id("abc.123@mail.example.org") == "<abc.123@mail.example.org>"
    assert valid_msg_id(" <abc@x.org> ") == "<abc@x.org>"


def test_draft_message_id_is_deterministic_per_parent() -> None:
    """Same parent, same id; another parent, another id; the domain is the user's."""
    first = draft_message_id(PARENT, DANA, "k")
    assert first == draft_message_id(PARENT, DANA, "other key")
    assert first != draft_message_id("<other@x.org>", DANA, "k")
    assert first.startswith("<responder.")
    assert first.endswith("@example.org>")
    assert valid_msg_id(first) == first
    assert len(first.split("@")[0]) == len("<responder.") + 32


def test_draft_message_id_without_a_parent_uses_the_fallback_key() -> None:
    """A missing or invalid parent id falls back to the key, still deterministically."""
    assert draft_message_id(None, DANA, "k1") == draft_message_id("bad id", DANA, "k1")
    assert draft_message_id(None, DANA, "k1") != draft_message_id(None, DANA, "k2")
    nowhere = replace(DANA, from_address="not an address")
    assert draft_message_id(PARENT, nowhere, "k").endswith("@responder.invalid>")


def test_recomposing_the_same_notification_gives_the_same_message_id(
    templates: Templates,
) -> None:
    """A re-run finds its own draft: the Message-ID depends only on the notification."""
    n = invitation(message_id=None)
    first = draft(n, templates)["Message-ID"]
    again = compose_draft(n, "genuine", DANA, templates, NOW + timedelta(days=3))["Message-ID"]
    assert first == again
    assert first != draft(replace(n, ask_text="Something else entirely."), templates)["Message-ID"]


def test_from_is_the_user_and_the_provenance_header_is_set(templates: Templates) -> None:
    """From is the configured identity; X-Responder-Draft marks it; no Auto-Submitted."""
    msg = reparse(draft(invitation(), templates))
    assert msg["From"].addresses[0].display_name == "Dana Reyes"
    assert msg["From"].addresses[0].addr_spec == "dana@example.org"
    assert msg[DRAFT_HEADER] == "1"
    assert msg["Auto-Submitted"] is None
    assert msg["Date"].datetime == NOW


def test_a_naive_clock_is_read_as_utc_and_an_offset_is_kept(templates: Templates) -> None:
    """Date is always a full RFC 5322 date with a zone."""
    naive = compose_draft(invitation(), "genuine", DANA, templates, datetime(2025, 1, 2, 3, 4))
    assert naive["Date"] == "Thu, 02 Jan 2025 03:04:00 +0000"
    cet = datetime(2025, 1, 2, 3, 4, tzinfo=timezone(timedelta(hours=1)))
    assert compose_draft(invitation(), "genuine", DANA, templates, cet)["Date"].endswith("+0100")


# --- subject ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("I want to connect", "Re: I want to connect"),
        ("Re: I want to connect", "Re: I want to connect"),
        ("RE: Re: re:I want to connect", "Re: I want to connect"),
        ("Aw: Termin", "Re: Termin"),
        ("Fwd: Re: Speaking invitation", "Re: Speaking invitation"),
        ("Re[2]: SV: Fw: hello", "Re: hello"),
        ("Reunion in Porto", "Re: Reunion in Porto"),
        ("Ref: your application", "Re: Ref: your application"),
        ("AW: WG: Antw: Vortrag", "Re: Vortrag"),
        ("=?utf-8?b?w4TDlsOc?= sadasd", "Re: ÄÖÜ sadasd"),
        ("", "Re: Your message on LinkedIn"),
        ("Re:   ", "Re: Your message on LinkedIn"),
    ],
)
def test_subject_has_exactly_one_re(subject: str, expected: str) -> None:
    """Existing reply and forward prefixes go; "Re: " is added once; empty gets a fixed text."""
    assert reply_subject(subject) == expected


def test_a_very_long_subject_is_cut_to_256_code_points_with_an_ellipsis(
    templates: Templates,
) -> None:
    """Long subjects end in "…" at 256 code points, and every header line stays short."""
    long_subject = "以つわづ聞65絵げま公存ょ" * 40
    msg = draft(invitation(subject=long_subject), templates)
    subject = reparse(msg)["Subject"]
    assert len(subject) == MAX_SUBJECT
    assert subject.startswith("Re: 以つわづ")
    assert subject.endswith("…")
    assert all(len(line) <= 998 for line in msg.as_bytes().split(b"\r\n"))


def test_cutting_a_subject_never_separates_a_letter_from_its_accent() -> None:
    """A combining mark at the cut moves out with its letter."""
    subject = reply_subject("e" * 250 + "e\u0301" * 10)
    assert subject == "Re: " + "e" * 250 + "…"


# --- addressing -------------------------------------------------------------------------


def inmail(**changes: object) -> Notification:
    """Corpus file 10, an InMail with a relay Reply-To."""
    return replace(CORPUS_NOTIFICATIONS["10-inmail-genuine-speaker"][1], **changes)  # type: ignore[arg-type]


def test_relay_on_addresses_the_inmail_reply_to(templates: Templates) -> None:
    """With reply_via_relay the draft goes to the relay, named after the sender."""
    msg = reparse(draft(inmail(), templates, replace(DANA, reply_via_relay=True)))
    to = msg["To"].addresses
    assert len(to) == 1
    assert to[0].addr_spec == "9408f17c-0ad0-4f42-adf2-651bb68c978a@reply.linkedin.com"
    assert to[0].display_name == "Hélène Marchetti"
    assert body_of(msg).startswith("Hi Hélène,\n")


def test_relay_off_leaves_no_to_and_puts_the_thread_link_first(templates: Templates) -> None:
    """By default the relay is not used: no To, and line one is where to answer."""
    msg = reparse(draft(inmail(), templates))
    assert msg["To"] is None
    first = body_of(msg).splitlines()[0]
    assert first == (
        "https://www.linkedin.com/messaging/thread/2-BGvndfnMqCNw8cspT3lduTM5vDKfasdkFCwocJT9==/"
    )


def test_relay_on_ignores_a_reply_to_that_is_not_a_linkedin_relay(templates: Templates) -> None:
    """Only a linkedin.com relay counts as the relay; a no-reply one never does."""
    relay_on = replace(DANA, reply_via_relay=True)
    for reply_to in ("someone@elsewhere.example", "messages-noreply@linkedin.com", "junk"):
        assert reparse(draft(inmail(reply_to=reply_to), templates, relay_on))["To"] is None


def test_an_address_in_the_note_is_used_when_the_relay_is_off(templates: Templates) -> None:
    """A person who wrote their address gets the draft addressed to it."""
    n = invitation(
        ask_text="Hi Dana, happy to talk about tidewater, mail me at oskar@quill.example."
    )
    msg = reparse(draft(n, templates))
    assert msg["To"].addresses[0].addr_spec == "oskar@quill.example"
    assert msg["To"].addresses[0].display_name == "Oskar Lindqvist"
    assert body_of(msg).startswith("Hi Oskar,\n")


def test_an_invitation_without_address_links_to_the_profile(templates: Templates) -> None:
    """No thread: the first line is the profile, without LinkedIn's tracking parameters."""
    lines = body_of(draft(invitation(), templates)).splitlines()
    assert lines[0] == "https://www.linkedin.com/comm/in/oskar-lindqvist-4b1a9"
    assert "Oskar" in lines[1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to ana.ruiz+li@mail.example.com, thanks", "ana.ruiz+li@mail.example.com"),
        ("Email: <ana@example.org>.", "ana@example.org"),
        ("mailto:ana@example.org", "ana@example.org"),
        ("reach me on ana@linkedin.com or ana@example.org", "ana@example.org"),
        ("noreply@example.org then no-reply@x.example", None),
        ("my own: dana@example.org", None),
        ("user@host", None),
        ("a@b.c", None),
        ("two @@ signs x@@example.org", None),
        ("ana..ruiz@example.org", None),
        ("see https://x.example/@ana@example.org", None),
        ("jos\u00e9@example.org", None),
        ("", None),
        (None, None),
    ],
)
def test_address_in_ask(text: str | None, expected: str | None) -> None:
    """Only a plausible, answerable address outside LinkedIn is taken from the note."""
    assert address_in_ask(text, DANA) == expected


# --- encoding ---------------------------------------------------------------------------


def test_non_ascii_names_and_text_round_trip(templates: Templates) -> None:
    """UTF-8 names, subject and body come back identical after serialising and re-parsing."""
    identity = replace(DANA, from_name="Günther M. Karotte", phone="+49 30 5550 1234")
    n = inmail(
        subject="Vortrag über Ströme 🚀",
        reply_to=None,
        ask_text="Hallo! Schreib mir an jürgen@example.org oder helene@example.org.",
    )
    msg = draft(n, templates, identity)
    back = reparse(msg)
    assert back["From"].addresses[0].display_name == "Günther M. Karotte"
    assert back["To"].addresses[0].display_name == "Hélène Marchetti"
    assert back["To"].addresses[0].addr_spec == "helene@example.org"
    assert back["Subject"] == "Re: Vortrag über Ströme 🚀"
    assert back.get_content_charset() == "utf-8"
    assert "Günther M. Karotte" in body_of(msg)
    assert "Schreib mir an jürgen@example.org" in body_of(msg)
    head = msg.as_bytes().split(b"\r\n\r\n")[0]
    assert head.isascii()
    assert b"=?utf-8?" in head


def test_crlf_only_and_no_repeated_singleton_headers(templates: Templates) -> None:
    """Every line ends in CRLF; Date, From, To, Subject and the ids appear once."""
    n = invitation(ask_text="Line one\nline two\r\nline three\rmail a@example.net")
    raw = draft(n, templates).as_bytes()
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b"\r" not in raw.replace(b"\r\n", b"")
    names = [k.lower() for k in reparse(draft(n, templates)).keys()]  # noqa: SIM118
    for name in SINGLETONS:
        assert names.count(name) <= 1
    assert names.count("to") == 1


def test_the_body_is_one_text_part_whatever_the_note_holds(templates: Templates) -> None:
    """A note with a lone dot line or a fake MIME boundary cannot add a part."""
    note = "Hi\r\n.\r\n--boundary\r\nContent-Type: text/html\r\n\r\n<b>x</b>\r\n--boundary--"
    msg = reparse(draft(invitation(ask_text=note), templates))
    assert not msg.is_multipart()
    assert msg.get_content_type() == "text/plain"
    assert len(list(msg.walk())) == 1


# --- header injection -------------------------------------------------------------------

INJECTIONS = [
    "hi\r\nBcc: evil@x.example",
    "hi\nBcc: evil@x.example",
    "hi\rBcc: evil@x.example",
    "=?utf-8?q?hi=0D=0ABcc:_evil@x.example?=",
    "=?utf-8?b?aGkNCkJjYzogZXZpbEB4LmV4YW1wbGU=?=",
    "=?utf-8?q?=3D=3Futf-8=3Fq=3Fhi=3D0D=3D0ABcc:=5Fevil@x.example=3F=3D?=",
    "x=?utf-8?q?hi=0D=0ABcc:_evil@x.example?=y",
    "hi\x00\x0b\x0c\x1b\x7f\u0085\u2028Bcc: evil@x.example",
]


def assert_no_injection(msg: EmailMessage) -> None:
    """Exactly the headers we wrote, each once, and none of them a Bcc or Cc."""
    back = reparse(msg)
    names = [k.lower() for k in back.keys()]  # noqa: SIM118
    assert "bcc" not in names
    assert "cc" not in names
    assert names == [k.lower() for k in msg.keys()]  # noqa: SIM118
    for value in back.values():
        assert not set(value) & {"\r", "\n", "\x00"}


@pytest.mark.parametrize("evil", INJECTIONS)
def test_subject_cannot_inject_a_header(evil: str, templates: Templates) -> None:
    """A subject with CR/LF, raw or encoded, stays one Subject line."""
    msg = draft(invitation(subject=evil), templates)
    assert_no_injection(msg)
    assert reparse(msg)["Subject"].startswith("Re: ")


@pytest.mark.parametrize("evil", INJECTIONS)
def test_sender_name_cannot_inject_a_header(evil: str, templates: Templates) -> None:
    """A display name with CR/LF, raw or encoded, never adds a header to To."""
    n = invitation(sender_name=evil, ask_text="mail me at ok@example.net")
    msg = draft(n, templates)
    assert_no_injection(msg)
    assert reparse(msg)["To"].addresses[0].addr_spec == "ok@example.net"


@pytest.mark.parametrize("evil", INJECTIONS)
def test_from_name_cannot_inject_a_header(evil: str, templates: Templates) -> None:
    """Even a bad setting cannot add a header through From."""
    assert_no_injection(draft(invitation(), templates, replace(DANA, from_name=evil)))


@pytest.mark.parametrize("evil", INJECTIONS)
def test_relay_address_cannot_inject_a_header(evil: str, templates: Templates) -> None:
    """A Reply-To with CR/LF is not used as the relay."""
    relay_on = replace(DANA, reply_via_relay=True)
    msg = draft(inmail(reply_to=f"x <{evil}@reply.linkedin.com>"), templates, relay_on)
    assert_no_injection(msg)


def test_message_id_with_crlf_is_not_copied(templates: Templates) -> None:
    """A parent id carrying a header is invalid, so no threading header is written."""
    msg = draft(invitation(message_id="<a@b.org>\r\nBcc: evil@x.example"), templates)
    assert_no_injection(msg)
    assert reparse(msg)["In-Reply-To"] is None


def test_the_stdlib_alone_would_let_an_encoded_subject_inject() -> None:
    """Why header_text exists: Python 3.11.7 serialises this subject as two headers.

    Newer Pythons refuse it instead (HeaderWriteError); either way it must not be set raw.
    """
    raw_msg = EmailMessage(policy=email.policy.SMTP)
    raw_msg["Subject"] = "=?utf-8?q?hi=0D=0ABcc:_evil@x?="
    try:
        raw, refused = raw_msg.as_bytes(), ""
    except Exception as exc:  # newer interpreters: verify_generated_headers
        raw, refused = b"", type(exc).__name__
    assert refused == "HeaderWriteError" or b"\r\nBcc: evil@x" in raw
    safe = EmailMessage(policy=email.policy.SMTP)
    safe["Subject"] = header_text("=?utf-8?q?hi=0D=0ABcc:_evil@x?=")
    assert safe.as_bytes() == b"Subject: hi Bcc: evil@x\r\n\r\n"


def test_header_text_flattens_controls_and_breaks_up_undecodable_encoded_words() -> None:
    """Decoded, one line, and nothing left that the email package could decode to CR/LF."""
    assert header_text("a\tb\r\n  c\x00d") == "a b c d"
    assert header_text("=?x-unknown?q?a=0D=0Ab?=") == "a b"
    assert header_text(None) == ""
    nested = "hi\r\nBcc: evil@x.example"
    for _ in range(8):
        nested = "=?utf-8?b?" + base64.b64encode(nested.encode()).decode() + "?= "
    flat = header_text(nested)
    assert flat.startswith("= ?utf-8?b?")
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["Subject"] = flat
    back = reparse(msg)
    assert list(back.keys()) == ["Subject"]
    assert back["Subject"] == flat


# --- what the templates receive ---------------------------------------------------------


def test_template_syntax_in_mail_renders_literally(templates: Templates) -> None:
    """Names and notes are data: "{{ 7*7 }}" prints as written, never 49."""
    n = invitation(sender_name="{{ 7*7 }} {% raw %}", ask_text="{{ 7*7 }} {{ ''.__class__ }}")
    body = body_of(draft(n, templates))
    assert "{{ 7*7 }} {{ ''.__class__ }}" in body
    assert "Hi {{," in body
    assert "49" not in body


def test_an_html_looking_name_is_not_escaped_in_plain_text(templates: Templates) -> None:
    """Plain text gets no HTML escaping: "&" stays "&"."""
    body = body_of(draft(invitation(sender_name="Tom & <Jerry>"), templates))
    assert "Hi Tom," in body
    assert "&amp;" not in body


def test_scam_is_never_drafted_and_a_call_needs_a_number(templates: Templates) -> None:
    """compose_draft refuses scam, an identity with nothing to offer, and a bad From."""
    with pytest.raises(ConfigError, match="scam"):
        draft(invitation(), templates, label="scam")
    with pytest.raises(ConfigError, match="PHONE"):
        draft(invitation(), templates, replace(DANA, phone="", skype=" "))
    with pytest.raises(ConfigError, match="FROM_ADDRESS"):
        draft(invitation(), templates, replace(DANA, from_address="dana at example"))


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        (None, ""),
        ("", ""),
        ("Hi Dana, short one?", "Short one?"),
        ("Hello Dana,\n\nLine\none", "Line one"),
        ("Hi! We met", "We met"),
        ("Hi, I read your post", "I read your post"),
        ("Hi", "Hi"),
        ("Hiking trip next week?", "Hiking trip next week?"),
        (
            "Hi Dana, I maintain the Rust port of tidewater and I think I found an ordering bug "
            "in the windowed join with late watermarks.",
            "I maintain the Rust port of tidewater and I think I found an ordering bug in the "
            "windowed join…",
        ),
        (
            "word " * 40,
            "Word word word word word word word word word word word word word word "
            "word word word word word word…",
        ),
        ("x" * 150, "X" + "x" * 99 + "…"),
        (
            "Hi Dana, we were on the same floor at Brightline Freight back in 2017. Came across "
            "your profile today, would be nice to stay in touch!",
            "We were on the same floor at Brightline Freight back in 2017.",
        ),
        (
            "I'm the co-founder. We help regional carriers price empty backhaul miles, and we "
            "are raising now.",
            "I'm the co-founder. We help regional carriers price empty backhaul miles, and we "
            "are raising now.",
        ),
        (
            "I'm the co-founder. We help regional carriers price empty backhaul miles, and we "
            "are raising a seed round now.",
            "I'm the co-founder. We help regional carriers price empty backhaul miles, and we "
            "are raising a seed…",
        ),
    ],
)
def test_ask_quote(text: str | None, quote: str) -> None:
    """A short quote: greeting dropped, one line; whole sentences when they fit, else cut at a
    word with "…" and no dangling word."""
    result = ask_quote(text)
    assert result == quote
    assert len(result) <= 101


def test_first_name_and_clean_url() -> None:
    """First names skip honorifics and "via LinkedIn"; URLs lose tracking, junk is dropped."""
    assert first_name("Dr. Ana Ruiz") == "Ana"
    assert first_name("Gordon Pike via LinkedIn") == "Gordon"
    assert first_name("  ") == ""
    assert first_name(None) == ""
    assert clean_url("https://www.linkedin.com/in/x?trk=1#y") == "https://www.linkedin.com/in/x"
    assert clean_url("https://conf.example/talk?id=3") == "https://conf.example/talk?id=3"
    assert clean_url("javascript:alert(1)") == ""
    assert clean_url("https://x.example/a b") == ""
    assert clean_url("https://x.example/\r\nBcc:") == ""


_PIECES = [*'aé =?_:<>@"\\,;()[].\t\r\n\x00\x0b\x1b\x7f\x85\u2028', "=?utf-8?q?", "?="]
_PIECES += ["=0D=0A", "Bcc: x@y", "=?utf-8?b?DQo=?=", "=?utf-8?q?hi=0D=0ABcc:_e@x?="]
_HOSTILE = st.lists(st.sampled_from(_PIECES), max_size=20).map("".join)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(subject=_HOSTILE, name=_HOSTILE, from_name=_HOSTILE)
def test_no_text_from_mail_or_settings_can_add_a_header(
    subject: str, name: str, from_name: str, templates: Templates
) -> None:
    """Whatever the subject and names hold, the draft has exactly the headers we wrote."""
    n = invitation(subject=subject, sender_name=name, ask_text="mail me at ok@example.net")
    msg = draft(n, templates, replace(DANA, from_name=from_name))
    assert_no_injection(msg)
    back = reparse(msg)
    assert back["To"].addresses[0].addr_spec == "ok@example.net"
    # The stdlib may fold an encoded-word look-alike onto a continuation line and keep the
    # fold's space when re-reading it; the value itself is still our one subject.
    assert back["Subject"].lstrip().startswith("Re: ")


def test_a_template_that_renders_nothing_gives_no_draft(tmp_path: Path) -> None:
    """An empty body is a template problem, not an empty draft."""
    (tmp_path / "genuine.txt.j2").write_text("{# nothing #}\n")
    with pytest.raises(ConfigError, match="empty draft"):
        draft(invitation(), Templates.load(tmp_path))


def test_a_display_name_cannot_turn_into_a_group_with_another_address(
    templates: Templates,
) -> None:
    """Python 3.11.7 unquotes this long name when folding; the draft still goes to one person.

    Found by the property test above: the stdlib re-read ``To`` as the group
    ``aaa= … Bcc:`` holding ``_e@x?=``. safe_address simplifies the name instead.
    """
    name = "aaa=?utf-8?q?=?utf-8?q?=?utf-8?q?=?utf-8?q?=?utf-8?q?hi=0D=0ABcc:_e@x?="
    msg = draft(invitation(sender_name=name, ask_text="mail me at ok@example.net"), templates)
    assert_no_injection(msg)
    to = reparse(msg)["To"].addresses
    assert [a.addr_spec for a in to] == ["ok@example.net"]
    assert ":" not in to[0].display_name
