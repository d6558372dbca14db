"""``responder classify``: what a pass would do with mail files or ask texts, and why."""

from __future__ import annotations

import codecs
import json
import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

import click

from responder.cli_common import fail, guarded, settings_from
from responder.config import Settings
from responder.decide import Policy, action_for_label, decide, needs_classification
from responder.models import Classification, Decision, Notification


def evidence_json(c: Classification | None) -> list[dict[str, Any]]:
    """Return the evidence as ``[{"pattern", "text", "label", "weight", "negated"}]``."""
    if c is None:
        return []
    return [
        {"pattern": e.pattern, "text": e.text, "label": e.label, "weight": e.weight,
         "negated": e.negated}
        for e in c.evidence
    ]


def reading_json(
    name: str, n: Notification, c: Classification | None, d: Decision
) -> dict[str, Any]:
    """Return the JSON object ``classify --json`` prints for one mail."""
    return {
        "file": name,
        "linkedin": n.linkedin,
        "authentic": n.authentic,
        "kind": n.kind,
        "template": n.template,
        "has_ask": n.has_ask,
        "preview_only": n.preview_only,
        "sender_name": n.sender_name,
        "headline": n.headline,
        "profile_url": n.profile_url,
        "thread_url": n.thread_url,
        "reply_to": n.reply_to,
        "ask_text": n.ask_text,
        "label": c.label if c is not None else None,
        "language": c.language if c is not None else None,
        "action": d.action,
        "reason": d.reason,
        "patterns": list(d.patterns),
        "evidence": evidence_json(c),
        "suspicious": list(n.suspicious),
        "loop_reason": n.loop_reason,
        "problem": n.problem,
        "message_id": n.message_id,
    }


def _policy(settings: Settings) -> Policy:
    return Policy(
        draft_labels=settings.draft_labels,
        file_labels=settings.file_labels,
        reply_once_days=settings.reply_once_days,
    )


@click.command("classify")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file (JSON Lines).")
@click.option("--jsonl", is_flag=True, help="Read JSON lines with 'text' from stdin.")
@click.option("--text", "texts", multiple=True, help="Classify this ask text (repeatable).")
@click.option("--kind", type=click.Choice(["invitation", "inmail", "message"]), default=None,
              help="Kind of the ask given with --text.")
@click.option("--authserv-id", default=None,
              help="Trust Authentication-Results of this server (default: the setting).")
@click.pass_context
def classify_command(
    ctx: click.Context,
    files: tuple[Path, ...],
    as_json: bool,
    jsonl: bool,
    texts: tuple[str, ...],
    kind: str | None,
    authserv_id: str | None,
) -> None:
    """Say what a pass would do with .eml FILES, ask --text, or --jsonl asks, and why."""
    if not files and not texts and not jsonl:
        raise click.UsageError("give .eml files, --text, or --jsonl")
    settings = settings_from(ctx, need_mailbox=False)
    from responder.classify import Classifier

    classifier = guarded(lambda: Classifier.load(settings.patterns_file), code=2)
    policy = _policy(settings)
    if jsonl:
        _classify_stdin(classifier, policy)
        return
    for text in texts:
        c = classifier.classify(text, kind)
        action = action_for_label(c.label, policy)
        if as_json:
            click.echo(json.dumps({"text": text, "label": c.label, "action": action,
                                   "evidence": evidence_json(c)}, ensure_ascii=False))
        else:
            _print_explained(c, action)
    trusted = authserv_id if authserv_id is not None else settings.authserv_id
    for path in files:
        _classify_file(path, classifier, policy, settings, trusted, as_json)


def _print_explained(c: Classification, action: str) -> None:
    from responder.classify import explain

    click.echo(f"action: {action}")
    click.echo(explain(c))


def _classify_file(
    path: Path,
    classifier: Any,
    policy: Policy,
    settings: Settings,
    authserv_id: str,
    as_json: bool,
) -> None:
    from responder.parse import read_mail

    n = read_mail(
        path.read_bytes(),
        authserv_id=authserv_id or None,
        require_authentication=settings.require_authentication,
    )
    c: Classification | None = None
    if needs_classification(n):
        c = classifier.classify(n.ask_text or "", n.kind)
    d = decide(n, c, policy)
    if as_json:
        click.echo(json.dumps(reading_json(path.name, n, c, d), ensure_ascii=False))
        return
    click.echo(f"== {path}")
    click.echo(f"linkedin: {n.linkedin}  authentic: {n.authentic}  kind: {n.kind}"
               f"  template: {n.template or '-'}")
    if n.suspicious:
        click.echo("suspicious: " + "; ".join(n.suspicious))
    if n.sender_name:
        click.echo(f"from: {n.sender_name}" + (f" ({n.headline})" if n.headline else ""))
    if n.ask_text:
        click.echo("ask: " + n.ask_text.replace("\n", " ")[:300])
    click.echo(f"action: {d.action}: {d.reason}")
    if c is not None:
        from responder.classify import explain

        click.echo(explain(c))
    click.echo("")


#: The most asks ``--jsonl`` classifies and writes at a time (fewer when no more have arrived).
CHUNK = 256
#: ``json.dumps(..., ensure_ascii=False)``, made once.
_JSON = json.JSONEncoder(ensure_ascii=False)


def _classify_stdin(classifier: Any, policy: Policy) -> None:
    """Answer each JSON line of stdin with one JSON line, a chunk of lines at a time."""
    bad = number = 0
    for lines in _line_chunks(sys.stdin, CHUNK):
        out, errors = _answer_chunk(classifier, policy, lines, number)
        number += len(lines)
        bad += errors
        if out:
            click.echo("\n".join(out))  # one write (and flush) per chunk
    if bad:
        fail(f"{bad} input line(s) were not JSON objects with a 'text'")


def _answer_chunk(
    classifier: Any, policy: Policy, lines: list[str], number: int
) -> tuple[list[str], int]:
    """The output lines for ``lines`` (the first is input line ``number`` + 1), in order:
    an answer per ask, an error per line that is none, nothing for a blank line; and how
    many errors."""
    rows: list[tuple[dict[str, Any] | None, str]] = []
    for number, line in enumerate(lines, number + 1):  # noqa: B020 - numbering goes on
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError("needs an object with a string 'text'")
            rows.append((item, ""))
        except ValueError as exc:
            rows.append((None, f"line {number}: {exc}"))
    good = [item for item, _ in rows if item is not None]
    results = iter(classifier.classify_many((str(i["text"]), i.get("kind")) for i in good))
    actions: dict[str, str] = {}
    out = []
    for item, error in rows:
        if item is None:
            out.append(json.dumps({"error": error}))
            continue
        c: Classification = next(results)
        action = actions.get(c.label)
        if action is None:
            action = actions[c.label] = action_for_label(c.label, policy)
        out.append(_answer_json(item, c, action))
    return out, len(rows) - len(good)


def _answer_json(item: dict[str, Any], c: Classification, action: str) -> str:
    """The JSON line answering ``item``: its "id", the label, the action and the evidence."""
    answer = {"id": item["id"]} if "id" in item else {}
    answer.update({"label": c.label, "action": action, "evidence": evidence_json(c)})
    return _JSON.encode(answer)


def _line_chunks(stream: TextIO, size: int) -> Iterator[list[str]]:
    """The lines of ``stream`` (newline kept, split at "\\n" only, as iterating it splits them)
    in lists of at most ``size``: as many as have arrived, so whoever writes the lines gets
    the answers without first having to write more (or close the stream)."""
    raw = getattr(stream, "buffer", None)
    if raw is None or not hasattr(raw, "read1"):  # no bytes underneath: whole chunks
        each = iter(stream)
        while chunk := list(islice(each, size)):
            yield chunk
        return
    decoder = codecs.getincrementaldecoder(stream.encoding or "utf-8")(stream.errors or "strict")
    rest = ""
    while True:
        data = raw.read1(1 << 16)  # what has arrived (it waits only while nothing has)
        pieces = (rest + decoder.decode(data, final=not data)).split("\n")
        rest = pieces.pop()
        lines = [piece + "\n" for piece in pieces]
        if not data and rest:
            lines.append(rest)
        for start in range(0, len(lines), size):
            yield lines[start : start + size]
        if not data:
            return
