from pathlib import Path

import pytest

from eligo_train.concepts.brat import (
    LABELS,
    SCORED_TYPES,
    BratSpan,
    fix_offsets,
    iter_chia,
    parse_ann,
    read_pair,
    resolve_overlaps,
    split_of,
)

SMOKE = Path(__file__).resolve().parents[2] / "corpus" / "concepts_smoke"


def test_parse_ann_reads_text_bound_spans_only() -> None:
    ann = (
        "T1\tCondition 0 8\tdiabetes\n"
        "R1\tHas_value Arg1:T1 Arg2:T2\n"
        "*\tOR T1 T2\n"
        "T2\tValue 20 23;30 31\tmore than 1\n"
    )
    spans = parse_ann(ann)
    assert spans == [
        BratSpan("T1", "Condition", ((0, 8),), "diabetes"),
        BratSpan("T2", "Value", ((20, 23), (30, 31)), "more than 1"),
    ]
    assert (spans[1].start, spans[1].end) == (20, 31)


def test_fix_offsets_reads_crlf_offsets_of_an_lf_file() -> None:
    text = "No asthma\nNo diabetes\n"
    # Annotated on a CRLF copy: "diabetes" is at 14..22 there, 13..21 here.
    spans = parse_ann("T1\tCondition 3 9\tasthma\nT2\tCondition 14 22\tdiabetes\n")
    fixed, crlf = fix_offsets(text, spans)
    assert crlf
    assert [text[s.start : s.end] for s in fixed] == ["asthma", "diabetes"]


def test_fix_offsets_keeps_lf_offsets_and_trims_whitespace() -> None:
    text = "No asthma\nNo diabetes\n"
    spans = parse_ann("T1\tCondition 3 10\tasthma\nT2\tCondition 13 21\tdiabetes\n")
    fixed, crlf = fix_offsets(text, spans)
    assert not crlf
    assert [(s.start, s.end) for s in fixed] == [(3, 9), (13, 21)]


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        # nested concept: the shortest wins
        (
            [(0, 20, "Condition"), (0, 8, "Condition")],
            [(0, 8, "Condition")],
        ),
        # concept beats annotation type even when longer
        (
            [(0, 20, "Condition"), (0, 6, "Qualifier")],
            [(0, 20, "Condition")],
        ),
        # disjoint spans all kept, sorted
        (
            [(10, 12, "Value"), (0, 5, "Measurement")],
            [(0, 5, "Measurement"), (10, 12, "Value")],
        ),
        # same span, two labels: label order decides
        (
            [(0, 5, "Drug"), (0, 5, "Condition")],
            [(0, 5, "Condition")],
        ),
    ],
)
def test_resolve_overlaps(spans, expected) -> None:
    assert resolve_overlaps(spans) == expected


def test_split_is_a_fixed_function_of_the_trial_id() -> None:
    assert split_of("NCT90000001") == "train"
    assert split_of("NCT90000003") == "dev"
    assert split_of("NCT90000018") == "tune"
    assert split_of("NCT90000003") == split_of("NCT90000003")


def test_read_pair_on_our_smoke_corpus() -> None:
    criteria, stats = read_pair(SMOKE / "NCT90000001_exc.txt")
    assert len(criteria) == 5
    first = criteria[0]
    assert [first.text[s:e] for s, e, _ in first.entities] == [
        "myocardial infarction",
        "stroke",
        "within 6 months",
    ]
    # the informed-consent and pregnancy lines are out of scope, not labels
    pregnancy = criteria[4]
    assert pregnancy.entities == []
    assert pregnancy.out_of_scope == [(0, len(pregnancy.text))]
    assert stats.cross_line == 0


def test_iter_chia_keeps_a_trials_files_together() -> None:
    seen = {}
    for split, path in iter_chia(SMOKE):
        seen.setdefault(path.stem.partition("_")[0], set()).add(split)
    assert all(len(s) == 1 for s in seen.values())
    assert set(SCORED_TYPES) <= set(LABELS)
