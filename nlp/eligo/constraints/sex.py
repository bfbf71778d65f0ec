"""Sex, pregnancy and breastfeeding constraints.

- ``sex``: "male or female" -> all; "Women aged 18-45" (an inclusion criterion
  that opens with a female subject) -> female; "women only" anywhere -> female.
  A criterion about contraception, partners or childbearing potential
  ("Women of childbearing potential must use ...") restricts nothing.
- ``pregnancy`` / ``breastfeeding``: each mention, ``direction`` "after" when
  it is planned ("plan to become pregnant"). Whether the text says the patient
  is not ("not pregnant", "non-pregnant", "negative pregnancy test") is
  ``eligo_context``'s to decide (``negated``, from
  ``rules/context_rules.json``). Polarity stays with the criterion's section.

Vocabulary in ``rules/sex.json``.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict
from spacy.language import Language
from spacy.tokens import Doc

from ..pipeline.patterns import trie_pattern
from ..pipeline.resources import load_rule_object
from .base import CriterionRuleComponent

SEX_FILE = "sex.json"
#: Runs of whitespace, collapsed to one space in lookup keys.
_SPACES = re.compile(r"\s+")


class SexRules(BaseModel):
    """``rules/sex.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    description: str = ""
    all: list[str]
    female: list[str]
    male: list[str]
    only: dict[str, str]
    openers: list[str]
    not_restricting: list[str]
    pregnancy: list[str]
    breastfeeding: list[str]
    planning: list[str]
    false_friends: list[str] = []


@dataclass(frozen=True)
class SexConstraint:
    """A sex, pregnancy or breastfeeding constraint."""

    type: str  # "sex" | "pregnancy" | "breastfeeding"
    start: int
    end: int
    value: str | None = None  # for sex: "all" | "female" | "male"
    planned: bool = False


class SexGrammar:
    """Compiled sex/pregnancy patterns."""

    def __init__(self, rules: SexRules) -> None:
        f = re.IGNORECASE
        b, e = r"(?<![\w-])", r"(?![\w-])"
        self.all = re.compile(rf"{b}(?:{trie_pattern(rules.all)}){e}", f)
        self.only = re.compile(rf"{b}(?P<o>{trie_pattern(rules.only)}){e}", f)
        self.only_map = {k.lower(): v for k, v in rules.only.items()}
        subject = trie_pattern([*rules.female, *rules.male])
        self.subject = re.compile(
            rf"^[\s\-*•:]*(?:(?:{trie_pattern(rules.openers)})\s+)*(?P<s>{subject}){e}",
            f,
        )
        self.female = {w.lower() for w in rules.female}
        self.not_restricting = re.compile(
            rf"{b}(?:{trie_pattern(rules.not_restricting)})", f
        )
        self.pregnancy = re.compile(
            rf"(?<!\w)(?:{trie_pattern(rules.pregnancy)}){e}", f
        )
        self.breastfeeding = re.compile(
            rf"(?<!\w)(?:{trie_pattern(rules.breastfeeding)}){e}", f
        )
        self.false_friend = (
            re.compile(rf"(?:{trie_pattern(rules.false_friends)})(?!\w)", f)
            if rules.false_friends
            else None
        )
        self.planning = re.compile(
            rf"(?:{trie_pattern(rules.planning)})\s+(?:\w+\s+){{0,2}}$", f
        )

    def find(
        self,
        view: str,
        start: int = 0,
        end: int | None = None,
        *,
        section: str = "unknown",
    ) -> list[SexConstraint]:
        """Constraints in one criterion ``view[start:end]``."""
        end = len(view) if end is None else end
        text = view[start:end]
        out: list[SexConstraint] = []
        m_all = self.all.search(text)
        m_only = self.only.search(text)
        if m_only:
            value = self.only_map[_SPACES.sub(" ", m_only.group("o").lower())]
            out.append(
                SexConstraint(
                    "sex", start + m_only.start(), start + m_only.end(), value
                )
            )
        elif m_all:
            out.append(
                SexConstraint("sex", start + m_all.start(), start + m_all.end(), "all")
            )
        elif section == "inclusion" and not self.not_restricting.search(text):
            m = self.subject.match(text)
            if m:
                word = _SPACES.sub(" ", m.group("s").lower())
                value = "female" if word in self.female else "male"
                out.append(
                    SexConstraint(
                        "sex", start + m.start("s"), start + m.end("s"), value
                    )
                )
        for kind, pattern in (
            ("pregnancy", self.pregnancy),
            ("breastfeeding", self.breastfeeding),
        ):
            for m in pattern.finditer(text):
                if self.false_friend is not None and self.false_friend.match(
                    text, m.start()
                ):
                    continue  # "nursing home"
                before = text[max(0, m.start() - 40) : m.start()]
                planned = bool(self.planning.search(before))
                out.append(
                    SexConstraint(
                        kind, start + m.start(), start + m.end(), None, planned
                    )
                )
        return sorted(out, key=lambda c: c.start)


class SexComponent(CriterionRuleComponent):
    """spaCy component ``eligo_sex``: sex, pregnancy and breastfeeding constraints."""

    RULE_FILES = (SEX_FILE,)

    def build(self, rules_data: dict[str, Any]) -> None:
        self.grammar = SexGrammar(
            load_rule_object(SEX_FILE, SexRules, rules_data[SEX_FILE])
        )

    def extract(
        self, view: str, criterion: dict[str, Any], doc: Doc
    ) -> list[dict[str, Any]]:
        out = []
        for c in self.grammar.find(
            view, criterion["start"], criterion["end"], section=criterion["section"]
        ):
            item: dict[str, Any] = {
                "type": c.type,
                "start": c.start,
                "end": c.end,
            }
            if c.value is not None:
                item["value"] = c.value
            if c.planned:
                item["direction"] = "after"
            out.append(item)
        return out


@Language.factory("eligo_sex", assigns=["doc.spans"], requires=["doc.spans"])
def make_sex_component(nlp: Language, name: str) -> SexComponent:
    """Factory of :class:`SexComponent` (vocabulary in ``rules/sex.json``)."""
    return SexComponent(name)


@lru_cache(maxsize=1)
def default_grammar() -> SexGrammar:
    """The grammar built from the shipped ``rules/sex.json``."""
    return SexGrammar(load_rule_object(SEX_FILE, SexRules))


def find_sex(
    view: str, start: int = 0, end: int | None = None, *, section: str = "unknown"
) -> list[SexConstraint]:
    """Sex, pregnancy and breastfeeding constraints of one criterion."""
    return default_grammar().find(view, start, end, section=section)
