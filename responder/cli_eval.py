"""``responder eval FILE.jsonl``: score the classifier on labelled asks."""

from __future__ import annotations

import json
from pathlib import Path

import click

from responder.errors import ResponderError


@click.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--patterns",
    "patterns",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Your pattern file: adds patterns, or switches built-in ones off by id.",
)
@click.option(
    "--split",
    type=click.Choice(["all", "tune", "held-out"]),
    default="all",
    show_default=True,
    help="Score all rows, or only one part of the fixed split (ids divisible by 3 held out).",
)
def eval_command(file: Path, as_json: bool, patterns: Path | None, split: str) -> None:
    """Score the classifier on FILE (JSON Lines with text, label and optional kind)."""
    from responder.classify import Classifier
    from responder.evaluate import evaluate, format_report, read_rows, report_to_json, split_corpus

    try:
        rows = read_rows(file)
        classifier = Classifier.load(patterns)
    except ResponderError as exc:
        raise click.ClickException(str(exc)) from exc
    if split != "all":
        tune, held = split_corpus(rows)
        rows = tune if split == "tune" else held
    report = evaluate(classifier, rows)
    if as_json:
        click.echo(json.dumps(report_to_json(report), indent=2, ensure_ascii=False))
    else:
        click.echo(format_report(report))
