"""eligo_context: ConText negation and assertion of entities and constraints."""

from __future__ import annotations

import json
from typing import Any

import pytest
import spacy
from spacy.language import Language

from eligo.context import ContextRule, load_context_rules
from eligo.errors import RuleError
from eligo.pipeline.extensions import register_extensions
from eligo.pipeline.spans import criterion_records, set_criteria, set_entities


@pytest.fixture(scope="module")
def nlp() -> Language:
    register_extensions()
    pipeline = spacy.blank("en")
    pipeline.add_pipe("eligo_context")
    return pipeline


def _span(text: str, phrase: str) -> tuple[int, int]:
    """``phrase`` or ``phrase#n`` (n-th occurrence, from 1) in ``text``."""
    phrase, _, nth = phrase.partition("#")
    pos = -1
    for _ in range(int(nth or 1)):
        pos = text.index(phrase, pos + 1)
    return pos, pos + len(phrase)


def annotate(
    nlp: Language,
    text: str,
    entities: list[str],
    *,
    section: str = "exclusion",
    start: int = 0,
    heading: list[int] | None = None,
    items: list[list[int]] | None = None,
    constraints: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    doc = nlp.make_doc(text)
    ents = []
    for phrase in entities:
        s, e = _span(text, phrase)
        ents.append({"label": "Condition", "start": s, "end": e})
    set_criteria(
        doc,
        [
            {
                "start": start,
                "end": len(text),
                "section": section,
                "items": items or [],
                "heading": heading,
                "constraints": constraints or [],
                "entities": ents,
            }
        ],
    )
    doc = nlp(doc)
    return criterion_records(doc)[0]


# (criterion text, {entity phrase: (assertion, trigger text | None)})
CASES: list[tuple[str, dict[str, tuple[str, str | None]]]] = [
    # simple negation cues
    ("No history of stroke", {"stroke": ("negated", "No history of")}),
    ("Negative for HIV", {"HIV": ("negated", "Negative for")}),
    ("No further chemotherapy is planned", {"chemotherapy": ("negated", "No further")}),
    ("Without prior radiotherapy", {"prior radiotherapy": ("negated", "Without")}),
    (
        "Patients free of metastatic disease",
        {"metastatic disease": ("negated", "free of")},
    ),
    ("Absence of ascites", {"ascites": ("negated", "Absence of")}),
    ("Patient is not pregnant", {"pregnant": ("negated", "not")}),
    ("Patient denies chest pain", {"chest pain": ("negated", "denies")}),
    (
        "No evidence of brain metastases",
        {"brain metastases": ("negated", "No evidence of")},
    ),
    ("Never smoked cigarettes", {"smoked cigarettes": ("negated", "Never")}),
    ("Lack of response to methotrexate", {"response": ("negated", "Lack of")}),
    ("HBsAg negative", {"HBsAg": ("negated", "negative")}),
    (
        "Hepatitis B surface antigen-negative",
        {"Hepatitis B surface antigen": ("negated", "-negative")},
    ),
    ("Seizure-free for at least 12 months", {"Seizure": ("negated", "-free")}),
    (
        "Concomitant warfarin is not allowed",
        {"warfarin": ("negated", "is not allowed")},
    ),
    (
        "Does not have active hepatitis B",
        {"active hepatitis B": ("negated", "Does not have")},
    ),
    ("No known allergy to penicillin", {"allergy": ("negated", "No known")}),
    # lists
    (
        "No A, B or C",
        {"A": ("negated", "No"), "B": ("negated", "No"), "C": ("negated", "No")},
    ),
    (
        "No history of stroke, myocardial infarction, or unstable angina",
        {
            "stroke": ("negated", "No history of"),
            "myocardial infarction": ("negated", "No history of"),
            "unstable angina": ("negated", "No history of"),
        },
    ),
    (
        "Without diabetes, hypertension and/or renal failure",
        {
            "diabetes": ("negated", "Without"),
            "hypertension": ("negated", "Without"),
            "renal failure": ("negated", "Without"),
        },
    ),
    (
        "Neither asthma nor COPD",
        {"asthma": ("negated", "Neither"), "COPD": ("negated", "nor")},
    ),
    # header / colon negation
    ("Exclusion: No history of stroke", {"stroke": ("negated", "No history of")}),
    ("Cardiac: no myocardial infarction", {"myocardial infarction": ("negated", "no")}),
    ("Prior therapy: none with bevacizumab", {"bevacizumab": ("negated", "none")}),
    # scope termination
    (
        "No prior chemotherapy but radiotherapy within 4 weeks",
        {"chemotherapy": ("negated", "No prior"), "radiotherapy": ("present", None)},
    ),
    (
        "No active infection but latent tuberculosis",
        {
            "active infection": ("negated", "No active"),
            "latent tuberculosis": ("present", None),
        },
    ),
    (
        "No malignancy except basal cell carcinoma",
        {
            "malignancy": ("negated", "No"),
            "basal cell carcinoma": ("negated", "except"),
        },
    ),
    (
        "Any malignancy other than non-melanoma skin cancer",
        {
            "malignancy": ("present", None),
            "non-melanoma skin cancer": ("negated", "other than"),
        },
    ),
    (
        "Active malignancy, with the exception of cervical carcinoma in situ",
        {
            "malignancy": ("present", None),
            "cervical carcinoma in situ": ("negated", "with the exception of"),
        },
    ),
    (
        "No cardiac disease; diabetes mellitus",
        {"cardiac disease": ("negated", "No"), "diabetes mellitus": ("present", None)},
    ),
    (
        "No prior surgery. Hypertension must be controlled",
        {"surgery": ("negated", "No prior"), "Hypertension": ("present", None)},
    ),
    (
        "Not on anticoagulants, however on aspirin",
        {"anticoagulants": ("negated", "Not on"), "aspirin": ("present", None)},
    ),
    # dependents of a negated concept are not negated themselves
    (
        "No major surgery requiring general anaesthesia",
        {"major surgery": ("negated", "No"), "general anaesthesia": ("present", None)},
    ),
    # pseudo-cues
    ("Creatinine not more than 1.5 mg/dL", {"Creatinine": ("present", None)}),
    ("Gram-negative bacteremia", {"bacteremia": ("present", None)}),
    ("Non-small cell lung cancer", {"lung cancer": ("present", None)}),
    ("Triple negative breast cancer", {"breast cancer": ("present", None)}),
    ("Non-smoker", {"smoker": ("negated", "Non-")}),
    # historical, hypothetical, family
    (
        "History of myocardial infarction",
        {"myocardial infarction": ("historical", "History of")},
    ),
    ("Prior treatment with rituximab", {"rituximab": ("historical", "Prior")}),
    ("Planned surgery during the study", {"surgery": ("hypothetical", "Planned")}),
    ("Patients who plan to become pregnant", {"pregnant": ("hypothetical", "plan to")}),
    (
        "Family history of breast cancer",
        {"breast cancer": ("family", "Family history of")},
    ),
    (
        "Sudden death in a first-degree relative",
        {"Sudden death": ("family", "in a first-degree relative")},
    ),
    ("No family history of long QT syndrome", {"long QT syndrome": ("negated", "No")}),
    # exceptions reach every member of their list
    (
        "Any cancer except treated basal cell carcinoma, cervical carcinoma in situ,"
        " or localized prostate cancer",
        {
            "Any cancer": ("present", None),
            "basal cell carcinoma": ("negated", "except"),
            "cervical carcinoma in situ": ("negated", "except"),
            "localized prostate cancer": ("negated", "except"),
        },
    ),
    ("Any antidepressant besides sertraline", {"sertraline": ("negated", "besides")}),
    (
        "Prior malignancy (exceptions are treated skin cancer)",
        {
            "Prior malignancy": ("present", None),
            "skin cancer": ("negated", "exceptions are"),
        },
    ),
    (
        "Seizures (this does not apply to febrile seizures in infancy)",
        {
            "Seizures": ("present", None),
            "febrile seizures": ("negated", "does not apply to"),
        },
    ),
    (
        "Hepatitis B infection unless on antiviral therapy",
        {
            "Hepatitis B infection": ("present", None),
            "antiviral therapy": ("negated", "unless"),
        },
    ),
    # a permission carves its subject out of the criterion, like "except"
    (
        "Systemic steroids (inhaled steroids are allowed)",
        {
            "Systemic steroids": ("present", None),
            "inhaled steroids": ("negated", "are allowed"),
        },
    ),
    (
        "Prior radiotherapy is permitted",
        {"Prior radiotherapy": ("negated", "is permitted")},
    ),
    (
        "Patients with treated hypothyroidism are not excluded",
        {"treated hypothyroidism": ("negated", "are not excluded")},
    ),
    (
        "Anticoagulants (warfarin, apixaban) Heparin flushes allowed",
        {"warfarin": ("present", None), "Heparin flushes": ("negated", "allowed")},
    ),
    # "acceptable" before a noun is no permission and ends no scope
    (
        "Not using an acceptable method of contraception",
        {"method of contraception": ("negated", "Not")},
    ),
    (
        "Must not have the following to be acceptable: Q waves, bundle branch block",
        {
            "Q waves": ("negated", "Must not have"),
            "bundle branch block": ("negated", "Must not have"),
        },
    ),
    # negating a relation ("not caused by X") does not negate X
    ("Renal disease not caused by diabetes", {"diabetes": ("present", None)}),
    (
        "Seizures not adequately controlled with antiepileptic drugs",
        {"antiepileptic drugs": ("present", None)},
    ),
    ("Anaemia not related to chemotherapy", {"chemotherapy": ("present", None)}),
    (
        "Pacemakers are among, but not restricted to, the contraindications",
        {"contraindications": ("present", None)},
    ),
    # causes, means of assessment and a ", then" clause end a scope
    (
        "No hospitalisation due to asthma",
        {"hospitalisation": ("negated", "No"), "asthma": ("present", None)},
    ),
    (
        "No evidence of disease as determined by CT scan",
        {"disease": ("negated", "No evidence of"), "CT scan": ("present", None)},
    ),
    (
        "If echocardiography is not available, then MUGA scan",
        {"MUGA scan": ("present", None)},
    ),
    (
        "In the absence of hormone therapy, regular menstrual cycles",
        {
            "hormone therapy": ("negated", "In the absence of"),
            "regular menstrual cycles": ("present", None),
        },
    ),
    # verbs that rule a concept out
    ("Any condition precluding surgery", {"surgery": ("negated", "precluding")}),
    (
        "A stricture that prevents swallowing of tablets, e.g. oesophageal cancer",
        {
            "swallowing": ("negated", "prevents"),
            "oesophageal cancer": ("present", None),
        },
    ),
    ("Must refrain from alcohol", {"alcohol": ("negated", "refrain from")}),
    (
        "Not yet received the second vaccine dose",
        {"second vaccine dose": ("negated", "Not yet")},
    ),
    ("Freedom from angina for 6 months", {"angina": ("negated", "Freedom from")}),
    (
        "Treatment-naive chronic hepatitis C",
        {"Treatment": ("negated", "-naive"), "chronic hepatitis C": ("present", None)},
    ),
    ("Biologic naive adults", {"Biologic": ("negated", "naive")}),
    ("Non smokers", {"smokers": ("negated", "Non")}),
    # look-alikes that negate nothing
    ("Not only diabetes but also obesity", {"diabetes": ("present", None)}),
    (
        "No change in antihypertensive medication within 4 weeks",
        {"antihypertensive medication": ("present", None)},
    ),
    (
        "Randomisation no later than 7 days after surgery",
        {"surgery": ("present", None)},
    ),
    # a cue word inside a hyphenated compound is no cue
    ("Active do-not-resuscitate order", {"order": ("present", None)}),
    ("No-reflow phenomenon after PCI", {"phenomenon": ("present", None)}),
    # intolerance is not absence
    ("Patients who could not tolerate metformin", {"metformin": ("present", None)}),
    # "if" opens a condition: a negation before it does not reach into it
    (
        "Lesion not previously irradiated or if irradiated has shown progression",
        {
            "previously irradiated": ("negated", "not"),
            "progression": ("hypothetical", "if"),
        },
    ),
    (
        "Participants will not be excluded if statins are stable",
        {"statins": ("negated", "not be excluded if")},
    ),
    # plain presence
    ("Diagnosis of type 2 diabetes", {"type 2 diabetes": ("present", None)}),
    ("Active hepatitis C infection", {"hepatitis C infection": ("present", None)}),
    ("HIV positive", {"HIV": ("present", None)}),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_assertion(
    nlp: Language, text: str, expected: dict[str, tuple[str, str | None]]
) -> None:
    crit = annotate(nlp, text, list(expected))
    got = {
        text[e["start"] : e["end"]]: (
            e["assertion"],
            e["trigger"]["text"] if e["trigger"] else None,
        )
        for e in crit["entities"]
    }
    assert got == {k.partition("#")[0]: v for k, v in expected.items()}
    for e in crit["entities"]:
        assert e["negated"] is (e["assertion"] == "negated")
        if e["trigger"]:
            t = e["trigger"]
            assert text[t["start"] : t["end"]] == t["text"]


def test_section_polarity_kept_separate(nlp: Language) -> None:
    crit = annotate(nlp, "No history of stroke", ["stroke"], section="exclusion")
    assert crit["section"] == "exclusion"
    assert crit["entities"][0]["negated"] is True
    crit = annotate(nlp, "History of stroke", ["stroke"], section="exclusion")
    assert crit["entities"][0]["negated"] is False


def test_heading_negation_reaches_criterion(nlp: Language) -> None:
    text = "No history of the following:\nstroke"
    crit = annotate(nlp, text, ["stroke"], start=29, heading=[0, 28])
    assert crit["entities"][0]["assertion"] == "negated"
    assert crit["entities"][0]["trigger"]["text"] == "No history of"


def test_colon_lead_in_reaches_sub_items(nlp: Language) -> None:
    text = "None of the following:\n- stroke;\n- heart failure."
    items = [[25, 32], [35, len(text)]]
    crit = annotate(nlp, text, ["stroke", "heart failure"], items=items)
    assert [e["negated"] for e in crit["entities"]] == [True, True]


def test_constraints_annotated_and_kept(nlp: Language) -> None:
    text = "Not pregnant; age over 18"
    constraints = [
        {"type": "pregnancy", "start": 4, "end": 12, "negated": False},
        {"type": "age", "start": 14, "end": 25, "negated": False},
    ]
    crit = annotate(nlp, text, [], constraints=constraints)
    preg, age = crit["constraints"]
    assert preg["negated"] is True and preg["trigger"]["text"] == "Not"
    assert "assertion" not in age and age["negated"] is False


def test_constraint_negation_is_contexts_alone(nlp: Language) -> None:
    # A "negated" left on a constraint by anyone else is overwritten: the
    # rule file alone decides.
    constraints = [{"type": "pregnancy", "start": 0, "end": 8, "negated": True}]
    crit = annotate(nlp, "Pregnant women", [], constraints=constraints)
    assert crit["constraints"][0]["negated"] is False
    assert crit["constraints"][0]["assertion"] == "present"


def _window(text: str, phrase: str, kind: str = "temporal") -> dict[str, Any]:
    s, e = _span(text, phrase)
    return {"type": kind, "start": s, "end": e}


@pytest.mark.parametrize(
    ("text", "phrase", "negated"),
    [
        ("No prior chemotherapy within 6 months", "within 6 months", True),
        ("No prior radiotherapy", "prior", True),
        ("Free of any steroid treatment for 4 weeks", "for 4 weeks", True),
        ("None of the listed vaccines within 30 days", "within 30 days", True),
        ("Absence of relapse over the last 2 years", "over the last 2 years", True),
        ("Surgery without complications in the past year", "in the past year", True),
        ("Chemotherapy within 6 months", "within 6 months", False),
        ("No more than 2 prior regimens", "prior", False),
        ("Antibiotics; no fever within 2 days", "within 2 days", True),
        ("No fever. Antibiotics within 2 days", "within 2 days", False),
        # A capitalised cue opens an item of run-together registry text.
        ("Adequate renal function No stroke within 1 year", "within 1 year", True),
        # ... and a capitalised word after a lower-case one starts the next.
        ("No angina At least 4 weeks since surgery", "At least 4 weeks since", False),
        (
            "Not pregnant Fertile women must use contraception for 3 months after",
            "for 3 months after",
            False,
        ),
        (
            "No HIV --Prior/Concurrent Therapy-- At least 2 weeks since antibiotics",
            "At least 2 weeks since",
            False,
        ),
        ("No use of Hormone Replacement Therapy for 1 year", "for 1 year", True),
        ("No change in weight within the past year", "within the past year", True),
        ("Can not have received a vaccine within 28 days", "within 28 days", True),
        ("No patients who received X within 72 hours", "within 72 hours", True),
        (
            "No bleeding while on aspirin during the past year",
            "during the past year",
            True,
        ),
        ("No prior chemotherapy for X within 35 days", "within 35 days", True),
        (
            "No cancer except one treated more than 5 years ago",
            "more than 5 years ago",
            False,
        ),
        ("Protocol No. 12 within 30 days", "within 30 days", False),
    ],
)
def test_window_negation(nlp: Language, text: str, phrase: str, negated: bool) -> None:
    crit = annotate(nlp, text, [], constraints=[_window(text, phrase)])
    (window,) = crit["constraints"]
    assert window["negated"] is negated
    # A window gets its negation only: when the event happened is the window.
    assert "assertion" not in window and "trigger" not in window


def test_window_pass_stops(nlp: Language) -> None:
    # The windows' pass drops relative-clause and "while" ends (their
    # excluded_types), keeps "except" as an end only, and has no dependent
    # words; the entities' pass is unchanged.
    text = "No infection that needed antibiotics within 2 weeks"
    crit = annotate(
        nlp,
        text,
        ["infection", "antibiotics"],
        constraints=[_window(text, "within 2 weeks")],
    )
    assert crit["constraints"][0]["negated"] is True
    assert [e["negated"] for e in crit["entities"]] == [True, False]


def test_windows_leave_entities_alone(nlp: Language) -> None:
    text = "No infection within 2 weeks or allergy to penicillin"
    plain = annotate(nlp, text, ["infection", "penicillin"])
    both = annotate(
        nlp,
        text,
        ["infection", "penicillin"],
        constraints=[_window(text, "within 2 weeks")],
    )
    assert [e["negated"] for e in both["entities"]] == [
        e["negated"] for e in plain["entities"]
    ]


@pytest.mark.parametrize(
    ("text", "phrase", "kind", "negated"),
    [
        ("without platelet count < 50", "platelet count < 50", "measurement", True),
        ("No platelet count < 50", "platelet count < 50", "measurement", True),
        ("None of: creatinine > 2 mg/dL", "creatinine > 2 mg/dL", "measurement", True),
        ("Free of ALT > 3 x ULN", "ALT > 3 x ULN", "measurement", True),
        ("No more than 3 lesions", "No more than 3 lesions", "measurement", False),
        ("Not pregnant or breastfeeding", "pregnant", "pregnancy", True),
        ("Not pregnant or breastfeeding", "breastfeeding", "breastfeeding", True),
        ("non-pregnant", "pregnant", "pregnancy", True),
        ("A negative pregnancy test", "pregnancy", "pregnancy", True),
        ("Negative serum pregnancy test", "pregnancy", "pregnancy", True),
        ("Must have a negative urine pregnancy test", "pregnancy", "pregnancy", True),
        ("Pregnancy test at screening", "Pregnancy", "pregnancy", False),
        ("Pregnant or lactating", "Pregnant", "pregnancy", False),
        # An opening cue reaches every measurement in its scope.
        (
            "No diabetes with fasting glucose > 200 mg/dL",
            "fasting glucose > 200 mg/dL",
            "measurement",
            True,
        ),
        (
            "Stable angina No heart failure with LVEF < 40%",
            "LVEF < 40%",
            "measurement",
            True,
        ),
    ],
)
def test_constraint_negation(
    nlp: Language, text: str, phrase: str, kind: str, negated: bool
) -> None:
    crit = annotate(nlp, text, [], constraints=[_window(text, phrase, kind)])
    (con,) = crit["constraints"]
    assert con["negated"] is negated
    assert (con["assertion"] == "negated") is negated


def test_criterion_without_targets_untouched(nlp: Language) -> None:
    crit = annotate(nlp, "No history of stroke", [])
    assert crit["entities"] == []


def test_needs_criteria() -> None:
    register_extensions()
    pipeline = spacy.blank("en")
    pipeline.add_pipe("eligo_context")
    with pytest.raises(ValueError, match="eligo_criteria"):
        pipeline("No stroke")


def test_rules_validate_and_round_trip(tmp_path: Any, nlp: Language) -> None:
    rules = load_context_rules()
    assert len(rules.context_rules) > 100
    nlp.to_disk(tmp_path / "p")
    again = spacy.load(tmp_path / "p")
    crit = annotate(again, "No history of stroke", ["stroke"])
    assert crit["entities"][0]["negated"] is True


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"literal": "no", "category": "NEGATED_EXISTENCE", "direction": "UP"},
            "direction",
        ),
        (
            {"literal": "no", "category": "X", "direction": "FORWARD", "colour": 1},
            "colour",
        ),
        (
            {"literal": "no", "category": "X", "direction": "FORWARD", "pattern": "("},
            "regex",
        ),
        ({"literal": " ", "category": "X", "direction": "FORWARD"}, "blank"),
    ],
)
def test_bad_rules_rejected(entry: dict[str, Any], message: str) -> None:
    with pytest.raises(RuleError, match=message):
        load_context_rules({"context_rules": [entry]})


def test_rule_round_trips_to_json() -> None:
    rule = ContextRule(literal="no", category="NEGATED_EXISTENCE", direction="FORWARD")
    assert ContextRule.model_validate(json.loads(rule.model_dump_json())) == rule


@pytest.mark.slow
def test_in_whole_pipeline() -> None:
    from eligo.pipeline import build_pipeline

    pipeline = build_pipeline()
    text = "Exclusion Criteria:\n- No history of stroke\n- Pregnant or breastfeeding\n"
    doc = pipeline.make_doc(text)
    for name, proc in pipeline.pipeline:
        if name == "eligo_context":
            break
        doc = proc(doc)
    s = text.index("stroke")
    set_entities(
        doc.spans["criteria"][0], [{"label": "Condition", "start": s, "end": s + 6}]
    )
    doc = pipeline.get_pipe("eligo_context")(doc)
    first, second = criterion_records(doc)
    assert first["section"] == "exclusion"
    assert first["entities"][0]["negated"] is True
    assert all(c.get("negated") is False for c in second["constraints"])
