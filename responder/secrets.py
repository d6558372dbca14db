"""Where the IMAP password (or OAuth2 token) comes from, without it touching argv or a log.

Order: the systemd credential ``$CREDENTIALS_DIRECTORY/imap-password``, then the password file,
then the password command, then the plain setting. Every value found is registered with the log
redactor before it is returned.
"""

from __future__ import annotations

import logging
import shlex
import stat
import subprocess
from pathlib import Path

from responder.errors import ConfigError
from responder.logs import register_secret

log = logging.getLogger(__name__)

#: Seconds a password or token command may take (a pinentry prompt can be slow).
COMMAND_TIMEOUT = 60.0


def resolve_password(
    *,
    password: str | None,
    password_file: Path | None,
    password_cmd: str | None,
    credentials_dir: str | None,
    credential_name: str = "imap-password",
) -> str:
    """The IMAP password from the first source that is set; ConfigError naming a broken one."""
    credential = Path(credentials_dir) / credential_name if credentials_dir else None
    if credential is not None and credential.is_file():
        secret = _read_secret_file(credential, f"systemd credential {credential_name}")
    elif password_file is not None:
        warning = file_mode_warning(password_file)
        if warning:
            log.warning("%s", warning)
        secret = _read_secret_file(password_file, "RESPONDER_IMAP_PASSWORD_FILE")
    elif password_cmd:
        secret = run_secret_command(password_cmd, "RESPONDER_IMAP_PASSWORD_CMD")
    elif password:
        secret = password
    else:
        raise ConfigError(
            "no IMAP password: set RESPONDER_IMAP_PASSWORD_FILE, RESPONDER_IMAP_PASSWORD_CMD "
            "or RESPONDER_IMAP_PASSWORD, or LoadCredential=imap-password in the unit"
        )
    register_secret(secret)
    return secret


def token_from_command(cmd: str) -> str:
    """A fresh OAuth2 access token from ``RESPONDER_IMAP_OAUTH2_TOKEN_CMD`` (run per login)."""
    token = run_secret_command(cmd, "RESPONDER_IMAP_OAUTH2_TOKEN_CMD")
    register_secret(token)
    return token


def file_mode_warning(path: Path) -> str | None:
    """A warning when *path* is readable by its group or others, else None."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return (
            f"password file {path} is readable by others (mode {stat.S_IMODE(mode):04o}); "
            f"run: chmod 600 {path}"
        )
    return None


def run_secret_command(cmd: str, setting: str) -> str:
    """The first line of *cmd*'s stdout (no shell); ConfigError on failure, never its output.

    The command's stderr is passed through so its own diagnostics reach the journal.
    """
    try:
        argv = shlex.split(cmd)
    except ValueError as exc:
        raise ConfigError(f"{setting} cannot be parsed: {exc}") from None
    if not argv:
        raise ConfigError(f"{setting} is empty")
    try:
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise ConfigError(f"{setting}: command not found: {argv[0]}") from None
    except PermissionError:
        raise ConfigError(f"{setting}: command not executable: {argv[0]}") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"{setting} did not finish within {COMMAND_TIMEOUT:g} s") from None
    if done.returncode != 0:
        raise ConfigError(f"{setting} failed with exit code {done.returncode}")
    line = _first_line(done.stdout.decode("utf-8", "replace"))
    if not line:
        raise ConfigError(f"{setting} printed nothing")
    return line


def _read_secret_file(path: Path, source: str) -> str:
    """The first line of the secret file *path*; ConfigError naming *source* when unusable."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{source}: {path} is not UTF-8 text") from None
    line = _first_line(text)
    if not line:
        raise ConfigError(f"{source}: {path} is empty")
    return line


def _first_line(text: str) -> str:
    """The first line of *text* without its line ending (other whitespace is kept)."""
    return text.splitlines()[0] if text else ""
