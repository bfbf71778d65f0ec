"""ConText's cue search: one shared scan for several engines, and the
pattern cues searched only where the strings they require are."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eligo.context import (
    ContextComponent,
    ConTextEngine,
    ContextRule,
    load_context_rules,
)
from eligo.context.algorithm import (
    _ASCII_FOLD,
    CueScanner,
    _first_token,
    _literal_regex,
    _required_strings,
)
from eligo.context.component import _window_rules


def reference_cues(
    rules: list[ContextRule], text: str, start: int, end: int
) -> list[tuple[int, int, ContextRule]]:
    """The cue search as the engine did it before the shared scan: per
    engine, one regex of its first tokens, each token's cues tried one by
    one, longest first, and every pattern searched over the whole span."""
    groups: dict[str, list[ContextRule]] = {}
    lengths: dict[str, int] = {}
    for rule in rules:
        source = rule.pattern or _literal_regex(rule.literal)
        groups.setdefault(source, []).append(rule)
        lengths[source] = max(lengths.get(source, 0), len(rule.literal))
    by_token: dict[str, list[tuple[re.Pattern[str], list[ContextRule]]]] = {}
    patterns = []
    for source in sorted(groups, key=lambda src: -lengths[src]):
        entry = (re.compile(source, re.IGNORECASE), groups[source])
        if groups[source][0].pattern is not None:
            patterns.append(entry)
        else:
            key = _first_token(groups[source][0].literal)
            by_token.setdefault(key, []).append(entry)
    alnum = [re.escape(k) for k in by_token if k[:1].isalnum()]
    other = [re.escape(k) for k in by_token if k and not k[:1].isalnum()]
    starts = []
    if alnum:
        alnum.sort(key=len, reverse=True)
        starts.append(rf"(?<![a-z0-9])(?:{'|'.join(alnum)})(?![a-z0-9])")
    if other:
        starts.append("[" + "".join(other) + "]")
    found = []
    token_regex = re.compile("|".join(starts) or "(?!)", re.IGNORECASE)
    for tok in token_regex.finditer(text, start, end):
        for compiled, cue_rules in by_token.get(tok.group().lower(), []):
            m = compiled.match(text, tok.start(), end)
            if m and m.end() > tok.start():
                found.append((tok.start(), m.end(), cue_rules))
                break
    for compiled, cue_rules in patterns:
        for m in compiled.finditer(text, start, end):
            if m.end() > m.start():
                found.append((m.start(), m.end(), cue_rules))
    found.sort(key=lambda f: (f[0], f[0] - f[1]))
    out = []
    last = -1
    for s, e, cue_rules in found:
        if s >= last:
            last = e
            out.extend((s, e, rule) for rule in cue_rules)
    return out


@pytest.fixture(scope="module")
def component() -> ContextComponent:
    return ContextComponent("eligo_context")


def engines(component: ContextComponent) -> list[ConTextEngine]:
    return [component.engine, component.window_engine, component.window_negations]


def rule_lists(component: ContextComponent) -> list[list[ContextRule]]:
    """The rules of the component's engines, as it builds them."""
    rules = load_context_rules().context_rules
    windows = _window_rules(rules, component.negation_types)
    return [
        [r for r in rules if not component._names_window(r)],
        windows,
        [r for r in windows if r.assertion == "negated"],
    ]


TEXTS = [
    "No history of stroke, myocardial infarction, or unstable angina",
    "Non-smokers; non smoker. NON-SMOKER and No. 5 of the non- group",
    "Treatment-naive or treatment-naïve patients; prior therapy is allowed",
    "Prior chemotherapy is not allowed within 6 months, then no surgery",
    "Patients who are not candidates for surgery, and must have no HIV",
    "No prior radiotherapy within 4 weeks No chemotherapy within 6 months",
    "not caused by drugs; not related to study treatment; NOT due to X",
    "--Cardiac-- No heart failure OR Liver disease AND Kidney disease",
    # characters re.IGNORECASE matches to ASCII letters
    "NO HİSTORY of ſtroke; ſmoker; nON- K\u212aelvin; pregnancy ıs allowed",
    "absence of ascites (no fever) other than grade 1 neuropathy; free of",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_shared_scan_gives_each_engines_own_cues(
    component: ContextComponent, text: str
) -> None:
    for start, end in [(0, len(text)), (3, max(3, len(text) - 5))]:
        scan = component.scanner.scan(text, start, end)
        for engine, rules in zip(
            engines(component), rule_lists(component), strict=True
        ):
            own = engine.cues(text, start, end)
            assert engine.cues(text, start, end, scan) == own
            assert [(c.start, c.end, c.rule) for c in own] == reference_cues(
                rules, text, start, end
            )


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "no",
                "No",
                "not",
                "non-",
                "non",
                "-naive",
                "is",
                "allowed",
                "not allowed",
                "history of",
                "prior",
                "within",
                "months",
                ",",
                ";",
                ".",
                "(",
                ")",
                "then",
                "and",
                "must",
                "Heart",
                "OR",
                "--",
                "ſ",
                "İ",
                "K",
                "x",
                "5",
                " ",
                " ",
                "\n",
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_shared_and_own_scans_agree_on_generated_text(
    component: ContextComponent, text: str
) -> None:
    scan = component.scanner.scan(text, 0, len(text))
    for engine, rules in zip(engines(component), rule_lists(component), strict=True):
        own = engine.cues(text, 0, len(text))
        assert engine.cues(text, 0, len(text), scan) == own
        assert [(c.start, c.end, c.rule) for c in own] == reference_cues(
            rules, text, 0, len(text)
        )


def test_a_scan_is_for_its_span_and_its_engines(component: ContextComponent) -> None:
    text = "No history of stroke"
    scan = component.scanner.scan(text, 0, len(text))
    with pytest.raises(ValueError):
        component.engine.cues(text, 0, len(text) - 1, scan)
    with pytest.raises(ValueError):
        component.engine.cues("No history of stroke!"[:20], 0, len(text), scan)
    alone = ConTextEngine(rule_lists(component)[2])
    with pytest.raises(ValueError):
        alone.cues(text, 0, len(text), scan)
    other = CueScanner([alone])
    assert alone.cues(text, 0, len(text), other.scan(text, 0, len(text))) == (
        alone.cues(text, 0, len(text))
    )


@pytest.mark.parametrize(
    ("source", "required"),
    [
        (r"(?<![\w-])non(?=\s+[a-z])", {"non"}),
        (r"(?<![\w-])no\.(?=\s*\d)", {"no."}),
        (r",\s*then\b", {"then"}),
        (
            r"(?:is|are)\s+(?:allowed|permitted|authori[sz]ed)",
            {"allowed", "permitted", "authori"},
        ),
        (r"x(?:ab)?y", {"x"}),
        (r"(?:ab)*c", {"c"}),
        (r"(?=\s+[A-Z])\s+", None),
        (r"a|\s", None),
        (r"(?-i:[A-Z][a-z]+)", None),
        (r"caf\u00e9", {"caf"}),
    ],
)
def test_required_strings(source: str, required: set[str] | None) -> None:
    found = _required_strings(source)
    assert (None if found is None else set(found)) == required


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(
        [
            r"(?<![\w-])non-(?=[a-z])",
            r"(?:is|are|be)\s+(?:allowed|permitted|not\s+excluded)(?![\w-])",
            r"(?:ab|cd)+e?",
            r"(?-i:AB)c|d(?:e|f)",
        ]
    ),
    st.text(alphabet="abcdefnoABCDEFNO- \u0130\u0131\u017f\u212a", max_size=30),
)
def test_a_match_holds_a_required_string(source: str, text: str) -> None:
    required = _required_strings(source)
    assert required is not None
    folded = text.translate(_ASCII_FOLD)
    if re.search(source, text, re.IGNORECASE):
        assert any(s in folded for s in required)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="checked on one version")
def test_ascii_fold_covers_what_ignorecase_matches() -> None:
    """Every character re.IGNORECASE matches to an ASCII one folds to it."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    for code in range(128):
        ascii_char = chr(code)
        for m in re.finditer(re.escape(ascii_char), every, re.IGNORECASE):
            assert m.group().translate(_ASCII_FOLD) == ascii_char.lower()
