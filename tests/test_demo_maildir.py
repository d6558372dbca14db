"""The demo and the Maildir store: a real pass over files on disk, through the CLI."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import EML_DIR, expected_readings


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RESPONDER_")}
    clean.update(env or {})
    done = subprocess.run([sys.executable, "-m", "responder", *args], env=clean,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def files(folder: Path) -> dict[str, bytes]:
    """Return {file name: content} of the messages of one Maildir folder."""
    out = {}
    for sub in ("new", "cur"):
        if (folder / sub).is_dir():
            out.update({p.name: p.read_bytes() for p in (folder / sub).iterdir()})
    return out


def test_demo_drafts_files_and_leaves_the_samples(tmp_path: Path) -> None:
    """The demo's one pass drafts the genuine asks, files noise, leaves the rest untouched."""
    done = run("demo", "--keep", str(tmp_path))
    maildir = tmp_path / "Maildir"
    drafts = files(maildir / ".Drafts")
    filed = files(maildir / ".LinkedIn.Ignored")
    inbox = files(maildir)
    assert drafts
    assert filed
    expected = expected_readings()
    samples = sorted(p.name for p in (Path(__file__).parent.parent / "responder" / "demo_mail")
                     .glob("*.eml"))
    want_filed = {s for s in samples if expected[s]["expected_action"] == "file"}
    assert {n.split(".demo.")[1].split(":")[0] for n in filed} == want_filed
    assert len(drafts) == sum(expected[s]["expected_action"] == "draft" for s in samples)
    assert "draft(s) in" in done.stdout
    assert "26-personal-mail.eml: not LinkedIn" in done.stdout, "every sample is accounted for"
    for name, raw in drafts.items():
        assert name.endswith(":2,DS")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert msg["In-Reply-To"]
        assert "+1 555 0100" in msg.get_body(("plain",)).get_content()
    personal = [n for n in inbox if "26-personal-mail" in n]
    assert personal, "ordinary mail stays in the inbox"
    assert ":" not in personal[0], "ordinary mail keeps its file name (no flags added)"


def test_maildir_pass_matches_expected_and_is_idempotent(tmp_path: Path) -> None:
    """A Maildir pass over the whole corpus leaves exactly the expected files; again: nothing."""
    root = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True)
    for n, path in enumerate(sorted(EML_DIR.glob("*.eml"))):
        (root / "new" / f"{n:04d}.test.{path.name}").write_bytes(path.read_bytes())
    env = {
        "RESPONDER_MAILDIR": str(root),
        "RESPONDER_STATE_DIR": str(tmp_path / "state"),
        "RESPONDER_AUTHSERV_ID": "mx.example.org",
        "RESPONDER_SINCE_DAYS": "36500",
        "RESPONDER_FROM_NAME": "Dana Reyes",
        "RESPONDER_FROM_ADDRESS": "dana@example.org",
        "RESPONDER_PHONE": "+1 555 0100",
        "RESPONDER_SKYPE": "dana.reyes",
    }
    untouched = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in (root / "new").iterdir()}
    run("run", "--once", env=env)
    expected = expected_readings()

    def original(name: str) -> str:
        return name.split(".test.")[1].split(":")[0]

    filed = sorted(original(n) for n in files(root / ".LinkedIn.Ignored"))
    assert filed == sorted(f for f, e in expected.items() if e["expected_action"] == "file")
    assert len(files(root / ".Drafts")) == sum(
        e["expected_action"] == "draft" for e in expected.values())
    for name, raw in files(root).items():
        assert hashlib.sha256(raw).hexdigest() == untouched[name]
    before = {f: files(root / f) for f in ("", ".Drafts", ".LinkedIn.Ignored")}
    second = run("run", "--once", env=env)
    assert {f: files(root / f) for f in before} == before
    assert "nothing to do" in second.stdout
    status = run("status", "--json", env=env)
    data = json.loads(status.stdout)
    assert sum(v for k, v in data["total"].items() if k.startswith("draft/")) == len(
        files(root / ".Drafts"))
