"""The legacy ClinicalTrials.gov XML export (``<clinical_study>`` records).

One ``<clinical_study>`` per file, as the old bulk download gave them, or a file
whose root wraps several. Per study: ``id_info/nct_id``, ``brief_title`` (else
``official_title``), repeated ``condition``, ``eligibility/criteria/textblock``
(the text, exactly as the XML parser returns it: not stripped, not dedented),
``eligibility/gender``, ``minimum_age``, ``maximum_age`` and
``healthy_volunteers``.

Parsing goes through ``defusedxml``, which refuses entity expansion and
external references.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from ..trial import ReadFailure, Trial
from .common import (
    EMPTY,
    NO_CRITERIA,
    ReadResult,
    one_line,
    os_reason,
    record_name,
    stem_of,
)
from .common import trial_id as make_id
from .fields import structured_or_none

__all__ = ["read_xml_bytes", "read_xml_file", "read_xml_text", "study_to_trial"]

_STUDY = "clinical_study"


def _local(tag: Any) -> str:
    """The tag without a namespace (``{ns}clinical_study`` -> ``clinical_study``)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element: Element | None, *names: str) -> Element | None:
    for name in names:
        if element is None:
            return None
        element = next((c for c in element if _local(c.tag) == name), None)
    return element


def _value(element: Element | None, *names: str) -> str | None:
    found = _child(element, *names)
    if found is None or found.text is None or not found.text.strip():
        return None
    return found.text.strip()


def study_to_trial(
    study: Element, *, path: str, stem: str, index: int, multi: bool
) -> ReadResult:
    """Turn one ``<clinical_study>`` element into a trial.

    Args:
        study: The element.
        path: The file's path as given.
        stem: What ids fall back on.
        index: The study's 1-based position in the file.
        multi: Whether the file holds several studies.

    Returns:
        The trial, or a failure naming the study.
    """
    nct_id = _value(study, "id_info", "nct_id")
    name = record_name(nct_id, index)
    block = _child(study, "eligibility", "criteria", "textblock")
    text = block.text if block is not None else None
    if text is None or not text.strip():
        return ReadFailure(path, NO_CRITERIA, record=name)
    eligibility = _child(study, "eligibility")
    conditions = tuple(
        c.text.strip()
        for c in study
        if _local(c.tag) == "condition" and c.text and c.text.strip()
    )
    return Trial(
        id=make_id(nct_id, stem, index, multi=multi),
        text=text,
        source_format="ctgov_xml",
        title=_value(study, "brief_title") or _value(study, "official_title"),
        conditions=conditions,
        structured=structured_or_none(
            minimum_age=_value(eligibility, "minimum_age"),
            maximum_age=_value(eligibility, "maximum_age"),
            sex=_value(eligibility, "gender"),
            healthy_volunteers=_value(eligibility, "healthy_volunteers"),
        ),
        path=path,
        record=name if multi else None,
    )


def _studies(root: Element, *, path: str) -> Iterator[ReadResult]:
    if _local(root.tag) == _STUDY:
        studies, multi = [root], False
    else:
        studies, multi = [e for e in root.iter() if _local(e.tag) == _STUDY], True
    if not studies:
        yield ReadFailure(path, f"no <{_STUDY}> element in XML")
        return
    stem = stem_of(path)
    for index, study in enumerate(studies, start=1):
        yield study_to_trial(study, path=path, stem=stem, index=index, multi=multi)


def _parse(source: str | bytes, *, path: str) -> Element | ReadFailure:
    try:
        root = SafeET.fromstring(source)
    except ParseError as err:
        return ReadFailure(path, one_line(f"invalid XML: {err}"))
    except DefusedXmlException as err:
        kind = type(err).__name__
        return ReadFailure(path, f"forbidden XML construct ({kind})")
    except (ValueError, LookupError, RecursionError) as err:
        return ReadFailure(path, one_line(f"invalid XML: {err}"))
    if not isinstance(root, Element):
        return ReadFailure(path, "invalid XML: no root element")
    return root


def read_xml_text(text: str, *, path: str = "-") -> Iterator[ReadResult]:
    """Read XML text (e.g. stdin) holding one or several studies.

    Args:
        text: The decoded XML.
        path: The path as given (``"-"`` for stdin).

    Yields:
        Trials and failures, in document order.
    """
    yield from _read(text, path=path)


def read_xml_bytes(data: bytes, *, path: str) -> Iterator[ReadResult]:
    """Read XML bytes; the XML declaration decides the encoding.

    Args:
        data: The raw bytes.
        path: The path as given.

    Yields:
        Trials and failures, in document order.
    """
    yield from _read(data, path=path)


def _read(source: str | bytes, *, path: str) -> Iterator[ReadResult]:
    if not source.strip():
        yield ReadFailure(path, EMPTY)
        return
    root = _parse(source, path=path)
    if isinstance(root, ReadFailure):
        yield root
        return
    yield from _studies(root, path=path)


def read_xml_file(path: str) -> Iterator[ReadResult]:
    """Read a ``.xml`` file holding one or several ``<clinical_study>`` elements.

    Args:
        path: The path as given.

    Yields:
        Trials and failures, in document order.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as err:
        yield ReadFailure(path, os_reason(err))
        return
    yield from read_xml_bytes(data, path=path)
