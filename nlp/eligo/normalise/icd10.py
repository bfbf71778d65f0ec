"""ICD-10-CM codes for condition mentions, only where certain.

A scispaCy knowledge base is built from the offline code set that
``simple_icd_10_cm`` ships (every category such as ``E11`` and subcategory
such as ``E11.9``, with its description), plus the synonyms of the
``rules/match_concepts.json`` conditions that name exactly one code. scispaCy's
candidate generator (TF-IDF over character 3-grams, an nmslib HNSW index,
cosine similarity) finds the nearest alias of a mention; :class:`IcdLinker`
gives its code only when the similarity reaches :data:`THRESHOLD`, a value
calibrated on aliases the knowledge base does not hold
(``benchmarks/icd10_calibration.py``), and only when the nearest alias names
one code (or names codes of which one is the parent of all the others).

The index is built on first use into a cache directory (:func:`cache_dir`,
``$ELIGO_CACHE`` or ``~/.cache/eligo``) whose name carries the code set's
package version and a hash of the knowledge base and build settings, so a new
code set, a changed synonym or new settings builds a new index and an old one
is never read by mistake.

scispaCy's own builder (``create_tfidf_ann_index``) refuses to run with
scipy >= 1.11 (it saves float16 sparse vectors, which newer scipy cannot
write). :func:`build_index` therefore writes the same four files
(:class:`scispacy.candidate_generation.LinkerPaths`) with float32 vectors and
HNSW settings sized for a two-core machine; scispaCy's ``LinkerPaths.load`` and
``CandidateGenerator`` read and query them unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import EligoError

if TYPE_CHECKING:
    from scispacy.candidate_generation import CandidateGenerator
    from scispacy.linking_utils import Entity as KbEntity

SYSTEM = "icd10cm"
#: Lowest cosine similarity (mention vs nearest alias) at which a code is given.
#: Calibrated by ``benchmarks/icd10_calibration.py``: the lowest threshold at
#: which the precision of :meth:`IcdLinker.link` is >= 0.95 on held-out
#: synonyms and ICD-10-CM inclusion terms (0.98 and 1.0 there; the one wrong
#: code just below, 0.696, dropped a parenthesised word that mattered).
THRESHOLD = 0.70
#: The knowledge base's layout; bump it when :func:`icd10_entities` changes.
KB_FORMAT = 1
CACHE_ENV = "ELIGO_CACHE"
CONCEPTS_FILE = "match_concepts.json"
#: Candidate aliases asked of the index per mention.
NEIGHBOURS = 10
KB_FILE = "kb.jsonl"
META_FILE = "meta.json"


class CodesError(EligoError):
    """The ICD-10-CM linker cannot be built or loaded."""


@dataclass(frozen=True)
class IndexSettings:
    """How the TF-IDF vectorizer and the HNSW index are built.

    ``min_df`` is scispaCy's (a 3-gram must occur in 10 aliases); a tiny test
    knowledge base needs 1. ``m``/``ef_construction`` are lower than
    scispaCy's 100/2000 (made for 3 M UMLS aliases on 60 threads): on ICD-10-CM
    they give the same nearest alias as an exact search (measured in
    ``benchmarks/icd10_calibration.py``) in a fraction of the time.
    """

    min_df: int = 10
    m: int = 30
    ef_construction: int = 200
    ef_search: int = 200
    threads: int = 2

    def key(self) -> str:
        """The settings as text, for the cache key."""
        return (
            f"min_df={self.min_df},m={self.m},efc={self.ef_construction},"
            f"efs={self.ef_search}"
        )


@dataclass(frozen=True)
class CodeMatch:
    """The code of one mention: the nearest alias and its similarity."""

    code: str
    display: str
    score: float
    alias: str

    def as_dict(self) -> dict[str, Any]:
        """The ``Entity.code`` dict of the public Document."""
        return {
            "system": SYSTEM,
            "code": self.code,
            "display": self.display,
            "score": round(self.score, 4),
        }


# --- the knowledge base -------------------------------------------------------


def code_set_version() -> str:
    """The version of the installed ``simple-icd-10-cm`` (its code set)."""
    try:
        return metadata.version("simple-icd-10-cm")
    except metadata.PackageNotFoundError as err:
        raise CodesError(
            "ICD-10-CM codes need the simple-icd-10-cm package "
            "(pip install simple-icd-10-cm)"
        ) from err


def _icd() -> Any:
    try:
        with warnings.catch_warnings():  # its import calls a deprecated API
            warnings.simplefilter("ignore", DeprecationWarning)
            import simple_icd_10_cm
    except ImportError as err:
        raise CodesError(
            "ICD-10-CM codes need the simple-icd-10-cm package "
            "(pip install simple-icd-10-cm)"
        ) from err
    return simple_icd_10_cm


def code_descriptions(codes: Iterable[str] | None = None) -> dict[str, str]:
    """Description of each category and subcategory code (dotted, ``E11.9``).

    Args:
        codes: Only these codes (a small knowledge base for tests); every
            category and subcategory of the code set when ``None``.

    Raises:
        CodesError: A given code is not an ICD-10-CM category or subcategory.
    """
    icd = _icd()
    if codes is None:
        wanted = [c for c in icd.get_all_codes(with_dots=True) if _is_code(icd, c)]
    else:
        wanted = list(codes)
        for code in wanted:
            if not _is_code(icd, code):
                raise CodesError(f"{code!r} is not an ICD-10-CM category or subcode")
    return {code: str(icd.get_description(code)) for code in wanted}


def _is_code(icd: Any, code: str) -> bool:
    return bool(icd.is_valid_item(code) and icd.is_category_or_subcategory(code))


def concept_synonyms(concepts: Any = None) -> dict[str, list[str]]:
    """Synonyms of the conditions of ``rules/match_concepts.json`` by code.

    Only a condition whose ``codes.icd10cm`` is exactly one code gives its
    synonyms to that code: a concept coded by several codes ("diabetes":
    E08-E13) or by a chapter letter names no single code. Abbreviations are
    left out (case is lost in the 3-gram vectors, and "AF", "MI" are
    ambiguous out of context).

    Args:
        concepts: The parsed JSON of the file (read from the package when
            ``None``).
    """
    from ..match.rules import ConceptsFile
    from ..pipeline.resources import read_rule_json

    data = ConceptsFile.model_validate(
        concepts if concepts is not None else read_rule_json(CONCEPTS_FILE)
    )
    out: dict[str, list[str]] = {}
    for entry in data.concepts:
        codes = entry.codes.get(SYSTEM, ())
        if entry.kind == "condition" and len(codes) == 1:
            out.setdefault(codes[0], []).extend(entry.synonyms)
    return out


def icd10_entities(
    descriptions: dict[str, str], synonyms: dict[str, list[str]] | None = None
) -> list[KbEntity]:
    """scispaCy knowledge-base entities: code, description, aliases.

    A synonym whose code is not in ``descriptions`` is skipped (a test
    knowledge base holds a few codes only).
    """
    from scispacy.linking_utils import Entity as KbEntity

    synonyms = synonyms or {}
    return [
        KbEntity(
            concept_id=code,
            canonical_name=name,
            aliases=sorted({name, *synonyms.get(code, [])}),
        )
        for code, name in descriptions.items()
    ]


def knowledge_base(entities: Sequence[KbEntity]) -> Any:
    """A scispaCy ``KnowledgeBase`` over the entities."""
    from scispacy.linking_utils import KnowledgeBase

    return KnowledgeBase(list(entities))


def kb_hash(entities: Sequence[KbEntity], settings: IndexSettings) -> str:
    """A short hash of the entities and the build settings (the cache key)."""
    digest = hashlib.sha256(f"{KB_FORMAT};{settings.key()}".encode())
    for entity in entities:
        digest.update(json.dumps([entity.concept_id, entity.aliases]).encode())
    return digest.hexdigest()[:12]


# --- the index ----------------------------------------------------------------


def cache_dir() -> Path:
    """Where indexes are cached: ``$ELIGO_CACHE`` or ``~/.cache/eligo``."""
    root = os.environ.get(CACHE_ENV)
    return Path(root) if root else Path.home() / ".cache" / "eligo"


def linker_paths(directory: Path) -> Any:
    """scispaCy's ``LinkerPaths`` of an index directory."""
    from scispacy.candidate_generation import LinkerPaths

    return LinkerPaths.from_directory(directory)


def build_index(
    entities: Sequence[KbEntity], directory: Path, settings: IndexSettings
) -> dict[str, Any]:
    """Fit the TF-IDF vectorizer and HNSW index and save them in ``directory``.

    Writes scispaCy's four ``LinkerPaths`` files, the entities (``kb.jsonl``)
    and ``meta.json`` (build time, sizes), into a temporary directory renamed
    into place at the end, so a build that fails or is stopped leaves no
    half-written index behind.

    Returns:
        The metadata written to ``meta.json``.
    """
    import joblib
    import nmslib
    import numpy
    import scipy.sparse
    from sklearn.feature_extraction.text import TfidfVectorizer

    started = time.perf_counter()
    kb = knowledge_base(entities)
    aliases = sorted(kb.alias_to_cuis)
    vectorizer = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 3),
        min_df=settings.min_df,
        dtype=numpy.float32,
    )
    vectors = vectorizer.fit_transform(aliases)
    keep = numpy.asarray(vectors.sum(axis=1)).reshape(-1) != 0  # nmslib needs >0
    aliases = [a for a, k in zip(aliases, keep, strict=True) if k]
    vectors = vectors[keep]
    index = nmslib.init(
        method="hnsw",
        space="cosinesimil_sparse",
        data_type=nmslib.DataType.SPARSE_VECTOR,
    )
    index.addDataPointBatch(vectors)
    index.createIndex(
        {
            "M": settings.m,
            "efConstruction": settings.ef_construction,
            "indexThreadQty": settings.threads,
            "post": 0,
        }
    )
    directory.parent.mkdir(parents=True, exist_ok=True)
    partial = directory.with_name(f"{directory.name}.tmp{os.getpid()}")
    partial.mkdir(parents=True, exist_ok=True)
    paths = linker_paths(partial)
    index.saveIndex(paths.ann_index)
    joblib.dump(vectorizer, paths.tfidf_vectorizer)
    scipy.sparse.save_npz(paths.tfidf_vectors, vectors)
    Path(paths.concept_aliases_list).write_text(json.dumps(aliases), encoding="utf-8")
    _write_entities(entities, partial / KB_FILE)
    meta = {
        "code_set": code_set_version(),
        "codes": len(entities),
        "aliases": len(aliases),
        "settings": settings.key(),
        "build_seconds": round(time.perf_counter() - started, 2),
    }
    meta["bytes"] = sum(f.stat().st_size for f in partial.iterdir())
    (partial / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    try:
        partial.rename(directory)
    except OSError:  # another process built it first: use theirs
        _remove_dir(partial)
    return meta


def _write_entities(entities: Sequence[KbEntity], path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for e in entities:
            record = {
                "concept_id": e.concept_id,
                "canonical_name": e.canonical_name,
                "aliases": e.aliases,
            }
            handle.write(json.dumps(record) + "\n")


def _remove_dir(path: Path) -> None:
    for child in path.iterdir():
        child.unlink()
    path.rmdir()


def is_built(directory: Path) -> bool:
    """Whether ``directory`` holds a complete index."""
    return bool(
        directory.is_dir()
        and linker_paths(directory).is_locally_cached()
        and (directory / KB_FILE).is_file()
        and (directory / META_FILE).is_file()
    )


# --- the linker ---------------------------------------------------------------


class IcdLinker:
    """ICD-10-CM codes of mention texts, from a built index directory.

    Args:
        directory: A directory written by :func:`build_index`.
        threshold: Lowest similarity that gives a code.
        ef_search: HNSW search breadth.
    """

    def __init__(
        self, directory: Path, *, threshold: float = THRESHOLD, ef_search: int = 200
    ) -> None:
        from scispacy.candidate_generation import CandidateGenerator

        if not is_built(directory):
            raise CodesError(f"{directory}: no ICD-10-CM index there (build it first)")
        self.directory = directory
        self.threshold = threshold
        self.meta: dict[str, Any] = json.loads(
            (directory / META_FILE).read_text(encoding="utf-8")
        )
        kb = knowledge_base_from_file(directory / KB_FILE)
        aliases, vectorizer, index = linker_paths(directory).load(ef_search=ef_search)
        self.kb = kb
        self.generator: CandidateGenerator = CandidateGenerator(
            ann_index=index,
            tfidf_vectorizer=vectorizer,
            ann_concept_aliases_list=aliases,
            kb=kb,
        )

    def nearest(self, texts: Sequence[str]) -> list[CodeMatch | None]:
        """The nearest unambiguous code of each text, whatever its score.

        ``None`` where no alias shares a 3-gram with the text, or where the
        nearest alias names several codes none of which is the parent of all
        the others.
        """
        if not texts:
            return []
        batches = self.generator([t.strip() for t in texts], NEIGHBOURS)
        return [self._best(candidates) for candidates in batches]

    def link(self, texts: Sequence[str]) -> list[CodeMatch | None]:
        """The code of each text where certain, else None.

        Certain: among the candidate aliases that have the text's words
        (:func:`same_words`), the nearest is at or above the threshold and
        names one code (or codes of which one is the parent of the others).
        """
        return [
            m if m is not None and m.score >= self.threshold else None
            for m in self.nearest_words(texts)
        ]

    def nearest_words(self, texts: Sequence[str]) -> list[CodeMatch | None]:
        """As :meth:`nearest`, among the aliases with the text's words only
        (:func:`same_words`)."""
        if not texts:
            return []
        batches = self.generator([t.strip() for t in texts], NEIGHBOURS)
        return [
            self._best(candidates, text)
            for text, candidates in zip(texts, batches, strict=True)
        ]

    def _best(
        self, candidates: Sequence[Any], text: str | None = None
    ) -> CodeMatch | None:
        pairs = [
            (sim, alias, c.concept_id)
            for c in candidates
            for alias, sim in zip(c.aliases, c.similarities, strict=True)
            if text is None or same_words(text, alias)
        ]
        if not pairs:
            return None
        top = max(sim for sim, _, _ in pairs)
        tied = [(alias, code) for sim, alias, code in pairs if sim >= top - 1e-6]
        code = _most_general(list({code for _, code in tied}))
        if code is None:
            return None
        alias = next(a for a, c in tied if c == code)
        display = self.kb.cui_to_entity[code].canonical_name
        return CodeMatch(code=code, display=display, score=float(top), alias=alias)


#: Words that never change a code ("carcinoma of the breast").
ARTICLES = frozenset({"a", "an", "the"})
_PARENTHESES = re.compile(r"\s*\([^()]*\)")


def content_words(text: str) -> tuple[str, ...]:
    """Lowercase words of ``text`` in order, plurals trimmed, articles dropped."""
    from ..match.rules import words

    return tuple(w for w in words(text) if w not in ARTICLES)


def same_words(mention: str, alias: str) -> bool:
    """Whether the mention says what the alias says, word for word.

    Case, punctuation, plurals and articles aside, the words must be the same
    and in the same order ("nausea without vomiting" is not "vomiting without
    nausea", "GM1" is not "GM2"). An alias's parenthesised words may be
    left out: ICD-10-CM puts words that do not change the code in parentheses
    ("Essential (primary) hypertension").
    """
    said = content_words(mention)
    return bool(said) and said in (
        content_words(alias),
        content_words(_PARENTHESES.sub("", alias)),
    )


def knowledge_base_from_file(path: Path) -> Any:
    """The scispaCy ``KnowledgeBase`` saved beside an index (``kb.jsonl``)."""
    from scispacy.linking_utils import KnowledgeBase

    return KnowledgeBase(str(path))


def _most_general(codes: Sequence[str]) -> str | None:
    """The one code that prefixes every other, or None (an ambiguous alias)."""
    for code in sorted(codes):
        if all(other.startswith(code) for other in codes):
            return code
    return None


def index_directory(
    entities: Sequence[KbEntity], settings: IndexSettings, root: Path | None = None
) -> Path:
    """The cache directory of an index of these entities and settings."""
    name = f"{SYSTEM}-{code_set_version()}-{kb_hash(entities, settings)}"
    return (root or cache_dir()) / name


def ensure_index(
    entities: Sequence[KbEntity], settings: IndexSettings, root: Path | None = None
) -> Path:
    """The index directory of these entities, built first if not cached."""
    directory = index_directory(entities, settings, root)
    if not is_built(directory):
        try:
            build_index(entities, directory, settings)
        except OSError as err:
            message = f"cannot build the ICD-10-CM index in {directory}: {err}"
            raise CodesError(message) from err
    return directory


_default: IcdLinker | None = None


def default_index() -> Path:
    """The index of the whole code set, built into the cache if not there."""
    entities = icd10_entities(code_descriptions(), concept_synonyms())
    return ensure_index(entities, IndexSettings())


def default_linker() -> IcdLinker:
    """The linker over the whole code set, built into the cache on first use."""
    global _default
    if _default is None:
        _default = IcdLinker(default_index())
    return _default
