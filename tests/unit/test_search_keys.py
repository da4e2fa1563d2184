"""The keys a worker is found by: names folded (case and accents set aside), the beginnings of their
words, and what a search text asks for."""

import pytest

from projections.search import InvalidSearch, Search, after_prefix, folded, search_keys, words


def test_folding_sets_case_and_accents_aside() -> None:
    assert folded("Traoré") == folded("TRAORÉ") == folded("traore") == "traore"
    assert folded("Keïta") == "keita"
    assert folded("Ørsted Æbelø") == "orsted aebelo"
    assert folded("Straße") == "strasse"


def test_words_split_on_spaces_and_hyphens_and_drop_apostrophes() -> None:
    assert words("  Dembélé-Sidibé  N'Diaye ") == ["dembele", "sidibe", "ndiaye"]
    assert words("--") == []


def test_a_worker_is_keyed_by_every_beginning_of_every_name_word() -> None:
    number, family, given, keys = search_keys(
        {"civil_service_number": "MLI-10", "family_name": "N'Diaye", "given_names": "Awa Traoré"}
    )
    assert (number, family, given) == ("mli-10", "ndiaye", "awa traore")
    for key in ("n", "nd", "ndiaye", "d", "diaye", "a", "aw", "awa", "t", "traore"):
        assert key in keys
    assert keys == sorted(set(keys))  # one order, so a rebuild writes the same row
    assert search_keys({"family_name": "Diarra", "given_names": "Awa"})[0] is None


def test_a_search_looks_for_words_a_number_and_codes() -> None:
    search = Search.of(" Traoré aminata traore ")
    assert search.words == ["traore", "aminata"]  # in the order typed, once each
    assert search.number == "traoré aminata traore"
    assert Search.of("csref-kati").codes == ["CSREF-KATI", "csref-kati"]


@pytest.mark.parametrize("text", ["", " ", "\u3000", "\u200b", "x" * 201])
def test_a_blank_or_overlong_search_is_refused(text: str) -> None:
    with pytest.raises(InvalidSearch):
        Search.of(text)


def test_after_prefix_bounds_the_texts_that_begin_with_it() -> None:
    assert after_prefix("mli-1") == "mli-2"
    assert after_prefix("a\U0010ffff") == "b"
    assert after_prefix("\ud7ff") == "\ue000"
    for text in ("mli-1", "mli-1999", "mli-1\U0010ffff"):
        assert "mli-1" <= text < after_prefix("mli-1")
