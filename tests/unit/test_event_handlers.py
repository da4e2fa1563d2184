"""Every event class the domain defines reaches the read side, or is declared as changing none of it."""

import importlib
import pkgutil

from eventsourcing.domain import Aggregate

import domain
import projections.projector  # noqa: F401  (registers the projector's handlers)
from projections.careers import DATE_FIELD, EFFECTS, WORKER_EVENTS
from projections.handlers import REGISTRY, event_classes_of


def domain_aggregates() -> list[type[Aggregate]]:
    """Every aggregate class that a module of ``domain/`` defines."""
    found = []
    for module_info in pkgutil.iter_modules(domain.__path__):
        module = importlib.import_module(f"domain.{module_info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Aggregate)
                and value is not Aggregate
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return found


def test_the_walk_finds_the_workers_org_units_cadres_and_the_ledgers_registries() -> None:
    names = {aggregate.__name__ for aggregate in domain_aggregates()}
    assert {"Worker", "OrgUnit", "Cadre", "CivilServiceNumber", "CommandReceipt", "FacilityRoster"} <= names


def test_every_domain_event_class_has_a_projection_handler_or_is_declared_as_changing_no_read_table() -> None:
    classes = [c for aggregate in domain_aggregates() for c in event_classes_of(aggregate)]
    missing = [c.__qualname__ for c in REGISTRY.unaccounted(classes)]
    assert missing == [], f"give these a @handles(...) handler, or declare changes_no_read_table(...): {missing}"


def test_every_dated_worker_event_has_an_effect_on_the_timeline() -> None:
    missing = [c.__qualname__ for c in WORKER_EVENTS.values() if c in DATE_FIELD and c not in EFFECTS]
    assert missing == []
