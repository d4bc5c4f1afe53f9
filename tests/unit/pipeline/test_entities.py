"""Entities: typed capitalised spans, merged to the fullest form, ranked by mentions."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from worker.pipeline.entities import MAX_PER_TYPE, find_entities
from worker.pipeline.model import Entities

SEED = (
    "Presiden Rusia Vladimir Putin dan pemimpin Korea Utara Kim Jong-un sepakat untuk "
    "meningkatkan hubungan bilateral kedua negara. Hal itu disepakati dalam pertemuan tatap "
    "muka pertama antara kedua pemimpin negara di kota Vladivostok, Rusia, Kamis 25 April 2019.",
    '"Saya yakin bahwa kunjungan Anda akan membantu kami," kata Putin.',
    "Tenaga kerja adalah salah satu ekspor utama Korea Utara dan menjadi sumber pemasukan "
    "negara. Pyongyang telah meminta Rusia untuk terus mempekerjakan pekerjanya.",
)


def _texts(entities: Entities) -> dict[str, list[str]]:
    return {
        kind: [e.text for e in getattr(entities, kind)]
        for kind in ("person", "location", "organization")
    }


def test_titles_places_and_short_mentions() -> None:
    found = _texts(find_entities(None, SEED).entities)
    assert found["person"][0] == "Vladimir Putin"  # `Putin` counted into the full name
    assert "Kim Jong-un" in found["person"]
    assert {"Rusia", "Korea Utara", "Vladivostok", "Pyongyang"} <= set(found["location"])
    assert "Presiden" not in " ".join(found["person"])


def test_mention_counts_include_short_forms() -> None:
    people = find_entities(None, SEED).entities.person
    putin = next(e for e in people if e.text == "Vladimir Putin")
    assert putin.count == 2


def test_title_chain_splits_organisation_and_person() -> None:
    paragraph = (
        '"Sampai dengan pukul 13:30 WIB, tim SAR gabungan mencatat ada lima orang korban," '
        "kata Koordinator Pos SAR Banyuwangi Wahyu Setia Budi di Banyuwangi, Kamis (3/7)."
    )
    found = _texts(find_entities(None, (paragraph,)).entities)
    assert found["person"] == ["Wahyu Setia Budi"]
    assert "Pos SAR Banyuwangi" in found["organization"]
    assert "Banyuwangi" in found["location"]
    assert "WIB" not in found["organization"]


def test_ranks_and_police_titles() -> None:
    paragraph = (
        "Kabid Humas Polda Sumut Kombes Ferry Walintukan mengatakan pilot mendapatkan "
        "informasi terkait adanya ancaman bom. Ferry menyebut tim Jihandak dari Polda "
        "Sumatera Utara melakukan screening pesawat."
    )
    found = _texts(find_entities(None, (paragraph,)).entities)
    assert found["person"] == ["Ferry Walintukan"]
    assert found["organization"] == ["Polda Sumatera Utara"]  # `Polda Sumut` merged


def test_abbreviation_in_parentheses_is_an_alias() -> None:
    paragraph = (
        "Adapun, tiga saham yang menempati posisi top gainers yaitu PT Master Print Tbk "
        "(PTMR) naik 34,08 persen ke Rp240, PT Chitose Internasional Tbk (CINT) naik 24,55 "
        "persen ke Rp208."
    )
    found = _texts(find_entities(None, (paragraph,)).entities)
    assert found["organization"] == ["PT Master Print Tbk", "PT Chitose Internasional Tbk"]
    assert found["location"] == []


def test_acronym_expansion_and_alias_with_atau() -> None:
    paragraphs = (
        "Belakangan keputusan Ketua Umum NasDem Surya Paloh untuk memasangkan duet Anies "
        "Baswedan dan Muhaimin Iskandar atau Cak Imin menjadi topik perbincangan.",
        "Di mana menurutnya, Presiden Jokowi akan memanfaatkan Cak Imin untuk mengendalikan "
        "Anies Baswedan.",
    )
    found = _texts(find_entities(None, paragraphs).entities)
    assert {"Surya Paloh", "Anies Baswedan", "Muhaimin Iskandar", "Jokowi"} == set(found["person"])
    assert "Cak Imin" not in found["person"]
    assert found["organization"] == ["NasDem"]


def test_speakers_are_people_even_with_one_name() -> None:
    paragraph = (
        '"Kayak tadi kelihatan sekali susah untuk membangun serangan," katanya. Suporter '
        "lain, Adika (29) juga bangga dengan skor tersebut. Kasan menambahkan pentingnya UMKM."
    )
    analysis = find_entities(None, (paragraph,))
    assert {"Adika", "Kasan"} <= {e.text for e in analysis.entities.person}
    assert all(m.speaks for m in analysis.person_mentions)


def test_common_words_and_products_are_not_people() -> None:
    paragraph = (
        "• 3 Unit Mobil Mercedes Benz • 3 Unit Mobil Pajero Sport. Performa Gibran Rakabuming "
        "Raka di Debat Cawapres 2024 perdana kemarin menarik perhatian."
    )
    people = [e.text for e in find_entities(None, (paragraph,)).entities.person]
    assert "Mercedes Benz" not in people
    assert "Performa Gibran Rakabuming Raka" not in people


def test_title_only_adds_gazetteer_entities() -> None:
    found = find_entities("Perlis diisytihar negeri taun", ("Negeri itu kawasan taun.",))
    assert [e.text for e in found.entities.location] == ["Perlis"]


@given(st.lists(st.text(max_size=200), max_size=6), st.none() | st.text(max_size=80))
def test_every_entity_is_a_substring_and_lists_are_bounded(
    paragraphs: list[str], title: str | None
) -> None:
    analysis = find_entities(title, tuple(paragraphs))
    source = "\n".join(paragraphs) + "\n" + (title or "")
    for kind in ("person", "location", "organization"):
        entities = getattr(analysis.entities, kind)
        assert len(entities) <= MAX_PER_TYPE
        for entity in entities:
            assert entity.text in source
            assert entity.count >= 1
