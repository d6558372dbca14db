"""Throughput of the classifier against spaCy's bare tokenizer on the same texts.

Run: python bench/bench_classify.py [--repeat N]. Prints start-up time, asks/second through
``Classifier.classify_many`` and through ``nlp.tokenizer.pipe``, the ratio of the two, and the
mean time per ask through single ``classify`` calls.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from responder.classify import Classifier  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20, help="passes over the corpus")
    args = parser.parse_args()
    corpus = ROOT / "tests" / "corpus" / "asks.jsonl"
    rows = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    items = [(str(r["text"]), r.get("kind")) for r in rows] * args.repeat
    texts = [t for t, _ in items]

    start = time.perf_counter()
    clf = Classifier.load()
    startup = time.perf_counter() - start

    clf.classify_many(items[:50])  # warm up
    start = time.perf_counter()
    clf.classify_many(items)
    many = time.perf_counter() - start

    tokenizer = clf._nlp.tokenizer
    start = time.perf_counter()
    for _ in tokenizer.pipe(texts, batch_size=256):
        pass
    bare = time.perf_counter() - start

    singles = items[: len(rows)]
    start = time.perf_counter()
    for text, kind in singles:
        clf.classify(text, kind)
    single = (time.perf_counter() - start) / len(singles)

    n = len(items)
    print(f"asks: {len(rows)} x {args.repeat} = {n}")
    print(f"start-up (Classifier.load, spaCy import included): {startup:.2f} s")
    print(f"classify_many:     {n / many:>9,.0f} asks/s")
    print(f"bare tokenizer:    {n / bare:>9,.0f} asks/s")
    print(f"classify_many is {many / bare:.2f}x the bare tokenizer's time")
    print(f"classify (one at a time): {single * 1000:.3f} ms per ask")


if __name__ == "__main__":
    main()
