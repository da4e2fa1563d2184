"""Every message of the pages, and every refusal's template, has its French, with the same
placeholders: a clerk in Mopti never meets an English sentence or a broken one."""

import re
import string
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from api.web.i18n import Formats, translations
from domain.errors import N_, WorkerDeparted

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "api/web/locale/fr/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def messages() -> set[str]:
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), method_map, options_map):
        if isinstance(message, str) and message:
            found.add(message)
    return found


def placeholders(text: str) -> set[str]:
    braces = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return braces | set(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    return messages()


def test_the_pages_and_the_refusals_have_messages_to_translate(extracted: set[str]) -> None:
    assert "Sign in" in extracted
    assert any("{" in m for m in extracted), "the refusals' templates (N_) are extracted"


def test_every_message_has_its_french(extracted: set[str]) -> None:
    with CATALOGUE.open("rb") as file:
        catalogue = read_po(file, locale="fr")
    missing = sorted(m for m in extracted if m not in catalogue or not catalogue[m].string)
    assert missing == [], f"{len(missing)} messages have no French in {CATALOGUE}"


def test_a_translation_keeps_the_placeholders_of_its_message(extracted: set[str]) -> None:
    french = translations("fr")
    broken = [m for m in extracted if placeholders(french.gettext(m)) != placeholders(m)]
    assert broken == []


def test_numbers_and_dates_are_written_as_each_language_writes_them() -> None:
    fr, en = Formats("fr"), Formats("en")
    assert fr.density(6.0) == "6,0" and en.density(6.04) == "6.0"
    assert fr.number(10000) == "10\u202f000" and en.number(10000) == "10,000"
    assert fr.day("2016-03-01") == "1 mars 2016" and en.day("2016-03-01") == "Mar 1, 2016"


def test_a_refusal_is_said_in_french_with_its_event_and_enum_values_in_french() -> None:
    departed = WorkerDeparted(
        N_("The worker departed before the {event} of {event_on}; record a rehire first, or check the date."),
        event="transfer",
        event_on=date(2016, 3, 1),
    )
    said = Formats("fr").said(departed)
    assert said.startswith("L’agent a quitté le service avant l’événement « mutation » du 2016-03-01")
    assert Formats("en").said(departed) == departed.message
    posts = N_("{code} is a {level}; posts are budgeted at facilities only.")
    assert "district sanitaire" in Formats("fr").message(posts, {"code": "ML-D11", "level": "DISTRICT"})
