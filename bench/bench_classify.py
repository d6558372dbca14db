"""Throughput of the classifier against spaCy's bare tokenizer on the same texts.

Run: python bench/bench_classify.py [--repeat N]. Prints start-up time, asks/second through
``Classifier.classify_many`` and through the pipeline's bare ``nlp.tokenizer.pipe`` over the
same 240 corpus texts (median and best of N passes: a shared machine is noisy), their ratio,
the same without the word model (the patterns alone: what the rule component and the
pattern scoring cost), and the time per ask through single ``classify`` calls.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from responder.classify import Classifier  # noqa: E402


def _passes(run: Callable[[], object], count: int) -> list[float]:
    """Seconds per pass of ``run``, ``count`` times (after one warm-up pass)."""
    run()
    times = []
    for _ in range(count):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20, help="passes over the corpus")
    args = parser.parse_args()
    corpus = ROOT / "tests" / "corpus" / "asks.jsonl"
    rows = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    items = [(str(r["text"]), r.get("kind")) for r in rows]
    texts = [t for t, _ in items]

    start = time.perf_counter()
    clf = Classifier.load()
    startup = time.perf_counter() - start

    tokenizer = clf._nlp.tokenizer
    patterns_only = clf.with_lexicon(None)
    many = _passes(lambda: clf.classify_many(items), args.repeat)
    bare = _passes(lambda: list(tokenizer.pipe(texts, batch_size=256)), args.repeat)
    rules = _passes(lambda: patterns_only.classify_many(items), args.repeat)
    single = _passes(lambda: [clf.classify(t, k) for t, k in items], 3)

    n = len(items)
    print(f"asks: {n}, {args.repeat} passes each (figures: median pass, best pass)")
    print(f"start-up (Classifier.load, spaCy import included): {startup:.2f} s")
    print(
        f"classify_many:  {n / statistics.median(many):>8,.0f} asks/s  (best {n / min(many):,.0f})"
    )
    print(
        f"bare tokenizer: {n / statistics.median(bare):>8,.0f} asks/s  (best {n / min(bare):,.0f})"
    )
    ratio = statistics.median(many) / statistics.median(bare)
    print(f"classify_many takes {ratio:.2f}x the bare tokenizer's time (medians)")
    ratio = statistics.median(rules) / statistics.median(bare)
    print(
        f"without the word model: {n / statistics.median(rules):,.0f} asks/s, "
        f"{ratio:.2f}x the bare tokenizer's time (medians)"
    )
    print(f"classify, one at a time: {min(single) / n * 1000:.3f} ms per ask (best pass)")


if __name__ == "__main__":
    main()
