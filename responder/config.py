"""Settings: read the ``.env`` file and the environment once into a frozen, typed ``Settings``.

The real environment wins over the file. A wrong value fails with the setting's name and what
is allowed; an unknown ``RESPONDER_*`` name fails as a likely typo, with the nearest known name.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from responder.errors import ConfigError
from responder.models import DEFAULT_DRAFT_LABELS, DEFAULT_FILE_LABELS, LABELS
from responder.tls import is_loopback

Security = Literal["ssl", "starttls", "plain"]
T = TypeVar("T")

PREFIX = "RESPONDER_"
TEMPLATE_PREFIX = "RESPONDER_TEMPLATE_"

#: Every setting responder reads, with its default as written in ``config.example.env``.
KNOWN: dict[str, str] = {
    "RESPONDER_IMAP_HOST": "",
    "RESPONDER_IMAP_PORT": "",
    "RESPONDER_IMAP_USER": "",
    "RESPONDER_IMAP_PASSWORD": "",
    "RESPONDER_IMAP_PASSWORD_FILE": "",
    "RESPONDER_IMAP_PASSWORD_CMD": "",
    "RESPONDER_IMAP_OAUTH2_TOKEN_CMD": "",
    "RESPONDER_IMAP_SECURITY": "ssl",
    "RESPONDER_IMAP_CA_FILE": "",
    "RESPONDER_IMAP_TIMEOUT": "60",
    "RESPONDER_MAILDIR": "",
    "RESPONDER_SOURCE_FOLDER": "INBOX",
    "RESPONDER_SINCE_DAYS": "7",
    "RESPONDER_IGNORE_FOLDER": "LinkedIn/Ignored",
    "RESPONDER_DRAFTS_FOLDER": "",
    "RESPONDER_STATE_DIR": "",
    "RESPONDER_POLL_SECONDS": "300",
    "RESPONDER_IDLE": "false",
    "RESPONDER_CANDIDATE_SEARCH": "auto",
    "RESPONDER_DRY_RUN": "false",
    "RESPONDER_AUTHSERV_ID": "",
    "RESPONDER_REQUIRE_AUTHENTICATION": "true",
    "RESPONDER_FROM_NAME": "",
    "RESPONDER_FROM_ADDRESS": "",
    "RESPONDER_PHONE": "",
    "RESPONDER_SKYPE": "",
    "RESPONDER_DRAFT_LABELS": ",".join(DEFAULT_DRAFT_LABELS),
    "RESPONDER_FILE_LABELS": ",".join(DEFAULT_FILE_LABELS),
    "RESPONDER_TEMPLATES_DIR": "",
    "RESPONDER_PATTERNS_FILE": "",
    "RESPONDER_REPLY_VIA_LINKEDIN_RELAY": "false",
    "RESPONDER_REPLY_ONCE_DAYS": "30",
    "RESPONDER_MAX_MESSAGE_BYTES": "5000000",
    "RESPONDER_FLAG_SUSPICIOUS": "true",
    "RESPONDER_LOG_LEVEL": "INFO",
    "RESPONDER_SENT_FOLDER": "",
    "RESPONDER_DISCARD_GRACE_DAYS": "3",
    "RESPONDER_LEARN_FROM": "rescued,discarded",
    "RESPONDER_RESCUE_FOLDERS": "",
    "RESPONDER_KEEP_ASK_CHARS": "300",
}


@dataclass(frozen=True)
class Settings:
    """Every setting, parsed and checked. Built by ``load_settings``."""

    imap_host: str = ""
    imap_port: int = 993
    imap_user: str = ""
    imap_password: str = field(default="", repr=False)
    imap_password_file: Path | None = None
    imap_password_cmd: str = field(default="", repr=False)
    imap_oauth2_token_cmd: str = field(default="", repr=False)
    imap_security: Security = "ssl"
    imap_ca_file: Path | None = None
    imap_timeout: float = 60.0
    maildir: Path | None = None
    source_folder: str = "INBOX"
    since_days: int = 7
    ignore_folder: str = "LinkedIn/Ignored"
    drafts_folder: str = ""
    state_dir: Path = Path(".")
    poll_seconds: int = 300
    idle: bool = False
    candidate_search: str = "auto"
    dry_run: bool = False
    authserv_id: str = ""
    require_authentication: bool = True
    from_name: str = ""
    from_address: str = ""
    phone: str = ""
    skype: str = ""
    draft_labels: tuple[str, ...] = DEFAULT_DRAFT_LABELS
    file_labels: tuple[str, ...] = DEFAULT_FILE_LABELS
    templates_dir: Path | None = None
    patterns_file: Path | None = None
    reply_via_linkedin_relay: bool = False
    reply_once_days: int = 30
    max_message_bytes: int = 5_000_000
    flag_suspicious: bool = True
    log_level: str = "INFO"
    template_extra: dict[str, str] = field(default_factory=dict)
    sent_folder: str = ""
    discard_grace_days: int = 3
    learn_from: tuple[str, ...] = ("rescued", "discarded")
    rescue_folders: tuple[str, ...] = ()
    keep_ask_chars: int = 300
    warnings: tuple[str, ...] = ()

    @property
    def account(self) -> str:
        """A stable name for this mailbox, used in state keys and the lock file."""
        if self.maildir is not None:
            return f"maildir:{self.maildir}"
        return f"{self.imap_user}@{self.imap_host}:{self.imap_port}"


def read_environment(env_file: Path | None, environ: Mapping[str, str]) -> dict[str, str]:
    """Return the ``RESPONDER_*`` values of ``env_file`` overlaid by those of ``environ``."""
    values: dict[str, str] = {}
    if env_file is not None:
        from dotenv import dotenv_values

        try:
            file_values = dotenv_values(env_file)
        except OSError as exc:
            raise ConfigError(f"cannot read settings file {env_file}: {exc.strerror}") from exc
        values.update({k: v for k, v in file_values.items() if v is not None})
    values.update({k: v for k, v in environ.items() if k.startswith(PREFIX)})
    return {k: v for k, v in values.items() if k.startswith(PREFIX)}


def load_settings(
    env_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    need_mailbox: bool = True,
) -> Settings:
    """Return the checked settings, or raise ConfigError naming the first bad one.

    With ``need_mailbox=False`` (commands that only read files) no server is required.
    """
    env = dict(os.environ if environ is None else environ)
    raw = read_environment(env_file, env)
    _reject_unknown(raw)

    def get(name: str) -> str:
        return raw.get(name, KNOWN[name]).strip()

    maildir = _path_or_none(get("RESPONDER_MAILDIR"))
    security = _choice(get, "RESPONDER_IMAP_SECURITY", ("ssl", "starttls", "plain"))
    host = get("RESPONDER_IMAP_HOST")
    if maildir is None and need_mailbox:
        _require(host, "RESPONDER_IMAP_HOST", "the IMAP server (or set RESPONDER_MAILDIR)")
        _require(get("RESPONDER_IMAP_USER"), "RESPONDER_IMAP_USER", "the IMAP login name")
        if security == "plain" and not is_loopback(host):
            raise ConfigError(
                f"RESPONDER_IMAP_SECURITY=plain is refused for {host}: plain IMAP sends the "
                "password unencrypted; it is allowed only for loopback (127.0.0.1, ::1, localhost)"
            )
    default_port = "993" if security == "ssl" else "143"
    draft_labels = _labels(get, "RESPONDER_DRAFT_LABELS")
    file_labels = _labels(get, "RESPONDER_FILE_LABELS")
    warnings: list[str] = []
    if "scam" in draft_labels:
        warnings.append("RESPONDER_DRAFT_LABELS lists scam: scam asks are never drafted; ignored")
        draft_labels = tuple(label for label in draft_labels if label != "scam")
    both = sorted(set(draft_labels) & set(file_labels))
    if both:
        raise ConfigError(
            f"RESPONDER_DRAFT_LABELS and RESPONDER_FILE_LABELS both list {', '.join(both)}: "
            "a label is either drafted or filed"
        )
    authserv = get("RESPONDER_AUTHSERV_ID")
    require_auth = _bool(get, "RESPONDER_REQUIRE_AUTHENTICATION")
    if not authserv and require_auth:
        warnings.append(
            "RESPONDER_AUTHSERV_ID is not set: no mail can be proven to come from LinkedIn, so "
            "nothing will be drafted or filed. Set it to the authserv-id your own mail server "
            "writes in Authentication-Results (see README)"
        )
    return Settings(
        imap_host=host,
        imap_port=_int(lambda n: raw.get(n, default_port).strip(), "RESPONDER_IMAP_PORT", 1, 65535),
        imap_user=get("RESPONDER_IMAP_USER"),
        imap_password=raw.get("RESPONDER_IMAP_PASSWORD", ""),
        imap_password_file=_path_or_none(get("RESPONDER_IMAP_PASSWORD_FILE")),
        imap_password_cmd=get("RESPONDER_IMAP_PASSWORD_CMD"),
        imap_oauth2_token_cmd=get("RESPONDER_IMAP_OAUTH2_TOKEN_CMD"),
        imap_security=security,  # type: ignore[arg-type]
        imap_ca_file=_existing_file(get, "RESPONDER_IMAP_CA_FILE"),
        imap_timeout=float(_int(get, "RESPONDER_IMAP_TIMEOUT", 1, 3600)),
        maildir=maildir,
        source_folder=_nonempty(get, "RESPONDER_SOURCE_FOLDER"),
        since_days=_int(get, "RESPONDER_SINCE_DAYS", 0, 36500),
        ignore_folder=_nonempty(get, "RESPONDER_IGNORE_FOLDER"),
        drafts_folder=get("RESPONDER_DRAFTS_FOLDER"),
        state_dir=_state_dir(get("RESPONDER_STATE_DIR"), env),
        poll_seconds=_int(get, "RESPONDER_POLL_SECONDS", 10, 86400),
        idle=_bool(get, "RESPONDER_IDLE"),
        candidate_search=_choice(get, "RESPONDER_CANDIDATE_SEARCH", ("auto", "server", "headers")),
        dry_run=_bool(get, "RESPONDER_DRY_RUN"),
        authserv_id=authserv,
        require_authentication=require_auth,
        from_name=get("RESPONDER_FROM_NAME"),
        from_address=get("RESPONDER_FROM_ADDRESS") or _address_or_empty(get("RESPONDER_IMAP_USER")),
        phone=get("RESPONDER_PHONE"),
        skype=get("RESPONDER_SKYPE"),
        draft_labels=draft_labels,
        file_labels=file_labels,
        templates_dir=_existing_dir(get, "RESPONDER_TEMPLATES_DIR"),
        patterns_file=_existing_file(get, "RESPONDER_PATTERNS_FILE"),
        reply_via_linkedin_relay=_bool(get, "RESPONDER_REPLY_VIA_LINKEDIN_RELAY"),
        reply_once_days=_int(get, "RESPONDER_REPLY_ONCE_DAYS", 0, 3650),
        max_message_bytes=_int(get, "RESPONDER_MAX_MESSAGE_BYTES", 10_000, 1_000_000_000),
        flag_suspicious=_bool(get, "RESPONDER_FLAG_SUSPICIOUS"),
        log_level=_choice(get, "RESPONDER_LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR")),
        template_extra={
            k[len(TEMPLATE_PREFIX) :].lower(): v for k, v in raw.items()
            if k.startswith(TEMPLATE_PREFIX)
        },
        sent_folder=get("RESPONDER_SENT_FOLDER"),
        discard_grace_days=_int(get, "RESPONDER_DISCARD_GRACE_DAYS", 0, 365),
        learn_from=_learn_from(get),
        rescue_folders=tuple(f.strip() for f in get("RESPONDER_RESCUE_FOLDERS").split(",")
                             if f.strip()),
        keep_ask_chars=_int(get, "RESPONDER_KEEP_ASK_CHARS", 0, 5000),
        warnings=tuple(warnings),
    )


def _reject_unknown(raw: Mapping[str, str]) -> None:
    for name in sorted(raw):
        if name in KNOWN or name.startswith(TEMPLATE_PREFIX):
            continue
        near = difflib.get_close_matches(name, list(KNOWN), n=1)
        hint = f" (did you mean {near[0]}?)" if near else ""
        raise ConfigError(f"unknown setting {name}: likely a typo{hint}")


def _learn_from(get: Callable[[str], str]) -> tuple[str, ...]:
    kinds = tuple(k.strip() for k in get("RESPONDER_LEARN_FROM").split(",") if k.strip())
    bad = [k for k in kinds if k not in ("rescued", "discarded")]
    if bad:
        raise ConfigError(
            f"RESPONDER_LEARN_FROM has {bad[0]!r}: use rescued, discarded, both or neither"
        )
    return kinds


def _require(value: str, name: str, what: str) -> None:
    if not value:
        raise ConfigError(f"{name} is required: {what}")


def _nonempty(get: Callable[[str], str], name: str) -> str:
    value = get(name)
    _require(value, name, "a non-empty value")
    return value


def _bool(get: Callable[[str], str], name: str) -> bool:
    value = get(name).lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("", "0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={value!r} is not allowed: use true or false")


def _int(get: Callable[[str], str], name: str, low: int, high: int) -> int:
    value = get(name)
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a whole number ({low} to {high})") from None
    if not low <= number <= high:
        raise ConfigError(f"{name}={number} is out of range: allowed {low} to {high}")
    return number


def _choice(get: Callable[[str], str], name: str, allowed: tuple[str, ...]) -> str:
    value = get(name)
    folded = value.upper() if allowed[0].isupper() else value.lower()
    if folded not in allowed:
        raise ConfigError(f"{name}={value!r} is not allowed: use one of {', '.join(allowed)}")
    return folded


def _labels(get: Callable[[str], str], name: str) -> tuple[str, ...]:
    labels = tuple(part.strip() for part in get(name).split(",") if part.strip())
    unknown = [label for label in labels if label not in LABELS]
    if unknown:
        raise ConfigError(
            f"{name} has unknown label {unknown[0]!r}: allowed {', '.join(LABELS)}"
        )
    return labels


def _path_or_none(value: str) -> Path | None:
    return Path(value).expanduser() if value else None


def _existing_file(get: Callable[[str], str], name: str) -> Path | None:
    path = _path_or_none(get(name))
    if path is not None and not path.is_file():
        raise ConfigError(f"{name}: no such file: {path}")
    return path


def _existing_dir(get: Callable[[str], str], name: str) -> Path | None:
    path = _path_or_none(get(name))
    if path is not None and not path.is_dir():
        raise ConfigError(f"{name}: no such directory: {path}")
    return path


def _state_dir(value: str, environ: Mapping[str, str]) -> Path:
    if value:
        return Path(value).expanduser()
    systemd_dir = environ.get("STATE_DIRECTORY", "")
    if systemd_dir:
        return Path(systemd_dir.split(":")[0])
    xdg = environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(xdg) / "responder"


def _address_or_empty(login: str) -> str:
    """The IMAP login when it is a mail address (the usual case), else ''."""
    return login if "@" in login.strip("@") else ""
