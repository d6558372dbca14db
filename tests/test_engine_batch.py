"""A pass labels the asks of a fetched batch together: the same labels as one at a time,
and an ask that breaks the classifier costs only its own mail."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from responder.classify import Classifier
from responder.config import load_settings
from responder.models import Classification, Notification
from responder.pipeline import Engine

EML = Path(__file__).parent / "corpus" / "eml"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    state = tmp_path_factory.mktemp("state")
    env = {"RESPONDER_STATE_DIR": str(state), "RESPONDER_AUTHSERV_ID": "mx.example.org"}
    settings = load_settings(None, env, need_mailbox=False)
    return Engine.build(settings)


def _readings(engine: Engine) -> list[Notification | Exception]:
    readings: list[Notification | Exception] = [
        engine.read(path.read_bytes()) for path in sorted(EML.glob("*.eml"))
    ]
    readings.insert(3, ValueError("could not read this one"))  # a mail the reader gave up on
    return readings


def test_a_batch_gets_the_labels_each_ask_gets_alone(engine: Engine) -> None:
    readings = _readings(engine)
    together = engine.classify_each(readings)
    alone = [engine.classify(r) if isinstance(r, Notification) else None for r in readings]
    assert together == alone
    labelled = [c for c in together if isinstance(c, Classification)]
    assert len(labelled) >= 10  # the corpus has that many asks: the batch is not trivial
    assert together[3] is None


class _BreaksOn(Classifier):
    """The real classifier, except that an ask holding ``POISON`` raises (a bug met in
    the wild: the pass must report that mail and label the others)."""

    def _judge(self, text: str, kind: str | None, doc: object) -> Classification:  # type: ignore[override]
        if "POISON" in text:
            raise RuntimeError("the classifier broke on this ask")
        return super()._judge(text, kind, doc)  # type: ignore[arg-type]


def test_an_ask_that_breaks_the_classifier_costs_only_its_own_mail(engine: Engine) -> None:
    readings = _readings(engine)
    asks = [i for i, r in enumerate(readings)
            if isinstance(r, Notification) and engine.classify(r) is not None]
    poisoned = asks[1]
    victim = readings[poisoned]
    assert isinstance(victim, Notification)
    readings[poisoned] = replace(victim, ask_text=(victim.ask_text or "") + " POISON")
    expected = engine.classify_each(readings)
    real = engine.ready()
    breaking = _BreaksOn(real._nlp, list(real.patterns), real.lexicon, real.lexicon_off)
    engine._classifier = breaking
    try:
        got = engine.classify_each(readings)
    finally:
        engine._classifier = real
    assert isinstance(got[poisoned], RuntimeError)
    assert [c for i, c in enumerate(got) if i != poisoned] == [
        c for i, c in enumerate(expected) if i != poisoned
    ]
