"""Score the classifier on labelled asks: per-label P/R/F1, action accuracy, costly mistakes.

The development corpus is split once, by id, into a part the patterns were tuned on and a
held-out part nobody read while writing them (:func:`split_corpus`).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from responder.errors import ConfigError
from responder.models import DEFAULT_ACTIONS, LABELS

if TYPE_CHECKING:
    from responder.classify import Classifier

#: An id whose number is divisible by this is held out (dev-0003, dev-0006, … dev-0240).
HOLD_OUT_EVERY = 3


def split_corpus(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Split labelled rows into (tune, held_out).

    The rule is fixed and documented: a row whose id ends in a number divisible by 3
    (``dev-0003``, ``dev-0006``, …) is held out; every other row is for tuning. Rows
    without a numeric id are tuning rows. Patterns were written looking only at the tune part.
    """
    tune: list[dict[str, Any]] = []
    held: list[dict[str, Any]] = []
    for row in rows:
        digits = "".join(ch for ch in str(row.get("id", "")) if ch.isdigit())
        (held if digits and int(digits) % HOLD_OUT_EVERY == 0 else tune).append(row)
    return tune, held


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Read a JSON Lines file of labelled asks (``text``, ``label``, optional ``kind``)."""
    rows: list[dict[str, Any]] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise ConfigError(f'{path}:{number}: each line needs a "text" string')
        if row.get("label") not in LABELS:
            raise ConfigError(f"{path}:{number}: unknown label {row.get('label')!r}")
        rows.append(row)
    return rows


@dataclass(frozen=True)
class LabelScore:
    """Precision, recall and F1 of one label, with its support (true count)."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Miss:
    """One ask whose action went wrong in a way that costs the user."""

    id: str
    expected: str
    got: str
    text: str


@dataclass(frozen=True)
class EvalReport:
    """Every figure of one evaluation run."""

    total: int
    accuracy: float
    action_accuracy: float
    macro_f1: float
    per_label: dict[str, LabelScore]
    confusion: dict[str, dict[str, int]]
    drafted_should_file: tuple[Miss, ...]
    filed_should_draft: tuple[Miss, ...]
    scam_or_mlm_drafted: int
    genuine_filed: int
    genuine_total: int
    never_fired: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def evaluate(classifier: Classifier, rows: list[dict[str, Any]]) -> EvalReport:
    """Classify every row and compare with its label (actions via DEFAULT_ACTIONS)."""
    results = classifier.classify_many((str(r["text"]), r.get("kind")) for r in rows)
    confusion = {t: dict.fromkeys(LABELS, 0) for t in LABELS}
    fired: set[str] = set()
    drafted_bad: list[Miss] = []
    filed_bad: list[Miss] = []
    right = action_right = scam_mlm_drafted = genuine_filed = 0
    for i, (row, result) in enumerate(zip(rows, results, strict=True)):
        want, got = str(row["label"]), result.label
        confusion[want][got] += 1
        fired.update(e.pattern for e in result.evidence)
        right += want == got
        want_action, got_action = DEFAULT_ACTIONS[want], DEFAULT_ACTIONS[got]
        action_right += want_action == got_action
        miss = Miss(str(row.get("id", f"row {i + 1}")), want, got, str(row["text"]))
        if got_action == "draft" and want_action == "file":
            drafted_bad.append(miss)
            scam_mlm_drafted += want in ("scam", "mlm")
        if got_action == "file" and want_action == "draft":
            filed_bad.append(miss)
            genuine_filed += want == "genuine"
    per_label: dict[str, LabelScore] = {}
    for label in LABELS:
        tp = confusion[label][label]
        predicted = sum(confusion[t][label] for t in LABELS)
        support = sum(confusion[label].values())
        p, r = _ratio(tp, predicted), _ratio(tp, support)
        per_label[label] = LabelScore(p, r, _ratio(2 * p * r, p + r), support)
    present = [s.f1 for s in per_label.values() if s.support]
    n = len(rows)
    return EvalReport(
        total=n,
        accuracy=_ratio(right, n),
        action_accuracy=_ratio(action_right, n),
        macro_f1=_ratio(sum(present), len(present)),
        per_label=per_label,
        confusion=confusion,
        drafted_should_file=tuple(drafted_bad),
        filed_should_draft=tuple(filed_bad),
        scam_or_mlm_drafted=scam_mlm_drafted,
        genuine_filed=genuine_filed,
        genuine_total=per_label["genuine"].support,
        never_fired=tuple(p for p in classifier.pattern_ids if p not in fired),
        counts=dict(Counter(str(r["label"]) for r in rows)),
    )


def format_report(report: EvalReport) -> str:
    """The report as plain text for a terminal."""
    out = [
        f"asks: {report.total}",
        f"label accuracy:  {report.accuracy:.3f}",
        f"action accuracy: {report.action_accuracy:.3f}",
        f"macro-F1:        {report.macro_f1:.3f}",
        f"scam/mlm drafted: {report.scam_or_mlm_drafted}",
        f"genuine filed:    {report.genuine_filed} of {report.genuine_total}",
        "",
        f"{'label':<16}{'prec':>6}{'rec':>6}{'F1':>6}{'n':>5}",
    ]
    for label, s in report.per_label.items():
        if s.support or s.precision:
            out.append(f"{label:<16}{s.precision:>6.2f}{s.recall:>6.2f}{s.f1:>6.2f}{s.support:>5}")
    used = [
        lab
        for lab in LABELS
        if any(report.confusion[lab].values()) or any(report.confusion[t][lab] for t in LABELS)
    ]
    short = {lab: lab[:5] for lab in used}
    out += ["", "confusion (row = expected, column = got):"]
    out.append(" " * 16 + "".join(f"{short[c]:>6}" for c in used))
    for t in used:
        out.append(f"{t:<16}" + "".join(f"{report.confusion[t][c]:>6}" for c in used))
    for title, misses in (
        ("drafted but should have been filed", report.drafted_should_file),
        ("filed but should have been drafted", report.filed_should_draft),
    ):
        out += ["", f"{title}: {len(misses)}"]
        out += [f"  {m.id}: {m.expected} -> {m.got}: {m.text[:90]!r}" for m in misses]
    out += ["", f"patterns that never fired: {len(report.never_fired)}"]
    out += [f"  {p}" for p in report.never_fired]
    return "\n".join(out)


def report_to_json(report: EvalReport) -> dict[str, Any]:
    """The report as plain JSON-ready data."""

    def misses(items: tuple[Miss, ...]) -> list[dict[str, str]]:
        return [{"id": m.id, "expected": m.expected, "got": m.got, "text": m.text} for m in items]

    return {
        "total": report.total,
        "accuracy": report.accuracy,
        "action_accuracy": report.action_accuracy,
        "macro_f1": report.macro_f1,
        "scam_or_mlm_drafted": report.scam_or_mlm_drafted,
        "genuine_filed": report.genuine_filed,
        "genuine_total": report.genuine_total,
        "per_label": {
            label: {"precision": s.precision, "recall": s.recall, "f1": s.f1, "support": s.support}
            for label, s in report.per_label.items()
        },
        "confusion": report.confusion,
        "drafted_should_file": misses(report.drafted_should_file),
        "filed_should_draft": misses(report.filed_should_draft),
        "never_fired": list(report.never_fired),
        "counts": report.counts,
    }
