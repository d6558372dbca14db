"""Is a mail really from LinkedIn? Authentication-Results parsing and From-domain checks.

Only the ``Authentication-Results`` field written by the user's own server (its authserv-id) is
believed; anything an earlier hop or the sender wrote is ignored. A pass counts only when it is
aligned with ``linkedin.com`` (DMARC relaxed alignment: the domain or any subdomain).
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from email.message import Message
from functools import lru_cache
from urllib.parse import urlsplit

from responder.mailtext import (
    MailBody,
    address_domain,
    header_names,
    header_values,
    mailboxes,
    parse_address,
    raw_values,
)

LINKEDIN = "linkedin.com"
#: Hosts a genuine notification links to (pages, images, short links).
LINKEDIN_HOSTS = ("linkedin.com", "licdn.com", "lnkd.in")

#: Characters of one Authentication-Results field that are read; real ones are under 2 KB.
_MAX_FIELD = 8192
_COMMENT = re.compile(r"\([^()]*\)")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_RESULT = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*=\s*([A-Za-z0-9_-]+)")
# Possessive (++, *+): giving characters back could never make these match.
_PROPERTY = re.compile(r"([A-Za-z0-9_-]++\.[A-Za-z0-9_.-]++)\s*+=\s*+([^\s;]++)")
# Look-alike glyphs folded onto the letters of "linkedin" before comparing.
_FOLD = str.maketrans("1|!iíìıіӏ0оекԁп", "llllllllloo" + "ekdn")
_SKELETON = "llnkedln"


@dataclass(frozen=True)
class AuthResult:
    """One method result of an Authentication-Results field, e.g. ``dkim=pass`` with its
    properties (``header.d`` → ``linkedin.com``), all lower-cased."""

    method: str
    result: str
    props: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AuthResults:
    """One Authentication-Results field: who wrote it and what it says."""

    authserv_id: str
    results: tuple[AuthResult, ...] = ()


def _strip_comments(value: str) -> str:
    """Return ``value`` without quoted strings' delimiters confusing us and without comments."""
    if '"' in value:
        value = _QUOTED.sub('""', value)
    for _ in range(10):  # nested comments, peeled from the inside out
        if "(" not in value:
            break
        stripped = _COMMENT.sub(" ", value)
        if stripped == value:
            break
        value = stripped
    return value


def parse_authentication_results(value: str) -> AuthResults | None:
    """Return the parsed field, or None when it has no authserv-id; tolerant of folding,
    comments, unknown methods and garbage between results."""
    text = _strip_comments(" ".join(value[:_MAX_FIELD].split()))
    head, _, rest = text.partition(";")
    words = head.split()
    if not words:
        return None
    results: list[AuthResult] = []
    for chunk in rest.split(";"):
        match = _RESULT.match(chunk)
        if not match:
            continue
        props = {k.lower(): v.lower().strip('"') for k, v in _PROPERTY.findall(chunk)}
        results.append(AuthResult(match.group(1).lower(), match.group(2).lower(), props))
    return AuthResults(words[0].lower(), tuple(results))


def trusted_results(fields: Iterable[str], authserv_id: str) -> AuthResults | None:
    """Return the topmost Authentication-Results field written by ``authserv_id``, or None.

    ``fields`` come in header order (topmost first); fields of other servers are skipped and
    any of ours further down (added before our server, so forgeable) are never looked at.
    """
    wanted = authserv_id.strip().lower()
    for value in fields:
        parsed = parse_authentication_results(value)
        if parsed is not None and parsed.authserv_id == wanted:
            return parsed
    return None


def in_domain(domain: str, parent: str) -> bool:
    """Return True when ``domain`` is ``parent`` or a subdomain of it."""
    domain = domain.lower().rstrip(".")
    return domain == parent or domain.endswith("." + parent)


def is_linkedin_domain(domain: str) -> bool:
    """Return True for ``linkedin.com`` and its subdomains, and nothing else."""
    return in_domain(domain, LINKEDIN)


def _dkim_domain(result: AuthResult) -> str:
    """Return the signing domain of a dkim result: ``header.d``, else the domain of
    ``header.i``."""
    domain = result.props.get("header.d", "")
    if not domain:
        domain = result.props.get("header.i", "").rpartition("@")[2]
    return domain


def auth_failures(results: AuthResults | None, from_domain: str) -> tuple[str, ...]:
    """Return why ``results`` do not prove a LinkedIn origin for ``from_domain``; ``()`` when
    an aligned ``dkim=pass`` or ``dmarc=pass`` for linkedin.com is there."""
    if results is None:
        return ("no authentication results from our server",)
    if not is_linkedin_domain(from_domain):
        return (f"from domain {from_domain or 'missing'} is not linkedin.com",)
    for res in results.results:
        if res.result != "pass":
            continue
        if res.method == "dkim" and is_linkedin_domain(_dkim_domain(res)):
            return ()
        if res.method == "dmarc" and is_linkedin_domain(res.props.get("header.from", "")):
            return ()
    dkims = [r for r in results.results if r.method == "dkim"]
    if any(r.result == "pass" for r in dkims):
        return ("dkim not aligned with linkedin.com",)
    if dkims:
        return (f"dkim={dkims[0].result}, no pass for linkedin.com",)
    return ("no dkim or dmarc pass for linkedin.com",)


def _skeleton(text: str) -> str:
    """Return ``text`` lower-cased, look-alike glyphs folded, and only letters kept."""
    text = unicodedata.normalize("NFKC", text).lower()
    if "xn--" in text:
        with contextlib.suppress(UnicodeError, ValueError):
            text = text.encode("ascii").decode("idna")
    text = text.replace("rn", "m").translate(_FOLD)
    return "".join(filter(str.isalpha, text))


def looks_like_linkedin(text: str) -> bool:
    """Return True when ``text`` (a domain or display name) spells "LinkedIn", also with
    look-alike letters such as ``linkedln`` or ``linked1n``."""
    if len(text) > _CACHED_NAME_CHARS:
        return _spells_linkedin(text)
    return _spells_linkedin_cached(text)


def _spells_linkedin(text: str) -> bool:
    """Return True when the skeleton of ``text`` holds "llnkedln"."""
    return _SKELETON in _skeleton(text)


#: Longest text whose answer is remembered: domains and LinkedIn's own display names repeat.
_CACHED_NAME_CHARS = 256
_spells_linkedin_cached = lru_cache(maxsize=2048)(_spells_linkedin)


def lookalike_reason(domain: str) -> str | None:
    """Return a short reason when ``domain`` imitates LinkedIn without being linkedin.com."""
    if not domain or is_linkedin_domain(domain):
        return None
    if looks_like_linkedin(domain):
        return f"from domain {domain} is a look-alike"
    return None


def _outside_host(url: str) -> str:
    """Return the host of ``url`` when it is not one of LinkedIn's, else ``""``."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""
    return "" if any(in_domain(host, good) for good in LINKEDIN_HOSTS) else host


#: Longest URL whose answer is remembered: the hosts of links repeat from mail to mail.
_CACHED_URL_CHARS = 256
_outside_host_cached = lru_cache(maxsize=1024)(_outside_host)


def foreign_hosts(urls: Iterable[str], limit: int = 5) -> tuple[str, ...]:
    """Return up to ``limit`` distinct hosts of ``urls`` that are not LinkedIn's."""
    found: list[str] = []
    netlocs: set[str] = set()
    for url in urls:
        netloc = url.split("/", 3)[2] if url.count("/") >= 2 else url
        if netloc in netlocs:
            continue
        netlocs.add(netloc)
        host = _outside_host_cached(url) if len(url) <= _CACHED_URL_CHARS else _outside_host(url)
        if not host or host in found:
            continue
        found.append(host)
        if len(found) >= limit:
            break
    return tuple(found)


# --- the mail as a whole -------------------------------------------------------------------

# Both patterns start with a literal ("://", "=") and test what must come before it by looking
# back, so the scan is a quick search for that literal rather than a match tried at every
# position: the same matches in a fraction of the time.
_URL_HOST = re.compile(r"://(?:(?<=https://)|(?<=http://))([^\s<>\"'()\[\]{}/?#\\]+)", re.I)
# Links in markup: attribute values a click or an image load would follow (not xmlns or doctypes).
_HTML_LINK_HOST = re.compile(
    r"""=(?<![Xx][Mm][Ll][Nn][Ss]=)\s*(?:["']\s*)?https?://([^\s"'<>/?#\\]+)""", re.I
)
_ALLOWED_TYPES = ("multipart/alternative", "text/plain", "text/html")


@dataclass(frozen=True)
class Sender:
    """The From field as read: display name, address, domain, and why it is malformed."""

    name: str = ""
    address: str = ""
    domain: str = ""
    problem: str | None = None


def read_from(msg: Message) -> Sender:
    """Return the single From mailbox; a missing or doubled From field, or one holding other
    than one address, comes back with ``problem`` set (malformed)."""
    values = raw_values(msg, "From")
    pairs = mailboxes(values[0]) if values else []
    name, address = pairs[0] if pairs else ("", "")
    sender = Sender(name, address, address_domain(address))
    if len(values) != 1:
        problem = "malformed: no From field" if not values else "malformed: two From fields"
        return replace(sender, problem=problem)
    if len(pairs) != 1 or "@" not in address:
        return replace(sender, problem="malformed: From is not one address")
    return sender


def presents_as_linkedin(msg: Message, sender: Sender) -> bool:
    """Return True when the mail claims to be LinkedIn's: by From address or display name
    (look-alikes included), by a Sender on linkedin.com, or by X-LinkedIn-* header fields."""
    if any(name.startswith("x-linkedin-") for name in header_names(msg)):
        return True
    if any(looks_like_linkedin(text) for text in (sender.name, sender.domain) if text):
        return True
    return is_linkedin_domain(
        address_domain(parse_address(" ".join(raw_values(msg, "Sender")[:1]))[1])
    )


def suspicions(
    msg: Message,
    sender: Sender,
    body: MailBody,
    own_words: str,
    authserv_id: str | None,
    require_authentication: bool,
) -> list[str]:
    """Return every reason not to trust a mail that presents itself as LinkedIn: From field,
    authentication, attachments, MIME shape, links to other hosts (outside ``own_words``,
    the person's own text)."""
    reasons: list[str] = [sender.problem] if sender.problem else []
    reasons.extend(_from_reasons(sender))
    if is_linkedin_domain(sender.domain):
        if authserv_id is not None:
            trusted = trusted_results(header_values(msg, "Authentication-Results"), authserv_id)
            reasons.extend(auth_failures(trusted, sender.domain))
        elif require_authentication:
            reasons.append("no authserv-id configured to check authentication")
    if body.attachments:
        reasons.append("has an attachment")
    top = body.content_type
    if top not in _ALLOWED_TYPES:
        reasons.append(f"structure unlike LinkedIn's ({top})")
    hosts = set(_URL_HOST.findall(body.plain[:65536]))
    hosts.update(_HTML_LINK_HOST.findall(body.html[:262144]))
    urls = sorted(f"https://{h}" for h in hosts if f"://{h}" not in own_words)
    reasons.extend(f"links to non-LinkedIn host {h}" for h in foreign_hosts(urls))
    return reasons


def _from_reasons(sender: Sender) -> list[str]:
    """Return reasons found in the From field: a look-alike domain or a display-name spoof."""
    if not sender.domain or is_linkedin_domain(sender.domain):
        return []
    lookalike = lookalike_reason(sender.domain)
    if lookalike:
        return [lookalike]
    if looks_like_linkedin(sender.name):
        return [f"display name claims LinkedIn but from domain is {sender.domain}"]
    return [f"from domain {sender.domain} is not linkedin.com"]
