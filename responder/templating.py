"""Reply templates: one jinja2 template per draftable label, rendered in a sandbox.

Mail text only ever reaches a template as a *variable*, never as template source, so a note
holding ``{{ 7*7 }}`` prints literally. A missing variable is an error (``StrictUndefined``),
found by ``Templates.check`` at start-up rather than as a blank greeting in a draft.
"""

from __future__ import annotations

import importlib.resources
import re
import traceback
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType, SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from responder.errors import ConfigError
from responder.models import LABELS, Kind, Notification

#: Labels that can have a draft; ``scam`` never does, whatever the settings say.
DRAFTABLE_LABELS: tuple[str, ...] = tuple(label for label in LABELS if label != "scam")

#: Longest ask quote, in characters, before the "…".
QUOTE_LIMIT = 100

_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class Identity:
    """Who the drafts come from and how to reach them; built from settings."""

    from_name: str
    from_address: str
    phone: str = ""
    skype: str = ""
    extra: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    reply_via_relay: bool = False


def template_name(label: str) -> str:
    """The file name of a label's template, e.g. ``genuine.txt.j2``."""
    return f"{label}.txt.j2"


def builtin_templates_dir() -> Path:
    """The default templates: packaged in the wheel, or the repo's ``templates/`` when editable."""
    packaged = importlib.resources.files("responder") / "templates"
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


# --- text helpers -----------------------------------------------------------------------

# C0 controls except TAB, DEL, C1 controls, and the Unicode line/paragraph separators.
_CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(r"\s+")


def one_line(text: str | None) -> str:
    """Text made safe for one line: controls and line breaks become spaces, runs collapse."""
    if not text:
        return ""
    if text.isprintable() and "  " not in text and text[0] != " " and text[-1] != " ":
        return text  # printable text has no control, surrogate or space but " ": nothing to do
    text = _SURROGATES.sub("\ufffd", text)
    text = _CONTROLS.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


_TEXT_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def multi_line(text: str | None) -> str:
    """Text with its line breaks kept as LF and every other control character a space."""
    if not text:
        return ""
    text = _SURROGATES.sub("\ufffd", text).replace("\r\n", "\n").replace("\r", "\n")
    return _TEXT_CONTROLS.sub(" ", text).strip()


_NAME_SUFFIX = re.compile(r"\s+via\s+LinkedIn\s*$", re.IGNORECASE)
_HONORIFICS = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof", "sir", "dame"})


def full_name(sender_name: str | None) -> str:
    """The sender's name on one line, without a trailing " via LinkedIn"."""
    return _NAME_SUFFIX.sub("", one_line(sender_name)).strip()


def first_name(sender_name: str | None) -> str:
    """The first word of the name that is not an honorific ("Dr. Ana Ruiz" -> "Ana")."""
    words = full_name(sender_name).split()
    for word in words:
        if word.rstrip(".").lower() not in _HONORIFICS:
            return word.strip(",")
    return words[-1] if words else ""


_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|dear|hola|hallo|bonjour|salut|ciao|ol[aá]|oi|greetings|"
    r"good\s+(?:morning|afternoon|evening|day))\b[^\n,.!:;?]{0,40}[,.!:;]\s*",
    re.IGNORECASE,
)
# Words an English quote should not end on before the "…".
_DANGLING = frozenset(
    {"a", "an", "the", "of", "in", "on", "at", "to", "for", "with", "and", "or", "but", "by"}
    | {"from", "my", "your", "our", "their", "his", "her", "its", "i", "we", "you", "it"}
    | {"is", "are", "was", "were", "be", "that", "this", "would", "could", "might", "can"}
    | {"will", "should", "may", "must", "have", "has", "had", "about", "as", "into", "than"}
)


_SENTENCE_END = re.compile(r"[.!?…](?=\s+[\"“(¿¡]?[A-ZÀ-Þ])")


def ask_quote(ask_text: str | None, limit: int = QUOTE_LIMIT) -> str:
    """A short quote of the ask: greeting dropped, one line; whole sentences if they fit in
    ``limit`` and are not too short, else cut on a word boundary with "…"."""
    text = one_line(ask_text)
    stripped = _GREETING.sub("", text, count=1)
    if stripped:
        text = stripped
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    if len(text) <= limit:
        return text
    ends = [m.end() for m in _SENTENCE_END.finditer(text) if 0.4 * limit <= m.end() <= limit]
    if ends:
        return text[: ends[-1]]
    words = text[: limit + 1].split(" ")
    if len(words) > 1:
        words.pop()  # the last word may be cut; a single over-long word is cut as is
    while len(words) > 3 and words[-1].lower().strip(",;:") in _DANGLING:
        words.pop()
    cut = " ".join(words)[:limit].rstrip(" ,;:.-–—")
    while cut and unicodedata.combining(text[len(cut)]):
        cut = cut[:-1]  # never part a letter from its combining marks
    return cut + "…"


_TRACKED_HOSTS = ("linkedin.com", ".linkedin.com")


def clean_url(url: str | None) -> str:
    """An http(s) URL without whitespace or controls; LinkedIn tracking query dropped."""
    value = (url or "").strip()
    if not value or _SPACES.search(value) or _CONTROLS.search(value):
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return ""
    host = parts.hostname.lower()
    if host == _TRACKED_HOSTS[0] or host.endswith(_TRACKED_HOSTS[1]):
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return value


# --- variables --------------------------------------------------------------------------


def template_variables(
    n: Notification, label: str, identity: Identity, to_address: str = ""
) -> dict[str, object]:
    """Everything a template may use (documented in ``templates/README.md``)."""
    thread_url = clean_url(n.thread_url)
    profile_url = clean_url(n.profile_url)
    extra = {str(k).lower(): one_line(str(v)) for k, v in identity.extra.items()}
    names = {k: v for k, v in extra.items() if k.isidentifier()}
    return {
        "from_name": one_line(identity.from_name),
        "from_first_name": first_name(identity.from_name),
        "from_address": one_line(identity.from_address),
        "phone": one_line(identity.phone),
        "skype": one_line(identity.skype),
        "extra": MappingProxyType(extra),
        "template": SimpleNamespace(**names),
        "first_name": first_name(n.sender_name),
        "full_name": full_name(n.sender_name),
        "headline": one_line(n.headline),
        "label": label,
        "kind": n.kind,
        "subject": one_line(n.subject),
        "ask_quote": ask_quote(n.ask_text),
        "ask_text": multi_line(n.ask_text),
        "profile_url": profile_url,
        "thread_url": thread_url,
        "reply_url": thread_url or profile_url,
        "to_address": to_address,
        "answer_on_linkedin": not to_address,
    }


# --- samples ----------------------------------------------------------------------------

_SAMPLE_ASKS: dict[str, tuple[Kind, str]] = {
    "genuine": (
        "inmail",
        "Hi, I read your write-up on replaying compacted topics after a schema change. "
        "We hit the same wall at Larchmont Freight and solved half of it differently. "
        "Would you be up for comparing notes on a call?",
    ),
    "stale_reconnect": (
        "invitation",
        "Hi! We sat next to each other at the Porto data meetup back in 2016. "
        "Saw your name today and thought it would be nice to reconnect.",
    ),
    "recruiter": (
        "inmail",
        "Hello, I'm hiring a lead data engineer for a remote team in logistics. "
        "Your background looks like a strong match. Open to a quick chat?",
    ),
    "pitch": (
        "invitation",
        "Our platform cuts pipeline incidents in half. Could I have 15 minutes of your time "
        "for a demo next week?",
    ),
    "investor_ask": (
        "message",
        "We're raising a seed round for a freight-matching app and looking for investors "
        "or introductions to them. Could we talk?",
    ),
    "free_work": (
        "message",
        "Could I pick your brain about my side project? I'd love you to review my "
        "architecture, it would only take a few hours.",
    ),
    "mlm": (
        "message",
        "Long time no see! I've found a great way to earn extra income from home and "
        "thought of you right away.",
    ),
    "contact_harvest": (
        "invitation",
        "I'm expanding my network in logistics. Could you introduce me to a few of your "
        "contacts in operations?",
    ),
    "bare_invite": ("invitation", ""),
    "unclear": ("message", "Hi, are you around next week?"),
}


def sample_notification(label: str) -> Notification:
    """A fictional, authentic-looking notification of ``label``, for ``preview`` and ``check``."""
    kind, ask = _SAMPLE_ASKS.get(label, _SAMPLE_ASKS["unclear"])
    subjects = {
        "invitation": "I want to connect",
        "inmail": "A question about your write-up",
        "message": "Ines just messaged you",
    }
    thread = "https://www.linkedin.com/messaging/thread/2-c2FtcGxlLXRocmVhZA==/"
    return Notification(
        message_id=f"<sample-{label}.0001@responder.invalid>",
        subject=subjects[kind],
        linkedin=True,
        authentic=True,
        kind=kind,
        has_ask=bool(ask),
        ask_text=ask or None,
        sender_name="Ines Albrecht",
        headline="Platform Engineer at Larchmont Freight",
        profile_url="https://www.linkedin.com/in/ines-albrecht-sample",
        thread_url=thread if kind != "invitation" else None,
        reply_to=(
            "Ines Albrecht <c0ffee00-sample@reply.linkedin.com>" if kind == "inmail" else None
        ),
    )


def _sparse(n: Notification) -> Notification:
    """The sample with every optional field empty, to prove templates cope without them."""
    return replace(
        n, sender_name=None, headline=None, profile_url=None, thread_url=None, subject=""
    )


# --- the templates ----------------------------------------------------------------------


def _where(exc: BaseException, fallback: str) -> str:
    """``file:line`` of the template frame an error came from, else ``fallback``."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"{exc.filename or exc.name or fallback}:{exc.lineno}"
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".j2"):
            return f"{frame.filename}:{frame.lineno}"
    return fallback


class Templates:
    """The reply templates: a user directory first, then the built-in defaults, file by file."""

    def __init__(self, env: jinja2.Environment, search_path: tuple[Path, ...]) -> None:
        self._env = env
        self.search_path = search_path

    @classmethod
    def load(cls, user_dir: Path | None = None) -> Templates:
        """Build the environment once and compile every template; ConfigError names a bad file."""
        builtin = builtin_templates_dir()
        paths: list[Path] = []
        if user_dir is not None:
            if not user_dir.is_dir():
                raise ConfigError(f"templates directory does not exist: {user_dir}")
            paths.append(user_dir)
        paths.append(builtin)
        env = ImmutableSandboxedEnvironment(
            loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(p)) for p in paths]),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # plain-text mail: HTML escaping would corrupt "&" and "<"
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        for directory in paths:
            for path in sorted(directory.glob("*.j2")):
                try:
                    env.get_template(path.name)
                except jinja2.TemplateSyntaxError as exc:
                    raise ConfigError(f"template {path}:{exc.lineno}: {exc.message}") from exc
        return cls(env, tuple(paths))

    def has(self, label: str) -> bool:
        """Whether some directory holds a template for ``label``."""
        return template_name(label) in self._env.list_templates(extensions=["j2"])

    def render(self, label: str, variables: Mapping[str, object]) -> str:
        """The body text for ``label``; ConfigError says which file and what went wrong."""
        if label not in DRAFTABLE_LABELS:
            raise ConfigError(f"no draft is ever made for label {label!r}")
        name = template_name(label)
        try:
            text = self._env.get_template(name).render(dict(variables))
        except jinja2.TemplateNotFound as exc:
            dirs = ", ".join(str(p) for p in self.search_path)
            raise ConfigError(f"no template {name} in {dirs}") from exc
        except jinja2.TemplateError as exc:
            kind = "unsafe template" if isinstance(exc, SecurityError) else "error"
            raise ConfigError(f"template {_where(exc, name)}: {kind}: {exc.message}") from exc
        return _tidy(text)

    def check(self, identity: Identity, labels: Iterable[str]) -> list[str]:
        """Problems found by rendering each label's template with sample notifications."""
        problems: list[str] = []
        if not one_line(identity.phone) and not one_line(identity.skype):
            problems.append(
                "RESPONDER_PHONE and RESPONDER_SKYPE are both empty: a draft offers a call, "
                "so set at least one"
            )
        if not one_line(identity.from_name):
            problems.append("RESPONDER_FROM_NAME is empty: drafts would not be signed")
        for label in dict.fromkeys(labels):
            if label == "scam":
                problems.append("label 'scam' is never drafted; remove it from the draft labels")
                continue
            if label not in DRAFTABLE_LABELS:
                problems.append(f"unknown label {label!r}")
                continue
            sample = sample_notification(label)
            for n in (sample, _sparse(sample)):
                try:
                    body = self.render(label, template_variables(n, label, identity))
                except ConfigError as exc:
                    problems.append(str(exc))
                    break
                if not body.strip():
                    problems.append(f"template {template_name(label)} renders an empty draft")
                    break
        return problems


_BLANK_RUNS = re.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    """Trailing spaces off, at most one blank line in a row, exactly one final newline."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n") + "\n"
