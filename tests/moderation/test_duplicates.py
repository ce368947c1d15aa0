"""Near-duplicate detection on constructed texts."""

from __future__ import annotations

import random

import pytest

from app.moderation import duplicates

_WORDS = (
    "climate adaptation finance loss damage fund resilience communities coastal rural women youth "
    "indigenous peoples rights land water food security agriculture drought flood early warning "
    "systems governance transparency accountability civil society participation consultation "
    "national plans emissions mitigation energy transition renewable coal just workers health "
    "migration displacement cities infrastructure ecosystems biodiversity forests oceans "
    "technology transfer capacity building developing countries support grants loans debt "
    "the of and to in for on with by that this we our their is are be should must will call "
    "upon governments parties secretariat member states process meeting agenda item paper"
)
VOCABULARY = _WORDS.split()


def text(seed: int, n_words: int = 300) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(VOCABULARY) for _ in range(n_words)) + "."


def change_words(original: str, seed: int, count: int = 1) -> str:
    rng = random.Random(seed)
    tokens = original.split()
    for _ in range(count):
        tokens[rng.randrange(len(tokens))] = f"edited{rng.randrange(10**6)}"
    return " ".join(tokens)


def sig(value: str) -> bytes:
    result = duplicates.signature(value)
    assert result is not None
    return result


def test_a_signature_is_fixed_size_bytes_and_deterministic() -> None:
    first = sig(text(1))

    assert isinstance(first, bytes)
    assert len(first) == duplicates.SIGNATURE_BYTES == 512
    assert sig(text(1)) == first


def test_case_and_punctuation_do_not_matter() -> None:
    plain = text(1)
    shouted = plain.upper().replace(" ", ", ")

    assert duplicates.signature(shouted) == duplicates.signature(plain)


def test_identical_texts_cluster() -> None:
    assert duplicates.clusters([(1, sig(text(1))), (2, sig(text(1))), (3, sig(text(2)))]) == [
        {1, 2}
    ]


def test_one_changed_word_still_clusters() -> None:
    original = text(1)
    edited = change_words(original, seed=7)

    assert duplicates.similarity(sig(original), sig(edited)) > 0.9
    assert duplicates.clusters([(1, sig(original)), (2, sig(edited))]) == [{1, 2}]


def test_same_topic_different_text_does_not_cluster() -> None:
    first, second = text(1), text(2)  # same vocabulary, different sentences

    assert duplicates.similarity(sig(first), sig(second)) < 0.2
    assert duplicates.clusters([(1, sig(first)), (2, sig(second))]) == []


def test_a_campaign_of_twenty_edited_copies_is_one_cluster() -> None:
    base = text(42)
    campaign = [
        (100 + n, sig(f"Submitted by organisation number {n}. " + change_words(base, seed=n)))
        for n in range(20)
    ]
    others = [(n, sig(text(1000 + n))) for n in range(30)]

    assert duplicates.clusters([*others, *campaign]) == [{paper_id for paper_id, _ in campaign}]


def test_separate_campaigns_are_separate_clusters() -> None:
    a, b = text(1), text(2)
    items = [(n, sig(change_words(a, n))) for n in range(3)] + [
        (10 + n, sig(change_words(b, n))) for n in range(2)
    ]

    assert duplicates.clusters(items) == [{0, 1, 2}, {10, 11}]


@pytest.mark.parametrize(
    "value", ["", "   ", "...", "Please see attached.", "Our paper on climate finance is attached."]
)
def test_empty_and_short_texts_have_no_signature(value: str) -> None:
    assert duplicates.signature(value) is None


def test_papers_without_a_signature_never_cluster() -> None:
    items: list[tuple[int, bytes | None]] = [(1, None), (2, None), (3, b""), (4, sig(text(1)))]

    assert duplicates.clusters(items) == []
    assert duplicates.clusters([]) == []


def test_a_malformed_signature_is_refused() -> None:
    with pytest.raises(ValueError, match="512 bytes"):
        duplicates.clusters([(1, sig(text(1))), (2, b"\x00" * 10)])


def test_a_stricter_threshold_splits_looser_copies() -> None:
    original = text(1)
    loose = change_words(original, seed=3, count=12)  # roughly 20% of shingles differ

    assert duplicates.clusters([(1, sig(original)), (2, sig(loose))], threshold=0.5) == [{1, 2}]
    assert duplicates.clusters([(1, sig(original)), (2, sig(loose))], threshold=0.95) == []
