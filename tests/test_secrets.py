"""Password and token sources, with real files and real commands."""

from __future__ import annotations

import io
import logging
import shlex
import sys
from pathlib import Path

import pytest

from responder.errors import ConfigError
from responder.secrets import (
    file_mode_warning,
    resolve_password,
    run_secret_command,
    token_from_command,
)


def _secret_file(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def _resolve(**kwargs: object) -> str:
    settings: dict[str, object] = {
        "password": None,
        "password_file": None,
        "password_cmd": None,
        "credentials_dir": None,
    }
    settings.update(kwargs)
    return resolve_password(**settings)  # type: ignore[arg-type]


def test_credential_wins_over_everything(tmp_path: Path) -> None:
    creds = tmp_path / "creds"
    creds.mkdir()
    _secret_file(creds / "imap-password", "from-credential\n", 0o400)
    got = _resolve(
        credentials_dir=str(creds),
        password_file=_secret_file(tmp_path / "pw", "from-file\n"),
        password_cmd="printf from-cmd",
        password="from-setting",
    )
    assert got == "from-credential"


def test_named_credential(tmp_path: Path) -> None:
    _secret_file(tmp_path / "alice.password", "alice-pw")
    got = _resolve(credentials_dir=str(tmp_path), credential_name="alice.password")
    assert got == "alice-pw"


def test_missing_credential_falls_through_to_file(tmp_path: Path) -> None:
    got = _resolve(
        credentials_dir=str(tmp_path),
        password_file=_secret_file(tmp_path / "pw", "  spaced pw  \r\nsecond line\n"),
        password="from-setting",
    )
    assert got == "  spaced pw  "


def test_command_then_setting(tmp_path: Path) -> None:
    assert _resolve(password_cmd="printf 'cmd pw\\nignored\\n'", password="x") == "cmd pw"
    assert _resolve(password="from-setting") == "from-setting"


def test_nothing_set_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no IMAP password"):
        _resolve()


def test_failing_command_names_setting_and_code_not_output(tmp_path: Path) -> None:
    script = tmp_path / "leaky.py"
    script.write_text("import sys\nprint('hunter2-leaked')\nsys.exit(4)\n")
    cmd = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"
    with pytest.raises(ConfigError) as caught:
        _resolve(password_cmd=cmd)
    message = str(caught.value)
    assert "RESPONDER_IMAP_PASSWORD_CMD" in message
    assert "exit code 4" in message
    assert "hunter2" not in message
    with pytest.raises(ConfigError, match="RESPONDER_IMAP_PASSWORD_CMD failed with exit code 1"):
        _resolve(password_cmd="false")


def test_command_is_not_run_by_a_shell(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    got = _resolve(password_cmd=f"printf pw; touch {marker}")
    assert got == "pw;"
    assert not marker.exists()


def test_command_errors() -> None:
    with pytest.raises(ConfigError, match="command not found"):
        run_secret_command("/nonexistent/get-pw", "RESPONDER_IMAP_PASSWORD_CMD")
    with pytest.raises(ConfigError, match="printed nothing"):
        run_secret_command("true", "RESPONDER_IMAP_PASSWORD_CMD")
    with pytest.raises(ConfigError, match="cannot be parsed"):
        run_secret_command("printf 'open", "RESPONDER_IMAP_PASSWORD_CMD")
    with pytest.raises(ConfigError, match="is empty"):
        run_secret_command("   ", "RESPONDER_IMAP_PASSWORD_CMD")


def test_unreadable_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="RESPONDER_IMAP_PASSWORD_FILE: cannot read"):
        _resolve(password_file=tmp_path / "missing")
    with pytest.raises(ConfigError, match="is empty"):
        _resolve(password_file=_secret_file(tmp_path / "empty", "\n"))


def test_world_readable_file_warns(tmp_path: Path, captured_log: io.StringIO) -> None:
    loose = _secret_file(tmp_path / "loose", "pw-loose\n", 0o644)
    assert _resolve(password_file=loose) == "pw-loose"
    text = captured_log.getvalue()
    assert "readable by others (mode 0644)" in text
    assert f"chmod 600 {loose}" in text
    assert file_mode_warning(_secret_file(tmp_path / "tight", "x", 0o600)) is None
    assert file_mode_warning(_secret_file(tmp_path / "group", "x", 0o640)) is not None


def test_every_source_is_registered_for_redaction(
    tmp_path: Path, captured_log: io.StringIO
) -> None:
    creds = tmp_path / "creds"
    creds.mkdir()
    _secret_file(creds / "imap-password", "pw-credential")
    values = [
        _resolve(credentials_dir=str(creds)),
        _resolve(password_file=_secret_file(tmp_path / "pw", "pw-file")),
        _resolve(password_cmd="printf pw-command"),
        _resolve(password="pw-setting"),
        token_from_command("printf 'tok-oauth\\n'"),
    ]
    assert values[-1] == "tok-oauth"
    for value in values:
        logging.getLogger("responder.test").info("using %s", value)
    text = captured_log.getvalue()
    for value in values:
        assert value not in text
    assert text.count("**REDACTED**") == len(values)


def test_token_command_errors_name_their_setting() -> None:
    with pytest.raises(ConfigError, match="RESPONDER_IMAP_OAUTH2_TOKEN_CMD failed"):
        token_from_command("false")
