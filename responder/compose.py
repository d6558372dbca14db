"""Compose: a notification and a label become one draft reply, an RFC 5322 ``EmailMessage``.

Pure: no I/O, no clock (``now`` is passed in). Every header value is decoded, stripped of
line breaks and control characters and only then set, because the ``email`` package of Python
3.11.7 still lets an encoded-word such as ``=?utf-8?q?hi=0D=0ABcc:_x?=`` through as a new
header. Each header is written as the exact text the ``email`` package writes for it, worked
out without it where that text is plain. The serialised draft is then checked field by field,
as a reader splits it, before it is handed out: the same headers, the ids and addresses we
meant, no control character even once decoded, and a body that decodes to the text.
"""

from __future__ import annotations

import email.policy
import functools
import hashlib
import quopri
import re
import unicodedata
from datetime import UTC, datetime
from email import quoprimime
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, parseaddr, parsedate_to_datetime
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

#: The message-id headers, in the order a draft has them.
_ID_NAMES = ("Message-ID", "In-Reply-To", "References")
_ID_HEADERS = frozenset(name.lower() for name in _ID_NAMES)


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

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_made": {}}  # classes made by type() cannot be pickled

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


class _Folded(str):
    """A header set to ``item`` (the string is ``str(item)``) and already folded: ``line`` is
    the exact CRLF-ended text of the whole field, ``field`` its name."""

    line: str
    field: str
    item: str | Address
    header: BaseHeader | None

    def __new__(cls, line: str, item: str | Address) -> _Folded:
        folded = super().__new__(cls, str(item))
        folded.line, folded.item, folded.header = line, item, None
        folded.field = line.partition(":")[0]
        return folded

    def __reduce__(self) -> tuple[type[_Folded], tuple[str, str | Address]]:
        return (_Folded, (self.line, self.item))


class _DraftPolicy(EmailPolicy):
    """``policy.SMTP``, except that message ids are folded between ids and never encoded, and
    a ``_Folded`` header is written exactly as it was folded.

    The stock policy turns an id longer than a line into RFC 2047 encoded-words, which breaks
    threading; our ids are validated ASCII, so each one goes on its own line as it is.
    """

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if isinstance(value, _Folded):  # the header object ``msg[name] = item`` would make
            if value.header is None:
                value.header = self.header_factory(name, value.item)
            return value.header
        return super().header_fetch_parse(name, value)

    def fold(self, name: str, value: Any) -> str:
        if isinstance(value, _Folded):
            return value.line
        if name.lower() in _ID_HEADERS:
            return f"{name}: " + f"{self.linesep} ".join(str(value).split()) + self.linesep
        folded: str = super().fold(name, value)
        return folded

    def fold_binary(self, name: str, value: Any) -> bytes:
        if isinstance(value, _Folded):
            return value.line.encode("ascii", "surrogateescape")
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
_WORDS = r"[A-Za-z0-9][A-Za-z0-9_.'-]*(?: [A-Za-z0-9][A-Za-z0-9_.'-]*)*"
_ATOMS = r"[A-Za-z0-9][A-Za-z0-9_'-]*(?: [A-Za-z0-9][A-Za-z0-9_'-]*)*"  # words without a dot
#: A display name any reader reads back as written: ASCII words, quoted when one has a dot.
_PLAIN_WORDS = re.compile(_WORDS)
#: A plain address as ``str(Address)`` writes it: "Name <a@b>", "\"A. Name\" <a@b>" or "a@b".
_PLAIN_FIELD = re.compile(
    rf"(?:{_ATOMS}|\"{_WORDS}\") <(?P<named>{_ADDR_SPEC.pattern})>|(?P<bare>{_ADDR_SPEC.pattern})"
)


def _plain(address: Address) -> str | None:
    """``str(address)`` when the name (if any) is plain words and the address a plain
    addr-spec, so that any reader reads the text back as this very address; else None."""
    name = address.display_name
    if (name and not _PLAIN_WORDS.fullmatch(name)) or not _ADDR_SPEC.fullmatch(address.addr_spec):
        return None
    return str(address)


def _address(display_name: str, addr_spec: str) -> Address:
    """``Address(display_name=display_name, addr_spec=addr_spec)``, without parsing a plain
    addr-spec (a dot-atom at a host name) to split it where the parser would."""
    if _ADDR_SPEC.fullmatch(addr_spec):
        username, _, domain = addr_spec.rpartition("@")
        return Address(display_name=display_name, username=username, domain=domain)
    return Address(display_name=display_name, addr_spec=addr_spec)


def _round_trips(address: Address) -> bool:
    """Whether ``address`` reads back unchanged after serialising it as a To header; False
    too when the ``email`` package fails on it (Python 3.11.7 raises AttributeError or
    TypeError on some long names that start with a dot)."""
    text = _plain(address)
    if text is not None and _fits("To", text):  # written as is, read back as is
        return True
    return _probe_round_trips(address)


def _probe_round_trips(address: Address) -> bool:
    """``_round_trips`` the long way: the ``email`` package folds the To header, which must
    stay one field, and reads that field back (both cached: the draft's own To is the same)."""
    try:
        line = _stdlib_line("To", address.display_name, address.addr_spec)
        fields = _fields(line.encode("ascii", "surrogateescape").removesuffix(b"\r\n"))
        if [name for name, _ in fields] != ["To"]:
            return False
        back = _read_back("To", fields[0][1])
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
    return _safe_address(display_name or "", addr_spec)


@functools.lru_cache(maxsize=1024)
def _safe_address(display_name: str, addr_spec: str) -> Address:
    """``safe_address``, once per name and address (the user's own is on every draft)."""
    name = header_text(display_name)
    for candidate in (name, _SPACES.sub(" ", _PLAIN_NAME.sub(" ", name)).strip(), ""):
        address = _address(candidate, addr_spec)
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


# --- header lines -----------------------------------------------------------------------

#: DRAFT_POLICY.max_line_length: the folder keeps a header within it when it can.
_MAX_LINE = 78
_AS_IS = re.compile(r"[!-~](?:[ -~]*[!-~])?")


def _fits(name: str, text: str) -> bool:
    """Whether the ``email`` package writes ``name: text`` exactly so: printable ASCII with no
    space at either end and no encoded-word opener, short enough for one line. (Its folder
    then emits the parse tree of the value whole, and that parse tree is the text itself.)"""
    return (
        len(name) + 2 + len(text) <= _MAX_LINE
        and "=?" not in text
        and _AS_IS.fullmatch(text) is not None
    )


@functools.lru_cache(maxsize=1024)
def _stdlib_line(name: str, value: str, addr_spec: str | None = None) -> str:
    """What DRAFT_POLICY writes for ``name: value`` (the Address ``value <addr_spec>`` if
    ``addr_spec`` is given), CRLF ended; the ``email`` package does it, once per value."""
    item: str | Address = value
    if addr_spec is not None:
        item = _address(value, addr_spec)
    header = DRAFT_POLICY.header_store_parse(name, item)[1]
    return DRAFT_POLICY.fold_binary(name, header).decode("ascii", "surrogateescape")


def _text_header(name: str, value: str) -> _Folded:
    """The header ``name: value``, folded as DRAFT_POLICY folds it."""
    line = f"{name}: {value}\r\n" if _fits(name, value) else _stdlib_line(name, value)
    return _Folded(line, value)


def _address_header(name: str, address: Address) -> _Folded:
    """The address header ``name``, folded as DRAFT_POLICY folds it."""
    text = _plain(address)
    if text is not None and _fits(name, text):
        return _Folded(f"{name}: {text}\r\n", address)
    return _Folded(_stdlib_line(name, address.display_name, address.addr_spec), address)


def _date_header(when: datetime) -> _Folded:
    """The Date header, folded as DRAFT_POLICY folds it."""
    value = format_datetime(when)
    return _Folded(_date_line(value), value)


@functools.lru_cache(maxsize=64)
def _date_line(value: str) -> str:
    """What DRAFT_POLICY writes for ``Date: value``: the date the stdlib parses from the
    value, formatted again (drafts of one second share it)."""
    try:
        text = format_datetime(parsedate_to_datetime(value))
    except ValueError:
        return _stdlib_line("Date", value)
    return f"Date: {text}\r\n" if _fits("Date", text) else _stdlib_line("Date", value)


def _ids_header(name: str, ids: list[str]) -> _Folded:
    """A message-id header: the valid ids as they are, one a line (see ``_DraftPolicy``)."""
    return _Folded(f"{name}: " + "\r\n ".join(ids) + "\r\n", " ".join(ids))


_TEXT_PLAIN = 'text/plain; charset="utf-8"'
#: The body's own headers, by transfer encoding, as ``set_content`` writes them.
_BODY_HEADERS = {
    cte: (
        _Folded(f"Content-Type: {_TEXT_PLAIN}\r\n", _TEXT_PLAIN),
        _Folded(f"Content-Transfer-Encoding: {cte}\r\n", cte),
        _Folded("MIME-Version: 1.0\r\n", "1.0"),
    )
    for cte in ("7bit", "quoted-printable")
}


def _encoded_body(body: str) -> tuple[str, str]:
    """The transfer encoding and the payload of ``body`` as ``set_content`` makes them:
    7bit for ASCII with lines of at most 998 characters, else quoted-printable."""
    data = b"\n".join(body.encode("utf-8").splitlines()) + b"\n"
    if body.isascii() and max(map(len, body.splitlines())) <= 998:
        return "7bit", data.decode("ascii")
    return "quoted-printable", quoprimime.body_encode(data.decode("latin-1"), _MAX_LINE)


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

    when = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    sender = safe_address(identity.from_name, from_address)
    headers = [_date_header(when), _address_header("From", sender)]
    addresses = {"from": sender.addr_spec}
    if recipient is not None:
        headers.append(_address_header("To", recipient))
        addresses["to"] = recipient.addr_spec
    headers.append(_text_header("Subject", reply_subject(n.subject)))
    ids = {"message-id": [draft_message_id(n.message_id, identity, _fallback_key(n))]}
    parent = valid_msg_id(n.message_id)
    if parent is not None:
        ids["in-reply-to"] = [parent]
        ids["references"] = _references(n, parent)
    headers += [_ids_header(name, ids[name.lower()]) for name in _ID_NAMES if name.lower() in ids]
    headers.append(_text_header(DRAFT_HEADER, "1"))
    cte, payload = _encoded_body(body)

    msg = EmailMessage(policy=DRAFT_POLICY)
    for header in [*headers, *_BODY_HEADERS[cte]]:
        msg.set_raw(header.field, header)
    msg.set_payload(payload)
    _verify(msg, ids, addresses, body)
    return msg


_HEADER_CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f]")
#: In a header line: a control character other than TAB, or an octet that is not ASCII.
_BAD_OCTETS = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f-\xff]")
_FIELD_NAME = re.compile(r"[!-9;-~]+")  # RFC 5322 section 3.6.8
_SINGLETONS = ("date", "from", "to", "subject", "message-id", "in-reply-to", "references")


def _fields(head: bytes) -> list[tuple[str, str]]:
    """The header block's fields as every reader splits them, (name, value unfolded): a line
    that starts with a space or TAB continues the field before it, any other opens one and
    must be ``name:``. ValueError for a long line, a control character or 8-bit octet."""
    if _BAD_OCTETS.search(head.replace(b"\r\n", b"")):
        raise ValueError("draft has a control character in a header")
    lines = head.decode("ascii").split("\r\n")
    if max(map(len, lines)) > 998:
        raise ValueError("draft has a header line over 998 octets")
    fields: list[tuple[str, str]] = []
    for line in lines:
        if line.startswith((" ", "\t")) and fields:
            fields[-1] = (fields[-1][0], fields[-1][1] + line)
            continue
        name, colon, value = line.partition(":")
        if not colon or not _FIELD_NAME.fullmatch(name):
            raise ValueError(f"draft has a header line that opens no field: {line[:40]!r}")
        fields.append((name, value.lstrip(" \t")))
    return fields


@functools.lru_cache(maxsize=1024)
def _read_back(name: str, value: str) -> BaseHeader:
    """Header ``name: value`` as ``email.policy.default`` reads it; ValueError if it cannot."""
    try:
        header: BaseHeader = _READER.header_factory(name, value)
    except Exception as exc:  # the stdlib's parser has its own bugs on hostile text
        raise ValueError(f"draft {name} cannot be read back") from exc
    return header


def _addr_specs(name: str, value: str) -> list[str]:
    """The addr-specs a reader finds in the address field ``name: value``."""
    plain = _PLAIN_FIELD.fullmatch(value)
    if plain is not None:
        return [plain.group("named") or plain.group("bare")]
    return [a.addr_spec for a in getattr(_read_back(name, value), "addresses", ())]


def _decoded_body(payload: bytes, cte: str) -> bytes:
    """The body octets a reader decodes from the serialised ``payload``."""
    return quopri.decodestring(payload) if cte == "quoted-printable" else payload


def _verify(
    msg: EmailMessage, ids: dict[str, list[str]], addresses: dict[str, str], body: str
) -> None:
    """Check the serialised draft as a reader would split it: CRLF only; exactly the headers
    written, each line short, ASCII and free of controls, none decoding to a control; the
    message ids exactly ``ids``; the address fields reading back as ``addresses``; one UTF-8
    text part whose body decodes to ``body``. ValueError names the first problem."""
    raw = msg.as_bytes()
    if b"\n" in raw.replace(b"\r\n", b"") or b"\r" in raw.replace(b"\r\n", b""):
        raise ValueError("draft has a bare CR or LF")
    head, _, payload = raw.partition(b"\r\n\r\n")
    fields = _fields(head)
    written = [k.lower() for k in msg]
    if [name.lower() for name, _ in fields] != written:
        raise ValueError(f"draft headers changed when re-read: {[n for n, _ in fields]}")
    if any(written.count(name) > 1 for name in _SINGLETONS):
        raise ValueError("draft repeats a header that must appear once")
    if (set(ids) | set(addresses)) - set(written):
        raise ValueError("draft lacks a message id or address header")
    for name, value in fields:
        key = name.lower()
        if key in ids:  # msg-ids are never decoded: compared exactly, octet for octet
            if value.split() != ids[key]:
                raise ValueError(f"draft {name} is not {' '.join(ids[key])}")
            continue
        if "=?" in value and _HEADER_CONTROLS.search(str(_read_back(name, value))):
            raise ValueError("draft has a control character in a header")
        if key in addresses and _addr_specs(name, value) != [addresses[key]]:
            raise ValueError(f"draft {name} reads back as another address")
    values = {name.lower(): value for name, value in fields}
    cte = values.get("content-transfer-encoding")
    if values.get("content-type") != _TEXT_PLAIN or cte not in _BODY_HEADERS:
        raise ValueError("draft is not one UTF-8 text part")
    if _decoded_body(payload, cte) != b"\r\n".join(body.encode("utf-8").splitlines()) + b"\r\n":
        raise ValueError("draft body does not decode to its text")


def draft_as_text(msg: EmailMessage) -> str:
    """A draft as a person reads it: decoded headers, a blank line, the decoded body."""
    lines = [f"{name}: {value}" for name, value in msg.items()]
    body: str = msg.get_content()
    return "\n".join(lines) + "\n\n" + body.replace("\r\n", "\n")
