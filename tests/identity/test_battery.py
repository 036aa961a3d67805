"""The probe battery: 16 languages, the same probe ids and kinds everywhere, well-formed requests."""

from __future__ import annotations

import pytest

from distillscope.errors import InputError
from distillscope.identity.battery import KINDS, languages, load_battery, resolve_languages

REQUIRED = {"en", "zh-Hans", "zh-Hant", "ja", "ko", "ru", "fr", "de", "es", "pt", "it", "ar", "hi", "tr", "vi", "id"}


def test_sixteen_languages_with_the_same_probes():
    assert REQUIRED <= set(languages())
    by_lang: dict[str, list] = {}
    for p in load_battery():
        by_lang.setdefault(p.language, []).append(p)
    ids = {lang: [p.id for p in ps] for lang, ps in by_lang.items()}
    first = ids["en"]
    assert len(first) >= 6 and len(set(first)) == len(first)
    for lang, ps in by_lang.items():
        assert ids[lang] == first, lang
        assert {p.kind for p in ps} == set(KINDS), lang
        conflict = [p for p in ps if p.kind == "system_conflict"]
        assert conflict and all(p.system for p in conflict), lang
        assert len({p.user for p in ps}) == len(ps), f"duplicate questions in {lang}"


def test_translations_are_not_copies_of_english():
    en = {p.id: p.user for p in load_battery("en")}
    for p in load_battery():
        if p.language != "en":
            assert p.user != en[p.id], (p.language, p.id)


def test_requests_and_language_selection():
    p = next(p for p in load_battery("zh-Hans") if p.kind == "system_conflict")
    r = p.request(seed_index=3, max_tokens=20)
    assert r.message_dicts[0]["role"] == "system" and r.seed_index == 3 and r.max_tokens == 20
    assert resolve_languages("zh") == ["zh-Hans", "zh-Hant"]
    assert resolve_languages(["en", "JA"]) == ["en", "ja"]
    with pytest.raises(InputError, match="Unknown probe language"):
        resolve_languages("xx")
    with pytest.raises(InputError, match="Unknown probe id"):
        load_battery("en", ["nope"])
