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
from .result import CriterionMatch, Evidence, Verdict
from .rules import match_rules, words
from .timing import Window, window_of

__all__ = ["Context", "evaluate"]

#: A resolved window, the reason it cannot be resolved, or no window.
_Window = Window | str | None


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
            if obs.source is not None and (
                obs.value is not None or obs.value_text or obs.value_range
            ):
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


def _consent_known(
    doc: Document, crit: Criterion, ctx: Context, base: dict[str, Any]
) -> CriterionMatch | None:
    """A consent or compliance criterion is decided by the patient's known
    willingness."""
    if crit.category == "consent_compliance" and ctx.patient.consent is not None:
        return _consent(crit, ctx, base)
    return None


def _not_computable(
    doc: Document, crit: Criterion, ctx: Context, base: dict[str, Any]
) -> CriterionMatch | None:
    """A criterion the categoriser marks not computable is not checked."""
    if crit.computable is False:
        return CriterionMatch(
            **base,
            verdict="not_computable",
            holds=None,
            note=f"{crit.category or 'this criterion'}: not computable from a record",
        )
    return None


def _permitted(
    doc: Document, crit: Criterion, ctx: Context, base: dict[str, Any]
) -> CriterionMatch | None:
    """A criterion under a permission heading ("Allowed:") is met."""
    if crit.heading is not None and _permission(crit):
        return CriterionMatch(
            **base,
            verdict="met",
            holds=None,
            note=f"under {crit.heading.text!r}: a permission, not a requirement",
        )
    return None


#: Checks that decide a criterion before its atoms are read, in order.
_DECIDED_BEFORE_ATOMS = (_consent_known, _not_computable, _permitted)


def _windows(cons: list[Constraint], ctx: Context) -> dict[int, Window | str]:
    """Each time window of the criterion (by constraint index), resolved on
    ``ctx.as_of``."""
    return {
        i: window_of(c, ctx.as_of) for i, c in enumerate(cons) if c.type == "temporal"
    }


def _age(doc: Document, con: Constraint, ctx: Context, window: _Window) -> Atom:
    """An age limit or age group, against the patient's age (no window)."""
    return age_atom(doc, con, ctx)


def _sex(doc: Document, con: Constraint, ctx: Context, window: _Window) -> Atom:
    """A sex constraint, against the patient's sex (no window)."""
    return sex_atom(doc, con, ctx)


def _status(doc: Document, con: Constraint, ctx: Context, window: _Window) -> Atom:
    """Pregnancy or breastfeeding, against the recorded status (no window)."""
    return status_atom(doc, con, ctx)


def _measurement(doc: Document, con: Constraint, ctx: Context, window: _Window) -> Atom:
    """A lab value or score, from results dated in the window qualifying it."""
    return measurement_atom(doc, con, ctx, window)


#: Constraint type -> its atom (called with the window qualifying it, if any).
_CONSTRAINT_ATOM = {
    "age": _age,
    "age_group": _age,
    "sex": _sex,
    "pregnancy": _status,
    "breastfeeding": _status,
    "measurement": _measurement,
    "score": _measurement,
}
CONSTRAINT_ATOMS = frozenset(_CONSTRAINT_ATOM)


def _constraint_atoms(
    doc: Document,
    cons: list[Constraint],
    ctx: Context,
    windows: dict[int, Window | str],
) -> dict[int, Atom]:
    """The atom of each constraint of a checked type (by constraint index)."""
    qualified: dict[int, Window | str] = {}
    for i in windows:
        for j in cons[i].qualifies:
            qualified[j] = windows[i]
    atoms: dict[int, Atom] = {}
    for i, con in enumerate(cons):
        atom = _CONSTRAINT_ATOM.get(con.type)
        if atom is not None:
            atoms[i] = atom(doc, con, ctx, qualified.get(i))
    return atoms


def _unchecked(doc: Document, start: int, end: int, label: str) -> Atom:
    """An unknown atom for an entity whose label eligo cannot check."""
    return Atom(
        None,
        evidence(
            doc, start, end, None, f"{label} {doc.text[start:end]!r} is not checked"
        ),
        [f"review: {doc.text[start:end]}"],
    )


def _entity_mentions(
    doc: Document, crit: Criterion, ctx: Context, windows: dict[int, Window | str]
) -> tuple[list[Mention], list[Atom]]:
    """The criterion's entities to look up (those no rule or checked constraint
    covers), and unknown atoms for those of unchecked labels."""
    cons = crit.constraints
    covered = [c for c in cons if c.type in CONSTRAINT_ATOMS]
    mentions: list[Mention] = []
    unchecked: list[Atom] = []
    for ent in crit.entities:
        if ent.source == "rule" or any(
            _overlap(c, ent.start, ent.end) for c in covered
        ):
            continue
        if ent.label == "Value":
            continue  # read by a constraint, or qualifying: _unread_values
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
            unchecked.append(_unchecked(doc, ent.start, ent.end, ent.label))
    return mentions, unchecked


def _unread_values(doc: Document, crit: Criterion) -> list[Atom]:
    """Unknown atoms for the Value entities no constraint reads: a value
    qualifies what the criterion asks ("hypertension of > 170/100 mm of
    Hg"), so a criterion whose mentions hold is not shown to hold."""
    return [
        _unchecked(doc, ent.start, ent.end, ent.label)
        for ent in crit.entities
        if ent.label == "Value"
        and ent.source != "rule"
        and not any(_overlap(c, ent.start, ent.end) for c in crit.constraints)
    ]


def _subject_mentions(
    doc: Document,
    crit: Criterion,
    ctx: Context,
    windows: dict[int, Window | str],
    mentions: list[Mention],
) -> list[Mention]:
    """Windows whose subject names no mention: the subject phrase itself, as
    a mention (when it names a concept or content words)."""
    out: list[Mention] = []
    for i, con in enumerate(crit.constraints):
        if con.type != "temporal" or con.qualifies or con.subject is None:
            continue
        subject = con.subject
        if any(_within(m.start, m.end, subject) for m in [*mentions, *out]):
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
            out.append(m)
    return out


def _attach_duration(cons: list[Constraint], mentions: list[Mention]) -> None:
    """A lone duration ("for at least 6 months") belongs to a lone mention."""
    durations = [c for c in cons if c.type == "duration"]
    if len(durations) == 1 and len(mentions) == 1:
        mentions[0].duration = durations[0]


_OR_WORDS = frozenset({"or", "nor"})
_NOT_OR_WORDS = frozenset({"and", "with", "without", "but", "who", "if", "plus"})


def _all_or(
    doc: Document, crit: Criterion, atoms: dict[int, Atom], mentions: list[Mention]
) -> bool:
    """Whether the checked constraints and the mentions are alternatives of
    one OR ("a respiratory rate of at least 20/min or a PaCO2 of 32 mmHg or
    lower or the use of mechanical ventilation"): the constraints' logic is
    an OR (or there is one), and "or" stands in every gap between them and
    the mentions, with no "and" ("with", "but", ...) in any."""
    logic = crit.logic
    if logic is not None and (
        logic.op != "or" or any(isinstance(a, Logic) for a in logic.args)
    ):
        return False
    if logic is None and len(atoms) > 1:
        return False
    cons = crit.constraints
    spans = sorted(
        [(cons[i].start, cons[i].end) for i in atoms]
        + [(m.start, m.end) for m in mentions]
    )
    for (_, a_end), (b_start, _) in itertools.pairwise(spans):
        gap = set(words(doc.text[a_end:b_start]))
        if b_start < a_end or not gap & _OR_WORDS or gap & _NOT_OR_WORDS:
            return False
    return True


def _group_values(
    doc: Document,
    crit: Criterion,
    atoms: dict[int, Atom],
    mentions: list[Mention],
    mention_atoms: list[Atom],
    unchecked: list[Atom],
) -> list[bool | None]:
    """The value of each group: the constraint atoms (by the logic tree, else
    agreed), the mentions (OR across list separators, else agreed), and each
    unchecked entity."""
    groups: list[bool | None] = []
    if atoms and mention_atoms and _all_or(doc, crit, atoms, mentions):
        values = [a.holds for a in [*atoms.values(), *mention_atoms]]
        return [any_of(values), *(a.holds for a in unchecked)]
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
    return groups


#: Section -> the verdict of what the criterion states holding (True), not
#: holding (False) or unknown (None); any other section reads as inclusion.
_VERDICT_OF: dict[str, dict[bool | None, Verdict]] = {
    "exclusion": {True: "not_met", False: "met", None: "unknown"},
    "inclusion": {True: "met", False: "not_met", None: "unknown"},
}


def _decide(
    base: dict[str, Any], groups: list[bool | None], all_atoms: list[Atom]
) -> CriterionMatch:
    """The verdict from the groups' values, with the evidence, what is missing
    when unknown, and a note when nothing was checked or no section given."""
    section = base["section"]
    found = sorted((a.evidence for a in all_atoms), key=lambda e: (e.start, e.end))
    missing: list[str] = []
    holds = agreed(groups) if groups else None
    if holds is None:
        for a in all_atoms:
            missing += [x for x in a.missing if x not in missing]
        if not all_atoms:
            missing.append(f"review: {base['text']}")
    note = None if all_atoms else "nothing in this criterion that eligo can check"
    verdict = _VERDICT_OF.get(section, _VERDICT_OF["inclusion"])[holds]
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


def evaluate(doc: Document, index: int, ctx: Context) -> CriterionMatch:
    """The verdict on ``doc.criteria[index]`` for ``ctx.patient``."""
    crit = doc.criteria[index]
    ctx = ctx.for_section(crit.section)
    base = {
        "index": index,
        "start": crit.start,
        "end": crit.end,
        "text": doc.text[crit.start : crit.end],
        "section": crit.section,
    }
    for decide_early in _DECIDED_BEFORE_ATOMS:
        decided = decide_early(doc, crit, ctx, base)
        if decided is not None:
            return decided
    cons = crit.constraints
    windows = _windows(cons, ctx)
    atoms = _constraint_atoms(doc, cons, ctx, windows)
    mentions, unchecked = _entity_mentions(doc, crit, ctx, windows)
    mentions += _subject_mentions(doc, crit, ctx, windows, mentions)
    _attach_duration(cons, mentions)
    mention_atoms = [mention_atom(doc, m, ctx) for m in mentions]
    groups = _group_values(doc, crit, atoms, mentions, mention_atoms, unchecked)
    values = _unread_values(doc, crit)
    if values:
        # What the values qualify must hold *and* the values: a False stays.
        holds = agreed(groups) if groups else None
        groups = [None if holds is True else holds]
    all_atoms = _with_sources(ctx, atoms, cons, [*mention_atoms, *unchecked, *values])
    return _decide(base, groups, all_atoms)


def _window_for(
    start: int, end: int, cons: list[Constraint], windows: dict[int, Window | str]
) -> Window | str | None:
    for i, window in windows.items():
        subject = cons[i].subject
        if subject is not None and _within(start, end, subject):
            return window
    return None
