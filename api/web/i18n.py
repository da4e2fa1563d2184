"""The pages' languages: French by default, English on request; gettext catalogues and Babel's formats.

The messages are written in English in the templates and the code (``api/web/templates``,
``domain.errors.N_``); ``locale/fr/LC_MESSAGES/messages.po`` holds their French. The catalogue is
compiled in memory when first used, so no build step and no generated file is needed.
"""

from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any, Protocol

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from api.web.labels import label

LABELLED = ("event", "level", "role", "kind", "status")
"""The refusals' parameters that name a kind of event or an enum value, said in the reader's language."""
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
LANGUAGE_COOKIE = "hrh_lang"
LOCALE_DIR = Path(__file__).parent / "locale"


def language_of(asked: str | None) -> str:
    """``asked`` when it is one of the pages' languages, else the default (French)."""
    return asked if asked in LANGUAGES else DEFAULT_LANGUAGE


@cache
def translations(language: str) -> NullTranslations:
    """The catalogue of ``language``; English is the messages themselves."""
    po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as file:
        catalog = read_po(file, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain="messages")


class Said(Protocol):
    """What a refusal tells: its template and parameters (or only its English message), and the refusal it wraps."""

    @property
    def message(self) -> str: ...
    @property
    def template(self) -> str | None: ...
    @property
    def params(self) -> Mapping[str, Any]: ...
    @property
    def inner(self) -> "Said | None": ...


class Formats:
    """Dates and numbers written as ``language`` writes them ("6,0" in French, "6.0" in English)."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.locale = Locale.parse(language)

    def number(self, value: int | float | None) -> str:
        return "" if value is None else format_decimal(value, locale=self.locale)

    def density(self, value: float | None) -> str:
        """A density to one decimal place (the API keeps full precision)."""
        return "" if value is None else format_decimal(value, format="#,##0.0", locale=self.locale)

    def percent(self, value: float | None) -> str:
        return "" if value is None else format_decimal(value * 100, format="#,##0.0", locale=self.locale) + " %"

    def day(self, value: date | str | None) -> str:
        if value is None or value == "":
            return ""
        return format_date(date.fromisoformat(value) if isinstance(value, str) else value, "medium", self.locale)

    def moment(self, value: datetime | str | None) -> str:
        if value is None or value == "":
            return ""
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        return format_datetime(moment, "medium", tzinfo=moment.tzinfo, locale=self.locale)

    def message(self, template: str, params: Mapping[str, Any], inner: str | None = None) -> str:
        """A refusal's message in this language: its template translated, then filled, with dates in
        ISO (as the history and the forms write them), the kind of event named in this language, and
        ``inner`` (the refusal it wraps, already said in this language) as its reason."""
        gettext = translations(self.language).gettext
        values = {k: self.param(k, v, gettext) for k, v in params.items()}
        if inner is not None:
            values["reason"] = inner
        try:
            return gettext(template).format(**values) if values else gettext(template)
        except (KeyError, IndexError, ValueError):  # a translation that names another placeholder
            return template.format(**values)

    def said(self, refusal: "Said") -> str:
        """A refusal (``api.operations.Refusal``) in this language; one without a template as it came."""
        if refusal.template is None:
            return refusal.message
        inner = self.said(refusal.inner) if refusal.inner is not None else None
        return self.message(refusal.template, refusal.params, inner)

    @staticmethod
    def param(name: str, value: Any, gettext: Any) -> Any:
        """A refusal's parameter in this language: a date in ISO, the kind of event and enum values
        (a unit's level, a role, a status) by their translated label, anything else as it is."""
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, str) and name in LABELLED:
            return gettext(label(value))
        return value
