"""One criterion of a parsed trial against one patient: three-valued logic.

A criterion is read into *atoms*, each true, false or unknown (``None``) of
the patient:

- constraint atoms: age, sex, pregnancy, breastfeeding, measurement, score
  (a time window that ``qualifies`` a measurement says how old a result may
  be; without one, results up to ``lab_max_age_days`` old count);
- concept atoms: Condition, Drug and Procedure mentions (and any mention that
  names a concept of ``rules/match_concepts.json``), looked up in the
  patient's lists, with the time window whose ``subject`` covers them;
- subject atoms: a time window whose subject names no recognised mention
  ("participation in another study within 30 days") is matched on its
  subject phrase.

Constraint atoms combine by the criterion's ``logic`` tree. Concept atoms
combine by OR when only list separators ("," "or" "/") stand between them;
otherwise, and between the two groups, a value is given only when every atom
agrees (a result that holds under both AND and OR), so an unsure reading
yields "unknown", never a confident wrong verdict.
"""

from __future__ import annotations

import itertools
from typing import Any

from ..document import Constraint, Criterion, Document, Logic
from .atoms import Atom, Context, agreed, all_of, any_of, evidence
from .measures import _describe_obs, age_atom, measurement_atom, sex_atom, status_atom
from .mentions import (
    UNCHECKED_LABELS,
    Mention,
    _describe_fact,
    _patient_list,
    make_mention,
    mention_atom,
)
from .patient import Source
from .result import CriterionMatch, Evidence
from .rules import match_rules, words
from .timing import Window, window_of

__all__ = ["Context", "evaluate"]

CONSTRAINT_ATOMS = frozenset(
    {"age", "age_group", "sex", "pregnancy", "breastfeeding", "measurement", "score"}
)


# ----------------------------------------------------------------- criterion


def _overlap(a: Any, start: int, end: int) -> bool:
    return bool(a.start < end and start < a.end)


def _within(start: int, end: int, span: Any) -> bool:
    return bool(span.start <= start and end <= span.end)


def _separators_or(doc: Document, mentions: list[Mention]) -> bool:
    seps = {s.strip().lower() for s in match_rules().or_separators}
    ordered = sorted(mentions, key=lambda m: m.start)
    for a, b in itertools.pairwise(ordered):
        between = " ".join(doc.text[a.end : b.start].lower().split())
        if between not in seps:
            return False
    return True


def _tree(logic: Logic, values: dict[int, bool | None]) -> bool | None:
    args: list[bool | None] = []
    for arg in logic.args:
        if isinstance(arg, Logic):
            args.append(_tree(arg, values))
        elif arg in values:
            args.append(values[arg])
    if not args:
        return None
    return any_of(args) if logic.op == "or" else all_of(args)


def _permission(crit: Criterion) -> bool:
    if crit.heading is None:
        return False
    head = " ".join(words(crit.heading.text))
    return any(
        head.startswith(" ".join(words(p))) for p in match_rules().permission_headings
    )


#: Constraint types whose evidence a note gives in ``Patient.sources``.
_STATUS_SOURCES = {
    "age": "age",
    "age_group": "age",
    "sex": "sex",
    "pregnancy": "pregnant",
    "breastfeeding": "breastfeeding",
}


def _fact_sources(ctx: Context) -> dict[str, Source]:
    """Each patient fact's description (as evidence names it) to its place
    in the note, for a patient read from one (computed once per match)."""
    found = ctx.cache.get("fact_sources")
    if found is None:
        found = {}
        for name in ("conditions", "medications", "procedures"):
            for fact in _patient_list(ctx.patient, name):
                source = getattr(fact, "source", None)
                if source is not None:
                    found.setdefault(_describe_fact(name, fact), source)
        for obs in ctx.patient.observations:
            if obs.source is not None and (obs.value is not None or obs.value_text):
                found.setdefault(_describe_obs(obs), obs.source)
        ctx.cache["fact_sources"] = found
    return found


def _with_sources(
    ctx: Context, atoms: dict[int, Atom], cons: list[Constraint], others: list[Atom]
) -> list[Atom]:
    """The atoms, their evidence pointing at the note where a fact came from."""
    by_fact = _fact_sources(ctx)
    status = ctx.patient.sources
    out = []
    for i, atom in [*atoms.items(), *((None, a) for a in others)]:
        ev = atom.evidence
        source = by_fact.get(ev.fact) if ev.fact else None
        if source is None and i is not None:
            key = _STATUS_SOURCES.get(cons[i].type)
            source = status.get(key) if key else None
        if source is not None:
            atom = Atom(
                atom.holds, ev.model_copy(update={"source": source}), atom.missing
            )
        out.append(atom)
    return out


def _sentences_used(evidence: list[Evidence]) -> list[Source]:
    seen: dict[tuple[int, int], Source] = {}
    for ev in evidence:
        if ev.source is not None:
            seen.setdefault(
                (ev.source.sentence_start, ev.source.sentence_end), ev.source
            )
    return [seen[k] for k in sorted(seen)]


def _consent(crit: Criterion, ctx: Context, base: dict[str, Any]) -> CriterionMatch:
    """A consent or compliance criterion for a patient whose willingness is
    known (a note's "will provide informed consent"): an inclusion criterion
    asks for it, an exclusion criterion names its lack ("unable to comply")."""
    willing = ctx.patient.consent
    section = crit.section
    holds = willing if section != "exclusion" else not willing
    source = ctx.patient.sources.get("consent")
    ev = Evidence(
        start=crit.start,
        end=crit.end,
        text=base["text"],
        holds=holds,
        reason="the patient "
        + ("will" if willing else "will not")
        + " give informed consent and comply",
        fact="consent: " + ("willing" if willing else "unwilling"),
        source=source,
    )
    met = holds if section != "exclusion" else not holds
    return CriterionMatch(
        **base,
        verdict="met" if met else "not_met",
        holds=holds,
        evidence=[ev],
        sources=[source] if source is not None else [],
    )


def evaluate(doc: Document, index: int, ctx: Context) -> CriterionMatch:
    """The verdict on ``doc.criteria[index]`` for ``ctx.patient``."""
    crit = doc.criteria[index]
    section = crit.section
    ctx = ctx.for_section(section)
    base = {
        "index": index,
        "start": crit.start,
        "end": crit.end,
        "text": doc.text[crit.start : crit.end],
        "section": section,
    }
    if crit.category == "consent_compliance" and ctx.patient.consent is not None:
        return _consent(crit, ctx, base)
    if crit.computable is False:
        return CriterionMatch(
            **base,
            verdict="not_computable",
            holds=None,
            note=f"{crit.category or 'this criterion'}: not computable from a record",
        )
    if crit.heading is not None and _permission(crit):
        return CriterionMatch(
            **base,
            verdict="met",
            holds=None,
            note=f"under {crit.heading.text!r}: a permission, not a requirement",
        )
    cons = crit.constraints
    windows: dict[int, Window | str] = {
        i: window_of(c, ctx.as_of) for i, c in enumerate(cons) if c.type == "temporal"
    }
    qualified: dict[int, Window | str] = {}
    for i in windows:
        for j in cons[i].qualifies:
            qualified[j] = windows[i]
    atoms: dict[int, Atom] = {}
    for i, con in enumerate(cons):
        if con.type in ("age", "age_group"):
            atoms[i] = age_atom(doc, con, ctx)
        elif con.type == "sex":
            atoms[i] = sex_atom(doc, con, ctx)
        elif con.type in ("pregnancy", "breastfeeding"):
            atoms[i] = status_atom(doc, con, ctx)
        elif con.type in ("measurement", "score"):
            atoms[i] = measurement_atom(doc, con, ctx, qualified.get(i))
    covered = [c for c in cons if c.type in CONSTRAINT_ATOMS]
    mentions: list[Mention] = []
    unchecked: list[Atom] = []
    for ent in crit.entities:
        if ent.source == "rule" or any(
            _overlap(c, ent.start, ent.end) for c in covered
        ):
            continue
        window = _window_for(ent.start, ent.end, cons, windows)
        m = make_mention(
            ctx,
            doc,
            crit,
            ent.start,
            ent.end,
            ent.label,
            ent.negated or ent.assertion == "negated",
            ent.assertion,
            window,
        )
        if m is not None:
            mentions.append(m)
        elif ent.label in UNCHECKED_LABELS:
            unchecked.append(
                Atom(
                    None,
                    evidence(
                        doc,
                        ent.start,
                        ent.end,
                        None,
                        f"{ent.label} {doc.text[ent.start : ent.end]!r} is not checked",
                    ),
                    [f"review: {doc.text[ent.start : ent.end]}"],
                )
            )
    # Windows whose subject names no mention: match the subject phrase itself.
    for i, con in enumerate(cons):
        if con.type != "temporal" or con.qualifies or con.subject is None:
            continue
        subject = con.subject
        if any(_within(m.start, m.end, subject) for m in mentions):
            continue
        m = make_mention(
            ctx,
            doc,
            crit,
            subject.start,
            subject.end,
            None,
            bool(con.negated),
            None,
            windows[i],
        )
        if m is not None and (m.ids or m.content):
            mentions.append(m)
    durations = [c for c in cons if c.type == "duration"]
    if len(durations) == 1 and len(mentions) == 1:
        mentions[0].duration = durations[0]
    mention_atoms = [mention_atom(doc, m, ctx) for m in mentions]
    groups: list[bool | None] = []
    if atoms:
        if crit.logic is not None:
            groups.append(_tree(crit.logic, {i: a.holds for i, a in atoms.items()}))
        else:
            groups.append(agreed(a.holds for a in atoms.values()))
    if mention_atoms:
        if _separators_or(doc, mentions):
            groups.append(any_of(a.holds for a in mention_atoms))
        else:
            groups.append(agreed(a.holds for a in mention_atoms))
    groups += [a.holds for a in unchecked]
    all_atoms = _with_sources(ctx, atoms, cons, [*mention_atoms, *unchecked])
    found = sorted((a.evidence for a in all_atoms), key=lambda e: (e.start, e.end))
    missing: list[str] = []
    holds = agreed(groups) if groups else None
    if holds is None:
        for a in all_atoms:
            missing += [x for x in a.missing if x not in missing]
        if not all_atoms:
            missing.append(f"review: {base['text']}")
    note = None if all_atoms else "nothing in this criterion that eligo can check"
    if section == "exclusion":
        verdict = {True: "not_met", False: "met", None: "unknown"}[holds]
    else:
        verdict = {True: "met", False: "not_met", None: "unknown"}[holds]
        if section == "unknown":
            note = (note + "; " if note else "") + "no section: read as inclusion"
    return CriterionMatch(
        **base,
        verdict=verdict,
        holds=holds,
        evidence=found,
        missing=missing,
        note=note,
        sources=_sentences_used(found),
    )


def _window_for(
    start: int, end: int, cons: list[Constraint], windows: dict[int, Window | str]
) -> Window | str | None:
    for i, window in windows.items():
        subject = cons[i].subject
        if subject is not None and _within(start, end, subject):
            return window
    return None
