"""Near-duplicate detection over papers' extracted text, to flag campaigns and repeat submissions.

A paper's signature is the MinHash (datasketch, 128 permutations) of its text's 5-word shingles,
after the same normalisation as search (case, accents, punctuation; CJK by character). It is
stored as 512 bytes, so it can be kept in a column and clustered later without the text.
Clustering finds candidate pairs with MinHash LSH, keeps those whose estimated Jaccard similarity
reaches the threshold, and returns the connected components.

Changing SHINGLE_WORDS, NUM_PERM, SEED, the scheme or the normalisation makes stored signatures
incomparable with new ones: recompute them all.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH  # type: ignore[import-untyped]
from scipy.sparse import coo_array  # type: ignore[import-untyped]
from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]

from app.submissions.search import words

SHINGLE_WORDS = 5
NUM_PERM = 128
SEED = 1
# Texts with fewer distinct shingles (about 14 words) get no signature: too little to judge, and
# empty or boilerplate-only extractions (scanned PDFs) must not cluster with each other.
MIN_SHINGLES = 10
MAX_WORDS = 200_000
_SCHEME = "affine32"
_DTYPE = np.dtype("<u4")
SIGNATURE_BYTES = NUM_PERM * _DTYPE.itemsize
_BATCH = 4096  # shingles hashed at once; bounds memory at _BATCH x NUM_PERM values
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=_SCHEME).permutations


def signature(text: str) -> bytes | None:
    """The MinHash signature of `text` (SIGNATURE_BYTES bytes), or None when it is too short."""
    tokens = words(text)[:MAX_WORDS]
    shingles = list(
        {
            " ".join(tokens[i : i + SHINGLE_WORDS]).encode()
            for i in range(len(tokens) - SHINGLE_WORDS + 1)
        }
    )
    if len(shingles) < MIN_SHINGLES:
        return None
    minhash = MinHash(seed=SEED, scheme=_SCHEME, permutations=_PERMUTATIONS)
    for start in range(0, len(shingles), _BATCH):
        minhash.update_batch(shingles[start : start + _BATCH])
    return bytes(np.asarray(minhash.hashvalues, dtype=_DTYPE).tobytes())


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets."""
    pair = _matrix([a, b])
    return float(np.mean(pair[0] == pair[1]))


def _matrix(signatures: list[bytes]) -> np.ndarray:
    for s in signatures:
        if len(s) != SIGNATURE_BYTES:
            raise ValueError(f"a signature has {SIGNATURE_BYTES} bytes, not {len(s)}")
    return np.frombuffer(b"".join(signatures), dtype=_DTYPE).reshape(len(signatures), NUM_PERM)


def clusters(items: Iterable[tuple[int, bytes | None]], threshold: float = 0.8) -> list[set[int]]:
    """Groups of at least two near-identical papers, largest first; papers without a signature
    never cluster. Items are (paper id, signature)."""
    ids: list[int] = []
    signatures: list[bytes] = []
    for paper_id, sig in items:
        if sig:
            ids.append(paper_id)
            signatures.append(sig)
    if len(ids) < 2:
        return []
    matrix = _matrix(signatures)
    # Every candidate is verified below, so the bands favour recall over precision: a pair at
    # the threshold becomes a candidate ~87% of the time (default weights: ~40%).
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM, weights=(0.1, 0.9))
    sketches = [LeanMinHash(seed=SEED, hashvalues=row, scheme=_SCHEME) for row in matrix]
    with lsh.insertion_session() as session:
        for index, sketch in enumerate(sketches):
            session.insert(index, sketch, check_duplication=False)

    sources: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    for index, sketch in enumerate(sketches):
        candidates = np.fromiter(lsh.query(sketch), dtype=np.int64)
        candidates = candidates[candidates > index]
        if candidates.size == 0:
            continue
        estimated = np.mean(matrix[candidates] == matrix[index], axis=1)
        similar = candidates[estimated >= threshold]
        sources.append(np.full(similar.size, index, dtype=np.int64))
        targets.append(similar)
    if not sources:
        return []

    rows, cols = np.concatenate(sources), np.concatenate(targets)
    graph = coo_array((np.ones(rows.size, dtype=np.int8), (rows, cols)), shape=(len(ids),) * 2)
    _count, labels = connected_components(graph, directed=False)
    groups: dict[int, set[int]] = {}
    for index in np.unique(np.concatenate([rows, cols])):
        groups.setdefault(int(labels[index]), set()).add(ids[index])
    return sorted(groups.values(), key=lambda g: (-len(g), min(g)))
