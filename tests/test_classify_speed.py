"""What the fast paths of classification keep: ``classify --jsonl`` in chunks answers as the
line-by-line reading did, and as soon as a line arrives; the word model's rows by word ids
are those of its string features."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

from responder.classify import Classifier
from responder.cli_classify import CHUNK
from responder.lexicon import parse_lexicon

CORPUS = Path(__file__).parent / "asks_extra.jsonl"


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("RESPONDER_")}


@pytest.fixture(scope="module")
def clf() -> Classifier:
    return Classifier.load()


def test_jsonl_over_many_chunks_answers_every_line_in_order(clf: Classifier) -> None:
    """Blank and bad lines on both sides of chunk boundaries: each ask gets the answer
    classify_many gives, each bad line its error with its own line number."""
    asks = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    asks = asks[: CHUNK * 2 + 50]
    lines = [json.dumps(a, ensure_ascii=False) + "\n" for a in asks]
    for at in (CHUNK * 2, CHUNK + 1, CHUNK, CHUNK - 1, 0):
        lines[at:at] = ["\n", "not json\n", '{"id": 1}\n']
    done = subprocess.run(
        [sys.executable, "-m", "responder", "classify", "--jsonl"],
        input="".join(lines), capture_output=True, text=True, env=_env(), timeout=300,
        check=False,
    )
    assert done.returncode == 1
    assert "10 input line(s) were not JSON objects" in done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    errors = [o["error"] for o in out if "error" in o]
    numbers = [k + 1 for k, line in enumerate(lines) if line in ("not json\n", '{"id": 1}\n')]
    assert [e.split(":")[0] for e in errors] == [f"line {n}" for n in numbers]
    answers = [o for o in out if "error" not in o]
    expected = clf.classify_many((a["text"], a.get("kind")) for a in asks)
    assert [o["id"] for o in answers] == [a["id"] for a in asks]
    assert [o["label"] for o in answers] == [c.label for c in expected]
    assert [[e["pattern"] for e in o["evidence"]] for o in answers] == [
        [e.pattern for e in c.evidence] for c in expected
    ]


def test_jsonl_answers_a_line_before_stdin_is_closed() -> None:
    """A chunk is what has arrived: the writer of one line reads its answer, then writes on."""
    child = subprocess.Popen(
        [sys.executable, "-m", "responder", "classify", "--jsonl"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(),
    )
    assert child.stdin is not None
    assert child.stdout is not None
    try:
        for text in ("We are looking for investors for our seed round.", "Hi, let's connect"):
            child.stdin.write((json.dumps({"text": text}) + "\n").encode())
            child.stdin.flush()
            ready, _, _ = select.select([child.stdout], [], [], 120)
            assert ready, "no answer while stdin is still open"
            assert "label" in json.loads(child.stdout.readline())
    finally:
        child.stdin.close()
        child.wait(timeout=60)
    assert child.returncode == 0


def test_word_rows_by_ids_are_those_of_the_features_even_for_odd_features(
    clf: Classifier,
) -> None:
    """Features no token gives ("?" in a pair, numbers, "@" inside) are never found by id."""
    text = "\n".join(
        f"pitch\t+0.50\t{feature}"
        for feature in ("demo", "book demo", "? book", "demo ?", "?", "2", "demo 2", "a@b",
                        "@kind=inmail", "be", "not sell", "your team", "team ?")
    )
    odd = clf.with_lexicon(parse_lexicon(text, "odd"))
    assert odd.lexicon is not None
    for ask in ("Book demo? 2 demo 2 a@b, not selling: book a demo for your team?",
                "I'm not selling anything. Book demo", "?", ""):
        for kind in ("inmail", "invitation", None):
            doc = odd._nlp(ask.lower())
            assert odd._rows(doc, kind) == odd.lexicon.rows_of(odd.word_features(ask, kind))


def test_top_words_are_the_heaviest_positive_features_ties_in_name_order(clf: Classifier) -> None:
    from responder.lexicon import describe
    from responder.models import LABELS

    lexicon = clf.lexicon
    assert lexicon is not None
    asks = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()][:60]
    for ask in asks:
        rows = clf._rows(clf._nlp(ask["text"].lower()), ask.get("kind"))
        for at, label in enumerate(LABELS):
            weights = [(float(lexicon.matrix[row, at]), row) for row in rows]
            heavy = sorted((-w, row) for w, row in weights if w > 0)[:5]
            want = [(lexicon.names[row], -w) for w, row in heavy]
            assert lexicon.top_words(rows, label) == want
            assert lexicon.said(rows, label) == describe(want)


def test_every_built_in_pattern_is_compiled_none_runs_in_spacys_matcher(
    clf: Classifier,
) -> None:
    """A built-in pattern the compiler cannot take runs in spaCy's Matcher on every ask, which
    once cost a quarter of the classification time: a new pattern must stay compilable."""
    from responder.classify import RULES_FACTORY

    assert clf._nlp.get_pipe(RULES_FACTORY).through_matcher == ()


#: Patterns with NOT_IN and tested gaps, each matched by the compiler and by spaCy's Matcher.
_RICH = [
    [{"LEMMA": "your"}, {"LEMMA": {"NOT_IN": ["of", "on", "for"]}, "OP": "{0,3}"},
     {"LEMMA": "budget"}],
    [{"LOWER": "we"}, {"LOWER": {"IN": ["really", "very", "truly"]}, "OP": "{0,2}"},
     {"LEMMA": "need"}, {"LOWER": {"NOT_IN": ["money", "cash"]}}],
    [{"LOWER": {"NOT_IN": ["not", "never"]}}, {"LEMMA": "sell"},
     {"LOWER": {"REGEX": "^[a-z]+$"}, "OP": "{0,2}"}, {"LOWER": "now"}],
    [{"LOWER": {"NOT_IN": ["we", "i", "x"]}}, {"LEMMA": {"NOT_IN": ["need", "sell"]}}],
]
_TEXTS = [
    "what is your budget", "what is your team 's annual budget for it", "what is your post "
    "on retry budget", "your a b c budget", "your a b c d budget", "your budget of your budget",
    "we need money", "we really truly need help", "we very very very need help", "we need cash "
    "we need time", "i sell now", "not sell now", "they never sell", "we sell cars today now",
    "we sell 4 cars now", "x sell a b c now", "your budget your budget budget",
]


def test_not_in_and_tested_gaps_match_where_spacys_matcher_does(clf: Classifier) -> None:
    """The compiled forms of NOT_IN and of a ``{0,N}`` gap with a test find a match wherever
    spaCy's Matcher finds one, and each match they report is one the Matcher reports too
    (texts without sentence ends, where a compiled gap stops)."""
    import numpy
    from spacy.attrs import LEMMA
    from spacy.matcher import Matcher

    from responder.classify import SPANS_KEY, Pattern, _make_rules

    nlp = clf._nlp
    for k, spec in enumerate(_RICH):
        rules = _make_rules(nlp, "rich")
        rules.add([Pattern(id=f"t.rich{k}", label="pitch", pattern=spec)])
        assert rules.through_matcher == ()
        oracle = Matcher(nlp.vocab, validate=True)
        oracle.add("rich", [spec])
        for text in _TEXTS:
            doc = rules(nlp.make_doc(text))
            lemmas = numpy.array(doc.user_data["asks_lemmas"], dtype="uint64").reshape(-1, 1)
            doc.from_array([LEMMA], lemmas)  # type: ignore[arg-type]
            expected = {(start, end) for _, start, end in oracle(doc)}
            got = {(start, end) for start, end, _ in doc.user_data[SPANS_KEY]}
            assert got <= expected, (spec, text)
            assert bool(got) == bool(expected), (spec, text)
