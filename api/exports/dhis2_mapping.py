"""The DHIS2 mapping file (DESIGN, "Exports"): which figures are sent, as which data elements, for which
org units, split how. Read from YAML and checked whole before anything is computed, so that a mistake
is named (with a stable code) rather than found halfway, and no figure is ever silently dropped.
"""

from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Any

import yaml

from domain.values import CadreGroup, FundingSource, Sector, Sex

STOCKS = ("headcount", "onLeave", "active", "qualifiedActive")
FLOWS = ("entries", "exits")
ESTABLISHMENT = ("posts", "filled", "vacant")
FIGURES = STOCKS + FLOWS + ESTABLISHMENT
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "cadreGroup": tuple(m.name for m in CadreGroup),
    "sex": tuple(m.name for m in Sex),
    "sector": tuple(m.name for m in Sector),
    "fundingSource": tuple(m.name for m in FundingSource),
}
# What the read side can split, and by what: a staffing figure by one or two of the dimensions together
# (``Staffing.breakdown``); the establishment's figures by cadre group alone.
SPLITS: dict[str, tuple[str, ...]] = {
    **{figure: tuple(DIMENSIONS) for figure in STOCKS},
    **{figure: ("cadreGroup",) for figure in ESTABLISHMENT},
}
JOINT = STOCKS  # the figures that can be split by two dimensions at once
MAX_DIMENSIONS = 2
TOP_KEYS = {"idScheme", "dataSet", "orgUnits", "dataValues"}
RULE_KEYS = {"figure", "dataElement", "disaggregate", "categoryOptionCombos"}


class ExportError(Exception):
    """Raised when the mapping file or an option of an export is wrong, or the export cannot run; ``code`` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Rule:
    """One entry of ``dataValues``: a figure sent as a data element, whole or split by one or two dimensions."""

    figure: str
    data_element: str
    disaggregate: tuple[str, ...] = ()
    combos: dict[str, str] = field(default_factory=dict)  # categories joined by "," -> DHIS2 categoryOptionCombo


@dataclass(frozen=True)
class Mapping:
    org_units: dict[str, str]  # hrh code -> DHIS2 org unit
    rules: tuple[Rule, ...]
    id_scheme: str | None = None
    data_set: str | None = None


def read_mapping(path: Path) -> Mapping:
    """The mapping in the YAML file at ``path``.

    Raises:
        ExportError: the file cannot be read or parsed (MAPPING_UNREADABLE), or ``parse_mapping`` refuses it.
    """
    try:
        content = path.read_bytes()
    except OSError as error:
        raise ExportError("MAPPING_UNREADABLE", f"cannot read the mapping {path}: {error.strerror}") from None
    return parse_mapping_text(content, str(path))


def parse_mapping_text(content: bytes, name: str = "the mapping") -> Mapping:
    """The mapping a YAML file's ``content`` holds (``name`` says which file, in errors).

    Raises:
        ExportError: the content is not YAML in UTF-8 (MAPPING_UNREADABLE), or ``parse_mapping`` refuses it.
    """
    try:
        loaded = yaml.safe_load(content.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ExportError("MAPPING_UNREADABLE", f"{name} is not a YAML file: {error}") from None
    return parse_mapping(loaded)


def parse_mapping(loaded: Any) -> Mapping:
    """The mapping ``loaded`` from YAML, checked.

    Raises:
        ExportError: a missing, unknown or mistyped key (MAPPING_INVALID), an unknown figure
            (MAPPING_UNKNOWN_FIGURE) or dimension (MAPPING_UNKNOWN_DIMENSION), a split the read side does not
            hold (MAPPING_DISAGGREGATION_UNAVAILABLE), or categoryOptionCombos that miss a combination
            (MAPPING_COMBINATION_MISSING) or name one that does not exist (MAPPING_COMBINATION_UNKNOWN).
    """
    top = _table(loaded, "the mapping", TOP_KEYS)
    units = _table(top.get("orgUnits"), "orgUnits", None)
    if not units:
        raise ExportError("MAPPING_INVALID", "orgUnits must map at least one hrh org-unit code to a DHIS2 org unit")
    org_units = {_text(code, "an orgUnits code"): _text(target, f"orgUnits.{code}") for code, target in units.items()}
    entries = top.get("dataValues")
    if not isinstance(entries, list) or not entries:
        raise ExportError("MAPPING_INVALID", "dataValues must be a list of at least one entry")
    rules = tuple(_rule(entry, f"dataValues[{i}]") for i, entry in enumerate(entries))
    seen: set[tuple[str, str]] = set()
    for i, r in enumerate(rules):
        for combo in r.combos.values() or [""]:
            if (r.data_element, combo) in seen:
                raise ExportError(
                    "MAPPING_INVALID",
                    f"dataValues[{i}]: data element {r.data_element} {combo} is already sent by an earlier entry",
                )
            seen.add((r.data_element, combo))
    return Mapping(
        org_units=org_units,
        rules=rules,
        id_scheme=_optional(top, "idScheme"),
        data_set=_optional(top, "dataSet"),
    )


def _rule(entry: Any, where: str) -> Rule:
    rule = _table(entry, where, RULE_KEYS)
    figure = _text(rule.get("figure"), f"{where}.figure")
    if figure not in FIGURES:
        raise ExportError("MAPPING_UNKNOWN_FIGURE", f"{where}.figure {figure!r} is not one of {', '.join(FIGURES)}")
    element = _text(rule.get("dataElement"), f"{where}.dataElement")
    dimensions = rule.get("disaggregate") or []
    if not isinstance(dimensions, list) or not all(isinstance(d, str) for d in dimensions):
        raise ExportError("MAPPING_INVALID", f"{where}.disaggregate must be a list of dimension names")
    for d in dimensions:
        if d not in DIMENSIONS:
            raise ExportError(
                "MAPPING_UNKNOWN_DIMENSION", f"{where}.disaggregate {d!r} is not one of {', '.join(DIMENSIONS)}"
            )
    _check_split(figure, dimensions, f"{where} ({element})")
    combos = rule.get("categoryOptionCombos")
    if not dimensions:
        if combos:
            raise ExportError("MAPPING_INVALID", f"{where} ({element}): categoryOptionCombos needs a disaggregate")
        return Rule(figure, element)
    listed = _table(combos, f"{where}.categoryOptionCombos", None)
    table = {",".join(part.strip() for part in key.split(",")): value for key, value in listed.items()}
    _check_combos(table, dimensions, f"{where} ({element})")
    ordered = [",".join(keys) for keys in product(*(DIMENSIONS[d] for d in dimensions))]
    return Rule(
        figure,
        element,
        tuple(dimensions),
        {key: _text(table[key], f"{where}.categoryOptionCombos.{key}") for key in ordered if key in table},
    )


def _check_split(figure: str, dimensions: list[str], where: str) -> None:
    if len(dimensions) > MAX_DIMENSIONS or len(set(dimensions)) != len(dimensions):
        raise ExportError(
            "MAPPING_DISAGGREGATION_UNAVAILABLE",
            f"{where}: disaggregate {', '.join(dimensions)}: give at most {MAX_DIMENSIONS} different dimensions",
        )
    if len(dimensions) > 1 and figure not in JOINT:
        raise ExportError(
            "MAPPING_DISAGGREGATION_UNAVAILABLE",
            f"{where}: {figure} cannot be split by two dimensions at once; only {', '.join(JOINT)} can",
        )
    for dimension in dimensions:
        if dimension not in SPLITS.get(figure, ()):
            available = ", ".join(f"{f} by {'/'.join(ds)}" for f, ds in SPLITS.items())
            raise ExportError(
                "MAPPING_DISAGGREGATION_UNAVAILABLE",
                f"{where}: {figure} cannot be split by {dimension}; available: {available}",
            )


def _check_combos(table: dict[str, Any], dimensions: list[str], where: str) -> None:
    """Every listed key is a combination of the dimensions' values (joined by ","). With one dimension every
    value must be listed; with two, the combinations the DHIS2 category combo has, and the export stops on a
    combination that holds workers but is not listed (``api.exports.dhis2``), so none is dropped."""
    for key in table:
        parts = key.split(",")
        if len(parts) != len(dimensions) or any(p not in DIMENSIONS[d] for p, d in zip(parts, dimensions, strict=True)):
            expected = ",".join(f"<{d}: {'|'.join(DIMENSIONS[d])}>" for d in dimensions)
            raise ExportError("MAPPING_COMBINATION_UNKNOWN", f"{where}: {key!r} is no combination {expected}")
    if len(dimensions) == 1:
        for key in DIMENSIONS[dimensions[0]]:
            if key not in table:
                raise ExportError(
                    "MAPPING_COMBINATION_MISSING",
                    f"{where}: categoryOptionCombos lists no combination for {key!r}; "
                    "every combination is sent, none is dropped",
                )


def _table(value: Any, where: str, allowed: set[str] | None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ExportError("MAPPING_INVALID", f"{where} must be a mapping of keys to values")
    if allowed is not None:
        unknown = sorted(str(k) for k in value if k not in allowed)
        if unknown:
            raise ExportError(
                "MAPPING_INVALID",
                f"{where} has unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}",
            )
    return {str(k): v for k, v in value.items()}


def _text(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        raise ExportError("MAPPING_INVALID", f"{where} must be a non-empty text")
    return str(value).strip()


def _optional(top: dict[str, Any], key: str) -> str | None:
    return None if top.get(key) is None else _text(top[key], key)
