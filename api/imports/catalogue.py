"""The columns of each sheet of an import: its mutation's GraphQL input fields, read from the schema itself
(``schema.as_str()`` built by graphql-core), so a new input field becomes a new column.

A worker command (every sheet but hireWorker and setEstablishment) names its worker by ``workerId`` or by
``civilServiceNumber`` (DESIGN, "Spreadsheet import"): the second column is added beside the first, and
neither alone is required. In correctWorkerDetails ``civilServiceNumber`` is also an input field: it names
the worker when ``workerId`` is empty, and is the corrected number otherwise (the importer decides).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from graphql import (
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLNonNull,
    Undefined,
    build_schema,
    get_named_type,
)

from api.graphql.schema import schema
from api.imports.rows import SHEETS

WORKER_NAMES = ("workerId", "civilServiceNumber")
"""The columns that name a worker: one of them must be given in a worker command's sheet."""
NOT_WORKER_COMMANDS = ("hireWorker", "setEstablishment")


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its input field's name, its GraphQL type's name (String, ID, Int, Date,
    Boolean or an enum's name), whether the sheet requires it, and an enum's values. ``names_worker``: the
    column names the row's worker (``workerId`` or ``civilServiceNumber``: one of them is required);
    ``in_input``: the column is a field of the input type (not the ``civilServiceNumber`` added beside
    ``workerId``, which the importer resolves to a worker id)."""

    name: str
    type: str
    required: bool
    options: tuple[str, ...] = ()
    names_worker: bool = False
    in_input: bool = True

    @property
    def is_enum(self) -> bool:
        return bool(self.options)


@dataclass(frozen=True)
class Sheet:
    """The columns of the sheet of one mutation, in the input type's order."""

    command: str
    input_type: str
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def names_worker(self) -> bool:
        """Whether a row names its worker (by ``workerId`` or ``civilServiceNumber``)."""
        return any(c.names_worker for c in self.columns)


def column_of(name: str, field: GraphQLInputField, worker_command: bool) -> Column:
    named: GraphQLNamedType = get_named_type(field.type)
    required = isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined
    options = tuple(named.values) if isinstance(named, GraphQLEnumType) else ()
    names_worker = worker_command and name in WORKER_NAMES
    return Column(name, named.name, required and not names_worker, options, names_worker)


def sheet_of(command: str, input_type: GraphQLInputObjectType) -> Sheet:
    worker_command = command not in NOT_WORKER_COMMANDS
    columns = [column_of(name, f, worker_command) for name, f in input_type.fields.items()]
    names = [c.name for c in columns]
    if worker_command and "civilServiceNumber" not in names:
        at = names.index("workerId") + 1
        columns.insert(at, Column("civilServiceNumber", "String", False, names_worker=True, in_input=False))
    return Sheet(command, input_type.name, tuple(columns))


@cache
def catalogue() -> Mapping[str, Sheet]:
    """Each sheet of SHEETS (in that order) with its columns, from the schema's mutations' input types."""
    built = build_schema(schema.as_str())
    mutations = built.mutation_type
    if mutations is None:  # pragma: no cover - the schema has mutations
        return MappingProxyType({})
    sheets = {}
    for command in SHEETS:
        input_type = get_named_type(mutations.fields[command].args["input"].type)
        if not isinstance(input_type, GraphQLInputObjectType):  # pragma: no cover - the contract's inputs
            raise TypeError(f"{command}'s input is not an input type")
        sheets[command] = sheet_of(command, input_type)
    return MappingProxyType(sheets)
