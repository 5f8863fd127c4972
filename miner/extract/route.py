"""Routes of administration, from explicit wording only.

The component ``miner_route`` runs the patterns of
``miner/extract/patterns/routes.jsonl`` (one JSON object per line:
``{"route": <canonical name>, "pattern": <regular expression>}``, optionally
``"eye_route"``: the route to use instead when the text is about eyes) over the raw
document text and appends one ``ROUTE`` span per mention to
``doc.spans["miner"]``; the canonical route name rides on the span's
``kb_id_`` so that it survives ``nlp.pipe`` and ``DocBin``.

A route is never guessed from a drug name. Ambiguous forms are taken only
where they are unambiguous: "IV" not after "stage", "class", "grade"...;
"oral" not in "oral health", "oral glucose tolerance", "oral antidiabetic
agents"; "SC"/"IM"/"PO" only before "injection", "dose", "daily" and the
like; "spinal" only before "anaesthesia", "block", "injection"... Route words that
name anatomy, devices or tests are no route either ("subcutaneous fat",
"intravenous glucose tolerance test", "posterior capsule", "tablet computer",
"oral and maxillofacial surgery", "dipeptidyl peptidase IV"). "Topical",
"instilled" and counted drops ("one drop in the evening") are ophthalmic in a
text about eyes (eye words in its title, or several of them) or in a sentence
that names eyes.

Pattern order matters: all patterns form one alternation, so at a given
position the first listed pattern that matches wins (specific forms such as
"sublingual tablets" are listed before the generic "tablets" -> oral).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from miner.extract.doctext import SPAN_KEY, add_spans, doc_text, span_list
from miner.extract.negation import RESEARCH_CALL_RE
from miner.extract.quantities import _load_jsonl, normalise
from miner.extract.scan import literal_positions, match_at_starts, matches_at, may_contain

LABEL = "ROUTE"

#: The canonical routes of /work/shared/DESIGN.md.
ROUTES: tuple[str, ...] = (
    "intravenous",
    "oral",
    "intranasal",
    "topical",
    "ophthalmic",
    "subcutaneous",
    "intramuscular",
    "intradermal",
    "epidural",
    "intrathecal",
    "transdermal",
    "sublingual",
    "buccal",
    "inhalation",
    "rectal",
    "vaginal",
    "intra-articular",
    "perineural",
    "infiltration",
    "intravitreal",
    "intraperitoneal",
    "intravesical",
    "intracameral",
    "intracoronary",
    "intra-arterial",
    "intrauterine",
    "intralesional",
)


def _compile(
    rows: list[dict[str, Any]],
) -> tuple[re.Pattern[str], dict[str, str | None], dict[str, str]]:
    names: dict[str, str | None] = {}
    eye: dict[str, str] = {}
    parts: list[str] = []
    for i, row in enumerate(rows):
        route = row["route"]
        if row.get("eye_route"):
            eye[f"r{i}"] = row["eye_route"]
        if route is not None and route not in ROUTES:
            raise ValueError(
                f"routes.jsonl line {i + 1}: unknown route {route!r}; allowed: {', '.join(ROUTES)}"
            )
        group = f"r{i}"
        names[group] = route
        parts.append(f"(?P<{group}>{row['pattern']})")
    # Word boundaries on both sides: a route word inside a longer word is no route.
    regex = re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w])", re.IGNORECASE)
    return regex, names, eye


ROUTE_RE, _GROUP_ROUTE, _EYE_ROUTE = _compile(_load_jsonl("routes.jsonl"))
# In a text about eyes, "topical" and "instilled" mean topical ocular use, which
# the canonical vocabulary calls "ophthalmic" (rows with an "eye_route"). A text
# is about eyes when its title names them or they come up again and again; a
# single passing mention ("ocular involvement", "visible to the naked eye")
# counts only for its own sentence.
_EYE_CONTEXT_RE = re.compile(
    r"(?<!naked )\b(?:eyes?|eyelids?|ocular|intraocular|glaucoma|ophthalmic|conjunctiv\w*|corneal?"
    r"|IOP)\b",
    re.IGNORECASE,
)
_EYE_TEXT_MIN = 3
_SENTENCE_END_RE = re.compile(r"[.!?]\s+(?=[A-Z(\[])|\n")


# Every eye word contains one of these (lowercase); most texts contain none.
_EYE_PIECES = ("eye", "ocular", "glaucoma", "ophthalmic", "conjunctiv", "cornea", "iop")


def is_eye_text(text: str) -> bool:
    """Whether the whole text is about eyes (eye words in the title, or several)."""
    low = text.lower()
    if not any(piece in low for piece in _EYE_PIECES):
        return False
    found = [m.start() for m in _EYE_CONTEXT_RE.finditer(text)]
    if not found:
        return False
    title_end = text.find("\n")
    return len(found) >= _EYE_TEXT_MIN or (title_end > 0 and found[0] < title_end)


def _sentence_of(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence around ``start:end``."""
    lo = 0
    # One character past ``start``, so that the lookahead sees the sentence's first letter.
    for m in _SENTENCE_END_RE.finditer(text, 0, start + 1):
        lo = m.end()
    after = _SENTENCE_END_RE.search(text, end)
    hi = after.start() if after else len(text)
    return lo, hi


def _eye_sentence(text: str, start: int, end: int) -> bool:
    """Whether the sentence around ``start:end`` names eyes."""
    lo, hi = _sentence_of(text, start, end)
    return _EYE_CONTEXT_RE.search(text, lo, hi) is not None


# Cheap first pass: every route pattern contains one of these word pieces (or
# one of the short forms of _SHORT_HINT_RE). The full alternation is tried only
# at the word starts shortly before such words (see _route_matches), because
# trying dozens of alternatives at every position of every abstract is what
# costs time; words are classified once, since abstracts share most of their
# vocabulary.
_HINT_PIECES = (
    "intra",
    "vagin",
    "pessar",
    "eye",
    "ophthalm",
    "conjunctiv",
    "ocular",
    "drop",
    "instil",
    "infiltrat",
    "neural",
    "block",
    "thecal",
    "subarach",
    "spinal",
    "epidur",
    "extradur",
    "caudal",
    "venous",
    "vein",
    "oral",
    "tablet",
    "capsul",
    "syrup",
    "pill",
    "sachet",
    "nasal",
    "nose",
    "topical",
    "cream",
    "ointment",
    "gel",
    "lotion",
    "cutane",
    "skin",
    "subcut",
    "muscul",
    "dermal",
    "patch",
    "lingual",
    "tongue",
    "buccal",
    "mucosal",
    "inhal",
    "nebuli",
    "aerosol",
    "rectal",
    "rectum",
    "suppositor",
    "articular",
    "vitreal",
    "periton",
    "vesical",
    "bladder",
    "cameral",
    "coronary",
    "arterial",
    "uterine",
    "lesional",
)
_WORD_RE = re.compile(r"[A-Za-z]{2,}")
_SHORT_HINT_RE = re.compile(
    r"\b[ipsIPS]\.\s?[vmpcqoVMPCQO]|\b(?:IV|SC|SQ|IM|PO|sc|pMDIs?)\b|\bper\s+os\b|\bby\s+mouth\b"
)
# The same short forms, split so that each starts with a literal or a rare
# character class (which ``re`` skips to quickly) instead of ``\b``; the word
# boundary before them is checked by hand (see _short_hints).
_SHORT_HINT_PARTS = (
    re.compile(r"[ipsIPS]\.\s?[vmpcqoVMPCQO]"),
    re.compile(r"(?:IV|SC|SQ|IM|PO|sc|pMDIs?)\b"),
    re.compile(r"per\s+os\b"),
    re.compile(r"by\s+mouth\b"),
)


@lru_cache(maxsize=65536)
def _is_hint(word: str) -> bool:
    w = word.lower()
    return any(piece in w for piece in _HINT_PIECES)


# Words already classified, as ASCII bytes: the hint words of a text are then
# one set intersection away (abstracts share most of their vocabulary).
_HINT_WORDS: set[bytes] = set()
_OTHER_WORDS: set[bytes] = set()
_KNOWN_WORDS_MAX = 200_000


_HINT_PIECES_BYTES = tuple(piece.encode("ascii") for piece in _HINT_PIECES)
# Every byte but an ASCII letter becomes a space before splitting into words.
_LETTERS_ELSE_SPACE = bytes(c if 97 <= c <= 122 or 65 <= c <= 90 else 32 for c in range(256))
_ASCII_LETTER_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _word_hints(norm: str) -> list[tuple[int, int]]:
    """Spans of the words (runs of ASCII letters) that contain a hint piece.

    The same spans as ``_WORD_RE`` words passing ``_is_hint``: the text's
    distinct words (split as bytes, C-level; every non-ASCII character becomes
    one "?", so offsets stay) are classified once and remembered, and only the
    hint words are then looked for with ``bytes.find``.
    """
    low = norm.lower()
    if len(low) != len(norm):
        return [m.span() for m in _WORD_RE.finditer(norm) if _is_hint(m.group())]
    raw = low.encode("ascii", "replace")
    distinct = set(raw.translate(_LETTERS_ELSE_SPACE).split())
    unknown = distinct - _HINT_WORDS - _OTHER_WORDS
    if unknown:
        if len(_OTHER_WORDS) > _KNOWN_WORDS_MAX:
            _OTHER_WORDS.clear()
        for w in unknown:
            (_HINT_WORDS if any(p in w for p in _HINT_PIECES_BYTES) else _OTHER_WORDS).add(w)
    words = distinct & _HINT_WORDS
    if not words:
        return []
    n = len(raw)
    letters = _ASCII_LETTER_BYTES
    out: list[tuple[int, int]] = []
    for word in words:
        k = len(word)
        i = raw.find(word)
        while i >= 0:
            # Only whole words: a hint word inside a longer word is another word.
            if (i == 0 or raw[i - 1] not in letters) and (i + k >= n or raw[i + k] not in letters):
                out.append((i, i + k))
            i = raw.find(word, i + 1)
    out.sort()
    return out


def _short_hints(norm: str) -> list[tuple[int, int]]:
    """Spans of ``_SHORT_HINT_RE`` matches (i.v., IV, per os ...)."""
    out = []
    for regex in _SHORT_HINT_PARTS:
        for m in regex.finditer(norm):
            s = m.start()
            # \b before a word character: the previous character is no word character.
            if s == 0 or not (norm[s - 1].isalnum() or norm[s - 1] == "_"):
                out.append(m.span())
    return out


# How far before a hint piece a route mention may start: "administered into
# a peripheral vein", "transversus abdominis plane block", "2 drops", "applied
# to the skin" start words before their hint; every other pattern starts at
# its hint word or just before it ("sub-cutaneous", "peri-articular").
_FAR_PIECES = (
    "block",
    "vein",
    "skin",
    "drop",
    "infiltrat",
    "nose",
    "tongue",
    "inhal",
    "rectum",
    "aerosol",
)
_FAR_LOOKBACK = 50
_NEAR_LOOKBACK = 6
# Where a route mention can start: a word character after no word character or
# hyphen (the same test as the lookbehind that opens ROUTE_RE).
_WORD_START_RE = re.compile(r"(?<![\w-])\w")


@lru_cache(maxsize=65536)
def _lookback(word: str) -> int:
    return _FAR_LOOKBACK if any(piece in word for piece in _FAR_PIECES) else _NEAR_LOOKBACK


def _route_matches(norm: str) -> list[re.Match[str]]:
    """ROUTE_RE matches, tried only at word starts shortly before a hint.

    Trying the whole alternation at every word start of the text is what
    costs time; a mention always starts at most a few words before one of its
    hint pieces, so only those word starts are tried (leftmost match first,
    no overlaps, as ``finditer`` would).
    """
    spans = [(s, s - _lookback(norm[s:e].lower())) for s, e in _word_hints(norm)]
    spans += [(s, s) for s, _ in _short_hints(norm)]
    if not spans:
        return []
    spans.sort()
    ranges: list[list[int]] = []
    for start, lo in spans:
        lo = max(0, lo)
        if ranges and lo <= ranges[-1][1] + 1:
            ranges[-1][1] = max(ranges[-1][1], start)
        else:
            ranges.append([lo, start])
    return match_at_starts(ROUTE_RE, _WORD_START_RE, norm, ranges)


# A route word is a fact of the trial only when it describes what the trial
# gives. These cues mark the other uses, judged on the words around a mention.
#
# Negated: "no intravenous opioids", "without oral premedication", "did not
# receive IV iron" (but "with or without oral iron" names an arm).
_NEGATED_BEFORE_RE = re.compile(
    r"(?:(?<!or )\bwithout|\b(?:no|nor|neither|not\s+(?:receive|received|given|use|used"
    r"|administered|require|required)))\s+(?:(?:additional|other|further|concomitant|prior|previous|systemic"
    r"|supplemental|regular|routine|any)\s+)?$",
    re.IGNORECASE,
)
_NEGATION_LOOKBACK = 60
# Rescue or supplementary medication is background care: "paracetamol tablets
# were prescribed as a rescue analgesic", "supplementary analgesic was oral
# paracetamol", "if analgesia was insufficient, oral naproxen was allowed".
# The cue must sit in the mention's own clause, close to it.
_RESCUE_RE = re.compile(
    r"\brescue\s+(?:analges\w*|medications?|medicines?|drugs?|antiemetics?|opioids?|doses?"
    r"|boluses|bolus)\b|\b(?:as|for)\s+(?:a\s+)?rescue\b|\b(?:supplement\w*|additional)\s+analges\w*"
    r"|\bif\s+(?:the\s+)?(?:analgesia|pain\s+relief)\s+(?:was|were|is|remained)\s+"
    r"(?:insufficient|inadequate|poor)",
    re.IGNORECASE,
)
_RESCUE_REACH = 70
_CLAUSE_END_RE = re.compile(r";|[.!?]\s+(?=[A-Z(\[])|\n")
# Eligibility and history: "patients who had received intravenous iron were
# excluded", "a history of oral steroid use".
_ELIGIBILITY_RE = re.compile(
    r"\bexclu(?:de|ded|des|ding|sion)\b|\bineligib\w*|\bnot\s+eligible\b", re.IGNORECASE
)
# "History of" reaches only the words it governs: "a history of failed oral
# iron", not "tablets were taken by patients with a history of radiotherapy".
_HISTORY_BEFORE_RE = re.compile(r"\bhistory\s+of\b[^,;()]{0,50}$", re.IGNORECASE)
# Anaesthesia the operation was done under is the setting, not the study's
# route: "hip replacement under spinal anaesthesia", "QT during spinal anesthesia",
# "midazolam 30 min before spinal anesthesia" (not "bupivacaine for spinal
# anaesthesia": that is the drug's own route).
_SETTING_BEFORE_RE = re.compile(
    r"\b(?:under|during|undergoing|underwent|undergo|before|after|prior\s+to|following)\s+"
    r"(?:(?:a|an|the|elective|planned)\s+)?$",
    re.IGNORECASE,
)
_SETTING_ANAESTHESIA_RE = re.compile(
    r"(?:spinal|epidural|subarachnoid)\s+an(?:a)?esthe(?:sia|tic)\b", re.IGNORECASE
)
# "IV contrast", "intravenous line", "IV drug users": a device, an imaging
# agent or a habit, not how a study drug was given.
_NOT_IV_AFTER_RE = re.compile(
    r"\s*(?:\(\s*IV\s*\)\s*)?(?:contrast|cannula\w*|catheter\w*|lines?|access|drug\s+(?:use|users?"
    r"|abuse)|pyelogra\w*|urogra\w*|GTT|glucose\s+tolerance)\b",
    re.IGNORECASE,
)
# "Oral HPV16", "oral prevalence": the mouth as a site of infection.
_NOT_ORAL_AFTER_RE = re.compile(
    r"\s+(?:HPV\w*|human\s+papilloma\w*|prevalence|infections?)\b", re.IGNORECASE
)
# A bare formulation word takes the route that qualifies the same word
# elsewhere in the text: after "vaginal gel", "the gel" is vaginal too.
_FORMULATIONS = ("gel", "gels", "cream", "creams", "ointment", "ointments")
_QUALIFYING_ROUTES = frozenset({"vaginal", "rectal", "intranasal", "ophthalmic"})


# "IV" closing a capitalised plural name is a numeral ("... for Children and
# Adolescents IV, ..."), not the intravenous route.
_ROMAN_IV_AFTER_RE = re.compile(r"[,.;)]")
_NAME_WORD_BEFORE_RE = re.compile(r"\b[A-Z][a-z]+s $")
# Earlier work of the authors is background ("we previously showed that
# intranasal X ...", "Recently we demonstrated that ...").
_PRIOR_WORK_RE = re.compile(
    r"\b(?:(?:(?:previously|recently|earlier)\s+(?:we|our\s+group)\s+(?:ha(?:ve|s)\s+)?"
    r"|(?:we|our\s+group)\s+(?:ha(?:ve|s)\s+)?(?:previously|recently)\s+)"
    r"(?:showed|shown|demonstrated|reported|found)"
    r"|(?:we|our\s+group)\s+(?:ha(?:ve|s)\s+)?(?:showed|shown|demonstrated|reported|found)\s+"
    r"(?:previously|earlier))\s+that\b",
    re.IGNORECASE,
)


# A form word in capitals is a trial's name ("the PATCH trials"), not a patch.
# (Unless the words around are capitals too: a title in capitals, "DOSES OF
# ORAL HALOPERIDOL".)
_ACRONYM_RE = re.compile(r"[A-Z]{4,}")
_CAPS_WORD_BEFORE_RE = re.compile(r"\b(?![IVX]+\s)[A-Z]{2,}\s+$")
_CAPS_WORD_AFTER_RE = re.compile(r"\s+(?![IVX]+\b)[A-Z]{2,}\b")


def _not_a_fact(text: str, start: int, end: int, route: str) -> bool:
    """Whether the mention at ``start:end`` is negated, background, eligibility or a device."""
    if _NEGATED_BEFORE_RE.search(text, max(0, start - _NEGATION_LOOKBACK), start):
        return True
    if _ACRONYM_RE.fullmatch(text, start, end) and not (
        _CAPS_WORD_BEFORE_RE.search(text, max(0, start - 20), start)
        or _CAPS_WORD_AFTER_RE.match(text, end)
    ):
        return True
    if route == "intravenous" and _NOT_IV_AFTER_RE.match(text, end):
        return True
    if (
        route == "intravenous"
        and _ROMAN_IV_AFTER_RE.match(text, end)
        and _NAME_WORD_BEFORE_RE.search(text, max(0, start - 30), start)
    ):
        return True
    if route == "oral" and _NOT_ORAL_AFTER_RE.match(text, end):
        return True
    if (
        route in ("intrathecal", "epidural")
        and _SETTING_ANAESTHESIA_RE.match(text, start)
        and _SETTING_BEFORE_RE.search(text, max(0, start - 30), start)
    ):
        return True
    lo, hi = _sentence_of(text, start, end)
    if _ELIGIBILITY_RE.search(text, lo, hi):
        return True
    # The clause around the mention: a call for more research, a history or a
    # rescue cue counts there only (the rescue cue also only near the mention).
    for m in _CLAUSE_END_RE.finditer(text, lo, start):
        lo = m.end()
    after = _CLAUSE_END_RE.search(text, end, hi)
    hi = after.start() if after else hi
    if RESEARCH_CALL_RE.search(text, lo, hi):
        return True
    if _HISTORY_BEFORE_RE.search(text, max(lo, start - 70), start):
        return True
    if _PRIOR_WORK_RE.search(text, lo, start):
        return True
    near_lo = max(lo, start - _RESCUE_REACH)
    near_hi = min(hi, end + _RESCUE_REACH)
    return _RESCUE_RE.search(text, near_lo, near_hi) is not None


# "Infusion" of a drug is intravenous unless the words around it name another
# way in (epidural or wound infusions, duodenal feeds, subcutaneous pumps,
# intra-arterial chemotherapy, forearm studies, closed-loop hormone pumps) or
# it is a test, a tracer or a drink (glucose clamps, saline infusion
# sonography, labelled amino acids, herbal teas). Local anaesthetic infusions are
# mostly into wounds, nerves or the epidural space, so they are left alone;
# so is a whole text that names such a route or such words by an infusion,
# since its other "infusion"s may be the same one.
_INFUSION_RE = re.compile(r"(?<![\w-])(?:infusions?|infused)(?![\w-])", re.IGNORECASE)
_NOT_IV_INFUSION_RE = re.compile(
    r"\b(?:epidural\w*|extradural|intrathecal\w*|spinal\s+(?:an\w+|catheter\w*)|caudal|subarachnoid"
    r"|subcutaneous\w*|SC|CSII|insulin\s+pumps?|wound|incision\w*|perineural|nerve|plexus"
    r"|catheter-based|duodenal|intraduodenal|jejunal|intragastric|nasogastric|enteral"
    r"|feeding\s+tubes?|gastrostomy|feeds?|intraperitoneal|dialysate|intra-?arterial"
    r"|hepatic\s+arter\w*|intraosseous|intracoronary|intravesical|intrauterine|intraventricular"
    r"|intracerebroventricular|intraportal|portal\s+vein|intra-?articular|rectal|vaginal|topical"
    r"|irrigation|lavage|cardioplegi\w*|pericardial|intrapleural|intratumou?ral|intralesional"
    r"|local(?:ly)?\s+(?:infus\w+|administ\w+|deliver\w*)|isolated\s+limb|tea|teas|herbal|leaf"
    r"|leaves|flowers?|decoction|tisane|sonograph\w*|sonohysterograph\w*|hysterosonograph\w*"
    r"|(?:glucose|euglyc\w*|hyperglyc\w*|hyperinsulin\w*|insulin)\s+clamps?|glucose\s+infusion\s+rates?"
    r"|clamp\s+(?:studies|study|technique|procedure)|tolerance|GIR"
    r"|\w+caine|nutrients?|formula|tracers?|isotop\w*|label(?:l)?ed|13C|2H|15N|intrabrachial"
    r"|brachial\s+arter\w*|forearm|closed-loop|bi-?hormonal|artificial\s+pancreas"
    r"|in(?:to)?\s+(?:a|the)\s+(?:\w+\s+)?(?:coronary|arter(?:y|ies)))\b",
    re.IGNORECASE,
)
_NOT_IV_INFUSION_ROUTES = frozenset(ROUTES) - {
    "intravenous",
    "oral",
    "topical",
    "ophthalmic",
    "inhalation",
    "intranasal",
    "sublingual",
    "buccal",
    "transdermal",
}


def _infusion_mentions(
    text: str, found: list[tuple[int, int, str]], *, whole_text: bool
) -> list[tuple[int, int, str]]:
    """``intravenous`` for each "infusion"/"infused" whose sentence names no route."""
    if whole_text and any(route in _NOT_IV_INFUSION_ROUTES for *_, route in found):
        return []
    out: list[tuple[int, int, str]] = []
    infusions = [(m, _sentence_of(text, m.start(), m.end())) for m in _INFUSION_RE.finditer(text)]
    # One "duodenal infusion" makes every later "the infusion" of the text a feed.
    if any(_NOT_IV_INFUSION_RE.search(text, lo, hi) for _, (lo, hi) in infusions):
        return []
    for m, (lo, hi) in infusions:
        if any(lo <= s < hi for s, _, _ in found):
            continue
        if _not_a_fact(text, m.start(), m.end(), "intravenous"):
            continue
        out.append((m.start(), m.end(), "intravenous"))
    return out


# Forms the pattern file does not hold (they could move to routes.jsonl): a
# short form right after a dose ("60 mg sc every 6 months", "2 g IM",
# "10 mg/kg iv"; lowercase "iv" and "im" only there, since "(iv)" numbers a
# list item), after "given"/"injected", or before "infusion" and the like
# (below); an enema that is no imaging or reduction procedure; an
# infiltration named by what is infiltrated ("analgesic infiltration").
_SHORT_FORM_ROUTES = {
    "sc": "subcutaneous",
    "sq": "subcutaneous",
    "im": "intramuscular",
    "iv": "intravenous",
}
_AFTER_DOSE_SHORT_RE = re.compile(
    r"(?:\d\s?(?:mg|g|[uµμ]g|mcg|ng|IU|U|units?|ml|mL)(?:\s?/\s?(?:kg|m2))?"
    r"|\b(?:given|administered|injected))\s+(?P<form>sc|SC|SQ|im|IM|iv|IV)(?![\w/-])(?!\s*\))"
)
_EXTRA_ROUTES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    (
        "enema",
        "rectal",
        re.compile(
            r"(?<![\w-])(?<!barium )(?<!contrast )enemas?(?![\w-])(?!\s+reduction)", re.IGNORECASE
        ),
    ),
    (
        "infiltration",
        "infiltration",
        re.compile(r"(?<![\w-])(?:analgesic|an(?:a)?esthetic)\s+infiltration\b", re.IGNORECASE),
    ),
)


# Eye forms, ophthalmic in a text or sentence about eyes only: "multiple
# instillations", "0.5% drops", "preservative-free drops" ("drops" alone is
# also a fall in pressure); artificial tears are eye drops anywhere.
_EYE_EXTRA_RE = re.compile(
    r"(?<![\w-])instill(?:ations|ing|s)(?![\w-])|(?:%|\b(?:tear|artificial|preservative-free"
    r"|lubricating|lubricant|antibiotic|steroid|corticosteroid|dilating|mydriatic))\s+drops\b",
    re.IGNORECASE,
)
_ARTIFICIAL_TEARS_RE = re.compile(r"\bartificial\s+tears?\b", re.IGNORECASE)


# ... or right before what it delivers: "iv-infusion", "im injection".
_BEFORE_FORM_SHORT_RE = re.compile(
    r"(?<![\w(/-])(?P<form>iv|im)[\s-](?:infusions?|injections?|bolus(?:es)?|administration|route"
    r"|doses?)\b"
)


# Both short-form patterns would be tried at every character: the first starts
# with its form, the second has one after a space and before no word
# character, which few texts hold.
_BEFORE_FORM_STARTS = ("iv", "im")
_AFTER_DOSE_FORMS = ("sc", "SC", "SQ", "im", "IM", "iv", "IV")
_SPACED_FORM_RE = re.compile(r"\s(?:sc|SC|SQ|im|IM|iv|IV)(?![\w/-])")


def _has_spaced_form(text: str) -> bool:
    """Whether ``text`` holds a short form as :data:`_AFTER_DOSE_SHORT_RE` needs it."""
    return any(
        _SPACED_FORM_RE.match(text, i - 1)
        for i in literal_positions(text, _AFTER_DOSE_FORMS)
        if i > 0
    )


# A short form before "block" in a text about regional anaesthesia names a
# nerve or plane block ("LFCN-block", "QLB block"); heart conduction blocks
# ("AV block", "LBBB") and blocked molecules ("TNF block") are not routes.
_SHORT_BLOCK_RE = re.compile(r"(?<![\w-])(?P<form>[A-Z]{2,6})[\s-]blocks?(?![\w-])")
_NOT_NERVE_BLOCK_FORMS = frozenset(
    {"AV", "SA", "AVN", "BB", "BBB", "LBB", "RBB", "LBBB", "RBBB", "LAF", "LAFB", "LPF", "LPFB"}
    | {"IVB", "HB", "CHB", "NMB", "TNF", "ACE", "ARB", "CCB", "PD", "EGFR", "VEGF", "RAS", "RAAS"}
)
_REGIONAL_CONTEXT_RE = re.compile(
    r"caine\b|\bregional\b|\bnerves?\b|\bplane\b|\bultrasound[\s-]guided\b", re.IGNORECASE
)


def _short_block_mentions(text: str) -> list[tuple[int, int, str]]:
    if not _REGIONAL_CONTEXT_RE.search(text):
        return []
    return [
        (m.start(), m.end(), "perineural")
        for m in _SHORT_BLOCK_RE.finditer(text)
        if m.group("form") not in _NOT_NERVE_BLOCK_FORMS
    ]


def _extra_mentions(text: str) -> list[tuple[int, int, str]]:
    """Mentions of the forms above, in text order."""
    out = [
        (m.start("form"), m.end("form"), _SHORT_FORM_ROUTES[m.group("form")])
        for m in matches_at(
            _BEFORE_FORM_SHORT_RE, text, literal_positions(text, _BEFORE_FORM_STARTS)
        )
    ]
    after_dose = _AFTER_DOSE_SHORT_RE.finditer(text) if _has_spaced_form(text) else ()
    for m in after_dose:
        form = m.group("form")
        # Lowercase "iv"/"im" need a dose before them, not just "given".
        if form in ("iv", "im") and not m.group().lstrip()[0].isdigit():
            continue
        out.append((m.start("form"), m.end("form"), _SHORT_FORM_ROUTES[form.lower()]))
    low = text.lower()
    for piece, route, regex in _EXTRA_ROUTES:
        if piece in low:
            out += [(m.start(), m.end(), route) for m in regex.finditer(text)]
    if "artificial" in low:
        out += [(m.start(), m.end(), "ophthalmic") for m in _ARTIFICIAL_TEARS_RE.finditer(text)]
    if "block" in low:
        out += _short_block_mentions(text)
    return out


def find_routes(text: str, *, eye_text: bool | None = None) -> list[tuple[int, int, str]]:
    """Find route mentions in raw text.

    Parameters
    ----------
    text:
        Any text (offsets refer to it; dashes and odd spaces are normalised
        internally without changing length).
    eye_text:
        Whether the document ``text`` comes from is about eyes (see
        :func:`is_eye_text`), for callers that pass one sentence of it; by
        default ``text`` itself decides.

    Returns
    -------
    list[tuple[int, int, str]]
        ``(start, end, route)`` for each mention, in text order.
    """
    out: list[tuple[int, int, str]] = []
    eye_context = eye_text
    for m in _route_matches(normalise(text)):
        group = m.lastgroup
        if group is None:  # pragma: no cover - every alternative is a named group
            continue
        route = _GROUP_ROUTE[group]
        if group in _EYE_ROUTE:
            if eye_context is None:
                eye_context = is_eye_text(text)
            if eye_context or _eye_sentence(text, m.start(), m.end()):
                route = _EYE_ROUTE[group]
        if route is None:
            continue
        start, end = m.span()
        # Trailing spaces inside a pattern ("nasal spray ") never end a mention.
        while end > start and text[end - 1].isspace():
            end -= 1
        if _not_a_fact(text, start, end, route):
            continue
        out.append((start, end, route))
    extra = _extra_mentions(text)
    low = text.lower()
    if "instill" in low or "drops" in low:
        for m in _EYE_EXTRA_RE.finditer(text):
            if eye_context is None:
                eye_context = is_eye_text(text)
            if eye_context or _eye_sentence(text, m.start(), m.end()):
                # The mention is the form word, not the "%" before it.
                extra.append((m.end() - len(m.group().split()[-1]), m.end(), "ophthalmic"))
    for start, end, route in extra:
        if not any(s < end and start < e for s, e, _ in out) and not _not_a_fact(
            text, start, end, route
        ):
            out.append((start, end, route))
    out.sort()
    qualified = {
        text[s:e].lower().split()[-1]: route
        for s, e, route in out
        if route in _QUALIFYING_ROUTES and text[s:e].lower().split()[-1] in _FORMULATIONS
    }
    if qualified:
        out = [
            (s, e, qualified.get(text[s:e].lower(), route) if route == "topical" else route)
            for s, e, route in out
        ]
    if may_contain(text, low, ("infus",)) and _INFUSION_RE.search(text):
        out += _infusion_mentions(text, out, whole_text=eye_text is None)
        out.sort()
    return out


def parse_route(text: str) -> str | None:
    """Canonical route named by a phrase ("i.v.", "eye drops", "orally"), or ``None``."""
    found = find_routes(text)
    return found[0][2] if found else None


class RouteComponent:
    """Append a ``ROUTE`` span (route name in ``kb_id_``) for every route mention."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        for start, end, route in find_routes(doc_text(doc)):
            span = doc.char_span(start, end, label=LABEL, kb_id=route, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        add_spans(doc, spans)
        return doc


@Language.factory("miner_route")
def make_route(nlp: Language, name: str) -> RouteComponent:
    """spaCy factory of the route component (no settings: the patterns are data)."""
    return RouteComponent(nlp, name)


def collect_routes(doc: Doc) -> list[dict[str, Any]]:
    """Turn the ``ROUTE`` spans of ``doc`` into contract dicts.

    Returns
    -------
    list[dict]
        ``{"route", "start", "end", "text"}`` per mention, in text order.
    """
    if SPAN_KEY not in doc.spans:
        return []
    text = doc_text(doc)  # (a span's text is the text between its offsets)
    out = [
        {"route": kb_id, "start": start, "end": end, "text": text[start:end]}
        for label, start, end, kb_id in span_list(doc)
        if label == LABEL and kb_id in ROUTES
    ]
    out.sort(key=lambda d: (d["start"], d["end"]))
    return out
