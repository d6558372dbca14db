"""Compose: a notification and a label become one draft reply, an RFC 5322 ``EmailMessage``.

Pure: no I/O, no clock (``now`` is passed in). Every header value is decoded, stripped of
line breaks and control characters and only then set, because the ``email`` package of Python
3.11.7 still lets an encoded-word such as ``=?utf-8?q?hi=0D=0ABcc:_x?=`` through as a new
header. The finished message is re-parsed once as a last check that no header was added.
"""

from __future__ import annotations

import email.policy
import hashlib
import re
import unicodedata
from datetime import UTC, datetime
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import EmailPolicy
from email.utils import format_datetime, parseaddr
from typing import Any

from responder.errors import ConfigError
from responder.models import Notification
from responder.templating import (
    DRAFTABLE_LABELS,
    Identity,
    Templates,
    full_name,
    one_line,
    sample_notification,
    template_variables,
)

__all__ = [
    "DRAFT_HEADER",
    "DRAFT_POLICY",
    "Identity",
    "Templates",
    "address_in_ask",
    "compose_draft",
    "draft_as_text",
    "draft_message_id",
    "draft_recipient",
    "header_text",
    "reply_subject",
    "safe_address",
    "sample_notification",
    "valid_msg_id",
]

#: Provenance header on every draft; the reader uses it to recognise our own drafts.
DRAFT_HEADER = "X-Responder-Draft"
#: Subject of a reply to a notification that had none.
NO_SUBJECT = "Your message on LinkedIn"
#: Longest subject in code points, "Re: " and "…" included (Pigeonhole's default).
MAX_SUBJECT = 256
#: Most ids kept in ``References``: the thread root plus the newest ones.
MAX_REFERENCES = 20

_ID_HEADERS = frozenset({"message-id", "in-reply-to", "references"})


class _HeaderClasses(HeaderRegistry):
    """The stdlib's header registry, except that each header class is made once.

    ``HeaderRegistry`` builds a new class with ``type()`` for every header it parses, which
    was a tenth of the time of a draft; the classes it builds for one name are all alike.
    """

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def map_to_type(self, name: str, cls: type[BaseHeader]) -> None:
        self._made.clear()
        super().map_to_type(name, cls)

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


class _DraftPolicy(EmailPolicy):
    """``policy.SMTP``, except that message ids are folded between ids and never encoded.

    The stock policy turns an id longer than a line into RFC 2047 encoded-words, which breaks
    threading; our ids are validated ASCII, so each one goes on its own line as it is.
    """

    def fold(self, name: str, value: Any) -> str:
        if name.lower() in _ID_HEADERS:
            return f"{name}: " + f"{self.linesep} ".join(str(value).split()) + self.linesep
        folded: str = super().fold(name, value)
        return folded

    def fold_binary(self, name: str, value: Any) -> bytes:
        if name.lower() in _ID_HEADERS:
            return self.fold(name, value).encode("ascii")
        return super().fold_binary(name, value)


#: The policy of every draft: CRLF line ends, as ``email.policy.SMTP``.
DRAFT_POLICY = _DraftPolicy(linesep="\r\n", header_factory=_HeaderClasses())
#: How the self-check reads a draft back: ``email.policy.default``, with the same registry.
_READER = email.policy.default.clone(header_factory=_HeaderClasses())

# --- header values ----------------------------------------------------------------------

_SPACES = re.compile(r"\s+")
_ENCODED_WORD = re.compile(r"=\?[^?\s]*\?[^?\s]*\?[^?\s]*\?=")
_DECODER = _READER.header_factory


def header_text(value: str | None) -> str:
    """A value safe for a header: encoded-words decoded, controls and line breaks gone.

    Decoding repeats until nothing changes, so a doubly encoded CR/LF is caught too; anything
    still shaped like an encoded-word is broken up so the ``email`` package cannot decode it
    into a line break when it serialises.
    """
    text = one_line(value)
    for _ in range(5):
        if "=?" not in text:
            break
        try:
            decoded = one_line(str(_DECODER("subject", text)))
        except Exception:  # a malformed value keeps its literal text
            break
        if decoded == text:
            break
        text = decoded
    if _ENCODED_WORD.search(text):  # undecodable or nested too deep: defuse every opener
        text = text.replace("=?", "= ?")
    return text


_REPLY_PREFIX = re.compile(
    r"^(?:\s*(?:re|aw|sv|vs|fw|fwd|wg|antw|antwort|odp|rif|res|enc)"
    r"\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+",
    re.IGNORECASE,
)


def _cut(text: str, limit: int) -> str:
    """``text`` at most ``limit`` code points, ending in "…" if cut; marks stay on letters."""
    if len(text) <= limit:
        return text
    keep = limit - 1
    while keep > 0 and unicodedata.combining(text[keep]):
        keep -= 1
    return text[:keep].rstrip() + "…"


def reply_subject(subject: str | None) -> str:
    """``Re: `` once, before the decoded subject without its reply/forward prefixes."""
    text = _REPLY_PREFIX.sub("", header_text(subject)).strip() or NO_SUBJECT
    return _cut("Re: " + text, MAX_SUBJECT)


# --- message ids ------------------------------------------------------------------------

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_DOT_ATOM = rf"{_ATEXT}+(?:\.{_ATEXT}+)*"
_MSG_ID = re.compile(
    rf"<(?:{_DOT_ATOM}|{_ATEXT}[A-Za-z0-9!#$%&'*+/=?^_`{{|}}~.-]*)"
    rf"@(?:{_DOT_ATOM}|\[[!-Z^-~]*\])>"
)
#: An id must fit on one line after "In-Reply-To: " (RFC 5322 §2.1.1: 998 octets).
_MAX_ID = 998 - len("In-Reply-To: ")


def valid_msg_id(value: str | None) -> str | None:
    """``value`` as ``<left@right>`` if it is a well-formed msg-id, else None."""
    text = (value or "").strip()
    if text and not text.startswith("<"):
        text = f"<{text}>"
    if len(text) > _MAX_ID or not _MSG_ID.fullmatch(text):
        return None
    return text


_ADDR_SPEC = re.compile(
    rf"{_DOT_ATOM}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+"
    r"[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
)


def _domain(address: str) -> str | None:
    """The domain of a valid ASCII address, lower-cased, else None."""
    if not _ADDR_SPEC.fullmatch(address):
        return None
    return address.rsplit("@", 1)[1].lower()


def draft_message_id(parent_message_id: str | None, identity: Identity, fallback_key: str) -> str:
    """The draft's Message-ID: the same for the same parent, so a re-run can search for it."""
    parent = valid_msg_id(parent_message_id)
    seed = parent if parent is not None else f"fallback:{fallback_key}"
    digest = hashlib.sha256(seed.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    domain = _domain(identity.from_address.strip()) or "responder.invalid"
    return f"<responder.{digest}@{domain}>"


def _fallback_key(n: Notification) -> str:
    """A stable key for a notification without a usable Message-ID."""
    parts = (
        n.subject,
        n.date.isoformat() if n.date else "",
        n.sender_name or "",
        n.ask_text or "",
        n.thread_url or "",
        n.profile_url or "",
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _references(n: Notification, parent: str) -> list[str]:
    """Parent References (valid, unique, root plus newest) followed by the parent id."""
    ids: list[str] = []
    for ref in n.references:
        for token in ref.split():
            valid = valid_msg_id(token)
            if valid is not None and valid != parent and valid not in ids:
                ids.append(valid)
    if len(ids) > MAX_REFERENCES - 1:
        ids = ids[:1] + ids[-(MAX_REFERENCES - 2) :]
    return [*ids, parent]


# --- addressing -------------------------------------------------------------------------

_ASK_ADDRESS = re.compile(
    r"(?<![\w.!#$%&'*+/=?^`{|}~@-])"
    rf"({_DOT_ATOM}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+[A-Za-z]{{2,63}})"
    r"(?![\w@-]|\.\w)"
)
_UNANSWERED = re.compile(
    r"no-?reply|no_reply|do-?not-?reply|mailer-daemon|postmaster|bounce|hit-reply"
    # List robots (RFC 3834 section 2, RFC 5230 section 4.6): owner-*, *-request, and co.
    r"|^owner-|-owner$|-request$|^listserv$|^majordomo$",
    re.IGNORECASE,
)


def _is_linkedin(domain: str) -> bool:
    return domain in ("linkedin.com", "licdn.com") or domain.endswith(
        (".linkedin.com", ".licdn.com")
    )


def _answerable(address: str, identity: Identity) -> bool:
    """Not a no-reply or system address, and not the user's own."""
    local = address.rsplit("@", 1)[0]
    own = address.lower() == identity.from_address.strip().lower()
    return not own and not _UNANSWERED.search(local)


def address_in_ask(ask_text: str | None, identity: Identity) -> str | None:
    """The first address the person wrote in the ask that a human would answer, if any."""
    for match in _ASK_ADDRESS.finditer(ask_text or ""):
        address = match.group(1)
        domain = _domain(address)
        if domain and not _is_linkedin(domain) and _answerable(address, identity):
            return address
    return None


def _relay(reply_to: str | None, identity: Identity) -> str | None:
    """The InMail's ``Reply-To`` relay on linkedin.com, if it is a usable address."""
    address = parseaddr(header_text(reply_to))[1]
    domain = _domain(address)
    if domain and _is_linkedin(domain) and _answerable(address, identity):
        return address
    return None


_PLAIN_NAME = re.compile(r"[^\w .'-]+")


def _round_trips(address: Address) -> bool:
    """Whether ``address`` reads back unchanged after serialising it as a To header; False
    too when the ``email`` package fails on it (Python 3.11.7 raises AttributeError or
    TypeError on some long names that start with a dot)."""
    probe = EmailMessage(policy=DRAFT_POLICY)
    try:
        probe["To"] = address
        raw = probe.as_bytes()
        back = BytesHeaderParser(policy=_READER).parsebytes(raw)["To"]
    except Exception:  # the stdlib's own bug: a name it cannot read back is not written
        return False
    found: tuple[Address, ...] = tuple(getattr(back, "addresses", ()))
    return (
        len(found) == 1
        and found[0].addr_spec == address.addr_spec
        and found[0].display_name == address.display_name
    )


def safe_address(display_name: str | None, addr_spec: str) -> Address:
    """``addr_spec`` with the name, made safe; the name is simplified, then dropped, if the
    ``email`` package would not read it back as the same single address.

    Python 3.11.7 can drop the quotes of a long display name holding ``:`` and encoded-word
    look-alikes when it folds the line, which turns the name into a group with another address.
    """
    name = header_text(display_name)
    for candidate in (name, _SPACES.sub(" ", _PLAIN_NAME.sub(" ", name)).strip(), ""):
        address = Address(display_name=candidate, addr_spec=addr_spec)
        if _round_trips(address):
            return address
    raise ValueError(f"address cannot be written safely: {addr_spec!r}")


def draft_recipient(n: Notification, identity: Identity) -> Address | None:
    """Where the draft goes: the relay if enabled, else an address in the ask, else nowhere."""
    address = _relay(n.reply_to, identity) if identity.reply_via_relay else None
    address = address or address_in_ask(n.ask_text, identity)
    if address is None:
        return None
    return safe_address(full_name(n.sender_name), address)


# --- the draft --------------------------------------------------------------------------


def _linkedin_lead(variables: dict[str, object]) -> str:
    """The first lines of a draft with no ``To:``: where to answer on LinkedIn."""
    url = str(variables["reply_url"])
    who = str(variables["first_name"])
    whom = f"{who} " if who else ""
    note = f"(Answer {whom}on LinkedIn at this link: this draft has no email address.)"
    if not url:
        note = f"(Answer {whom}on LinkedIn: this draft has no email address.)"
        return f"{note}\n\n"
    return f"{url}\n{note}\n\n"


def compose_draft(
    n: Notification, label: str, identity: Identity, templates: Templates, now: datetime
) -> EmailMessage:
    """The complete draft reply to ``n`` for ``label``; ConfigError for template or identity
    problems. Nothing here sends mail: the caller APPENDs the result to the Drafts folder."""
    if label not in DRAFTABLE_LABELS:
        raise ConfigError(f"no draft is ever made for label {label!r}")
    if not one_line(identity.phone) and not one_line(identity.skype):
        raise ConfigError("RESPONDER_PHONE and RESPONDER_SKYPE are both empty: nothing to offer")
    from_address = identity.from_address.strip()
    if _domain(from_address) is None:
        raise ConfigError(f"RESPONDER_FROM_ADDRESS is not a usable address: {from_address!r}")

    recipient = draft_recipient(n, identity)
    variables = template_variables(
        n, label, identity, to_address=recipient.addr_spec if recipient else ""
    )
    body = templates.render(label, variables)
    if not body.strip():
        raise ConfigError(f"the {label} template renders an empty draft")
    if recipient is None:
        body = _linkedin_lead(variables) + body

    msg = EmailMessage(policy=DRAFT_POLICY)
    when = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    msg["Date"] = format_datetime(when)
    msg["From"] = safe_address(identity.from_name, from_address)
    if recipient is not None:
        msg["To"] = recipient
    msg["Subject"] = reply_subject(n.subject)
    msg["Message-ID"] = draft_message_id(n.message_id, identity, _fallback_key(n))
    parent = valid_msg_id(n.message_id)
    if parent is not None:
        msg["In-Reply-To"] = parent
        msg["References"] = " ".join(_references(n, parent))
    msg[DRAFT_HEADER] = "1"
    cte = "7bit" if body.isascii() and max(map(len, body.splitlines())) <= 998 else None
    msg.set_content(body, charset="utf-8", cte=cte or "quoted-printable")
    _verify(msg)
    return msg


_HEADER_CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f]")
_SINGLETONS = ("date", "from", "to", "subject", "message-id", "in-reply-to", "references")


def _verify(msg: EmailMessage) -> None:
    """Re-parse the serialised draft: same headers, CRLF only, short lines, no controls."""
    raw = msg.as_bytes()
    if b"\n" in raw.replace(b"\r\n", b"") or b"\r" in raw.replace(b"\r\n", b""):
        raise ValueError("draft has a bare CR or LF")
    head = raw.split(b"\r\n\r\n", 1)[0]
    if any(len(line) > 998 for line in head.split(b"\r\n")):
        raise ValueError("draft has a header line over 998 octets")
    parsed = BytesHeaderParser(policy=_READER).parsebytes(raw)
    written = [k.lower() for k in msg]
    if [k.lower() for k in parsed] != written:
        raise ValueError(f"draft headers changed when re-read: {parsed.keys()}")
    if any(written.count(name) > 1 for name in _SINGLETONS):
        raise ValueError("draft repeats a header that must appear once")
    if any(_HEADER_CONTROLS.search(str(v)) for v in parsed.values()):
        raise ValueError("draft has a control character in a header")
    for name in ("From", "To"):
        if msg[name] is not None:
            ours = [a.addr_spec for a in msg[name].addresses]
            if [a.addr_spec for a in parsed[name].addresses] != ours:
                raise ValueError(f"draft {name} reads back as another address")


def draft_as_text(msg: EmailMessage) -> str:
    """A draft as a person reads it: decoded headers, a blank line, the decoded body."""
    lines = [f"{name}: {value}" for name, value in msg.items()]
    body: str = msg.get_content()
    return "\n".join(lines) + "\n\n" + body.replace("\r\n", "\n")
