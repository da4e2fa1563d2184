"""Triggering ``@event`` methods without the library's per-call introspection.

Calling an ``@event``-decorated method goes through the library's declarative machinery: it binds
a new decorator object, maps the arguments onto the method's signature, filters them against the
event class's fields, checks the event's topic, builds the event, filters its fields again for
the method, and applies it. All but building and applying the event gives the same answer on
every call, and costs several times as much; on the bulk path it is most of the handlers' time.

``quick_events`` replaces each such method of an aggregate class with a :class:`QuickEvent`,
which does that work once, when the class is defined, and on each call builds and applies the
same event the library would: same class, same fields in the same order, same timestamp source,
the method body applied to the aggregate the same way, then the version and ``modified_on`` set
and the event added to the pending events. Calls it cannot vouch for (positional arguments,
arguments left to their defaults or not in the method's signature) go to the library's machinery.
Creating an aggregate gets the same treatment (:class:`QuickCreate`). The aggregates keep the
library's declarative style: the decorators and events are unchanged. Each check that makes a
class qualify (``applies_to``) names an assumption on the library's internals; if a new version
of the library breaks one, that class simply keeps the library's way.
"""

import dataclasses
import inspect
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import (
    Aggregate,
    BaseAggregate,
    CanInitAggregate,
    CanMutateAggregate,
    CommandMethodDecorator,
    DecoratedFuncCaller,
    DomainEvent,
    _create_id_param_names,
    _created_event_classes,
    _init_mentions_id,
    decorated_func_callers,
    decorated_funcs,
)
from eventsourcing.utils import get_topic, resolve_topic

A = TypeVar("A", bound=type[Aggregate])

ENVELOPE = frozenset({"originator_id", "originator_version", "timestamp"})
"""Event fields the library sets itself; a method naming one is left to the library."""


class QuickEvent:
    """An ``@event`` method of an aggregate class, triggered without per-call introspection."""

    def __init__(self, decorator: CommandMethodDecorator) -> None:
        self.decorator = decorator
        self.event_class: Any = decorated_func_callers[decorator]
        self.func: Callable[..., None] = decorated_funcs[self.event_class]
        self.params = frozenset(inspect.signature(self.func).parameters) - {"self"}
        self.build = event_builder(self.event_class, ("originator_id", "originator_version", "timestamp"))

    @staticmethod
    def applies_to(decorator: object) -> bool:
        """True for a decorated command method whose event a ``QuickEvent`` triggers exactly."""
        if not isinstance(decorator, CommandMethodDecorator) or decorator.decorated_property is not None:
            return False
        if decorator.decorated_func.__name__ in ("__init__", "_") or decorator not in decorated_func_callers:
            return False
        event_class = decorated_func_callers[decorator]
        params = set(inspect.signature(decorated_funcs.get(event_class, decorator.decorated_func)).parameters)
        return (
            isinstance(event_class, type)
            and issubclass(event_class, DecoratedFuncCaller)
            and decorated_funcs.get(event_class) is decorator.decorated_func
            and only_decorated_apply(event_class)
            and topic_is_registered(event_class)
            and not params & ENVELOPE
        )

    def __get__(self, instance: Aggregate | None, owner: type[Aggregate]) -> Any:
        if instance is None:
            return self.decorator.__get__(None, owner)
        return partial(self.trigger, instance)

    def trigger(self, aggregate: Aggregate, /, *args: Any, **kwargs: Any) -> None:
        """Triggers the event as ``BaseAggregate.trigger_event`` and the event's ``mutate`` would."""
        if args or kwargs.keys() != self.params:
            self.decorator.__get__(aggregate, type(aggregate))(*args, **kwargs)
            return
        event = self.build(aggregate.id, aggregate.version + 1, self.event_class.create_timestamp(), **kwargs)
        self.func(aggregate, **kwargs)
        aggregate.version = event.originator_version
        aggregate.modified_on = event.timestamp
        aggregate.pending_events.append(event)


class QuickCreate:
    """``BaseAggregate._create`` for one aggregate class and its "created" event class, the
    per-call introspection done once: the same event, the aggregate constructed the same way
    (``__base_init__``, then ``__init__`` with the event's fields it names, and the id if it
    names one). Any other call goes to the library's ``_create``.
    """

    def __init__(self, cls: type[Aggregate], event_class: Any) -> None:
        self.cls = cls
        self.event_class = event_class
        self.topic = get_topic(cls)
        self.id_params = tuple(_create_id_param_names[cls])
        self.init_params = frozenset(inspect.signature(cls.__init__).parameters) - {"self", "id"}
        self.mentions_id = cls in _init_mentions_id
        self.build = event_builder(
            event_class, ("originator_topic", "originator_id", "originator_version", "timestamp")
        )

    @staticmethod
    def applies_to(cls: type[Aggregate]) -> Any:
        """The one "created" event class of ``cls`` when a ``QuickCreate`` makes it exactly, else None."""
        created = _created_event_classes.get(cls, [])
        if len(created) != 1 or vars(cls).get("_create") is not None:
            return None
        event_class = created[0]
        init_params = set(inspect.signature(cls.__init__).parameters)
        exact = (
            getattr(event_class, "mutate", None) is CanInitAggregate.mutate
            and getattr(event_class, "apply", None) is CanMutateAggregate.apply
            and getattr(cls, "__base_init__", None) is BaseAggregate.__base_init__
            and getattr(cls._create, "__func__", None) is BaseAggregate._create.__func__  # type: ignore[attr-defined]
            and topic_is_registered(event_class)
            and resolve_topic(get_topic(cls)) is cls
            and not init_params & (ENVELOPE | {"originator_topic"})
        )
        return event_class if exact else None

    def __get__(self, instance: object, owner: type[Aggregate]) -> Callable[..., Any]:
        if owner is not self.cls:  # a subclass: the library's, for that class
            return partial(BaseAggregate._create.__func__, owner)  # type: ignore[attr-defined]
        return self.create

    def create(self, event_class: Any, *, id: Any = None, **kwargs: Any) -> Aggregate:
        cls = self.cls
        if event_class is not self.event_class or "timestamp" in kwargs or not kwargs.keys() >= self.init_params:
            return BaseAggregate._create.__func__(cls, event_class, id=id, **kwargs)  # type: ignore[attr-defined, no-any-return]
        if id is None:
            id = cls.create_id(**{k: v for k, v in kwargs.items() if k in self.id_params})
        if not isinstance(id, UUID | str):
            return BaseAggregate._create.__func__(cls, event_class, id=id, **kwargs)  # type: ignore[attr-defined, no-any-return]
        event = self.build(self.topic, id, cls.INITIAL_VERSION, event_class.create_timestamp(), **kwargs)
        aggregate = cls.__new__(cls)
        aggregate.__base_init__(originator_id=id, originator_version=cls.INITIAL_VERSION, timestamp=event.timestamp)
        init_kwargs = {k: v for k, v in vars(event).items() if k in self.init_params}
        if self.mentions_id:
            init_kwargs["id"] = id
        aggregate.__init__(**init_kwargs)  # type: ignore[misc]
        aggregate.pending_events.append(event)
        return aggregate


def event_builder(event_class: Any, envelope: tuple[str, ...]) -> Callable[..., Any]:
    """A function that makes an event of ``event_class`` from the ``envelope`` fields (given in
    that order, positionally) and every other field (by name), as the class's own ``__init__``
    would: the same fields in the same order, checked the same way.

    The library's events are frozen dataclasses, whose generated ``__init__`` sets each field
    through ``object.__setattr__`` and whose ``__post_init__`` checks the originator id. The
    function made here, generated like that ``__init__``, fills the instance's ``__dict__`` in
    field order at once and makes the same check. A class with anything beyond that (its own
    ``__init__`` or ``__post_init__``, slots, defaults, fields not set by ``__init__``) is built
    by calling it.
    """

    def call(*values: Any, **fields: Any) -> Any:
        return event_class(**dict(zip(envelope, values, strict=True)), **fields)

    fields = dataclasses.fields(event_class) if dataclasses.is_dataclass(event_class) else ()
    names = [f.name for f in fields]
    generated_init = getattr(getattr(event_class, "__init__", None), "__code__", None)
    exact = (
        bool(names)
        and all(f.init and f.default is f.default_factory is dataclasses.MISSING for f in fields)
        and all(name.isidentifier() and name not in BUILDER_NAMES for name in names)
        and getattr(event_class, "__post_init__", None) is DomainEvent.__post_init__
        and generated_init is not None
        and generated_init.co_filename == "<string>"  # made by dataclasses, not written
        and "__slots__" not in vars(event_class)
        and "originator_id" in envelope
        and set(envelope) <= set(names)
    )
    if not exact:
        return call
    rest = [name for name in names if name not in envelope]
    state = ", ".join(f"{name!r}: {name}" for name in names)
    params = ", ".join([*envelope, *(["*", *rest] if rest else [])])
    source = (
        f"def build({params}):\n"
        f"    if not isinstance(originator_id, UUID):\n"
        f"        return call({', '.join(envelope)}, {', '.join(f'{n}={n}' for n in rest)})\n"
        f"    event = new(event_class)\n"
        f"    set_dict(event, '__dict__', {{{state}}})\n"
        f"    return event\n"
    )
    namespace: dict[str, Any] = {
        "UUID": UUID,
        "call": call,
        "new": object.__new__,
        "event_class": event_class,
        "set_dict": object.__setattr__,
    }
    exec(source, namespace)  # like dataclasses: the source is made of field names only
    build: Callable[..., Any] = namespace["build"]
    return build


BUILDER_NAMES = frozenset({"UUID", "call", "new", "event_class", "set_dict", "event", "build"})
"""Names the generated builder uses itself; a field named so is built by calling the class."""


def only_decorated_apply(event_class: type) -> bool:
    """True when mutating an aggregate with an event of ``event_class`` only calls its decorated method."""
    return (
        getattr(event_class, "mutate", None) is CanMutateAggregate.mutate
        and getattr(event_class, "apply", None) is DecoratedFuncCaller.apply
        and getattr(super(DecoratedFuncCaller, event_class), "apply", None) is CanMutateAggregate.apply
    )


def topic_is_registered(event_class: type) -> bool:
    """The library's check, on each trigger, that the event's explicit topic names it."""
    topic = getattr(event_class, "TOPIC", None)
    if not isinstance(topic, str) or not topic:
        return False
    try:
        return resolve_topic(topic) is event_class
    except Exception:  # the library raises its own TopicError or an import error
        return False


def quick_events(cls: A) -> A:
    """Class decorator: every ``@event`` method of ``cls`` that qualifies becomes a :class:`QuickEvent`."""
    if cls.trigger_event is not BaseAggregate.trigger_event:
        return cls
    for name, value in list(vars(cls).items()):
        if QuickEvent.applies_to(value):
            setattr(cls, name, QuickEvent(value))
    created = QuickCreate.applies_to(cls)
    if created is not None:
        cls._create = QuickCreate(cls, created)  # type: ignore[assignment]
    return cls
