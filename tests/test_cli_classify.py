"""`responder classify` through the real command line: mail files, ask texts, JSON Lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import EML_DIR, expected_readings

REQUIRED = ("file", "linkedin", "authentic", "kind", "has_ask", "sender_name", "ask_text",
            "label", "action", "evidence")


def responder(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESPONDER_")}
    return subprocess.run([sys.executable, "-m", "responder", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_json_reading_of_every_corpus_mail_matches_expected() -> None:
    """One JSON line per file, with every field of the reading and the action a pass takes."""
    files = sorted(EML_DIR.glob("*.eml"))
    done = responder("classify", "--json", "--authserv-id", "mx.example.org",
                     *map(str, files))
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["file"] for line in lines] == [f.name for f in files]
    expected = expected_readings()
    for line in lines:
        assert set(REQUIRED) <= set(line)
        want = expected[line["file"]]
        for field in ("linkedin", "authentic", "kind", "has_ask", "sender_name", "ask_text",
                      "label"):
            assert line[field] == want[field], (line["file"], field)
        assert line["action"] == want["expected_action"], line["file"]
        for item in line["evidence"]:
            assert item["pattern"].startswith(f"{item['label']}.")
            assert item["text"]
        if line["label"] not in (None, "unclear", "bare_invite"):
            assert line["evidence"], f"{line['file']}: a label comes with its evidence"


def test_without_authserv_id_nothing_is_authentic() -> None:
    """With no trusted server configured, even genuine LinkedIn mail is not trusted."""
    done = responder("classify", "--json", str(EML_DIR / "01-invitation-genuine.eml"))
    line = json.loads(done.stdout)
    assert line["linkedin"] is True
    assert line["authentic"] is False
    assert line["action"] == "flag_suspicious"


def test_jsonl_on_stdin_answers_each_line_in_order() -> None:
    """--jsonl reads asks from stdin and writes one JSON line per ask, in order."""
    asks = [
        {"id": "a", "text": "We are looking for investors for our seed round."},
        {"id": "b", "text": "", "kind": "invitation"},
        {"id": "c", "text": "Earn 10% commission on every transfer you receive for us."},
    ]
    done = responder("classify", "--jsonl", stdin="".join(json.dumps(a) + "\n" for a in asks))
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c"]
    assert [o["label"] for o in out] == ["investor_ask", "bare_invite", "scam"]
    assert [o["action"] for o in out] == ["file", "file", "file"]
    assert all(e["pattern"].startswith("investor_ask.") for e in out[0]["evidence"])


def test_jsonl_bad_line_is_reported_and_the_rest_answered() -> None:
    """A line that is not an ask object gets an error line; the others are still answered."""
    done = responder("classify", "--jsonl", stdin='not json\n{"text": "Hi, let\'s connect"}\n')
    assert done.returncode != 0
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert "error" in out[0]
    assert "label" in out[1]
    assert "not JSON objects" in done.stderr


def test_jsonl_lone_surrogates_are_classified_not_a_crash() -> None:
    """JSON may carry lone surrogates ("\\ud800"), which spaCy cannot hash: the ask is still
    classified, as if each were U+FFFD, and the evidence quotes the words around it."""
    text = "Earn 10% commission on every transfer \\ud800 you receive for us \\udcff."
    done = responder("classify", "--jsonl", stdin='{"text": "' + text + '"}\n')
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["label"] == "scam"
    assert "Traceback" not in done.stderr


def test_text_explains_the_decision() -> None:
    """--text prints the action, the label and each pattern that fired with its words."""
    done = responder("classify", "--text", "Looking for investors for my seed round")
    assert done.returncode == 0, done.stderr
    assert "action: file" in done.stdout
    assert "investor_ask." in done.stdout
    assert "seed round" in done.stdout
    assert "disable" in done.stdout, "it says how to switch a pattern off"
