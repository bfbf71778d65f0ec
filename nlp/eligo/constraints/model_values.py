"""Thresholds the rules read but could not attach, licensed by the concept model.

``eligo_measurements`` turns a comparison into a threshold when it finds the
phrase the comparison is about. Some comparisons it reads but leaves: the
phrase is cut off ("<26 kg in men; <18 kg in women": the second value), or
stands after it. ``eligo_model_values`` runs after ``eligo_concepts`` and
gives such a comparison a second chance, by one precedence:

1. Constraints the rule components made stand; this component never changes
   or removes one, and takes no comparison that overlaps one, nor one in time
   units (windows and durations own those).
2. A comparison the comparison reader (:mod:`eligo.normalise.comparisons`)
   parsed becomes a threshold only when the concept model marks it as a
   ``Value`` (an entity overlapping it). Bounds, unit and offsets always come
   from the reader, never from the model.
3. Its analyte is the nearest ``Measurement``/``Observation`` entity before it
   in the criterion, else the analyte of the threshold before it; with
   neither, nothing is made. The analyte has no code (``id`` and ``code``
   null): the lexicon already had its chance.
4. A range that defines a scale ("on a 0-10 scale": ``scale_words`` of
   ``rules/measurements.json``, as the rule reader skips it) is no threshold.

Without the concept model (``concepts=False``) criteria carry no model
entities and this component adds nothing.
"""

import re
from functools import lru_cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from ..normalise.comparisons import find_comparisons
from ..pipeline.extensions import doc_view
from ..pipeline.resources import read_rule_json
from ..pipeline.spans import add_constraints, criteria, record
from .phrases import scale_pattern

#: Entity labels an analyte can have.
ANALYTE_LABELS = frozenset({"Measurement", "Observation"})
#: UCUM time units: those comparisons belong to windows and durations.
TIME_UNITS = frozenset({"s", "min", "h", "d", "wk", "mo", "a"})


@lru_cache(maxsize=1)
def _scale_after() -> re.Pattern[str]:
    """The rule reader's scale check, from the shipped ``measurements.json``."""
    words = read_rule_json("measurements.json")["open_vocabulary"]["scale_words"]
    return scale_pattern(words)


def _defines_scale(view: str, end: int, stop: int) -> bool:
    return _scale_after().match(view, end, stop) is not None


class ModelValueComponent:
    """spaCy component ``eligo_model_values`` (see the module docstring)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        view = doc_view(doc)
        for span in criteria(doc, self.name):
            crit = record(span)
            values = [
                e
                for e in crit["entities"]
                if e["label"] == "Value" and e.get("source") == "model"
            ]
            if values:
                found = self.extract(view, crit, values)
                if found:
                    add_constraints(span, found)
        return doc

    def extract(
        self, view: str, crit: dict[str, Any], values: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Thresholds for one criterion (see the module docstring)."""
        made = crit.get("constraints") or []
        taken = [(c["start"], c["end"]) for c in made]
        analytes = sorted(
            (e for e in crit.get("entities") or [] if e["label"] in ANALYTE_LABELS),
            key=lambda e: e["start"],
        )
        out: list[dict[str, Any]] = []
        for comp in find_comparisons(view, crit["start"], crit["end"]):
            if comp.kind == "normal" or comp.unit in TIME_UNITS:
                continue
            if comp.kind == "range" and _defines_scale(view, comp.end, crit["end"]):
                continue  # "a 0-10 scale" defines the scale
            if any(comp.start < e and s < comp.end for s, e in taken):
                continue
            if not any(comp.start < v["end"] and v["start"] < comp.end for v in values):
                continue
            analyte = self._analyte(view, comp.start, analytes, [*made, *out])
            if analyte is None:
                continue
            out.append(
                {
                    "type": "measurement",
                    "start": comp.start,
                    "end": comp.end,
                    "low": comp.low,
                    "low_inclusive": comp.low_inclusive,
                    "high": comp.high,
                    "high_inclusive": comp.high_inclusive,
                    "unit": comp.unit,
                    "relative_to": comp.relative_to,
                    "analyte": analyte,
                    "note": "value found by the concept model",
                }
            )
            taken.append((comp.start, comp.end))
        return out

    @staticmethod
    def _analyte(
        view: str,
        pos: int,
        entities: list[dict[str, Any]],
        thresholds: list[dict[str, Any]],
    ) -> dict[str, Any] | None:
        entity = next((e for e in reversed(entities) if e["end"] <= pos), None)
        before = [
            c
            for c in thresholds
            if c.get("analyte") and c["end"] <= pos and c["type"] != "age"
        ]
        last = max(before, key=lambda c: c["end"], default=None)
        if entity is not None and (last is None or entity["end"] > last["end"]):
            s, e = entity["start"], entity["end"]
            return {"text": view[s:e], "start": s, "end": e, "code": None, "id": None}
        if last is not None:
            return dict(last["analyte"])
        return None


@Language.factory("eligo_model_values", assigns=["doc.spans"], requires=["doc.spans"])
def make_model_value_component(nlp: Language, name: str) -> ModelValueComponent:
    """Factory of :class:`ModelValueComponent`."""
    return ModelValueComponent(name)
