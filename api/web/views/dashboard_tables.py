"""A dashboard's tables and charts, made from the GraphQL answer (the same figures as ``/graphql``).

Each figure is a cell marked as DESIGN says: ``data-figure`` (the field of ``Staffing``,
``DensityPoint``, ``Establishment`` or ``Completeness``), ``data-unit`` and, in a series,
``data-period`` (the DHIS2 label the API gives). A breakdown's cell names the breakdown's field
(``byCadreGroup``, ``bySex``, ``bySector``, ``byFundingSource``, ``missing``) in ``data-figure``, its
key (``NURSE``) in ``data-key``, and the entry's field (``count``, or ``posts``, ``filled``,
``vacant``, ``surplus``) in ``data-measure``; docs/web.md says so to the pages' readers."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api.web.i18n import Formats
from api.web.tables import Cell, Table

Answer = dict[str, Any]
BREAKDOWNS = ("byCadreGroup", "bySex", "bySector", "byFundingSource")
MEASURES = ("posts", "filled", "vacant", "surplus")


@dataclass(frozen=True)
class Figure(Cell):
    """A figure's cell; for a breakdown, also its key and the entry's field (``data-key``,
    ``data-measure``)."""

    key: str | None = None
    measure: str | None = None

    @property
    def marks(self) -> dict[str, str]:
        found = {**super().marks, "data-key": self.key, "data-measure": self.measure}
        return {k: v for k, v in found.items() if v is not None}


@dataclass(frozen=True)
class Words:
    """How a page's language writes: its messages (``text``), the API's enum values (``label``),
    numbers and densities (``formats``)."""

    text: Callable[[str], str]
    label: Callable[[str], str]
    formats: Formats

    def count(self, value: int | None) -> str:
        return self.formats.number(value)

    def density(self, value: float | None) -> str:
        return self.formats.density(value)

    def percent(self, value: float | None) -> str:
        return self.formats.percent(value)


def heading(text: str) -> Cell:
    return Cell(text, header=True)


def unit_heading(unit: Answer) -> Cell:
    return heading(f"{unit['name']} ({unit['code']})")


def density_series(answer: Answer, code: str, words: Words) -> Table:
    """The qualified density (and the density, the active staff and the population) per period."""
    _ = words.text
    table = Table(
        "density",
        _("Qualified health workers per 10,000 inhabitants, by period"),
        [_("Period"), _("Qualified density"), _("Density"), _("Qualified active"), _("Active"), _("Population")],
    )
    for p in answer["densitySeries"]:
        period = p["period"]
        table.add(
            heading(period),
            Figure(words.density(p["qualifiedDensity"]), "qualifiedDensity", code, period),
            Figure(words.density(p["density"]), "density", code, period),
            Figure(words.count(p["qualifiedActive"]), "qualifiedActive", code, period),
            Figure(words.count(p["active"]), "active", code, period),
            Figure(words.count(p["population"]), "population", code, period),
        )
    return table


def thresholds(answer: Answer, words: Words) -> Table:
    """WHO's thresholds, as the API names them."""
    _ = words.text
    table = Table("thresholds", _("WHO thresholds"), [_("Threshold"), _("Per 10,000 inhabitants")])
    for t in answer["thresholds"]:
        table.add(heading(_(t["name"])), Cell(words.density(t["perTenThousand"])))
    return table


def flows(answer: Answer, code: str, words: Words) -> Table:
    """Entries and exits per period."""
    _ = words.text
    table = Table("flows", _("Entries and exits, by period"), [_("Period"), _("Entries"), _("Exits")])
    for p in answer["densitySeries"]:
        period = p["period"]
        table.add(
            heading(period),
            Figure(words.count(p["entries"]), "entries", code, period),
            Figure(words.count(p["exits"]), "exits", code, period),
        )
    return table


def staffing(answer: Answer, code: str, words: Words) -> Table:
    """The unit's staffing on the snapshot's day."""
    _ = words.text
    s = answer["staffing"]
    table = Table(
        "staffing", _("Staffing on %(day)s") % {"day": words.formats.day(s["asOf"])}, [_("Figure"), _("Value")]
    )
    rows = (
        ("headcount", _("Headcount (in post)"), words.count),
        ("onLeave", _("On leave"), words.count),
        ("active", _("Active"), words.count),
        ("qualifiedActive", _("Qualified active"), words.count),
        ("population", _("Population"), words.count),
        ("density", _("Density per 10,000"), words.density),
        ("qualifiedDensity", _("Qualified density per 10,000"), words.density),
    )
    for field, title, written in rows:
        table.add(heading(title), Figure(written(s[field]), field, code))
    return table


def breakdown(answer: Answer, code: str, field: str, words: Words) -> Table:
    """The active staff split by one breakdown of ``Staffing`` (``field``, e.g. ``byCadreGroup``)."""
    _ = words.text
    titles = {
        "byCadreGroup": (_("Active staff by cadre group"), _("Cadre group")),
        "bySex": (_("Active staff by sex"), _("Sex")),
        "bySector": (_("Active staff by sector"), _("Sector")),
        "byFundingSource": (_("Active staff by funding source"), _("Funding source")),
    }
    caption, column = titles[field]
    table = Table(field, caption, [column, _("Active")])
    for entry in answer["staffing"][field]:
        key = entry["key"]
        table.add(heading(words.label(key)), Figure(words.count(entry["count"]), field, code, key=key, measure="count"))
    return table


def children(answer: Answer, words: Words) -> Table:
    """The unit's children side by side on the snapshot's day."""
    _ = words.text
    table = Table(
        "children",
        _("Child units side by side"),
        [_("Unit"), _("Active"), _("Qualified active"), _("Population"), _("Density"), _("Qualified density")],
    )
    for child in answer["staffing"]["children"]:
        unit = child["orgUnit"]["code"]
        table.add(
            unit_heading(child["orgUnit"]),
            Figure(words.count(child["active"]), "active", unit),
            Figure(words.count(child["qualifiedActive"]), "qualifiedActive", unit),
            Figure(words.count(child["population"]), "population", unit),
            Figure(words.density(child["density"]), "density", unit),
            Figure(words.density(child["qualifiedDensity"]), "qualifiedDensity", unit),
        )
    return table


def establishment(answer: Answer, code: str, words: Words) -> Table:
    """Budgeted posts against the workers in post, by cadre group, then in all."""
    _ = words.text
    e = answer["establishment"]
    columns = [_("Cadre group"), _("Posts"), _("Filled"), _("Vacant"), _("Surplus"), _("Vacancy rate")]
    table = Table("establishment", _("Vacancy against the establishment"), columns)
    for group in e["byCadreGroup"]:
        key = group["key"]
        cells = [Figure(words.count(group[m]), "byCadreGroup", code, key=key, measure=m) for m in MEASURES]
        table.add(heading(words.label(key)), *cells, Cell(""))
    totals = [Figure(words.count(e[m]), m, code) for m in MEASURES]
    table.add(heading(_("All cadres")), *totals, Figure(words.percent(e["vacancyRate"]), "vacancyRate", code))
    return table


def establishment_children(answer: Answer, words: Words) -> Table:
    """The children's establishment side by side."""
    _ = words.text
    columns = [_("Unit"), _("Posts"), _("Filled"), _("Vacant"), _("Surplus"), _("Vacancy rate")]
    table = Table("establishment-children", _("Vacancy by child unit"), columns)
    for child in answer["establishment"]["children"]:
        unit = child["orgUnit"]["code"]
        cells = [Figure(words.count(child[m]), m, unit) for m in MEASURES]
        table.add(
            unit_heading(child["orgUnit"]), *cells, Figure(words.percent(child["vacancyRate"]), "vacancyRate", unit)
        )
    return table


def completeness(answer: Answer, code: str, words: Words) -> Table:
    """Among the workers in post today, how many have a complete record, and what the others lack."""
    _ = words.text
    c = answer["completeness"]
    table = Table("completeness", _("Completeness of the records (workers in post today)"), [_("Figure"), _("Value")])
    table.add(heading(_("Workers in post")), Figure(words.count(c["workers"]), "workers", code))
    table.add(heading(_("With a complete record")), Figure(words.count(c["complete"]), "complete", code))
    table.add(heading(_("Completeness")), Figure(words.percent(c["rate"]), "rate", code))
    missing = {
        "civilServiceNumber": _("Without a civil-service number"),
        "birthDate": _("Without a date of birth"),
        "sex": _("Without a sex"),
        "cadre": _("Without a cadre"),
        "fundingSource": _("Without a funding source"),
    }
    for entry in c["missing"]:
        key = entry["key"]
        title = missing.get(key, key)
        table.add(heading(title), Figure(words.count(entry["count"]), "missing", code, key=key, measure="count"))
    return table


def tables(answer: Answer, code: str, words: Words) -> dict[str, Table]:
    """Every table of a unit's dashboard, by name (``?csv=<name>``)."""
    made = [
        density_series(answer, code, words),
        thresholds(answer, words),
        flows(answer, code, words),
        staffing(answer, code, words),
        *(breakdown(answer, code, field, words) for field in BREAKDOWNS),
        children(answer, words),
        establishment(answer, code, words),
        establishment_children(answer, words),
        completeness(answer, code, words),
    ]
    return {t.name: t for t in made}
