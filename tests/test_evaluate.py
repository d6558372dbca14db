"""Evaluation: the fixed split, the held-out targets, the report and the ``eval`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from responder.classify import Classifier
from responder.cli import cli
from responder.errors import ConfigError
from responder.evaluate import (
    EvalReport,
    evaluate,
    format_report,
    read_rows,
    report_to_json,
    split_corpus,
)

CORPUS = Path(__file__).parent / "corpus" / "asks.jsonl"


@pytest.fixture(scope="module")
def rows() -> list[dict[str, object]]:
    return read_rows(CORPUS)


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return Classifier.load()


@pytest.fixture(scope="module")
def held_out(clf: Classifier, rows: list[dict[str, object]]) -> EvalReport:
    return evaluate(clf, split_corpus(rows)[1])


@pytest.fixture(scope="module")
def whole(clf: Classifier, rows: list[dict[str, object]]) -> EvalReport:
    return evaluate(clf, rows)


def test_split_holds_out_ids_divisible_by_three(rows: list[dict[str, object]]) -> None:
    tune, held = split_corpus(rows)
    assert (len(tune), len(held)) == (160, 80)
    assert all(int(str(r["id"])[-4:]) % 3 == 0 for r in held)
    assert all(int(str(r["id"])[-4:]) % 3 != 0 for r in tune)
    assert split_corpus(list(reversed(rows)))[1] == list(reversed(held))


def test_held_out_never_drafts_scam_or_mlm(held_out: EvalReport) -> None:
    assert held_out.scam_or_mlm_drafted == 0


# The targets of the issue, on the held-out split. Action accuracy is not reached without
# memorising the corpus; macro-F1 is since the eighth session (true figures at its end:
# action accuracy 0.887, macro-F1 0.865, 0 of 9 genuine filed, 0 scam/MLM drafted, patterns
# alone 0.863 / 0.799 / 1 of 9; in the seventh: 0.875 / 0.849 / 0 of 9 / 0; at the end of the
# sixth: 0.863 / 0.833 / 0 of 9 / 0,
# patterns alone 0.838 / 0.747 / 1 of 9; at
# the end of the fourth and fifth: 0.850 / 0.825 / 0 of 9 / 0; halfway through the fourth
# 0.838 / 0.806; with the word model on asks_train_a/b: 0.838 / 0.803; before them 0.838 /
# 0.793 / 0 of 9; patterns alone 0.825 / 0.739 / 1 of 9 after the fifth, 0.825 / 0.752 after
# the fourth, and 0.812 / 0.745 / 1 of 9 before the generalised families), so a target not
# yet reached is a strict xfail: the day a change reaches it, its test fails and must be
# unmarked.
NOT_YET = pytest.mark.xfail(strict=True, reason="held-out target not reached; see report")


@NOT_YET
def test_held_out_action_accuracy_target(held_out: EvalReport) -> None:
    assert held_out.action_accuracy >= 0.92


def test_held_out_macro_f1_target(held_out: EvalReport) -> None:
    assert held_out.macro_f1 >= 0.85


def test_held_out_files_at_most_one_genuine_in_twenty(held_out: EvalReport) -> None:
    assert held_out.genuine_filed * 20 <= held_out.genuine_total


def test_held_out_does_not_regress(held_out: EvalReport) -> None:
    """Floors at the figures reached, so a change that loses ground fails.

    Lowered once, on purpose, by one ask of 80 (0.83 / 0.80 to 0.82 / 0.79): the guarded
    drafts on the words (patterns/guard.jsonl) draft one held-out ask labelled unclear and
    gain none there, but gained on every larger fresh measure (300 fresh asks before training
    on them, the 300-ask blind set, cross-validation), with no scam or MLM ask drafted.
    Raised back to 0.83 / 0.80 when asks_train_d and the rule that the words never give
    bare_invite brought the held-out part to 0.838 / 0.806, and to 0.84 / 0.82 at 0.850 /
    0.825 after asks_train_f and the changes made from it, to 0.86 / 0.83 at 0.863 / 0.833
    at the end of the sixth session, to 0.87 / 0.84 at 0.875 / 0.849 when the word model
    was trained on every training set (seventh session), and to 0.88 / 0.86 at 0.887 / 0.865
    (eighth session).
    """
    assert held_out.action_accuracy >= 0.88
    assert held_out.macro_f1 >= 0.86
    assert held_out.genuine_filed == 0


def test_whole_corpus_does_not_regress(whole: EvalReport) -> None:
    assert whole.action_accuracy >= 0.94
    assert whole.macro_f1 >= 0.92
    assert whole.genuine_filed <= 1


def test_whole_corpus_never_drafts_scam_or_mlm(whole: EvalReport) -> None:
    assert whole.scam_or_mlm_drafted == 0
    assert whole.total == 240


def test_report_counts_are_consistent(whole: EvalReport) -> None:
    assert sum(sum(row.values()) for row in whole.confusion.values()) == whole.total
    assert sum(s.support for s in whole.per_label.values()) == whole.total
    right = sum(whole.confusion[label][label] for label in whole.confusion)
    assert whole.accuracy == pytest.approx(right / whole.total)
    for miss in whole.drafted_should_file:
        assert miss.got in ("genuine", "stale_reconnect")
    for miss in whole.filed_should_draft:
        assert miss.expected in ("genuine", "stale_reconnect")


def test_never_fired_lists_only_real_pattern_ids(clf: Classifier, held_out: EvalReport) -> None:
    assert set(held_out.never_fired) <= set(clf.pattern_ids)
    assert len(held_out.never_fired) < len(clf.pattern_ids)


def test_format_report_and_json(whole: EvalReport) -> None:
    text = format_report(whole)
    assert "action accuracy:" in text
    assert "macro-F1:" in text
    assert "confusion (row = expected, column = got):" in text
    data = json.loads(json.dumps(report_to_json(whole)))
    assert data["total"] == 240
    assert set(data["per_label"]) >= {"scam", "genuine", "unclear"}


def test_read_rows_names_the_bad_line(tmp_path: Path) -> None:
    bad = tmp_path / "rows.jsonl"
    bad.write_text('{"text": "hi", "label": "genuine"}\n{"text": "x", "label": "nope"}\n')
    with pytest.raises(ConfigError, match=r"rows\.jsonl:2: unknown label"):
        read_rows(bad)


def test_eval_command_prints_parseable_json() -> None:
    result = CliRunner().invoke(cli, ["eval", str(CORPUS), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    for key in ("action_accuracy", "macro_f1", "scam_or_mlm_drafted", "genuine_filed"):
        assert key in data
    assert data["total"] == 240


def test_eval_command_text_report_on_held_out_split() -> None:
    result = CliRunner().invoke(cli, ["eval", str(CORPUS), "--split", "held-out"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("asks: 80\n")


def test_eval_command_takes_a_pattern_file(tmp_path: Path) -> None:
    user = tmp_path / "mine.jsonl"
    user.write_text('{"disable": "pitch.fifteen_minutes"}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(CORPUS), "--json", "--patterns", str(user)])
    assert result.exit_code == 0, result.output
    assert "pitch.fifteen_minutes" not in json.loads(result.output)["never_fired"]


def test_eval_command_reports_a_bad_pattern_file(tmp_path: Path) -> None:
    user = tmp_path / "bad.jsonl"
    user.write_text('{"id": "pitch.x", "label": "pitchy", "pattern": "demo"}\n')
    result = CliRunner().invoke(cli, ["eval", str(CORPUS), "--patterns", str(user)])
    assert result.exit_code != 0
    assert f"{user}:1:" in result.output


EXTRA = Path(__file__).parent / "asks_extra.jsonl"


def test_fresh_asks_do_not_regress(clf: Classifier) -> None:
    """Asks written after the corpus, in batches, each scored before any tuning on it.

    First-pass action accuracy (scored before any tuning on that batch): batch 1 0.87,
    batch 2 0.76, batch 3 0.76, batch 4 0.79, batch 5 0.70 (with one mlm ask drafted as a
    reconnect, fixed since), batch 6 0.58, batch 7 0.70 (again one mlm drafted as a
    reconnect; since then no draft is made while any scam or mlm signal fired), batch 8
    0.64, batch 9 0.77, batch 10 0.81 (its misses all left as unclear). New wording
    still misses often: these are the honest estimate for unseen asks. The floors below
    guard what tuning reached since. These asks also train the word model (lexicon.tsv),
    so its figures here are memory too; ``scripts/train_lexicon.py --cv`` estimates it
    leaving each batch out, with the patterns as they were before that batch.
    """
    report = evaluate(clf, read_rows(EXTRA))
    assert report.total >= 300
    assert report.scam_or_mlm_drafted == 0
    assert report.action_accuracy >= 0.97
    assert report.macro_f1 >= 0.95
    assert report.genuine_filed * 20 <= report.genuine_total
