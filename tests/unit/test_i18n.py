"""The translation layer: .po parsing, language switch, error messages, completeness."""

from __future__ import annotations

import pytest

from fieldapp import i18n
from fieldapp.domain.errors import NotFound, ValidationError
from fieldapp.domain.glossary import GLOSSARY
from fieldapp.tools.extract_messages import collect


def test_parse_po_handles_multiline_and_escapes() -> None:
    po = ('msgid ""\nmsgstr "header"\n\nmsgid "a \\"b\\""\nmsgstr ""\n"甲"\n"乙\\n"\n\n'
          'msgid "x"\nmsgstr ""\n')
    assert i18n.parse_po(po) == {'a "b"': "甲乙\n"}


def test_every_user_visible_string_has_a_chinese_translation() -> None:
    catalog = i18n.catalog("zh_CN")
    missing = sorted(m for m in collect() if not catalog.get(m))
    assert missing == []


def test_glossary_terms_are_translated_as_the_glossary_says() -> None:
    catalog = i18n.catalog("zh_CN")
    wrong = [(t.english, catalog.get(t.english), t.chinese) for t in GLOSSARY
             if t.english in catalog and catalog[t.english] != t.chinese]
    assert wrong == []


def test_describe_names_the_field_in_each_language() -> None:
    error = ValidationError("phone", "'{value}' is not a mobile (11 digits) or landline number",
                            value="123")
    i18n.set_language("zh_CN")
    assert i18n.describe(error).startswith("电话")
    assert "123" in i18n.describe(error)
    assert i18n.describe(NotFound("subject", "abc")).startswith("当事人")
    i18n.set_language("en")
    assert i18n.describe(error) == "phone: '123' is not a mobile (11 digits) or landline number"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="fr"):
        i18n.set_language("fr")


def test_english_shows_words_not_identifiers() -> None:
    from fieldapp.tools.english_labels import identifier_msgids, label

    english = i18n.catalog("en")
    missing = [m for m in identifier_msgids() if label(m) != m and english.get(m) != label(m)]
    assert missing == []
    i18n.set_language("en")
    assert i18n.gettext("does_not_apply") == "does not apply"
    assert i18n.gettext("squad_leader") == "squad leader"
    assert i18n.gettext("Confirm and record") == "Confirm and record"
