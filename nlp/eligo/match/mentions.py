"""Concept atoms: a mention (or a window's subject phrase) looked up in the
patient's lists, by code, synonyms and parents, at the right time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..document import Constraint, Criterion, Document
from .atoms import Atom, Context, all_of, evidence, negate
from .patient import (
    Condition,
    Medication,
    Patient,
    Procedure,
    TrialParticipation,
    date_bounds,
)
from .rules import system_name, words
from .timing import Window, date_range, overlaps, point_in

Fact = Condition | Medication | Procedure | TrialParticipation
#: Mention labels looked up in the patient's lists, and the lists they search.
LABEL_LISTS: dict[str, tuple[str, ...]] = {
    "Condition": ("conditions",),
    "Drug": ("medications",),
    "Procedure": ("procedures",),
}
#: Mention labels that say something eligo cannot check in a patient record.
UNCHECKED_LABELS = frozenset({"Observation", "Device", "Measurement", "Visit"})
KIND_LISTS: dict[str, tuple[str, ...]] = {
    "condition": ("conditions",),
    "medication": ("medications",),
    "procedure": ("procedures",),
    "therapy": ("medications", "procedures"),
    "trial": ("trials",),
}


# ------------------------------------------------------------- concept atoms


def _patient_list(patient: Patient, name: str) -> Sequence[Fact]:
    lists: dict[str, Sequence[Fact]] = {
        "conditions": patient.conditions,
        "medications": patient.medications,
        "procedures": patient.procedures,
        "trials": patient.trials,
    }
    return lists[name]


def _fact_text(fact: Fact) -> str:
    if isinstance(fact, TrialParticipation):
        return " ".join(x for x in (fact.text, fact.id, "clinical trial") if x)
    return " ".join(fact.names())


def _fact_codes(fact: Fact) -> list[tuple[str, str]]:
    if isinstance(fact, TrialParticipation):
        return []
    return [(c.system, c.code) for c in fact.codes]


def _describe_fact(name: str, fact: Fact) -> str:
    if isinstance(fact, TrialParticipation):
        text = fact.text or fact.id or "a clinical trial"
    else:
        text = _fact_text(fact) or ", ".join(f"{c.system}|{c.code}" for c in fact.codes)
    if isinstance(fact, Condition):
        dates = f"onset {fact.onset or '?'}" + (
            f", resolved {fact.resolved}" if fact.resolved else ""
        )
    elif isinstance(fact, Procedure):
        dates = f"on {fact.date or '?'}"
    else:
        dates = f"{fact.start or '?'} to {fact.end or 'ongoing'}"
    absent = "" if getattr(fact, "present", True) else " (recorded as absent)"
    return f"{name[:-1]} {text!r} {dates}{absent}"


@dataclass
class Mention:
    """A concept to look up: a mention or a window's subject phrase."""

    start: int
    end: int
    text: str
    lists: tuple[str, ...]
    ids: frozenset[str]
    content: frozenset[str]
    qualifiers: list[str]
    negated: bool
    assertion: str | None
    window: Window | str | None
    duration: Constraint | None = None


def _qualifier_keys(ctx: Context) -> list[tuple[str, str]]:
    """Each qualifier with its words as `` w1 w2 `` (folded once per match)."""
    keys = ctx.cache.get("qualifier_keys")
    if keys is None:
        keys = [(q, f" {' '.join(words(q))} ") for q in ctx.concepts.rules.qualifiers]
        ctx.cache["qualifier_keys"] = keys
    return keys


def _qualifiers(ctx: Context, tokens: list[str]) -> list[str]:
    low = " " + " ".join(tokens) + " "
    return [q for q, key in _qualifier_keys(ctx) if key in low]


def make_mention(
    ctx: Context,
    doc: Document,
    crit: Criterion,
    start: int,
    end: int,
    label: str | None,
    negated: bool,
    assertion: str | None,
    window: Window | str | None,
) -> Mention | None:
    text = doc.text[start:end]
    ids, content = ctx.concepts.keys(text)
    # "non-diabetic", "non-smoker": a leading "non" negates the one concept or
    # word that follows it (not "non-small cell lung cancer", which says more).
    tokens = words(text)
    _, outside = ctx.concepts.split(text)
    if tokens[:1] == ["non"] and (
        (ids and outside == ["non"]) or (not ids and len(tokens) == 2)
    ):
        negated = not negated
        content = frozenset(w for w in content if w != "non")
    # Qualifier words in the mention (outside its concept phrases) or in the
    # few words before it.
    _, rest = ctx.concepts.split(text)
    before = doc.text[max(crit.start, start - 40) : start]
    quals = _qualifiers(ctx, rest) + _qualifiers(ctx, words(before)[-3:])
    quals = list(dict.fromkeys(quals))
    qual_words = {w for q in quals for w in words(q)}
    content = frozenset(w for w in content if w not in qual_words)
    lists: tuple[str, ...] = ()
    if ids:
        kinds = {ctx.concepts.concepts[i].kind for i in ids}
        lists = tuple(sorted({n for k in kinds for n in KIND_LISTS[k]}))
    elif label in LABEL_LISTS:
        lists = LABEL_LISTS[label]
    elif label is not None:
        return None
    return Mention(
        start, end, text, lists, ids, content, quals, negated, assertion, window
    )


def _concept_match(ctx: Context, m: Mention, fact: Fact) -> tuple[bool | None, bool]:
    """(whether the fact is an instance of the mention, whether that answer is
    *understood*).

    True: it is; None: it may be (a less specific fact, or one with words such
    as "vaccination" or "screening" that make it something else); False: it
    is not. The answer is understood when codes decided it, or when the
    fact's text maps wholly onto known concepts; an absence is concluded from
    a complete list only if every fact in it is understood.
    """
    codes = _fact_codes(fact)
    coded = ctx.concepts.expand(ctx.concepts.from_codes(codes))
    named_ids, named_content = ctx.concepts.keys(_fact_text(fact))
    fact_ids = coded | ctx.concepts.expand(named_ids)
    fact_systems = {system_name(s) for s, _ in codes}
    by_code = bool(m.ids) and all(
        fact_systems & set(ctx.concepts.concepts[i].codes) for i in m.ids
    )
    ids_ok = m.ids <= (coded if by_code else fact_ids)
    content_ok = m.content <= named_content
    understood = bool(m.ids) and (by_code or (bool(named_ids) and not named_content))
    if ids_ok and content_ok:
        odd = set(named_content) & set(ctx.concepts.rules.not_instance_words)
        return (None, understood) if odd else (True, True)
    # The fact is less specific than the mention ("diabetes" for "type 2
    # diabetes"): it may be an instance.
    direct = set(ctx.concepts.from_codes(codes)) | set(named_ids)
    concepts = ctx.concepts.concepts
    specific = {
        i for i in direct if not any(i in concepts[j].ancestors for j in direct)
    }
    if any(i in concepts[j].ancestors for j in m.ids for i in specific):
        return None, understood
    if not m.ids and named_content and named_content < m.content:
        return None, understood
    if ids_ok and not content_ok and (m.ids or m.content & named_content):
        # An instance of the mention's concepts, but the mention says more
        # ("non-small cell" lung cancer for a fact coded lung cancer).
        return None, understood
    return False, understood


def _fact_in_time(m: Mention, fact: Fact, ctx: Context) -> bool | None:
    """Whether the fact counts at the mention's time (window, history, now)."""
    window = m.window
    historical = m.assertion == "historical"
    if isinstance(window, Window):
        if isinstance(fact, Condition):
            return point_in(fact.onset, window) if fact.onset else None
        if isinstance(fact, Procedure):
            return point_in(fact.date, window)
        stopped = isinstance(fact, Medication) and fact.status == "stopped"
        return overlaps(fact.start, fact.end, ctx.as_of, window, stopped=stopped)
    # No window: a history counts; otherwise the fact must be current.
    if isinstance(fact, Condition):
        onset = date_range(fact.onset)
        if onset is not None and onset[0] > ctx.as_of:
            return False
        if historical:
            return True
        if fact.resolved is None:
            return None if fact.status == "resolved" else True
        res = date_bounds(fact.resolved)
        return True if res[0] >= ctx.as_of else None
    if isinstance(fact, Procedure):
        day = date_range(fact.date)
        return not (day is not None and day[0] > ctx.as_of)
    start = date_range(fact.start)
    if start is not None and start[0] > ctx.as_of:
        return False
    if historical:
        return True
    if fact.end is None:
        stopped = isinstance(fact, Medication) and fact.status == "stopped"
        return None if stopped else True
    end = date_bounds(fact.end)
    return True if end[0] >= ctx.as_of else None


def _duration_ok(m: Mention, fact: Fact, ctx: Context) -> bool | None:
    con = m.duration
    if con is None:
        return True
    onset = fact.onset if isinstance(fact, Condition) else getattr(fact, "start", None)
    b = date_range(onset)
    if b is None:
        return None
    lo_days = (ctx.as_of - b[1]).days
    hi_days = (ctx.as_of - b[0]).days
    results = set()
    for days in (lo_days, hi_days):
        ok = True
        if con.low_days is not None and days < con.low_days:
            ok = False
        if con.high_days is not None and days > con.high_days:
            ok = False
        results.add(ok)
    return results.pop() if len(results) == 1 else None


def _hypothetical(m: Mention) -> str | None:
    """A hypothetical or family-history mention is not the patient's."""
    if m.assertion in ("hypothetical", "family"):
        return f"{m.assertion} mention: not checked against the record"
    return None


def _window_unknown(m: Mention) -> str | None:
    """A window that cannot be resolved (its reason) leaves the time open."""
    return m.window if isinstance(m.window, str) else None


def _too_general(m: Mention) -> str | None:
    """A mention with no concept and no content words says nothing to find."""
    if not m.ids and not m.content:
        return f"{m.text!r} is too general to look up"
    return None


def _no_list(m: Mention) -> str | None:
    """A mention that no patient list holds cannot be looked up."""
    if not m.lists:
        return f"{m.text!r}: no patient list holds this"
    return None


#: Reasons not to look a mention up at all (each leaves it for review).
_NOT_LOOKED_UP = (_hypothetical, _window_unknown, _too_general, _no_list)


@dataclass
class _Lookup:
    """The patient's facts of a mention's lists, by how they match it."""

    #: Instances, each with whether it counts at the mention's time.
    found: list[tuple[bool | None, str]] = field(default_factory=list)
    #: Instances recorded as absent.
    refuted: list[str] = field(default_factory=list)
    #: Facts that may be instances (less specific, or with odd words).
    maybe: list[str] = field(default_factory=list)
    #: Present facts that match no concept of the mention, but are not
    #: understood well enough to rule it out.
    not_understood: list[str] = field(default_factory=list)

    def hits(self) -> list[str]:
        """Instances that count at the mention's time."""
        return [d for t, d in self.found if t is True]

    def unsure(self) -> list[str]:
        """Instances that cannot be placed in the mention's time."""
        return [d for t, d in self.found if t is None]


def _look_up(ctx: Context, m: Mention) -> _Lookup:
    """Sort the facts of the mention's lists by how they match it."""
    out = _Lookup()
    for name in m.lists:
        for fact in _patient_list(ctx.patient, name):
            same, understood = _concept_match(ctx, m, fact)
            present = getattr(fact, "present", True)
            if same is False:
                if not understood and present:
                    out.not_understood.append(_describe_fact(name, fact))
                continue
            desc = _describe_fact(name, fact)
            if not present:
                if same is True:
                    out.refuted.append(desc)
                continue
            if same is None:
                out.maybe.append(desc)
                continue
            timed = all_of([_fact_in_time(m, fact, ctx), _duration_ok(m, fact, ctx)])
            out.found.append((timed, desc))
    return out


@dataclass
class _Conclusion:
    """What a lookup says of a mention, and the fact it used."""

    holds: bool | None
    reason: str
    used: str | None
    missing: list[str] = field(default_factory=list)


def _when(m: Mention) -> str:
    """`` <window>`` of a mention with a window, else ""."""
    return f" {m.window.describe()}" if isinstance(m.window, Window) else ""


def _has_it(ctx: Context, m: Mention, facts: _Lookup) -> _Conclusion | None:
    """An instance at the right time: it holds, unless a qualifier of the
    mention ("uncontrolled") is not in the fact."""
    hits = facts.hits()
    if not hits:
        return None
    if m.qualifiers:
        words_fact = set(words(hits[0]))
        unmet = [q for q in m.qualifiers if not set(words(q)) <= words_fact]
        if unmet:
            unmet_text = ", ".join(unmet)
            return _Conclusion(
                None,
                f"the patient has {m.text!r}; not known whether {unmet_text}",
                hits[0],
                [f"whether {m.text!r} is {', '.join(unmet)}"],
            )
    return _Conclusion(True, f"the patient has {m.text!r}{_when(m)}", hits[0])


def _cannot_place(ctx: Context, m: Mention, facts: _Lookup) -> _Conclusion | None:
    """An instance whose dates do not say whether it is in the time: unknown."""
    unsure = facts.unsure()
    if not unsure:
        return None
    return _Conclusion(
        None,
        f"a matching fact cannot be placed {_when(m).strip() or 'now'}",
        unsure[0],
        [f"dates of {unsure[0]}"],
    )


def _less_specific(ctx: Context, m: Mention, facts: _Lookup) -> _Conclusion | None:
    """A fact that may be an instance (less specific): unknown."""
    if not facts.maybe:
        return None
    first = facts.maybe[0]
    return _Conclusion(
        None,
        f"a less specific fact may be {m.text!r}",
        first,
        [f"whether {first} is {m.text!r}"],
    )


def _recorded_absent(ctx: Context, m: Mention, facts: _Lookup) -> _Conclusion | None:
    """An instance recorded as absent, and none present: it does not hold."""
    if not facts.refuted or facts.found:
        return None
    return _Conclusion(False, f"recorded as absent: {m.text!r}", facts.refuted[0])


def _complete(ctx: Context, m: Mention) -> bool:
    """Whether every list the mention is looked up in is complete."""
    return all(n in ctx.patient.complete for n in m.lists)


def _not_understood(ctx: Context, m: Mention, facts: _Lookup) -> _Conclusion | None:
    """A complete list with facts eligo cannot rule out: unknown."""
    if not (_complete(ctx, m) and facts.not_understood):
        return None
    first = facts.not_understood[0]
    return _Conclusion(
        None,
        f"no {m.text!r}{_when(m)} recognised, but {len(facts.not_understood)} "
        f"fact(s) in the list are not understood well enough to rule it out",
        first,
        [f"whether {first} is {m.text!r}"],
    )


def _absent_from_complete(
    ctx: Context, m: Mention, facts: _Lookup
) -> _Conclusion | None:
    """No instance at the time in a complete list: it does not hold."""
    if not _complete(ctx, m):
        return None
    found = facts.found
    outside = f" ({len(found)} outside the window)" if found else ""
    return _Conclusion(
        False,
        f"no {m.text!r}{_when(m)} in the complete {'/'.join(m.lists)} list{outside}",
        None,
    )


def _not_recorded(ctx: Context, m: Mention, facts: _Lookup) -> _Conclusion:
    """No instance at the time in a list not marked complete: unknown."""
    found = facts.found
    outside = f"; {len(found)} matching fact(s) outside the window" if found else ""
    what = f"{m.text!r}{_when(m)}"
    return _Conclusion(
        None,
        f"no {what} recorded (the record is not marked complete){outside}",
        None,
        [f"whether the patient has or had {what}"],
    )


#: What a lookup concludes, the first that applies (else :func:`_not_recorded`).
_CONCLUSIONS = (
    _has_it,
    _cannot_place,
    _less_specific,
    _recorded_absent,
    _not_understood,
    _absent_from_complete,
)


def mention_atom(doc: Document, m: Mention, ctx: Context) -> Atom:
    """A mention looked up in the patient's lists, at the mention's time."""
    for not_looked_up in _NOT_LOOKED_UP:
        why = not_looked_up(m)
        if why is not None:
            return Atom(
                None,
                evidence(doc, m.start, m.end, None, why),
                [f"review: {m.text}"],
            )
    facts = _look_up(ctx, m)
    for conclude in _CONCLUSIONS:
        concluded = conclude(ctx, m, facts)
        if concluded is not None:
            break
    else:
        concluded = _not_recorded(ctx, m, facts)
    holds, reason = concluded.holds, concluded.reason
    if m.negated:
        holds, reason = negate(holds), reason + "; the criterion negates it"
    return Atom(
        holds,
        evidence(doc, m.start, m.end, holds, reason, concluded.used),
        concluded.missing,
    )
