"""The data `eligo match` reads: ``rules/match.json`` and ``rules/match_concepts.json``.

Concept matching works on *keys*: a text is lowercased, split into words
(punctuation dropped, a plural "s" trimmed), every concept phrase it contains
(longest first) is replaced by ``@<concept id>``, and the words in
``generic_words`` are dropped. A criterion concept is matched by a patient
fact when the criterion's keys are a subset of the fact's keys, where a fact's
concept keys also include every ancestor concept (a fact of hepatocellular
carcinoma is a fact of liver cancer and of malignancy). Codes decide first
when both sides have one in the same system.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Literal

from pydantic import Field, model_validator

from ..pipeline.resources import RuleModel, load_rule_object

MATCH_FILE = "match.json"
CONCEPTS_FILE = "match_concepts.json"
Kind = Literal["condition", "medication", "procedure", "therapy", "trial"]
#: Short names for code systems; URIs are mapped onto them.
SYSTEM_ALIASES = {
    "http://hl7.org/fhir/sid/icd-10-cm": "icd10cm",
    "icd-10-cm": "icd10cm",
    "icd10-cm": "icd10cm",
    "icd10cm": "icd10cm",
    "http://www.whocc.no/atc": "atc",
    "atc": "atc",
    "http://snomed.info/sct": "snomed",
    "snomed": "snomed",
    "snomed ct": "snomed",
    "http://loinc.org": "loinc",
    "loinc": "loinc",
    "http://www.nlm.nih.gov/research/umls/rxnorm": "rxnorm",
    "rxnorm": "rxnorm",
}
_WORD_RE = re.compile(r"[a-z0-9]+")


class MatchRules(RuleModel):
    """``rules/match.json``."""

    description: str = ""
    lab_max_age_days: float = Field(gt=0)
    status_max_age_days: float = Field(gt=0)
    anchors_at_reference: tuple[str, ...]
    qualifiers: tuple[str, ...]
    generic_words: tuple[str, ...]
    or_separators: tuple[str, ...]
    permission_headings: tuple[str, ...]
    not_instance_words: tuple[str, ...]

    @cached_property
    def generic_set(self) -> frozenset[str]:
        """``generic_words`` as a set."""
        return frozenset(self.generic_words)


class Member(RuleModel):
    """A concept inside a class concept ("prednisone" in glucocorticoids)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    synonyms: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    codes: dict[str, tuple[str, ...]] = Field(default_factory=dict)


class ConceptEntry(Member):
    """One concept of ``rules/match_concepts.json``."""

    kind: Kind
    parents: tuple[str, ...] = ()
    members: tuple[Member, ...] = ()

    @model_validator(mode="after")
    def _named(self) -> ConceptEntry:
        if not self.synonyms and not self.abbreviations:
            raise ValueError(f"concept {self.id} has no synonym or abbreviation")
        return self


class ConceptsFile(RuleModel):
    description: str = ""
    concepts: tuple[ConceptEntry, ...]


def system_name(system: str) -> str:
    """The short name of a code system (URIs and spellings folded)."""
    key = system.strip().lower()
    return SYSTEM_ALIASES.get(key, key)


def words(text: str) -> list[str]:
    """Lowercase ASCII words of ``text``, a plural "s" trimmed."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = []
    for word in _WORD_RE.findall(folded.lower()):
        if (
            len(word) > 3
            and word.endswith("s")
            and not word.endswith(("ss", "us", "is"))
        ):
            word = word[:-1]
        out.append(word)
    return out


@dataclass(frozen=True)
class Concept:
    """A compiled concept: id, kind, ancestors, codes by system."""

    id: str
    kind: Kind
    ancestors: frozenset[str]
    codes: dict[str, tuple[str, ...]]


@dataclass
class ConceptIndex:
    """Phrases and codes of every concept, for key extraction."""

    rules: MatchRules
    concepts: dict[str, Concept] = field(default_factory=dict)
    phrases: dict[tuple[str, ...], str] = field(default_factory=dict)
    abbreviations: dict[str, str] = field(default_factory=dict)
    longest: int = 1
    _abbr_words: dict[str, set[str]] = field(default_factory=dict)
    # Memoised lookups: the same criterion and fact texts recur across trials.
    _split_cache: dict[str, tuple[frozenset[str], tuple[str, ...]]] = field(
        default_factory=dict
    )
    _code_cache: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)

    def keys(self, text: str) -> tuple[frozenset[str], frozenset[str]]:
        """(concept ids, content words) of ``text``."""
        ids, rest = self.split(text)
        generic = self.rules.generic_set
        return ids, frozenset(w for w in rest if w not in generic)

    def split(self, text: str) -> tuple[frozenset[str], list[str]]:
        """(concept ids, the words outside concept phrases) of ``text``.

        Abbreviations are matched case-sensitively as whole words; phrases
        case-insensitively, longest first.
        """
        cached = self._split_cache.get(text)
        if cached is None:
            if len(self._split_cache) > 100_000:
                self._split_cache.clear()
            cached = self._split(text)
            self._split_cache[text] = cached
        return cached[0], list(cached[1])

    def _split(self, text: str) -> tuple[frozenset[str], tuple[str, ...]]:
        found: set[str] = set()
        for raw in re.findall(r"[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]|[A-Za-z0-9]", text):
            cid = self.abbreviations.get(raw)
            if cid is not None:
                found.add(cid)
        toks = words(text)
        rest: list[str] = []
        i = 0
        while i < len(toks):
            for n in range(min(self.longest, len(toks) - i), 0, -1):
                cid = self.phrases.get(tuple(toks[i : i + n]))
                if cid is not None:
                    found.add(cid)
                    i += n
                    break
            else:
                rest.append(toks[i])
                i += 1
        if found:
            # Words of a matched abbreviation are not content ("HIV" in "HIV").
            covered = {w for cid in found for w in self._abbr_words.get(cid, ())}
            rest = [w for w in rest if w not in covered]
        return frozenset(found), tuple(rest)

    def expand(self, ids: Iterable[str]) -> frozenset[str]:
        """The concepts and all their ancestors."""
        out: set[str] = set()
        for cid in ids:
            concept = self.concepts.get(cid)
            if concept is not None:
                out.add(cid)
                out |= concept.ancestors
        return frozenset(out)

    def from_codes(self, codes: Iterable[tuple[str, str]]) -> frozenset[str]:
        """Concepts whose code prefixes cover any of ``(system, code)``."""
        out: set[str] = set()
        for system, code in codes:
            key = (system_name(system), code.upper())
            found = self._code_cache.get(key)
            if found is None:
                found = frozenset(
                    concept.id
                    for concept in self.concepts.values()
                    for prefix in concept.codes.get(key[0], ())
                    if key[1].startswith(prefix.upper())
                )
                self._code_cache[key] = found
            out |= found
        return frozenset(out)


def _compile(rules: MatchRules, data: ConceptsFile) -> ConceptIndex:
    index = ConceptIndex(rules=rules)
    parents: dict[str, tuple[str, ...]] = {}
    entries: list[tuple[Member, Kind]] = []
    for entry in data.concepts:
        entries.append((entry, entry.kind))
        parents[entry.id] = entry.parents
        for member in entry.members:
            entries.append((member, entry.kind))
            parents[member.id] = (entry.id,)
    for member, _kind in entries:
        for pid in parents[member.id]:
            if pid not in parents:
                raise ValueError(f"concept {member.id}: unknown parent {pid}")

    def ancestors(cid: str, seen: tuple[str, ...] = ()) -> set[str]:
        if cid in seen:
            raise ValueError(f"concept {cid}: parents form a cycle")
        out: set[str] = set()
        for pid in parents[cid]:
            out |= {pid} | ancestors(pid, (*seen, cid))
        return out

    for member, kind in entries:
        if member.id in index.concepts:
            raise ValueError(f"concept {member.id}: duplicate id")
        index.concepts[member.id] = Concept(
            id=member.id,
            kind=kind,
            ancestors=frozenset(ancestors(member.id)),
            codes={system_name(s): c for s, c in member.codes.items()},
        )
        for phrase in member.synonyms:
            key = tuple(words(phrase))
            other = index.phrases.setdefault(key, member.id)
            if other != member.id:
                raise ValueError(
                    f"phrase {phrase!r} claimed by {other} and {member.id}"
                )
            index.longest = max(index.longest, len(key))
        for abbr in member.abbreviations:
            index._abbr_words.setdefault(member.id, set()).update(words(abbr))
            other = index.abbreviations.setdefault(abbr, member.id)
            if other != member.id:
                raise ValueError(f"abbreviation {abbr!r} claimed twice")
    return index


@cache
def match_rules() -> MatchRules:
    """The shipped ``rules/match.json``, validated."""
    return load_rule_object(MATCH_FILE, MatchRules)


@cache
def concept_index() -> ConceptIndex:
    """The shipped concepts, compiled (validated on load)."""
    from ..errors import RuleError

    data = load_rule_object(CONCEPTS_FILE, ConceptsFile)
    try:
        return _compile(match_rules(), data)
    except ValueError as err:
        raise RuleError(f"rules/{CONCEPTS_FILE}: {err}") from err
