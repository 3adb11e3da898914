"""The workspace's catalogue: both languages say everything, and every string a page asks for exists."""

import re

from api.web.catalogue import LANGUAGES, LOCALES, choose_language, messages, translate
from api.web.templating import TEMPLATES

KEY_IN_TEMPLATE = re.compile(r"""\bt\(\s*['"]([a-z0-9_]+\.[a-z0-9_.]+)['"]""")


def test_russian_and_english_have_the_same_keys_in_the_same_files() -> None:
    files = {lang: sorted(p.name for p in (LOCALES / lang).glob("*.json")) for lang in LANGUAGES}
    assert files["ru"] == files["en"]
    assert set(messages("ru")) == set(messages("en"))


def test_every_key_a_template_asks_for_is_in_the_catalogue() -> None:
    used = {
        (path.name, key)
        for path in TEMPLATES.rglob("*.html")
        for key in KEY_IN_TEMPLATE.findall(path.read_text(encoding="utf-8"))
    }
    missing = sorted((name, key) for name, key in used if key not in messages("en"))
    assert used and not missing


def test_placeholders_are_the_same_in_both_languages() -> None:
    fields = re.compile(r"\{(\w+)\}")
    for key, english in messages("en").items():
        assert set(fields.findall(messages("ru")[key])) == set(fields.findall(english)), key


def test_the_browser_language_decides_until_the_user_chooses() -> None:
    assert choose_language(None, "ru-RU,ru;q=0.9,en;q=0.8") == "ru"
    assert choose_language(None, "de-DE,en-GB;q=0.7") == "en"
    assert choose_language("en", "ru-RU") == "en"
    assert translate("ru", "signin.throttled", seconds=30).endswith("через 30 с.")
