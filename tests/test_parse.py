"""read_mail against the worked corpus, our own fixtures, and the loop-guard and header rules."""

from __future__ import annotations

import email as stdlib_email
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from responder.models import Notification
from responder.parse import read_mail

HERE = Path(__file__).parent
CORPUS = HERE / "corpus" / "eml"
FIXTURES = HERE / "fixtures" / "eml"
AUTHSERV = "mx.example.org"
CORPUS_FIELDS = ("linkedin", "authentic", "kind", "has_ask", "sender_name", "ask_text")


def _expected(folder: Path) -> list[dict[str, Any]]:
    lines = (folder / "expected.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _read(folder: Path, name: str, **kwargs: Any) -> Notification:
    kwargs.setdefault("authserv_id", AUTHSERV)
    return read_mail((folder / name).read_bytes(), **kwargs)


def _with_headers(raw: bytes, *lines: str) -> bytes:
    """Return ``raw`` with header lines added right after the first one."""
    first, _, rest = raw.partition(b"\r\n")
    extra = b"".join(line.encode() + b"\r\n" for line in lines)
    return first + b"\r\n" + extra + rest


def _replace_header(raw: bytes, name: str, line: str | None) -> bytes:
    """Return ``raw`` with the (unfolded) header ``name`` replaced by ``line`` or removed."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    out = []
    for row in head.split(b"\r\n"):
        if row.lower().startswith(name.lower().encode() + b":"):
            if line is not None:
                out.append(line.encode())
        else:
            out.append(row)
    return b"\r\n".join(out) + sep + body


@pytest.mark.parametrize("case", _expected(CORPUS), ids=lambda c: c["file"])
def test_corpus_mail_reads_as_expected(case: dict[str, Any]) -> None:
    got = _read(CORPUS, case["file"])
    assert {f: getattr(got, f) for f in CORPUS_FIELDS} == {f: case[f] for f in CORPUS_FIELDS}
    assert got.problem is None


@pytest.mark.parametrize("case", _expected(FIXTURES), ids=lambda c: c["file"])
def test_fixture_reads_as_expected(case: dict[str, Any]) -> None:
    got = _read(FIXTURES, case["file"])
    for field, want in case.items():
        if field == "file":
            continue
        value = getattr(got, field)
        if field == "suspicious":
            assert set(want) <= set(value), value
        elif field == "problem":
            assert want in (value or "")
        else:
            assert value == want, field


def test_authentic_mail_has_no_suspicions_and_spoofs_say_why() -> None:
    for case in _expected(CORPUS):
        got = _read(CORPUS, case["file"])
        if got.authentic or not got.linkedin:
            assert got.suspicious == ()
        else:
            assert got.suspicious, case["file"]


def test_without_authserv_id_nothing_is_authentic() -> None:
    got = _read(CORPUS, "01-invitation-genuine.eml", authserv_id=None)
    assert (got.linkedin, got.authentic) == (True, False)
    assert any("authserv" in reason for reason in got.suspicious)
    assert got.ask_text is not None


def test_explicit_opt_out_trusts_the_from_domain_but_not_a_spoof_shape() -> None:
    genuine = _read(
        CORPUS, "01-invitation-genuine.eml", authserv_id=None, require_authentication=False
    )
    assert genuine.authentic
    lookalike = _read(
        CORPUS,
        "22-lookalike-domain-linkedin-mail.eml",
        authserv_id=None,
        require_authentication=False,
    )
    assert not lookalike.authentic
    attachment = _read(
        CORPUS, "25-phishing-attachment.eml", authserv_id=None, require_authentication=False
    )
    assert not attachment.authentic


def test_another_authserv_id_is_not_trusted() -> None:
    got = _read(CORPUS, "01-invitation-genuine.eml", authserv_id="mx.other.example")
    assert not got.authentic
    assert "no authentication results from our server" in got.suspicious


def test_spoof_reasons_name_the_failure() -> None:
    assert (
        "from domain linkedln-notify.com is a look-alike"
        in _read(CORPUS, "23-lookalike-linkedln.eml").suspicious
    )
    assert "has an attachment" in _read(CORPUS, "25-phishing-attachment.eml").suspicious
    assert any(
        "dkim=fail" in r for r in _read(CORPUS, "20-spoof-invitation-dkim-fail.eml").suspicious
    )


# --- person, route and threading fields --------------------------------------------------


def test_invitation_person_fields() -> None:
    got = _read(CORPUS, "02-invitation-stale-reconnect.eml")
    assert got.sender_name == "Gordon Pike"
    assert got.headline == "Operations Analyst at Cascadia Cold Storage"
    assert got.profile_url == "https://www.linkedin.com/comm/in/gordonpike"
    assert got.template == "email_m2m_invite_single_01"


def test_inmail_reply_route_thread_and_headline() -> None:
    got = _read(CORPUS, "08-inmail-recruiter.eml")
    assert got.reply_to == "28f39256-0456-4b89-8f01-0f375cee15f2@reply.linkedin.com"
    assert got.thread_url == (
        "https://www.linkedin.com/messaging/thread/2-6I70QCw6SXklreuyTAVObwJvDIflL3AoPZaH32fK==/"
    )
    assert got.headline == "Technical Recruiting Lead at Pinecrest Capital"


@pytest.mark.parametrize(
    "name", ["inmail-own-link.eml", "inmail-recruiter-reply.eml", "inmail-tip-line.eml"]
)
def test_inmail_without_a_headline_in_its_card_has_none(name: str) -> None:
    """The sender's name shows again as the sign-off under the ask; what follows it there (a
    rule of dashes, LinkedIn's reply hint) is no headline."""
    got = _read(FIXTURES, name)
    assert got.sender_name
    assert got.headline is None


def test_inmail_headline_is_the_line_under_the_name_at_the_head_of_the_card() -> None:
    from responder.parse import _html_headline

    head = (
        '<html><head><style>p {color: red}</style></head><body><div style="display:none">'
        "Ana Lima sent you a message</div><table><tr><td><a href=\"x\">\n  Ana Lima </a><br>"
        "<span>VP &amp; Head&nbsp;of <b>Data</b></span><!-- tracking > pixel --></td></tr>"
        "<tr><td><p>Ol\u00e1 Dana,<br>Would you review our paper?</p><p>Ana Lima</p>"
        "<p>Lisbon</p></td></tr></table></body></html>"
    )
    assert _html_headline(head, "Ana Lima", "Olá Dana,\nWould you review our paper?") == (
        "VP & Head of Data"
    )
    assert _html_headline(head, "ANA LIMA", None) == "VP & Head of Data"
    signed = "<p>Ana Lima</p><p>Reply</p><p>Hi Dana,</p><p>Can we talk?</p><p>Ana Lima</p>"
    assert _html_headline(signed, "Ana Lima", "Hi Dana,\n\nCan we talk?") is None
    asked = "<p>Ana Lima</p><p>Can we talk about your Kafka talk?</p>"
    assert _html_headline(asked, "Ana Lima", "Can we talk about your Kafka talk?") is None
    linked = "<p>Ana Lima</p><p>https://www.linkedin.com/in/analima</p>"
    assert _html_headline(linked, "Ana Lima", None) is None
    assert _html_headline("<p>Ana Lima sent you a message</p>", "Ana Lima", None) is None


def test_fragment_lines_keep_a_line_per_block_and_drop_what_never_shows() -> None:
    from responder.mailtext import fragment_lines

    html = (
        "x</a><br/><span title='a>b'>Chief&nbsp;Data &amp; AI\u200b Officer</span></td>"
        "<TD class='a>b'>Caf&eacute; &#x27;42&#39;</TD><script>if (a < b) {}</script>"
        "<style>td{}</style>"
        "<!-- hidden --><p>end <span"
    )
    assert [line for line in fragment_lines(html) if line] == [
        "x", "Chief Data & AI Officer", "Café '42'", "end",
    ]


def test_reply_to_outside_linkedins_relay_is_not_a_route() -> None:
    raw = _replace_header(
        (CORPUS / "08-inmail-recruiter.eml").read_bytes(),
        "Reply-To",
        "Reply-To: Lauren <lauren@evil.example>",
    )
    assert read_mail(raw, authserv_id=AUTHSERV).reply_to is None


def test_message_thread_url_drops_tracking() -> None:
    got = _read(CORPUS, "13-message-full-text.eml")
    assert got.thread_url == (
        "https://www.linkedin.com/comm/messaging/thread/2-PXJt9VDsUwVt7o3oHjV0I46IjsMpN7OZfb2o1pLj==/"
    )
    assert got.headline == "Student at Osmania University"
    assert not got.preview_only


def test_preview_only_message() -> None:
    got = _read(CORPUS, "12-message-preview-only.eml")
    assert got.preview_only
    assert got.has_ask


def test_recipient_from_the_footer_is_never_the_sender() -> None:
    for case in _expected(CORPUS) + _expected(FIXTURES):
        folder = CORPUS if (CORPUS / case["file"]).exists() else FIXTURES
        got = _read(folder, case["file"])
        assert "Dana Reyes" not in (got.sender_name or "")
        assert "Fernhill" not in (got.headline or "")
        assert "intended for" not in (got.ask_text or "")


def test_threading_fields() -> None:
    got = _read(CORPUS, "26-personal-mail.eml")
    assert got.message_id == "<CALKUONV51nXFBlqdGZggcsCk0VoMBd2w@mail.example.net>"
    assert got.references == ("<dana-20251203-2114@example.org>",)
    assert got.date == datetime(2025, 12, 4, 17, 5, 12, tzinfo=UTC)
    ooo = _read(CORPUS, "28-out-of-office.eml")
    assert ooo.references == ("<dana-20251211-0801@example.org>",)


def test_references_win_over_in_reply_to() -> None:
    raw = _with_headers((CORPUS / "26-personal-mail.eml").read_bytes())
    raw = _replace_header(raw, "References", "References: <a@x.example> garbage <b@y.example>")
    raw = _replace_header(raw, "In-Reply-To", "In-Reply-To: <c@z.example>")
    assert read_mail(raw, authserv_id=AUTHSERV).references == ("<a@x.example>", "<b@y.example>")


@pytest.mark.parametrize(
    ("line", "want"),
    [
        ("Message-ID: <abc.123@host.example>", "<abc.123@host.example>"),
        ("Message-ID:   <abc@[192.0.2.1]>  ", "<abc@[192.0.2.1]>"),
        ("Message-ID: bare.id@host.example", "<bare.id@host.example>"),
        ("Message-ID: <no at sign>", None),
        ("Message-ID: <a@b> <c@d>", None),
        ("Message-ID: \x01\x02garbage", None),
        (None, None),
    ],
)
def test_message_id_is_validated(line: str | None, want: str | None) -> None:
    raw = _replace_header((CORPUS / "26-personal-mail.eml").read_bytes(), "Message-ID", line)
    assert read_mail(raw, authserv_id=AUTHSERV).message_id == want


def test_subject_is_decoded_and_on_one_line() -> None:
    assert _read(CORPUS, "09-inmail-german-body.eml").subject == (
        "Vertrauliche Anfrage: Lead Data Engineer (m/w/d) – 100 % remote"
    )
    assert _read(CORPUS, "29-latin1-quoted-printable.eml").subject == (
        "DataDays Lyon : votre créneau du jeudi"
    )
    raw = _replace_header(
        (CORPUS / "26-personal-mail.eml").read_bytes(),
        "Subject",
        "Subject: Re: coffee\x07 =?utf-8?q?next=0D=0Aweek?=",
    )
    subject = read_mail(raw, authserv_id=AUTHSERV).subject
    assert "\r" not in subject
    assert "\n" not in subject
    assert "\x07" not in subject
    assert subject.startswith("Re: coffee")


def test_bad_date_is_none() -> None:
    raw = _replace_header(
        (CORPUS / "26-personal-mail.eml").read_bytes(), "Date", "Date: the day after tomorrow"
    )
    assert read_mail(raw, authserv_id=AUTHSERV).date is None


def test_rfc2047_sender_names() -> None:
    assert _read(CORPUS, "10-inmail-genuine-speaker.eml").sender_name == "Hélène Marchetti"
    assert _read(CORPUS, "05-invitation-spanish-note.eml").sender_name == "Lucía Ferrer"


def test_parenthesised_via_linkedin_is_stripped() -> None:
    raw = _replace_header(
        (CORPUS / "13-message-full-text.eml").read_bytes(),
        "From",
        'From: "Sandeep Rao (via LinkedIn)" <messages-noreply@linkedin.com>',
    )
    assert read_mail(raw, authserv_id=AUTHSERV).sender_name == "Sandeep Rao"


def test_zero_width_characters_are_gone() -> None:
    text = _read(CORPUS, "31-invitation-zero-width.eml").ask_text or ""
    assert not any(ch in text for ch in "\u200b\u200c\u200d\u2060\ufeff\u034f\u00ad")


# --- kinds and templates -----------------------------------------------------------------


def test_unknown_template_is_reported_not_guessed() -> None:
    raw = _replace_header(
        (CORPUS / "01-invitation-genuine.eml").read_bytes(),
        "X-LinkedIn-Template",
        "X-LinkedIn-Template: email_brand_new_thing_07",
    )
    got = read_mail(raw, authserv_id=AUTHSERV)
    assert got.kind == "notification"
    assert not got.has_ask
    assert got.template == "email_brand_new_thing_07"
    assert got.problem == "unknown template: email_brand_new_thing_07"


def test_subject_alone_never_makes_an_invitation() -> None:
    raw = _replace_header(
        (CORPUS / "26-personal-mail.eml").read_bytes(),
        "Subject",
        "Subject: Dana, please add me to your LinkedIn network",
    )
    got = read_mail(raw, authserv_id=AUTHSERV)
    assert (got.linkedin, got.kind, got.has_ask) == (False, "not_linkedin", False)


def test_inmail_template_from_a_notification_address_is_suspicious() -> None:
    raw = _replace_header(
        (CORPUS / "08-inmail-recruiter.eml").read_bytes(),
        "From",
        "From: Lauren Fitch <notifications-noreply@linkedin.com>",
    )
    got = read_mail(raw, authserv_id=AUTHSERV)
    assert not got.authentic
    assert "inmail from unexpected sender notifications-noreply@" in got.suspicious


# --- loop guards -------------------------------------------------------------------------

PERSONAL = CORPUS / "26-personal-mail.eml"
INMAIL = CORPUS / "08-inmail-recruiter.eml"


@pytest.mark.parametrize(
    ("lines", "want"),
    [
        (["Auto-Submitted: auto-replied"], "auto_submitted"),
        (["Auto-Submitted: auto-replied (vacation)"], "auto_submitted"),
        (["Auto-Submitted: AUTO-REPLIED"], "auto_submitted"),
        (["Auto-Submitted: no"], None),
        (["Auto-Submitted: NO (a person wrote this)"], None),
        (["Auto-Submitted: no", "Auto-Submitted: auto-generated"], "auto_submitted"),
        (["Auto-Submitted:"], "auto_submitted"),
        (["X-Auto-Response-Suppress: All"], "auto_response_suppress"),
        (["X-Auto-Response-Suppress: OOF"], "auto_response_suppress"),
        (["X-Auto-Response-Suppress: DR, OOF,\tRN"], "auto_response_suppress"),
        (["X-Auto-Response-Suppress: None"], None),
        (["Precedence: bulk"], "bulk"),
        (["Precedence: JUNK"], "bulk"),
        (["Precedence: normal"], None),
        (["List-Id: <team.lists.example>"], "mailing_list"),
        (["List-Unsubscribe: <mailto:leave@lists.example>"], "mailing_list"),
        (["X-Responder-Draft: 1"], "own_draft"),
    ],
)
def test_loop_guards_on_personal_mail(lines: list[str], want: str | None) -> None:
    got = read_mail(_with_headers(PERSONAL.read_bytes(), *lines), authserv_id=AUTHSERV)
    assert got.loop_reason == want


@pytest.mark.parametrize(
    ("header", "line", "want"),
    [
        ("Return-Path", "Return-Path: <>", "null_sender"),
        ("From", "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>", "system_address"),
        ("From", "From: owner-pdx-data@lists.example.net", "system_address"),
        ("From", "From: pdx-data-request@lists.example.net", "system_address"),
        ("Return-Path", "Return-Path: <Owner-team@lists.example.net>", "system_address"),
        ("From", "From: postmaster@example.net", None),
    ],
)
def test_null_and_system_senders(header: str, line: str, want: str | None) -> None:
    raw = _replace_header(PERSONAL.read_bytes(), header, line)
    assert read_mail(raw, authserv_id=AUTHSERV).loop_reason == want


def test_delivery_report_is_a_loop_risk() -> None:
    raw = (
        b"From: Mail Delivery System <mailer@mx.example.net>\r\nTo: dana@example.org\r\n"
        b"Subject: Undelivered\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
        b"--r\r\nContent-Type: text/plain\r\n\r\nIt bounced.\r\n"
        b"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        b"Final-Recipient: rfc822; x@example.net\r\nAction: failed\r\n\r\n--r--\r\n"
    )
    assert read_mail(raw, authserv_id=AUTHSERV).loop_reason == "report"


def test_linkedin_list_unsubscribe_is_normal_but_a_list_id_is_not() -> None:
    assert read_mail(INMAIL.read_bytes(), authserv_id=AUTHSERV).loop_reason is None
    raw = _with_headers(INMAIL.read_bytes(), "List-Id: <recruiters.lists.example>")
    assert read_mail(raw, authserv_id=AUTHSERV).loop_reason == "mailing_list"
    raw = _with_headers(INMAIL.read_bytes(), "Precedence: bulk")
    assert read_mail(raw, authserv_id=AUTHSERV).loop_reason is None
    raw = _with_headers(INMAIL.read_bytes(), "Auto-Submitted: auto-generated")
    assert read_mail(raw, authserv_id=AUTHSERV).loop_reason == "auto_submitted"


def test_corpus_loop_reasons() -> None:
    assert _read(CORPUS, "27-mailing-list.eml").loop_reason == "mailing_list"
    assert _read(CORPUS, "28-out-of-office.eml").loop_reason == "auto_submitted"


# --- malformed input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   \r\n",
        b"\x00\x01\x02",
        b"not a mail at all",
        b"From: \r\n\r\n",
        b"From: a@b, c@d\r\nSubject: two\r\n\r\nbody",
        b"Subject: no from\r\n\r\nbody",
    ],
)
def test_unreadable_input_names_a_problem(raw: bytes) -> None:
    got = read_mail(raw, authserv_id=AUTHSERV)
    assert isinstance(got, Notification)
    assert got.problem
    assert not got.authentic
    assert not got.has_ask


def test_two_from_fields_are_malformed() -> None:
    raw = _with_headers(
        (CORPUS / "01-invitation-genuine.eml").read_bytes(), "From: Someone <someone@evil.example>"
    )
    got = read_mail(raw, authserv_id=AUTHSERV)
    assert got.problem == "malformed: two From fields"
    assert got.linkedin
    assert not got.authentic


@pytest.mark.parametrize(
    ("line", "name", "problem"),
    [
        ("From: =?utf-8?q?Pike=2C_Gordon?= <invitations@linkedin.com>", "Pike, Gordon", None),
        ('From: "Pike, Gordon" <invitations@linkedin.com>', "Pike, Gordon", None),
        ("From: invitations@linkedin.com", "", None),
        (
            "From: Pike, Gordon <invitations@linkedin.com>",
            None,
            "malformed: From is not one address",
        ),
        ("From: undisclosed-recipients:;", None, "malformed: From is not one address"),
    ],
)
def test_from_is_split_before_names_are_decoded(
    line: str, name: str | None, problem: str | None
) -> None:
    raw = _replace_header((CORPUS / "02-invitation-stale-reconnect.eml").read_bytes(), "From", line)
    got = read_mail(raw, authserv_id=AUTHSERV)
    assert got.problem == problem
    if problem is None:
        assert got.authentic
        assert got.sender_name == (name or "Gordon Pike")


def test_linkedin_address_inside_a_quoted_display_name_is_a_spoof() -> None:
    raw = _replace_header(
        (CORPUS / "01-invitation-genuine.eml").read_bytes(),
        "From",
        'From: "LinkedIn <invitations@linkedin.com>" <notify@evil.example>',
    )
    got = read_mail(raw, authserv_id=AUTHSERV)
    assert got.linkedin
    assert not got.authentic
    assert "display name claims LinkedIn but from domain is evil.example" in got.suspicious


def test_inmail_sender_from_the_body_when_the_display_name_is_linkedin() -> None:
    raw = _replace_header(
        INMAIL.read_bytes(), "From", "From: LinkedIn <inmail-hit-reply@linkedin.com>"
    )
    got = read_mail(raw, authserv_id=AUTHSERV)
    assert got.sender_name == "Lauren Fitch"
    assert got.headline == "Technical Recruiting Lead at Pinecrest Capital"


def _as_plain(name: str, old: str, new: str) -> bytes:
    """Return corpus mail ``name`` as one 8-bit text/plain part with ``old`` replaced."""
    raw = (CORPUS / name).read_bytes()
    head = raw.partition(b"\r\n\r\n")[0]
    head = re.sub(rb"Content-Type:[^\r\n]*(?:\r\n[ \t][^\r\n]*)*", b"X-Old-Type: gone", head)
    msg = stdlib_email.message_from_bytes(raw)
    plain = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
    payload = plain.get_payload(decode=True)
    assert isinstance(payload, bytes)
    text = payload.decode("utf-8")
    assert old in text
    body = text.replace(old, new).encode("utf-8")
    ctype = b'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: 8bit'
    return head + b"\r\n" + ctype + b"\r\n\r\n" + body


def test_three_typed_dots_are_not_a_preview() -> None:
    raw = _as_plain("13-message-full-text.eml", "Thank you mam.", "Thank you mam...")
    got = read_mail(raw, authserv_id=AUTHSERV)
    assert got.ask_text is not None
    assert got.ask_text.endswith("Thank you mam...")
    assert not got.preview_only


def test_chrome_words_inside_the_persons_text_do_not_cut_it() -> None:
    invite = _as_plain(
        "02-invitation-stale-reconnect.eml",
        "Came across your",
        "Accept: I was shy.\nCame across your",
    )
    got = read_mail(invite, authserv_id=AUTHSERV)
    assert got.ask_text is not None
    assert "Accept: I was shy.\nCame across your profile today" in got.ask_text
    message = _as_plain(
        "13-message-full-text.eml", "Thank you mam.", "Thank you mam.\nReply: whenever you can."
    )
    got = read_mail(message, authserv_id=AUTHSERV)
    assert got.ask_text is not None
    assert got.ask_text.endswith("Thank you mam.\nReply: whenever you can.")
