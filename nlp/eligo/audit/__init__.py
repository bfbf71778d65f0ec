"""The cross-trial audit: stored Documents in, findings and a report out.

- :mod:`.findings`: :class:`Finding` and the finding kinds.
- :mod:`.rules`: ``rules/audit.json`` and ``rules/audit_drug_classes.json``.
- :mod:`.checks`: within-trial checks (registry fields, contradictions,
  redundancies, duplicates, unparsed numbers, implausible values and units,
  criteria that are not computable).
- :mod:`.cohort`: cross-trial distributions, outliers, unit heterogeneity,
  common and unusual criteria.
- :mod:`.report`: the self-contained HTML report, and JSON/CSV findings.

:func:`audit_documents` runs every check over Documents; :func:`run_audit`
reads them from a :class:`~eligo.store.Store` first. ``eligo audit`` calls it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..document import Document
from ..store import Store
from .checks import check_document, not_computable_share
from .cohort import CohortSummary, cohort_checks
from .findings import KINDS, Finding
from .rules import AuditRules, audit_rules

__all__ = [
    "KINDS",
    "AuditResult",
    "Finding",
    "audit_documents",
    "run_audit",
]


@dataclass
class AuditResult:
    """Everything an audit produced.

    Attributes:
        findings: All findings, in report order.
        summary: The cross-trial distributions and common criteria.
        documents: The audited documents by id (for the report's text).
        not_computable: Each trial's share of not-computable criteria.
        scope: How the trials were chosen (for the report's header).
        seconds: How long the audit took.
    """

    findings: list[Finding] = field(default_factory=list)
    summary: CohortSummary = field(default_factory=CohortSummary)
    documents: dict[str, Document] = field(default_factory=dict)
    not_computable: dict[str, float] = field(default_factory=dict)
    scope: str = "all stored trials"
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        """Findings per kind, every kind listed (in report order)."""
        found = Counter(f.kind for f in self.findings)
        return {kind: found.get(kind, 0) for kind in KINDS}

    def summary_line(self) -> str:
        """The closing line of ``eligo audit``."""
        by_kind = ", ".join(f"{k} {n}" for k, n in self.counts().items() if n)
        return (
            f"{len(self.documents)} trials, {len(self.findings)} findings"
            f"{' (' + by_kind + ')' if by_kind else ''}, {self.seconds:.1f} s"
        )


def audit_documents(
    docs: Iterable[Document],
    *,
    rules: AuditRules | None = None,
    scope: str = "all trials given",
) -> AuditResult:
    """Run every within-trial and cross-trial check.

    Args:
        docs: The documents to audit (one group for the cross-trial checks).
        rules: Audit rules (the shipped ones when ``None``).
        scope: How the documents were chosen, for the report.

    Returns:
        The findings, the cross-trial summary and the documents.
    """
    started = time.perf_counter()
    rules = rules or audit_rules()
    result = AuditResult(scope=scope)
    for doc in docs:
        result.documents[doc.id] = doc
        result.findings.extend(check_document(doc, rules))
        result.not_computable[doc.id] = not_computable_share(doc, rules)
    cross, result.summary = cohort_checks(result.documents.values(), rules)
    result.findings.extend(cross)
    result.findings.sort(key=Finding.sort_key)
    result.seconds = time.perf_counter() - started
    return result


def run_audit(
    store: Store,
    *,
    trial_ids: Sequence[str] | None = None,
    condition: str | None = None,
    rules: AuditRules | None = None,
) -> AuditResult:
    """Audit stored trials (reloaded as Documents, never re-parsed).

    Args:
        store: An open store.
        trial_ids: Audit only these trials (one group).
        condition: Audit only trials whose conditions or title contain this.
        rules: Audit rules (the shipped ones when ``None``).

    Returns:
        The audit result (empty when nothing matches).
    """
    parts = []
    if trial_ids:
        parts.append(f"{len(trial_ids)} listed trials")
    if condition:
        parts.append(f"condition contains '{condition}'")
    scope = "; ".join(parts) or "all stored trials"
    started = time.perf_counter()
    result = audit_documents(
        store.documents(trial_ids=trial_ids, condition=condition),
        rules=rules,
        scope=scope,
    )
    result.seconds = time.perf_counter() - started
    return result
