"""The word model: a small linear model over the words of an ask, read from ``lexicon.tsv``.

Its features are the lookup lemmas of the ask (one per word, the same lemmas the patterns
see), each pair of neighbouring lemmas, ``?`` when the ask asks something, and the kind of
mail (``@kind=invitation``). A word inside a denial ("not selling") is left out, and so are
the pairs it is part of. Each label has one weight per feature and a bias (``@bias``); a
label's score is its bias plus the weights of the features present, and the scores become
probabilities through a softmax. The file is written by ``scripts/train_lexicon.py``; how
the classifier uses the probabilities is described at the top of ``classify.py``.

Nothing here imports spaCy; numpy (a spaCy dependency) holds the weights.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise, repeat
from pathlib import Path
from typing import Any

from responder.errors import ConfigError
from responder.models import LABELS

#: The word model shipped with the package.
LEXICON_FILE = Path(__file__).parent / "patterns" / "lexicon.tsv"
#: The feature every ask has: the label's prior, before any word.
BIAS = "@bias"
#: Prefix of the feature that names the kind of mail (``@kind=invitation``).
KIND = "@kind="
#: A token that counts as a word: it has a letter and cannot be mistaken for a special feature.
_WORD = re.compile(r"[^\W\d_]")
_INDEX = {label: i for i, label in enumerate(LABELS)}


def word_feature(lemma: str) -> str | None:
    """The feature of one token's lemma: the lemma for a word, ``?`` for a question mark,
    None for anything else (punctuation, numbers, emoji)."""
    if lemma == "?":
        return lemma
    if "@" in lemma or not _WORD.search(lemma) or lemma != lemma.strip():
        return None
    return lemma


def features(words: Sequence[str | None], denied: Iterable[int], kind: str | None) -> list[str]:
    """The features of one ask, each once, in order of first appearance.

    ``words`` holds :func:`word_feature` of each token (None for punctuation); ``denied`` the
    positions inside a denial, left out. A pair joins two neighbouring words; punctuation,
    ``?`` and a denied word break pairs.
    """
    skip = frozenset(denied)
    found: dict[str, None] = {}
    prev: str | None = None
    for i, w in enumerate(words):
        if w is None or i in skip:
            prev = None
            continue
        found[w] = None
        if w == "?":
            prev = None
            continue
        if prev is not None:
            found[f"{prev} {w}"] = None
        prev = w
    if kind:
        found[KIND + kind] = None
    return list(found)


@dataclass(frozen=True)
class Lexicon:
    """The word model: one row of per-label weights per feature, and the label biases.

    ``matrix`` and ``bias`` are numpy arrays (features x labels, and labels). An ask's rows
    come from its feature names (:meth:`rows_of`) or, without building strings, from its
    tokens' word ids through a :class:`WordIndex` (:meth:`keyed`).
    """

    names: tuple[str, ...]
    index: Mapping[str, int]
    matrix: Any
    bias: Any
    where: str = ""
    #: per label (LABELS order), each row's weight; and its ranking, made when first needed
    _columns: tuple[tuple[float, ...], ...] = field(init=False, repr=False, compare=False)
    _rankings: list[_Ranking | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_columns", tuple(map(tuple, self.matrix.T.tolist())))
        object.__setattr__(self, "_rankings", [None] * len(LABELS))

    def keyed(self, word_id: Callable[[str], int]) -> WordIndex:
        """The rows of the unigram and pair features by word ids (``word_id``: a word's id,
        an int of 0 or more, as the tokens of an ask carry them)."""
        unigrams: dict[int, int] = {}
        pairs: dict[tuple[int, int], int] = {}
        for row, name in enumerate(self.names):
            gram = name.split(" ")
            if any(w == "?" or word_feature(w) != w for w in gram):
                continue  # no token gives it ("?" has its own row, in no pair)
            if len(gram) == 1:
                unigrams[word_id(name)] = row
            elif len(gram) == 2:
                pairs[(word_id(gram[0]), word_id(gram[1]))] = row
        question = self.index.get("?")
        if question is not None:
            unigrams[word_id("?")] = question
        kinds = {f.removeprefix(KIND): r for f, r in self.index.items() if f.startswith(KIND)}
        return WordIndex(unigrams, pairs, kinds)

    def rows_of(self, feats: Iterable[str]) -> list[int]:
        """The rows of the features the lexicon has, sorted."""
        return sorted({self.index[f] for f in feats if f in self.index})

    def probabilities(self, rows: Sequence[int]) -> list[float]:
        """The model's probability of each label (in LABELS order) for an ask's rows."""
        z = (self.bias + self.matrix.take(rows, 0).sum(0)).tolist()
        top = max(z)
        exps = [math.exp(v - top) for v in z]
        total = sum(exps)
        return [e / total for e in exps]

    def top_words(self, rows: Sequence[int], label: str, count: int = 5) -> list[tuple[str, float]]:
        """The features of an ask's rows that weigh most for ``label``, heaviest first (ties
        in row order, which is name order), only those weighing more than 0."""
        ranking = self._ranking(label)
        return [ranking.words[k] for k in ranking.top(rows, count)]

    def said(self, rows: Sequence[int], label: str, count: int = 5) -> str:
        """``describe(self.top_words(rows, label, count))``, from texts written once."""
        ranking = self._ranking(label)
        return ", ".join([ranking.said[k] for k in ranking.top(rows, count)]) or describe([])

    def _ranking(self, label: str) -> _Ranking:
        """The ranking of ``label``'s words (made on first use)."""
        at = _INDEX[label]
        ranking = self._rankings[at]
        if ranking is None:
            ranking = self._rankings[at] = _Ranking.of(self.names, self._columns[at])
        return ranking

    def __len__(self) -> int:
        """How many weights (other than the biases) the lexicon holds."""
        return int((self.matrix != 0).sum())


@dataclass(frozen=True)
class _Ranking:
    """One label's features of positive weight, heaviest first (ties in row order): each
    feature's rank by row, and by rank its (name, weight) and :func:`describe`'s text of it."""

    rank: Mapping[int, int]
    words: Sequence[tuple[str, float]]
    said: Sequence[str]

    @classmethod
    def of(cls, names: Sequence[str], weights: Sequence[float]) -> _Ranking:
        """The ranking of the features ``names`` by their ``weights`` for one label."""
        heavy = sorted((-w, row) for row, w in enumerate(weights) if w > 0)
        words = [(names[row], -w) for w, row in heavy]
        rank = {row: k for k, (_, row) in enumerate(heavy)}
        return cls(rank, words, [describe([word]) for word in words])

    def top(self, rows: Sequence[int], count: int) -> list[int]:
        """The ranks of the heaviest ``count`` of ``rows`` (those of positive weight), in order."""
        return sorted(map(self.rank.__getitem__, self.rank.keys() & rows))[:count]


#: The word id of a token left out of the features (a denied word): no word has it.
LEFT_OUT = -1


@dataclass(frozen=True)
class WordIndex:
    """A lexicon's rows by word ids (:meth:`Lexicon.keyed`): what :func:`features` finds from
    the tokens' lemmas, found from their ids (a token that is no word has an id no feature has,
    so it breaks pairs)."""

    #: word id -> row of its unigram (and of ``?``); (id, id) -> row of the pair
    unigrams: Mapping[int, int]
    pairs: Mapping[tuple[int, int], int]
    #: kind of mail -> row of its feature
    kinds: Mapping[str, int]

    def rows(self, ids: Sequence[int], denied: Iterable[int], kind: str | None) -> list[int]:
        """The rows of the features of an ask given its tokens' word ids, as :func:`features`
        (``denied``: the positions left out)."""
        if denied:
            ids = list(ids)
            for i in denied:
                ids[i] = LEFT_OUT  # left out, and it breaks pairs
        found = set(map(self.unigrams.get, ids, repeat(-1)))
        found.update(map(self.pairs.get, pairwise(ids), repeat(-1)))
        if kind:
            found.add(self.kinds.get(kind, -1))
        found.discard(-1)
        return sorted(found)


def describe(words: list[tuple[str, float]]) -> str:
    """``platform +0.81, book demo +0.62``: words and weights as an evidence text."""
    return ", ".join(f"{f.removeprefix('@')} {w:+.2f}" for f, w in words) or "(bias only)"


def read_lexicon(path: Path) -> Lexicon:
    """Read a lexicon file: ``label<TAB>weight<TAB>feature`` lines, ``#`` comments.

    Raises :class:`ConfigError` naming the file and line for anything malformed.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
        raise ConfigError(f"{path}: cannot read lexicon: {why or exc}") from exc
    return parse_lexicon(text, str(path))


def parse_lexicon(text: str, where: str) -> Lexicon:
    """The lexicon in ``text`` (the contents of a lexicon file called ``where``)."""
    import numpy

    table: dict[str, dict[int, float]] = {}
    bias = numpy.zeros(len(LABELS))
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        label, weight, feature = _parse(line, where, number)
        if feature == BIAS:
            bias[_INDEX[label]] = weight
            continue
        row = table.setdefault(feature, {})
        if _INDEX[label] in row:
            raise ConfigError(f"{where}:{number}: {label} {feature!r} is listed twice")
        row[_INDEX[label]] = weight
    names = tuple(sorted(table))
    index = {f: i for i, f in enumerate(names)}
    matrix = numpy.zeros((len(names), len(LABELS)))
    for f, weights in table.items():
        for column, w in weights.items():
            matrix[index[f], column] = w
    return Lexicon(names, index, matrix, bias, where)


def _parse(line: str, file: str, number: int) -> tuple[str, float, str]:
    """One ``label<TAB>weight<TAB>feature`` line, or a ConfigError naming ``file:number`` (the
    name is built only then: the file has tens of thousands of lines)."""
    parts = line.split("\t")
    if len(parts) != 3:
        raise ConfigError(f"{file}:{number}: expected label<TAB>weight<TAB>feature, got {line!r}")
    label, text, feature = parts
    if label not in _INDEX:
        raise ConfigError(
            f"{file}:{number}: unknown label {label!r}; use one of {', '.join(LABELS)}"
        )
    try:
        weight = float(text)
    except ValueError:
        raise ConfigError(f"{file}:{number}: weight {text!r} is not a number") from None
    if not math.isfinite(weight):
        raise ConfigError(f"{file}:{number}: weight {text!r} is not a finite number")
    if not feature or feature != feature.strip():
        raise ConfigError(f"{file}:{number}: empty feature or one with leading/trailing spaces")
    return label, weight, feature


def format_lexicon(weights: Mapping[tuple[str, str], float], header: Sequence[str]) -> str:
    """The lexicon file text: ``header`` as comments, then per label (LABELS order) its
    features by falling weight (ties by name), the bias first."""
    out = [f"# {h}".rstrip() for h in header]
    ordered = sorted(
        weights.items(),
        key=lambda kv: (_INDEX[kv[0][0]], kv[0][1] != BIAS, -kv[1], kv[0][1]),
    )
    out += [f"{label}\t{w:+.2f}\t{feature}" for (label, feature), w in ordered]
    return "\n".join(out) + "\n"
