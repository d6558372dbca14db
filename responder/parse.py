"""The reader: one raw mail in, one ``Notification`` out, read like a careful human would.

``read_mail`` is pure (no I/O, no logging) and never raises: a mail it cannot read comes back
with ``problem`` set. Splitting the MIME tree lives in ``responder.mime``, decoding in
``responder.mailtext``, trust in ``responder.authenticity``; this module knows LinkedIn's
templates and where the person's words sit in each layout.
"""

from __future__ import annotations

import email
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from email import policy
from email.message import Message
from html import escape
from typing import TypedDict
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

from responder import authenticity as auth
from responder.mailtext import (
    MailBody,
    address_domain,
    first_header,
    fragment_lines,
    header_names,
    header_values,
    message_id,
    one_line,
    parse_address,
    parse_date,
    raw_values,
    read_body,
    reference_ids,
    squeeze_blank_lines,
)
from responder.mime import parse_simple
from responder.models import Kind, Notification

#: Bytes of a raw mail that are parsed at all; LinkedIn notifications are 10–60 KB.
MAX_RAW_BYTES = 1024 * 1024

_ASK_TEMPLATES: dict[str, Kind] = {
    "email_m2m_invite_single_01": "invitation",
    "email_m2m_invite_reminder_02": "invitation",
    "invite_guest_59": "invitation",
    "email_hire_inmail_initial_single_01": "inmail",
    "email_hire_inmail_reply_01": "inmail",
    "email_hire_inmail_reply_to_member": "inmail",
    "email_member_message_v2": "message",
}
_NOTICE_TEMPLATES = frozenset(
    [
        "email_m2m_invite_digest_02",
        "email_pymk_02",
        "connection_suggestion_email",
        "email_notification_digest_01",
        "email_job_alert_digest_01",
        "jobs_jymbii_digest",
        "email_jobs_viewed_job_reminder_01",
        "email_jobs_saved_job_reminder_01",
        "email_application_confirmation_with_nba_01",
        "email_jobs_application_rejected_01",
        "email_jobs_job_application_viewed",
        "jobs_applicant_applied",
        "email_groups_recommended_by_admin_01",
        "email_weekly_analytics_recap_v2",
        "email_editorial_suggested_top_conversations_01",
        "welcome_default",
        "email_search_appearances_01",
        "email_newsletter_new_edition_01",
        "email_endorsements_01",
        "email_security_verification_code_01",
        "email_accept_invite_single_01",
    ]
)
_CLASS_KINDS: dict[str, Kind] = {
    "INMAIL": "inmail",
    "MBR-TO-MBR": "message",
    "INVITE": "invitation",
    "INVITE-GUEST": "invitation",
}
#: The LinkedIn sender addresses (local parts) that carry each kind of ask.
_SENDERS: dict[str, frozenset[str]] = {
    "invitation": frozenset({"invitations", "messages-noreply", "invitations-noreply"}),
    "inmail": frozenset(
        {"inmail-hit-reply", "hit-reply", "hit-reply-premium-inmail", "inmails-noreply"}
    ),
    "message": frozenset({"messages-noreply", "messaging-digest-noreply"}),
}
_TRACKING = re.compile(
    r"trk=eml-([a-z0-9_]{1,80})|lipi=urn(?::|%3a)li(?::|%3a)page(?::|%3a)email_([a-z0-9_]{1,80})",
    re.I,
)
_SYSTEM_LOCAL = re.compile(r"^(mailer-daemon|listserv|majordomo|owner-.*|.*-request)$", re.I)
_LIST_HEADERS = frozenset(
    [
        "list-id",
        "list-help",
        "list-subscribe",
        "list-unsubscribe",
        "list-post",
        "list-owner",
        "list-archive",
    ]
)
_VIA = re.compile(r"\s*\(?\b(?:via|über|par|por|tramite|através d[eo])\s+linkedin\)?$", re.I)
_COMMENT = re.compile(r"\([^()]*\)")

# --- layout vocabulary (English plus the localised chrome of de, fr, es, pt, it) -----------
_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|hallo|guten tag|moin|servus|liebe|lieber|bonjour|bonsoir|salut|"
    r"cher|chère|hola|buenos días|estimado|estimada|olá|ola|oi|prezado|prezada|caro|cara|ciao|"
    r"salve|buongiorno|gentile|hej|hoi)\s+[^\s,!:]{1,40}(?:\s+[^\s,!:]{1,40}){0,2}\s*[,!:.]?$",
    re.I,
)
_INVITE_WORDS = (
    r"(?:view profile|accept|ignore|voir le profil|accepter|ignorer|profil anzeigen|annehmen|"
    r"akzeptieren|ignorieren|ver perfil|aceptar|ignorar|aceitar|visualizza profilo|accetta|"
    r"ignora)"
)
_INVITE_END = re.compile(
    rf"^{_INVITE_WORDS}(?:\s*:\s*https?://\S*|\s+{_INVITE_WORDS})?$|^\.{{5,}}$|^[-_=]{{10,}}$",
    re.I,
)
_REPLY_END = re.compile(
    r"^(?:reply|répondre|antworten|responder|rispondi|view messages?|voir le message|"
    r"nachricht anzeigen|ver mensaje|ver mensagem|visualizza messaggio)"
    r"(?:\s*:\s*https?://\S*)?$"
    r"|^https?://\S+/messaging/\S*$",
    re.I,
)
_RULE = re.compile(r"^-{20,}$")
_URL_LINE = re.compile(r"^https?://", re.I)
_FOOTER = re.compile(
    r"^(?:this email was intended for|you are receiving|cet e-?mail|vous recevez|"
    r"diese e-?mail|sie erhalten|este (?:correo|e-?mail)|recibes|você está recebendo|"
    r"questa e-?mail|ricevi|(?:unsubscribe|help)\s*:|©)",
    re.I,
)
# LinkedIn's own hint under an InMail, not the sender's words.
_REPLY_HINT = re.compile(
    r"^(?:\*?tip:?\*?:?\s+you can (?:respond|reply) to .* by replying to this e-?mail\.?"
    r"|replied on linkedin)$",
    re.I,
)
_THREAD_PATH = re.compile(r"/(?:messaging/thread|talent/inbox)/", re.I)
_SPACE = re.compile(r"\s")
_NON_SPACE_RUN = re.compile(r"\S*")
_PROFILE_LINE = re.compile(
    r"^(?:view profile|voir le profil|profil anzeigen|ver perfil|visualizza profilo)\s*:\s*"
    r"(https?://\S+)",
    re.I,
)
_TRACKING_PARAMS = frozenset(
    [
        "trk",
        "trkemail",
        "lipi",
        "midtoken",
        "midsig",
        "eid",
        "loid",
        "otptoken",
        "trackingid",
        "refid",
    ]
)
_MAX_ASK_CHARS = 20000


@dataclass(frozen=True)
class Ask:
    """The person's part of a LinkedIn mail: their words, who they are, where to reach them."""

    text: str | None = None
    sender_name: str | None = None
    headline: str | None = None
    profile_url: str | None = None
    thread_url: str | None = None
    preview_only: bool = False


def read_mail(
    raw: bytes, *, authserv_id: str | None, require_authentication: bool = True
) -> Notification:
    """Return what ``raw`` (one RFC 5322 message) says: kind, authenticity, person, ask and
    loop guards; a ``Notification`` with ``problem`` set when it cannot be read. Never raises.
    """
    try:
        return _read(bytes(raw), authserv_id, require_authentication)
    except Exception as exc:  # the contract: never raise, name the failure instead
        return Notification(problem=f"unreadable: {type(exc).__name__}")


def _read(raw: bytes, authserv_id: str | None, require_auth: bool) -> Notification:
    """Return the Notification for ``raw``; may raise on truly hostile input."""
    if not raw or raw.isspace():
        return Notification(problem="empty message")
    oversized = len(raw) > MAX_RAW_BYTES
    data = raw[:MAX_RAW_BYTES]
    msg = parse_simple(data)
    if msg is None:  # a shape the quick parser leaves to the stdlib's
        msg = email.message_from_bytes(data, policy=policy.compat32)
    if not msg.keys():
        return Notification(problem="no header fields")
    sender = auth.read_from(msg)
    body = read_body(msg)
    linkedin = auth.presents_as_linkedin(msg, sender)
    problem = sender.problem or ("oversized: only the first MiB was read" if oversized else None)
    thread = _threading(msg)
    loop_reason = _loop_reason(msg, sender, body, linkedin)
    if not linkedin:
        return Notification(**thread, loop_reason=loop_reason, problem=problem)
    template = _template(msg, body)
    kind, template_problem = _kind(msg, template, sender)
    ask = read_ask(kind, body, _person_name(sender.name))
    reasons = auth.suspicions(msg, sender, body, ask.text or "", authserv_id, require_auth)
    reasons += _sender_mismatch(kind, sender)
    if oversized:
        reasons.append("oversized for a LinkedIn notification")
    authentic = auth.is_linkedin_domain(sender.domain) and not reasons
    return Notification(
        **thread,
        loop_reason=loop_reason,
        linkedin=True,
        authentic=authentic,
        suspicious=() if authentic else tuple(dict.fromkeys(reasons)),
        kind=kind,
        template=template,
        has_ask=ask.text is not None,
        ask_text=ask.text,
        preview_only=ask.preview_only or _is_digest(kind, sender),
        sender_name=ask.sender_name,
        headline=ask.headline,
        profile_url=ask.profile_url,
        thread_url=ask.thread_url,
        reply_to=_reply_to(msg),
        problem=problem or template_problem,
    )


class _Threading(TypedDict):
    """The Notification fields that place a mail in its thread."""

    message_id: str | None
    subject: str
    date: datetime | None
    references: tuple[str, ...]


def _threading(msg: Message) -> _Threading:
    """Return the threading fields: id, subject, date, references (those of References, else
    of In-Reply-To)."""
    parents = first_header(msg, "References") or first_header(msg, "In-Reply-To")
    return _Threading(
        message_id=message_id(first_header(msg, "Message-ID")),
        subject=first_header(msg, "Subject"),
        date=parse_date(first_header(msg, "Date")),
        references=reference_ids(parents),
    )


# --- loop guards ---------------------------------------------------------------------------


def _loop_reason(msg: Message, sender: auth.Sender, body: MailBody, linkedin: bool) -> str | None:
    """Return why answering could start a mail loop (reliability notes, section A), or None."""
    if "x-responder-draft" in header_names(msg):
        return "own_draft"
    for value in header_values(msg, "Auto-Submitted"):
        if one_line(_COMMENT.sub(" ", value)).lower() != "no":
            return "auto_submitted"
    for value in header_values(msg, "X-Auto-Response-Suppress"):
        if {t.strip().lower() for t in value.replace("\t", " ").split(",")} & {"all", "oof"}:
            return "auto_response_suppress"
    return_path = first_header(msg, "Return-Path")
    if return_path.replace(" ", "") == "<>":
        return "null_sender"
    if body.report or body.content_type == "multipart/report":
        return "report"
    addresses = (sender.address, return_path.strip(" <>"))
    if any(_SYSTEM_LOCAL.match(a.partition("@")[0]) for a in addresses if a):
        return "system_address"
    return _list_reason(msg, linkedin)


def _list_reason(msg: Message, linkedin: bool) -> str | None:
    """Return ``mailing_list`` or ``bulk`` for list traffic. LinkedIn's own List-Unsubscribe
    and Precedence are normal; only a real List-Id or List-Post counts on LinkedIn mail."""
    keys = header_names(msg)
    if linkedin:
        return "mailing_list" if keys & {"list-id", "list-post"} else None
    if keys & _LIST_HEADERS:
        return "mailing_list"
    precedence = first_header(msg, "Precedence").lower()
    return "bulk" if precedence in ("bulk", "list", "junk") else None


# --- what kind of LinkedIn mail ------------------------------------------------------------


def _template(msg: Message, body: MailBody) -> str | None:
    """Return the template name: X-LinkedIn-Template, else the one in the tracking links."""
    header = first_header(msg, "X-LinkedIn-Template")
    if header:
        return header[:120].lower()
    for text in (body.plain[:65536], body.html[:262144]):
        match = _TRACKING.search(text)
        if match:
            return (match.group(1) or match.group(2)).lower()
    return None


def _kind(msg: Message, template: str | None, sender: auth.Sender) -> tuple[Kind, str | None]:
    """Return the kind of a LinkedIn mail, and a problem when its template is unknown."""
    if template:
        if template in _ASK_TEMPLATES:
            return _ASK_TEMPLATES[template], None
        if template in _NOTICE_TEMPLATES:
            return "notification", None
        return "notification", f"unknown template: {template}"
    by_class = _CLASS_KINDS.get(first_header(msg, "X-LinkedIn-Class").upper())
    if by_class:
        return by_class, None
    local = sender.address.partition("@")[0]
    if not auth.is_linkedin_domain(sender.domain):
        return "notification", None
    if local in _SENDERS["inmail"]:
        return "inmail", None
    if local == "messaging-digest-noreply":
        return "message", None
    return "notification", "unknown template: none given"


def _sender_mismatch(kind: Kind, sender: auth.Sender) -> list[str]:
    """Return a reason when an ask template comes from a LinkedIn address that never sends it."""
    local = sender.address.partition("@")[0]
    expected = _SENDERS.get(kind)
    if expected and auth.is_linkedin_domain(sender.domain) and local not in expected:
        return [f"{kind} from unexpected sender {local}@"]
    return []


def _is_digest(kind: Kind, sender: auth.Sender) -> bool:
    """Return True for the messaging digest, which carries at most a preview of a message."""
    return kind == "message" and sender.address.startswith("messaging-digest-noreply@")


def _reply_to(msg: Message) -> str | None:
    """Return the Reply-To address when it is LinkedIn's reply relay, else None."""
    values = raw_values(msg, "Reply-To")
    address = parse_address(values[0])[1] if values else ""
    return address if auth.in_domain(address_domain(address), "reply.linkedin.com") else None


def _person_name(display: str) -> str | None:
    """Return the sender's own name from a From display name, or None for LinkedIn itself."""
    name = _VIA.sub("", display).strip().strip('"').strip()
    if not name or auth.looks_like_linkedin(name):
        return None
    return name


# --- where the person's words sit ----------------------------------------------------------


def read_ask(kind: Kind, body: MailBody, name: str | None) -> Ask:
    """Return the person's words and details from the cleaned text of a LinkedIn mail of
    ``kind``; ``name`` is the sender's name from the From field when it names a person."""
    if kind not in ("invitation", "inmail", "message"):
        return Ask()
    lines = body.text.split("\n") if body.text else []
    if kind == "invitation":
        return _invitation(lines, name)
    if kind == "inmail":
        return _inmail(lines, name, body.html)
    return _message(lines, name)


def _find(
    lines: list[str], test: Callable[[str], object], start: int = 0, stop: int | None = None
) -> int | None:
    """Return the index of the first line from ``start`` that passes ``test``, or None."""
    for i in range(max(start, 0), len(lines) if stop is None else min(stop, len(lines))):
        if test(lines[i]):
            return i
    return None


def _same(line: str, name: str | None) -> bool:
    """Return True when ``line`` is exactly ``name`` (case-insensitive)."""
    return bool(name) and line.casefold() == str(name).casefold()


def _join(lines: list[str]) -> str | None:
    """Return the lines as one text, blank runs squeezed and ends trimmed; None when empty."""
    text = squeeze_blank_lines("\n".join(lines)).strip()
    return text[:_MAX_ASK_CHARS] if text else None


def _nonblank_after(lines: list[str], i: int) -> int | None:
    """Return the index of the first non-blank line after ``i``, or None."""
    return _find(lines, bool, i + 1)


def _end(lines: list[str], start: int, primary: re.Pattern[str]) -> int:
    """Return where chrome starts after ``start``: ``primary`` first, else a footer line."""
    found = _find(lines, primary.match, start)
    if found is None:
        found = _find(lines, _FOOTER.match, start)
    return len(lines) if found is None else found


def _invitation(lines: list[str], name: str | None) -> Ask:
    """Read an invitation: the note between the greeting and the sender's name block."""
    greeting = _find(lines, _GREETING.match, 0, 25)
    start = 0 if greeting is None else greeting + 1
    seg = lines[start : _end(lines, start, _INVITE_END)]
    first = _nonblank_after(seg, -1)
    profile = _profile_url(lines)
    if first is not None and _same(seg[first], name):  # HTML order: name, headline, note
        head = _nonblank_after(seg, first)
        note = seg[head + 1 :] if head is not None else []
        headline = seg[head] if head is not None else None
        return Ask(_join(note), name, headline, profile)
    at = max((i for i, line in enumerate(seg) if _same(line, name)), default=None)
    if at is None:
        at = _last_paragraph(seg)
    if at is None:
        return Ask(sender_name=name, profile_url=profile)
    note = seg[:at]
    if greeting is None:
        from_ = _last_paragraph(note)
        note = note[from_:] if from_ is not None else note
    headline = seg[at + 1] if at + 1 < len(seg) and seg[at + 1] else None
    return Ask(_join(note), name or seg[at], headline, profile)


def _last_paragraph(seg: list[str]) -> int | None:
    """Return the index where the last paragraph of ``seg`` starts, or None if all blank."""
    last = max((i for i, line in enumerate(seg) if line), default=None)
    if last is None:
        return None
    while last > 0 and seg[last - 1]:
        last -= 1
    return last


def _inmail(lines: list[str], name: str | None, html: str) -> Ask:
    """Read an InMail: the body between the thread link and the rule of dashes."""
    link = _find(lines, _thread_link)
    if link is None:
        return _card(lines, name, _REPLY_END)
    found = _thread_link(lines[link])
    thread = _clean_url(found) if found else None
    body = lines[link + 1 : _end(lines, link + 1, _RULE)]
    while body and (not body[-1] or _REPLY_HINT.match(body[-1])):
        body.pop()
    who = name or _inmail_sender(lines, link)
    text = _join(body)
    return Ask(text, who, _html_headline(html, who, text), None, thread)


def _inmail_sender(lines: list[str], link: int) -> str | None:
    """Return the name printed above an InMail's "Reply" and thread link, or None."""
    above = [line for line in lines[max(0, link - 3) : link] if line]
    if len(above) >= 2 and _REPLY_END.match(above[-1]) and _name_like(above[-2]):
        return above[-2]
    return None


def _html_headline(html: str, name: str | None, ask: str | None) -> str | None:
    """Return the line under the sender's name at the head of the HTML part (InMail), or None.

    The name is the first element whose whole text is the name (the card's head; the sign-off
    under the ask comes later). The line under it is the headline only when it is no greeting,
    link, rule, "Reply", LinkedIn hint or footer, and no line of the ask ``ask``.
    """
    if not html or not name:
        return None
    shown = re.search(r">\s*" + re.escape(escape(name, quote=False)) + r"\s*<", html, re.I)
    if shown is None:
        return None
    lines = fragment_lines(html[shown.start() + 1 : shown.start() + 800])
    row = _find(lines, lambda line: _same(line, name))
    nxt = _nonblank_after(lines, row) if row is not None else None
    if nxt is None:
        return None
    line = lines[nxt]
    said = {" ".join(part.split()) for part in (ask or "").split("\n")}
    chrome = (_GREETING, _REPLY_END, _RULE, _REPLY_HINT, _FOOTER, _URL_LINE)
    if len(line) > 150 or line in said or any(p.match(line) for p in chrome):
        return None
    return line


def _message(lines: list[str], name: str | None) -> Ask:
    """Read a member message: name and headline, then the text, then the Reply link."""
    ask = _card(lines, name, _REPLY_END)
    if ask.text and ask.text.endswith("…"):  # LinkedIn's cut; people type three dots
        return replace(ask, preview_only=True)
    return ask


def _card(lines: list[str], name: str | None, end_re: re.Pattern[str]) -> Ask:
    """Read a card laid out as name, headline, text, then an end line (Reply, footer)."""
    end = _find(lines, end_re.match)
    if end is None:
        return Ask()
    region = lines[:end]
    at = _find(region, lambda line: _same(line, name)) if name else None
    if at is None:
        heads = (i for i, line in enumerate(region) if _name_like(line))
        at = next((i for i in heads if _is_card_head(region, i)), None)
    if at is None:
        return Ask()
    head = at + 1 if at + 1 < len(region) and region[at + 1] else None
    text = _join(region[(head or at) + 1 :])
    thread = _thread_link(lines[end])
    return Ask(
        text,
        name or region[at],
        region[head] if head else None,
        None,
        _clean_url(thread) if thread else None,
    )


def _thread_link(line: str) -> str | None:
    """Return the URL in ``line`` that leads to a messaging thread or Recruiter inbox."""
    path = _THREAD_PATH.search(line)
    if path is None:
        return None
    start = max(line.rfind("http://", 0, path.start()), line.rfind("https://", 0, path.start()))
    if start < 0 or _SPACE.search(line, start, path.start()):
        return None
    rest = _NON_SPACE_RUN.match(line, path.end())  # always: the pattern may match nothing
    return line[start : rest.end() if rest else path.end()]


def _name_like(line: str) -> bool:
    """Return True for a short line that could be a person's name."""
    words = line.split()
    return (
        0 < len(words) <= 6
        and len(line) <= 70
        and line[0].isupper()
        and not re.search(r"[:/@?!.]$|https?:|\d", line)
    )


def _is_card_head(region: list[str], at: int) -> bool:
    """Return True when ``at`` starts a name / headline / blank block."""
    return at + 2 < len(region) and bool(region[at + 1]) and not region[at + 2]


def _profile_url(lines: list[str]) -> str | None:
    """Return the cleaned "View profile:" link of an invitation, or None."""
    for line in lines:
        match = _PROFILE_LINE.match(line)
        if match:
            return _clean_url(match.group(1))
    return None


def _clean_url(url: str) -> str | None:
    """Return a LinkedIn link without its tracking parameters, or None for other hosts."""
    try:
        parts = urlsplit(url.rstrip(".,;)>"))
        host = parts.hostname or ""
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not auth.in_domain(host, "linkedin.com"):
        return None
    query = urlencode(_kept_params(parts.query))
    return urlunsplit(("https", parts.netloc, parts.path, query, ""))


def _kept_params(query: str) -> list[tuple[str, str]]:
    """Return ``parse_qsl(query, keep_blank_values=True)`` less the tracking parameters,
    decoded the same way; the long values of the dropped ones are never decoded."""
    kept = []
    for pair in query.split("&") if query else ():
        if not pair:
            continue
        name, _, value = pair.partition("=")
        key = unquote(name.replace("+", " "))
        if key.lower() not in _TRACKING_PARAMS:
            kept.append((key, unquote(value.replace("+", " "))))
    return kept
