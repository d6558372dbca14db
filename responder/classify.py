"""Label one LinkedIn ask with spaCy rules loaded from JSON Lines pattern files.

The pipeline is ``spacy.blank("en")`` with the lookup lemmatizer (spacy-lookups-data) and one
rule component, built once by :meth:`Classifier.load`. Every pattern carries a label and a
readable id; a label's score is the sum of the weights of its distinct, non-negated pattern
families. A label *fits* when its score reaches :data:`DECISIVE`; the most protective fitting
label wins (the LABELS.md order) unless a less protective one outscores it by more than
:data:`OUTWEIGH` (:data:`OUTWEIGH_TO_DRAFT` for a label that drafts over one that files; never
``scam`` or ``mlm``); ``unclear`` when none fits, unless a label that files scores
:data:`FALLBACK` and leads every other label by :data:`LEAD`. The pattern format is
described in ``responder/patterns/README.md``. spaCy is imported inside ``load`` only.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from responder.errors import ConfigError
from responder.models import LABELS, Classification, Evidence

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

#: Where the built-in pattern files live (one file per label, every language in it).
PATTERN_DIR = Path(__file__).parent / "patterns"
#: A label fits when the weights of its patterns add up to this much.
DECISIVE = 1.0
#: A less protective label wins over a fitting, more protective one only by this margin.
OUTWEIGH = 1.0
#: The margin for a label that drafts (genuine, stale_reconnect) over one that files: filing a
#: genuine ask costs the user more than drafting an offer they can discard.
OUTWEIGH_TO_DRAFT = 0.6
_NEVER_OUTWEIGHED = frozenset({"scam", "mlm"})
#: When nothing fits, a label that files the ask still wins at this score if it leads every
#: other label by :data:`LEAD` (one strongly label-specific family is enough to beat ``unclear``).
FALLBACK = 0.6
LEAD = 0.3
#: Labels whose default action is a draft.
_DRAFTED = frozenset({"genuine", "stale_reconnect"})
#: Languages with patterns; an ask recognisably in another language is ``unclear``.
LANGUAGES = ("en", "de", "fr", "es", "pt")
#: Where the rule component puts its matches (``doc.user_data[SPANS_KEY]``).
SPANS_KEY = "asks"
RULES_FACTORY = "responder_ask_rules"
LEMMATIZER_FACTORY = "responder_lookup_lemmatizer"

_KEYS = {"id", "label", "pattern", "weight", "lang", "negatable"}
_ID_RE = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$")
_ORDER = {label: i for i, label in enumerate(LABELS)}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words that deny what follows them in the same clause ("I'm not a recruiter").
_NEGATORS = _words(
    "not n't no never nor without nothing neither nicht kein keine keinen keiner nie niemals "
    "pas jamais non ni sin nunca tampoco não nem sem nenhum nenhuma ningún ninguna"
)
_CLAUSE_END = _words(". , ; : ! ? but aber mais pero mas ( ) - – —")
_NEGATION_WINDOW = 6
#: Words that join the last item of a denied list ("not selling, hiring or fundraising").
_LIST_OR = _words("or nor oder ni ou o")

#: Frequent function words per language, for the language guess (small on purpose).
STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "the and you your to of is are i i'm we my for with in on that this it would be have "
        "me at about if can will our an was were been has just do don't let's it's i'd i'll "
        "what when which who there their they from as or so a here my please would could "
        "hi hello hey dear thanks thank love like want how any some all not no"
    ),
    "de": _words(
        "und der die das ich sie ihr ihnen ist nicht mit für zu ein eine einen auf wir uns es "
        "den dem des von bei auch wie noch gerne hätten würde sind haben mich mir dass oder "
        "aber ihre ihren ihrem unser unsere unseren sich im zum zur über du dich dir hast "
        "hättest bist ganz"
    ),
    "fr": _words(
        "le la les et je vous votre vos nous notre est pour avec une des du dans sur pas qui "
        "ce cette mon ma mes suis avez êtes serait au aux très merci bonjour j'ai je suis "
        "c'est d'un d'une qu'il ou mais de que un il en on au ici y ravi toi moi nos"
    ),
    "es": _words(
        "el los las y usted tu tus su sus mi es para con una del por en muy pero como estoy "
        "soy nos nuestro nuestra hola gracias me te le está más al lo yo a de que un tengo "
        "puede ser hay este esta esto la en se también cómo qué sobre"
    ),
    "pt": _words(
        "o os e você seu sua meu minha é para com uma um do da dos das no na em não muito "
        "mas como estou sou nós nosso nossa olá obrigado obrigada oi está mais ao eu a de que "
        "tem pode ser ter há numa num pelo pela isso esse essa este esta seria"
    ),
}
#: word -> the languages whose stop words include it; word -> the one language that owns it.
_LANGS_OF: dict[str, tuple[str, ...]] = {}
for _lang, _stop in STOPWORDS.items():
    for _w in _stop:
        _LANGS_OF[_w] = (*_LANGS_OF.get(_w, ()), _lang)
_OWNER = {w: langs[0] for w, langs in _LANGS_OF.items() if len(langs) == 1}
_WORD_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
#: Greetings, sign-offs and connection chatter: an ask made only of these has no content.
FILLER_WORDS = _words(
    "hi hello hey hiya dear greetings good morning afternoon evening there hallo moin guten tag "
    "bonjour salut coucou hola buenos buenas días olá oi bom dia ciao connect connecting "
    "connection linkedin network invitation invite request accept please thanks thank regards "
    "best cheers sir madam mr ms mrs how are you you're doing hope all is well this finds "
    "find today fine great nice day week have a"
)


@dataclass(frozen=True)
class Pattern:
    """One pattern family member as read from a file: where it came from and how it counts."""

    id: str
    label: str
    pattern: str | list[dict[str, Any]]
    weight: float = 1.0
    lang: str = "en"
    negatable: bool = True
    where: str = ""


def _fail(where: str, message: str) -> ConfigError:
    return ConfigError(f"{where}: {message}")


def read_pattern_file(path: Path) -> tuple[list[Pattern], list[tuple[str, str]]]:
    """Read one JSONL pattern file: its patterns and its ``disable`` lines (id, file:line).

    Blank lines and lines starting with ``#`` are skipped; anything malformed raises
    :class:`ConfigError` naming the file and line.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read pattern file: {exc.strerror or exc}") from exc
    patterns: list[Pattern] = []
    disables: list[tuple[str, str]] = []
    for number, line in enumerate(lines, start=1):
        where = f"{path}:{number}"
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _fail(where, f"not valid JSON ({exc.msg})") from exc
        if not isinstance(item, dict):
            raise _fail(where, "each line must be a JSON object")
        if set(item) == {"disable"}:
            if not isinstance(item["disable"], str) or not item["disable"]:
                raise _fail(where, '"disable" needs a pattern id')
            disables.append((item["disable"], where))
            continue
        patterns.append(_pattern_from(item, where))
    return patterns, disables


def _pattern_from(item: dict[str, Any], where: str) -> Pattern:
    unknown = sorted(set(item) - _KEYS)
    if unknown:
        raise _fail(where, f"unknown key(s) {', '.join(unknown)}; allowed: {sorted(_KEYS)}")
    for key in ("id", "label", "pattern"):
        if key not in item:
            raise _fail(where, f'missing "{key}"')
    pid, label, pattern = item["id"], item["label"], item["pattern"]
    if not isinstance(pid, str) or not _ID_RE.match(pid):
        raise _fail(where, f'"id" must look like "label.family", got {pid!r}')
    if label not in LABELS or label == "unclear":
        raise _fail(where, f"unknown label {label!r}; use one of {', '.join(LABELS[:-1])}")
    if isinstance(pattern, str):
        if not pattern.strip():
            raise _fail(where, "empty phrase pattern")
    elif not isinstance(pattern, list) or not pattern:
        raise _fail(where, '"pattern" must be a phrase (string) or a list of token dicts')
    weight = item.get("weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
        raise _fail(where, f'"weight" must be a positive number, got {weight!r}')
    lang = item.get("lang", "en")
    if lang not in LANGUAGES:
        raise _fail(where, f'"lang" must be one of {", ".join(LANGUAGES)}, got {lang!r}')
    negatable = item.get("negatable", True)
    if not isinstance(negatable, bool):
        raise _fail(where, '"negatable" must be true or false')
    return Pattern(pid, label, pattern, float(weight), lang, negatable, where)


def builtin_pattern_files() -> list[Path]:
    """The package's pattern files, in a stable order."""
    return sorted(PATTERN_DIR.glob("*.jsonl"))


def _merge(files: list[Path], user: Path | None) -> list[Pattern]:
    """All built-in patterns plus the user's, minus those the user switched off."""
    merged: list[Pattern] = []
    for path in files:
        merged.extend(read_pattern_file(path)[0])
    if user is not None:
        if not user.is_file():
            raise ConfigError(f"{user}: no such pattern file")
        extra, disables = read_pattern_file(user)
        merged.extend(extra)
        known = {p.id for p in merged}
        off = set()
        for pid, where in disables:
            if pid not in known:
                raise _fail(where, f"cannot disable unknown pattern id {pid!r}")
            off.add(pid)
        merged = [p for p in merged if p.id not in off]
    first: dict[str, Pattern] = {}
    for p in merged:
        seen = first.setdefault(p.id, p)
        if (seen.label, seen.weight, seen.negatable) != (p.label, p.weight, p.negatable):
            raise _fail(p.where, f"id {p.id!r} has another label/weight/negatable at {seen.where}")
    return merged


def _word_list(text: str) -> list[str]:
    return _WORD_RE.findall(text.lower())


def guess_language(text: str, words: list[str] | None = None) -> str | None:
    """Guess en/de/fr/es/pt by stop-word overlap (``words``: the text's lower-cased words).

    Another language wins over English with at least two hits (a fifth of the words) and
    more words of its own than English has.
    A text of eight words or more that is clearly none of them gives ``"?"``; a text too
    short to tell gives None (or the best guess if any stop word was seen).
    """
    if words is None:
        words = _word_list(text)
    if not words:
        return None
    hits = dict.fromkeys(LANGUAGES, 0)
    own = dict.fromkeys(LANGUAGES, 0)
    for w in words:
        for lang in _LANGS_OF.get(w, ()):
            hits[lang] += 1
        if w in _OWNER:
            own[_OWNER[w]] += 1
    other = max(LANGUAGES[1:], key=lambda lang: (own[lang], hits[lang]))
    if hits[other] >= 2 and own[other] > own["en"] and hits[other] >= 0.2 * len(words):
        return other
    if hits["en"] >= 2 and hits["en"] >= 0.08 * len(words):
        return "en"
    if len(words) >= 8:
        return "?"
    return "en" if hits["en"] else None


def _contentless(words: list[str]) -> bool:
    """True when the ask is only greetings, a name, emoji and punctuation."""
    content = [w for w in words if w not in FILLER_WORDS]
    return len(content) <= 1 and len(words) <= 12


_frozen: list[bool] = []


def _freeze_once() -> None:
    """Keep the garbage collector from walking spaCy's tables on every collection.

    What the first load built lives as long as a daemon does; ``gc.freeze`` moves it out of
    the collector's sight (about a third of the time per ask). Only once per process, so
    loading again (tests, a settings reload) does not pin every discarded pipeline.
    """
    if not _frozen:
        gc.collect()
        gc.freeze()
        _frozen.append(True)


def _lower(text: str) -> str:
    """Lower-case without changing any character offsets (so matches map back to ``text``)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(cl := c.lower()) != 1 else cl for c in text)


class Classifier:
    """The rule-based classifier: one spaCy pipeline, built once, and its pattern table."""

    def __init__(self, nlp: Language, patterns: list[Pattern]) -> None:
        self._nlp = nlp
        self._by_id: dict[str, Pattern] = {}
        for p in patterns:
            self._by_id.setdefault(p.id, p)
        self.patterns: tuple[Pattern, ...] = tuple(patterns)
        self.pattern_ids: tuple[str, ...] = tuple(self._by_id)

    @classmethod
    def load(cls, user_patterns: Path | None = None) -> Classifier:
        """Build the pipeline from the package patterns plus ``user_patterns`` (if given).

        Raises :class:`ConfigError` naming ``file:line`` for any bad pattern.
        """
        import spacy
        from spacy.language import Language
        from spacy.schemas import validate_token_pattern

        patterns = _merge(builtin_pattern_files(), user_patterns)
        nlp = spacy.blank("en")
        if not Language.has_factory(LEMMATIZER_FACTORY):
            Language.factory(LEMMATIZER_FACTORY, func=_make_lemmatizer)
        nlp.add_pipe(LEMMATIZER_FACTORY, name="lemmatizer")
        try:
            nlp.initialize()  # loads the lookup table before phrase patterns are lemmatized
        except (OSError, ValueError) as exc:
            raise ConfigError(f"spaCy lookup tables unavailable: {exc}") from exc
        for p in patterns:  # spaCy's own schema check, the one Matcher(validate=True) runs
            errors = validate_token_pattern(p.pattern) if isinstance(p.pattern, list) else []
            if errors:
                raise _fail(p.where, f"invalid token pattern for {p.id!r}: {'; '.join(errors)}")
        if not Language.has_factory(RULES_FACTORY):
            Language.factory(RULES_FACTORY, func=_make_rules)
        rules = nlp.add_pipe(RULES_FACTORY)
        rules.add(patterns)  # type: ignore[attr-defined]
        _freeze_once()
        return cls(nlp, patterns)

    def classify(self, text: str, kind: str | None = None) -> Classification:
        """Label one ask; ``kind`` is "invitation", "inmail", "message" or None."""
        return self._judge(text, kind, self._nlp(_lower(text)))

    def classify_many(self, items: Iterable[tuple[str, str | None]]) -> list[Classification]:
        """Label many (text, kind) asks in one ``nlp.pipe`` run."""
        pairs = list(items)
        docs = self._nlp.pipe((_lower(t) for t, _ in pairs), batch_size=64)
        return [self._judge(t, k, doc) for (t, k), doc in zip(pairs, docs, strict=True)]

    def _judge(self, text: str, kind: str | None, doc: Doc) -> Classification:
        words = _word_list(text)
        language = guess_language(text, words)
        lang = None if language == "?" else language
        if _contentless(words):
            label = "bare_invite" if kind == "invitation" else "unclear"
            why = (
                "no content beyond a greeting: a bare invitation"
                if label == "bare_invite"
                else f"no content beyond a greeting, and a {kind or 'text of unknown kind'} "
                "with no content is left alone"
            )
            return Classification(label, (), why, {}, lang)
        if language == "?":
            return Classification(
                "unclear", (), "not in a language with patterns (en, de, fr, es, pt)", {}, None
            )
        evidence = self._evidence(text, doc, lang)
        scores: dict[str, float] = {}
        for e in evidence:
            if not e.negated:
                scores[e.label] = scores.get(e.label, 0.0) + e.weight
        label, why = _decide(scores)
        if kind == "message" and text.rstrip().endswith("…"):
            label, why = "unclear", f"a preview cut off mid-ask (ends with …); would be: {why}"
        ordered = sorted(
            evidence, key=lambda e: (e.label != label, e.negated, _ORDER[e.label], -e.weight)
        )
        return Classification(label, tuple(ordered), why, scores, lang)

    def _evidence(self, text: str, doc: Doc, lang: str | None) -> list[Evidence]:
        """Distinct patterns that fired: English ones always, others only in their language
        (or any language when the text is too short to tell)."""
        found: dict[str, Evidence] = {}
        matches: list[Match] = doc.user_data.get(SPANS_KEY, [])
        for start, end, pid in sorted(matches, key=lambda m: (m[0], -m[1])):
            p = self._by_id[pid]
            if lang is not None and p.lang not in ("en", lang):
                continue
            negated = p.negatable and _negated(doc, start)
            seen = found.get(p.id)
            if seen is not None and (seen.negated <= negated):
                continue
            first, last = doc[start], doc[end - 1]
            words = text[first.idx : last.idx + len(last)]
            found[p.id] = Evidence(p.id, p.label, words, p.weight, negated)
        return list(found.values())


@dataclass(frozen=True, slots=True)
class _Elem:
    """One token of a compiled pattern: what it tests, and whether it may be absent."""

    attr: int  # _LEMMA or _LOWER (a column of _Tokens.rows), _NUM, or _ANY
    values: frozenset[int] = frozenset()  # string hashes
    regex: re.Pattern[str] | None = None
    flag: bool = True
    optional: bool = False
    gap: int = 0  # "{0,N}": up to N tokens of anything


_LEMMA, _LOWER, _NUM, _ANY = 0, 1, 2, 3
_ATTRS = {"LEMMA": _LEMMA, "LOWER": _LOWER, "ORTH": _LOWER, "TEXT": _LOWER}
_GAP_RE = re.compile(r"\{0?,(\d+)\}")
#: Tokens that end a sentence: a ``{0,N}`` wildcard does not skip over them.
_SENTENCE_ENDS = (".", "!", "?", ";", "\n")
#: Words too frequent to index a pattern by (a pattern is looked up by its rarest token).
_COMMON = STOPWORDS["en"] | _words("be have do 's 'm 're 'd 've n't not - . , ! ?")


def _compile_token(spec: dict[str, Any], strings: Any) -> _Elem | None:
    """A spaCy token pattern as an _Elem, or None when it needs the full Matcher."""
    spec = dict(spec)
    op = spec.pop("OP", None)
    if not spec:
        if op is None:
            return _Elem(_ANY)
        if op == "?":
            return _Elem(_ANY, optional=True)
        gap = _GAP_RE.fullmatch(op) if isinstance(op, str) else None
        return _Elem(_ANY, gap=int(gap.group(1))) if gap else None
    if op not in (None, "?") or len(spec) != 1:
        return None
    ((key, value),) = spec.items()
    optional = op == "?"
    if key == "LIKE_NUM" and isinstance(value, bool):
        return _Elem(_NUM, flag=value, optional=optional)
    attr = _ATTRS.get(key)
    if attr is None:
        return None
    if isinstance(value, str):
        words = [value]
    elif isinstance(value, dict) and list(value) == ["IN"] and isinstance(value["IN"], list):
        words = [str(v) for v in value["IN"]]
    elif isinstance(value, dict) and list(value) == ["REGEX"] and isinstance(value["REGEX"], str):
        return _Elem(attr, regex=re.compile(value["REGEX"]), optional=optional)
    else:
        return None
    hashes = frozenset(strings.add(w.lower()) for w in words)
    return _Elem(attr, hashes, optional=optional)


def _anchor(elems: tuple[_Elem, ...], strings: Any) -> int | None:
    """Index of the rarest required token: where the pattern is looked up from."""
    best, best_cost = None, float("inf")
    for k, e in enumerate(elems):
        if e.optional or e.gap or e.attr == _ANY:
            continue
        if e.attr == _NUM:
            cost = 500.0
        elif e.regex is not None:
            cost = 100.0
        else:
            cost = float(sum(50 if strings[v] in _COMMON else 1 for v in e.values))
        if cost < best_cost:
            best, best_cost = k, cost
    return best


def _required(elems: tuple[_Elem, ...], k: int) -> _Elem | None:
    """``elems[k]`` when a match needs it at the next position (not optional, not a gap)."""
    if k < len(elems):
        e = elems[k]
        if not e.optional and not e.gap:
            return e
    return None


class _Tokens:
    """The per-token values a match looks at, read from the doc in one array."""

    __slots__ = ("n", "rows", "stops", "strings")

    def __init__(
        self, doc: Doc, columns: list[int | str], strings: Any, ends: frozenset[int]
    ) -> None:
        self.rows: list[list[int]] = doc.to_array(columns).tolist() if len(doc) else []
        self.n = len(self.rows)
        self.strings = strings
        #: tokens a wildcard may not skip: the ends of sentences
        self.stops = [row[_LOWER] in ends for row in self.rows]

    def test(self, e: _Elem, i: int) -> bool:
        if e.attr == _ANY:
            return True
        row = self.rows[i]
        if e.attr == _NUM:
            return bool(row[_NUM]) == e.flag
        if e.regex is None:
            return row[e.attr] in e.values
        return e.regex.search(self.strings[row[e.attr]]) is not None

    def forward(self, elems: tuple[_Elem, ...], k: int, i: int) -> int | None:
        """End of a match of ``elems[k:]`` starting at token ``i``, or None."""
        if k == len(elems):
            return i
        e = elems[k]
        if e.gap:
            nxt = _required(elems, k + 1)
            for j in range(i, min(i + e.gap, self.n) + 1):
                if j > i and self.stops[j - 1]:
                    break
                if nxt is not None and (j >= self.n or not self.test(nxt, j)):
                    continue  # the token after the gap must be there: test it before recursing
                end = self.forward(elems, k + 1, j)
                if end is not None:
                    return end
            return None
        if i < self.n and self.test(e, i):
            end = self.forward(elems, k + 1, i + 1)
            if end is not None:
                return end
        return self.forward(elems, k + 1, i) if e.optional else None

    def backward(self, elems: tuple[_Elem, ...], k: int, i: int) -> int | None:
        """Start of a match of the reversed ``elems[k:]`` ending at token ``i``, or None."""
        if k == len(elems):
            return i + 1
        e = elems[k]
        if e.gap:
            nxt = _required(elems, k + 1)
            for j in range(i, max(i - e.gap, -1) - 1, -1):
                if j < i and self.stops[j + 1]:
                    break
                if nxt is not None and (j < 0 or not self.test(nxt, j)):
                    continue
                start = self.backward(elems, k + 1, j)
                if start is not None:
                    return start
            return None
        if i >= 0 and self.test(e, i):
            start = self.backward(elems, k + 1, i - 1)
            if start is not None:
                return start
        return self.backward(elems, k + 1, i) if e.optional else None


#: One match: (first token, end token, pattern id) in ``doc.user_data[SPANS_KEY]``.
Match = tuple[int, int, str]


class AskRules:
    """The rule component: finds every pattern in a doc.

    Patterns keep spaCy's format. Each one that uses LEMMA/LOWER/ORTH/TEXT (exact, IN or
    REGEX), LIKE_NUM, ``?`` and ``{0,N}`` wildcards is indexed by its rarest token, so a doc
    costs a dictionary lookup per token; any other pattern runs in a spaCy ``Matcher``.
    Text is lower-cased before matching, so matching is case-insensitive. Matches go to
    ``doc.user_data[SPANS_KEY]`` as (start, end, pattern id).
    """

    def __init__(self, nlp: Language) -> None:
        from spacy.attrs import LEMMA, LIKE_NUM, LOWER
        from spacy.matcher import Matcher

        self._nlp = nlp
        self._strings = nlp.vocab.strings
        self._columns: list[int | str] = [LEMMA, LOWER, LIKE_NUM]
        self._ends = frozenset(self._strings.add(p) for p in _SENTENCE_ENDS)
        #: pattern, tokens before its anchor (reversed), tokens after it
        self._patterns: list[tuple[Pattern, tuple[_Elem, ...], tuple[_Elem, ...]]] = []
        #: per pattern: the column and values the token right after its anchor must have
        self._gates: list[tuple[int, frozenset[int]] | None] = []
        self._by: dict[int, list[int]] = {}
        self._by_lemma: dict[int, list[int]] = {}
        self._scan: list[tuple[int, _Elem]] = []  # regex and number anchors
        self._everywhere: tuple[int, ...] = ()
        self._fallback = Matcher(nlp.vocab)
        self._fallback_patterns: dict[str, Pattern] = {}
        self._cache: dict[tuple[int, int, int], tuple[int, ...]] = {}

    def add(self, patterns: list[Pattern]) -> None:
        """Compile and index patterns; a bad one raises ConfigError naming its file:line."""
        from spacy.errors import MatchPatternError

        for p in patterns:
            try:
                self._add(p)
            except (MatchPatternError, ValueError, TypeError, KeyError, re.error) as exc:
                raise _fail(p.where, f"invalid token pattern for {p.id!r}: {exc}") from exc
        self._cache.clear()

    def _add(self, p: Pattern) -> None:
        if isinstance(p.pattern, str):
            toks = self._nlp.make_doc(p.pattern.lower())
            elems: tuple[_Elem | None, ...] = tuple(
                _Elem(_LOWER, frozenset([t.lower])) for t in toks
            )
        else:
            elems = tuple(_compile_token(spec, self._strings) for spec in p.pattern)
        if any(e is None for e in elems):
            key = str(len(self._fallback_patterns))
            self._fallback.add(key, [p.pattern])  # type: ignore[list-item]
            self._fallback_patterns[key] = p
            return
        self._index(p, tuple(e for e in elems if e is not None))

    def _index(self, p: Pattern, elems: tuple[_Elem, ...]) -> None:
        anchor = _anchor(elems, self._strings)
        idx = len(self._patterns)
        if anchor is None:  # nothing to index by: try it from every token
            self._patterns.append((p, (), elems))
        else:
            self._patterns.append((p, elems[:anchor][::-1], elems[anchor + 1 :]))
        nxt = elems[anchor + 1] if anchor is not None and anchor + 1 < len(elems) else None
        plain = nxt is not None and nxt.attr in (_LEMMA, _LOWER) and nxt.regex is None
        gate = nxt is not None and plain and not nxt.optional and not nxt.gap
        self._gates.append((nxt.attr, nxt.values) if gate and nxt is not None else None)
        if anchor is None:
            self._everywhere += (idx,)
            return
        e = elems[anchor]
        if e.regex is not None or e.attr == _NUM:
            self._scan.append((idx, e))
            return
        index = self._by_lemma if e.attr == _LEMMA else self._by
        for value in e.values:
            index.setdefault(value, []).append(idx)

    def _candidates(self, toks: _Tokens, i: int) -> tuple[int, ...]:
        row = toks.rows[i]
        key = (row[_LOWER], row[_LEMMA], row[_NUM])
        found = self._cache.get(key)
        if found is None:
            hits = self._by.get(key[0], []) + self._by_lemma.get(key[1], [])
            hits += [idx for idx, e in self._scan if toks.test(e, i)]
            found = tuple(sorted(set(hits))) + self._everywhere
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache[key] = found
        return found

    def __call__(self, doc: Doc) -> Doc:
        toks = _Tokens(doc, self._columns, self._strings, self._ends)
        rows, n, gates = toks.rows, toks.n, self._gates
        found: list[Match] = []
        for i in range(n):
            for idx in self._candidates(toks, i):
                gate = gates[idx]
                if gate is not None and (i + 1 >= n or rows[i + 1][gate[0]] not in gate[1]):
                    continue  # the cheap test first: most candidates fail on the next token
                p, before, after = self._patterns[idx]
                if idx in self._everywhere:
                    end = toks.forward(after, 0, i)
                    if end is not None and end > i:
                        found.append((i, end, p.id))
                    continue
                end = toks.forward(after, 0, i + 1)
                if end is None:
                    continue
                start = toks.backward(before, 0, i - 1)
                if start is not None:
                    found.append((start, end, p.id))
        if self._fallback_patterns:
            for key, start, end in self._fallback(doc):
                found.append((start, end, self._fallback_patterns[self._strings[key]].id))
        doc.user_data[SPANS_KEY] = found
        return doc


def _make_lemmatizer(nlp: Language, name: str) -> Any:
    """spaCy's lookup lemmatizer (tables from spacy-lookups-data), applied a doc at a time.

    The stock component looks every token up through Python ``Token`` objects; this one
    reads the token ids in one array and caches each id's lemma, with the same result.
    """
    import numpy
    from spacy.attrs import LEMMA, ORTH
    from spacy.pipeline import Lemmatizer

    class LookupLemmatizer(Lemmatizer):
        _lemma_of: dict[int, int]

        def __call__(self, doc: Doc) -> Doc:
            if not self._validated:
                self._validate_tables(f"[E1004] {self.name}: lookup tables missing")
            table = self.lookups.get_table("lemma_lookup")
            strings = doc.vocab.strings
            cache = self._lemma_of
            lemmas = []
            for orth in doc.to_array([ORTH]).tolist():
                lemma = cache.get(orth)
                if lemma is None:
                    text = strings[orth]
                    lemma = cache[orth] = strings.add(table.get(orth, text))
                lemmas.append(lemma)
            if lemmas:
                column = numpy.array(lemmas, dtype="uint64").reshape(-1, 1)
                doc.from_array([LEMMA], column)  # type: ignore[arg-type]
            return doc

    component = LookupLemmatizer(nlp.vocab, None, name, mode="lookup", overwrite=True)
    component._lemma_of = {}
    return component


def _make_rules(nlp: Language, name: str) -> AskRules:
    return AskRules(nlp)


def _negated(doc: Doc, start: int) -> bool:
    """A negator in the few words before a match, within the same clause.

    A comma inside a list that ends in "or"/"nor" does not end the clause ("not selling,
    hiring or fundraising" denies all three).
    """
    listed = False
    for i in range(start - 1, max(start - 1 - _NEGATION_WINDOW, -1), -1):
        word = doc[i].lower_
        if word in _LIST_OR:
            listed = True
        elif word in _CLAUSE_END and not (listed and word == ","):
            return False
        if word in _NEGATORS:
            return True
    return False


def _falls_back(best: str, scores: dict[str, float]) -> bool:
    """Whether ``best`` may win although nothing fits: a label-specific signal, clearly ahead.

    It needs :data:`FALLBACK` and a lead of :data:`LEAD` over every other label. Only a label
    that files the ask wins this way: a draft still takes a fitting score (two signals).
    """
    if best in _DRAFTED or scores[best] < FALLBACK:
        return False
    return all(scores[lab] + LEAD <= scores[best] for lab in scores if lab != best)


def _margin(lab: str, over: str) -> float:
    """How much more than ``over`` the less protective ``lab`` must score to win."""
    return OUTWEIGH_TO_DRAFT if lab in _DRAFTED and over not in _DRAFTED else OUTWEIGH


def _decide(scores: dict[str, float]) -> tuple[str, str]:
    """Pick the label and say why in one line.

    Of the labels that fit (score >= DECISIVE) the most protective wins (LABELS.md order),
    except that a less protective label outscoring it by more than OUTWEIGH (OUTWEIGH_TO_DRAFT
    for a label that drafts over one that files) wins instead; ``scam`` and ``mlm`` are never
    outweighed. Nothing fits: ``unclear``, unless a label that files falls back (_falls_back).
    """
    fitting = [lab for lab in LABELS if scores.get(lab, 0.0) >= DECISIVE]
    if not fitting:
        if not scores:
            return "unclear", "no pattern fired"
        best = max(scores, key=lambda lab: (scores[lab], -_ORDER[lab]))
        if _falls_back(best, scores):
            return best, (
                f"{best} scored {scores[best]:g}: below {DECISIVE:g}, but a clear lead of "
                f"{LEAD:g} or more over every other label (fallback at {FALLBACK:g})"
            )
        return "unclear", (
            f"nothing decisive: best was {best} at {scores[best]:g} (needs {DECISIVE:g})"
        )
    label = fitting[0]
    for lab in fitting[1:]:
        if label not in _NEVER_OUTWEIGHED and scores[lab] > scores[label] + _margin(lab, label):
            label = lab
    hints = [f"{lab} {scores[lab]:g}" for lab in _NEVER_OUTWEIGHED if scores.get(lab, 0.0) > 0]
    if label in _DRAFTED and hints:
        return "unclear", (
            f"{label} scored {scores[label]:g}, but with a {' and '.join(sorted(hints))} "
            "signal it is not drafted: left for you"
        )
    why = f"{label} scored {scores[label]:g} (needs {DECISIVE:g})"
    above = [lab for lab in fitting if _ORDER[lab] < _ORDER[label]]
    below = [lab for lab in fitting if _ORDER[lab] > _ORDER[label]]
    if above:
        margin = max(_margin(label, lab) for lab in above)
        why += "; outweighs " + ", ".join(f"{lab} {scores[lab]:g}" for lab in above)
        why += f" by more than {margin:g}"
    if below:
        why += "; also fitting: " + ", ".join(f"{lab} {scores[lab]:g}" for lab in below)
        why += f", but {label} is more protective"
    return label, why


def explain(c: Classification) -> str:
    """Human text: the label, why it won, every pattern that fired, and how to tune them."""
    lines = [f"label: {c.label}" + (f"  (language: {c.language})" if c.language else "")]
    lines.append(f"why:   {c.why}")
    if c.scores:
        ranked = sorted(c.scores.items(), key=lambda kv: (-kv[1], _ORDER[kv[0]]))
        lines.append("scores: " + ", ".join(f"{lab} {score:g}" for lab, score in ranked))
    if c.evidence:
        lines.append("patterns that fired (winner first):")
        for e in c.evidence:
            state = "  NEGATED, not counted" if e.negated else ""
            mark = "*" if e.label == c.label and not e.negated else "-"
            lines.append(f"  {mark} {e.pattern} [{e.label}, weight {e.weight:g}] {e.text!r}{state}")
    else:
        lines.append("patterns that fired: none")
    lines.append(
        f"tie-break: a label fits at score {DECISIVE:g}; of those that fit, the most "
        f"protective wins ({' > '.join(LABELS[:-1])}) unless another outscores it by more "
        f"than {OUTWEIGH:g} ({OUTWEIGH_TO_DRAFT:g} for genuine or stale_reconnect over a label "
        f"that files; never scam or mlm). Nothing fits: unclear, unless a label that files "
        f"scores {FALLBACK:g} and leads every other by {LEAD:g}."
    )
    add = '{"id": "genuine.my_project", "label": "genuine", "pattern": "tidewater", "weight": 0.5}'
    if c.evidence:
        lines.append(
            f'tune: in your pattern file, {{"disable": "{c.evidence[0].pattern}"}} switches '
            f"that pattern off; a line like {add} adds one."
        )
    else:
        lines.append(f"tune: a line like {add} in your pattern file adds a pattern.")
    return "\n".join(lines)
