"""Rules declare themselves once. Every built-in strategy, transition rule, year-end step and grant
rule is a frozen pydantic model registered under a tag; run files, JSON Schemas, descriptions,
bridge labels and the axiom catalogue all read this registry.

A rule is written once::

    class Flat(Strategy, tag="flat"):
        \"\"\"Every frame grows by the same rate.\"\"\"
        rate: float = 0.02
        components = {"flat": Component("needs", "flat uplift", "schablonuppräkning", 55)}
        examples = (Example("flat 2 %", lambda _: Flat(rate=0.02)),)

        def __call__(self, ctx):
            return {"flat": self.rate * ctx.last_frame}

and from then on ``{rule: flat, rate: 0.03}`` works in a run file, its component has its labels
in every bridge, and the round-trip test covers it. Parameters may be given by position, in the
order they are declared (``Cap(inner, max_gain=0.05)``).

>>> sorted(kinds())
['grant', 'strategy', 'year_end']
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeVar, cast, get_type_hints

from pydantic import (
    BaseModel,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    SerializationInfo,
    ValidationInfo,
    WithJsonSchema,
    create_model,
    field_validator,
)
from pydantic._internal._model_construction import ModelMetaclass  # the metaclass of every BaseModel
from pydantic_core import PydanticCustomError

from budgetsim.core.components import Component, declare
from budgetsim.core.context import StrategyLike
from budgetsim.scenario.base import reject_bool


@dataclass(frozen=True)
class Example:
    """A configuration of a rule with example parameters: ``make(scenario)`` builds it for a
    scenario (committee ids, years). Examples with ``axioms=True`` form the axiom catalogue
    (:mod:`budgetsim.testing.catalogue`) and must not depend on the scenario (they are built with
    ``None``): ``fails`` names the axioms the configuration deliberately does not satisfy, with the
    reason, and ``total`` builds the strategy whose total it distributes when that is not the
    scenario's. The test suite round-trips every example through a run file."""

    name: str
    make: Callable[[Any], Any]
    fails: Mapping[str, str] = field(default_factory=dict)
    total: Callable[[Any], Any] | None = None
    axioms: bool = True


#: The JSON Schema key that marks a rule field until :func:`link_rules` links it.
RULE_KIND = "x-budgetsim-rule"

_REGISTRY: dict[str, dict[str, type[Rule]]] = {"strategy": {}, "year_end": {}, "grant": {}}


def kinds() -> tuple[str, ...]:
    """The kinds of rule: 'strategy' (strategies and transition rules), 'year_end', 'grant'."""
    return tuple(_REGISTRY)


_PRESETS: dict[str, dict[str, type[BaseModel]]] = {kind: {} for kind in _REGISTRY}
_PRESET_FUNCTIONS: dict[str, dict[str, Callable[..., Any]]] = {kind: {} for kind in _REGISTRY}

F = TypeVar("F", bound=Callable[..., Any])


def preset(kind: str, tag: str) -> Callable[[F], F]:
    """Register a function that builds a ready-made configuration of rules as a preset of ``kind``:
    a run file names it like a rule, ``{rule: tag, parameter: value}``; its parameters are validated
    by their type hints.

    >>> sorted(presets("strategy"))
    ['boras_current']
    """

    def register(function: F) -> F:
        hints = get_type_hints(function)
        fields: dict[str, Any] = {
            name: (hints.get(name, Any), ... if p.default is inspect.Parameter.empty else p.default)
            for name, p in inspect.signature(function).parameters.items()
        }
        config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
        _PRESETS[kind][tag] = create_model(f"{kind}.{tag}", __config__=config, **fields)
        _PRESET_FUNCTIONS[kind][tag] = function
        return function

    return register


def presets(kind: str) -> dict[str, type[BaseModel]]:
    """The presets of ``kind`` by tag: the model of each one's parameters."""
    return dict(_PRESETS[kind])


def registered(kind: str) -> dict[str, type[Rule]]:
    """The registered rules of ``kind`` by tag, in the order they were registered."""
    if kind not in _REGISTRY:
        raise ValueError(f"unknown kind of rule {kind!r}; known: {', '.join(_REGISTRY)}")
    return dict(_REGISTRY[kind])


class _PositionalMeta(ModelMetaclass):
    """Lets a rule take its parameters by position, in the order they are declared (validation
    from data, ``model_validate``, does not pass through here and keeps its context)."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        names = list(cast("type[BaseModel]", cls).model_fields)
        if len(args) > len(names):
            raise TypeError(f"{cls.__name__} takes at most {len(names)} positional arguments, got {len(args)}")
        for name, value in zip(names, args, strict=False):
            if name in kwargs:
                raise TypeError(f"{cls.__name__} got {name!r} both by position and by keyword")
            kwargs[name] = value
        return super().__call__(**kwargs)


class Rule(BaseModel, metaclass=_PositionalMeta):
    """Base of every registered rule: immutable, typed, serialisable. A subclass with ``tag=...``
    in its class statement is registered under that tag for its ``kind``."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        """``floor: true`` is a mistake, not a floor of +100 % (pydantic would take true as 1)."""
        return value if info.field_name is None else reject_bool(cls.model_fields[info.field_name].annotation, value)

    if TYPE_CHECKING:  # parameters by position or keyword (see _PositionalMeta)

        def __init__(self, *args: Any, **kwargs: Any) -> None: ...

    kind: ClassVar[str] = ""
    tag: ClassVar[str] = ""
    #: the frame components the rule adds, with their bridge group and labels
    components: ClassVar[Mapping[str, Component]] = {}
    #: configurations with example parameters (axiom catalogue, round-trip test)
    examples: ClassVar[tuple[Example, ...]] = ()

    def __init_subclass__(cls, tag: str | None = None, kind: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)

    @classmethod
    def __pydantic_init_subclass__(cls, tag: str | None = None, kind: str | None = None, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if kind is not None:
            if kind not in _REGISTRY:
                raise ValueError(f"{cls.__name__}: unknown kind of rule {kind!r}; known: {', '.join(_REGISTRY)}")
            cls.kind = kind
        if tag is None:
            return
        if not cls.kind:
            raise TypeError(f"{cls.__name__}: a registered rule must derive from a kind of rule (Strategy, ...)")
        known = _REGISTRY[cls.kind].get(tag)
        if known is not None and known.__qualname__ != cls.__qualname__:
            raise ValueError(f"{cls.__name__}: tag {tag!r} is already registered for {known.__qualname__}")
        cls.tag = tag
        for name, component in cls.components.items():
            declare(name, component)
        _REGISTRY[cls.kind][tag] = cls

    def spec(self, names: Mapping[int, str] | None = None) -> dict[str, Any]:
        """The rule as a run-file entry: ``{"rule": tag, parameter: value, ...}`` (defaults left out).
        A nested strategy whose ``id`` is a key of ``names`` is written as that name.

        >>> from budgetsim.strategies import NeedsBased
        >>> NeedsBased(round_to=0.01).spec()
        {'rule': 'needs_based', 'round_to': 0.01}
        """
        if not self.tag:
            raise ValueError(f"{type(self).__name__} is not a registered rule; give its class a tag")
        dumped = self.model_dump(mode="json", exclude_defaults=True, context={"names": dict(names or {})})
        return {"rule": self.tag, **dumped}


class Reference:
    """A strategy named in a run file, not yet built: what a run file's references validate to
    while the file is checked (see :func:`budgetsim.io.run_files.build_strategies`)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, ctx: Any) -> Any:
        raise TypeError(f"strategy reference {self.name!r} was never resolved")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reference) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)


def build(kind: str, spec: Mapping[str, Any], context: Mapping[str, Any] | None = None) -> Rule:
    """The rule a run-file entry ``{"rule": tag, ...}`` describes, validated (nested rules too).

    >>> build("strategy", {"rule": "cap", "inner": {"rule": "needs_based"}, "max_gain": 0.05}).name
    'cap(needs based)'
    """
    rules = registered(kind)
    tag = spec.get("rule")
    params = {k: v for k, v in spec.items() if k != "rule"}
    if tag in _PRESETS[kind]:
        arguments = _PRESETS[kind][tag].model_validate(params, context=context)
        built = _PRESET_FUNCTIONS[kind][tag](
            **{name: getattr(arguments, name) for name in type(arguments).model_fields}
        )
        assert isinstance(built, Rule)
        return built
    if tag not in rules:
        raise PydanticCustomError(
            "union_tag_invalid",
            "Input tag {tag} found using 'rule' does not match any of the expected tags: {expected}",
            {"tag": repr(tag), "expected": ", ".join(map(repr, [*rules, *_PRESETS[kind]]))},
        )
    return rules[tag].model_validate(params, context=context)


def _validator(kind: str) -> Callable[[Any, ValidationInfo], Any]:
    def validate(value: Any, info: ValidationInfo) -> Any:
        context = info.context if isinstance(info.context, Mapping) else {}
        if isinstance(value, Rule) and value.kind == kind:
            return value
        if isinstance(value, Mapping):
            return build(kind, value, context)
        if isinstance(value, str):
            if kind != "strategy":
                return build(kind, {"rule": value}, context)
            resolve = context.get("resolve")
            if resolve is None:
                raise ValueError(
                    f"{value!r}: a strategy is named by a string only inside a run file; pass the strategy itself"
                )
            return resolve(value, info.field_name or "strategy")
        if kind == "strategy" and callable(value):
            return value
        raise ValueError(f"expected a {kind.replace('_', '-')} rule, got {type(value).__name__}")

    return validate


def _serializer(value: Any, info: SerializationInfo) -> Any:
    names = info.context.get("names", {}) if isinstance(info.context, Mapping) else {}
    if id(value) in names:
        return names[id(value)]
    if isinstance(value, Reference):
        return value.name
    if isinstance(value, Rule):
        return value.spec(names)
    name = getattr(value, "__qualname__", type(value).__name__)
    raise ValueError(
        f"{name} is a plain Python function; it cannot be written to a run file (make it a registered rule)"
    )


def rule_field(kind: str) -> tuple[Any, ...]:
    """The pydantic metadata of a field holding a rule of ``kind``: it validates a rule object (or,
    for strategies, any callable), a run-file entry ``{"rule": tag, ...}``, a bare tag (year-end
    steps and grant rules) or the name of another strategy of the run file, and serialises as a
    run-file entry. Use it as ``Annotated[type, *rule_field(kind)]``."""
    return (
        PlainValidator(_validator(kind)),
        PlainSerializer(_serializer, when_used="always"),
        WithJsonSchema({RULE_KIND: kind}),  # linked to "#/$defs/<kind>" by link_rules
    )


#: A field holding a strategy: a rule, a function of the budget context, or in a run file an entry
#: ``{rule: ...}`` or the name of another strategy of the file.
StrategyRef = Annotated[StrategyLike, *rule_field("strategy")]


def link_rules(schema: Any) -> Any:
    """A JSON Schema with every rule field (``{"x-budgetsim-rule": kind}``) made a reference to the
    definition of that kind of rule, ``#/$defs/<kind>``."""
    if isinstance(schema, dict):
        if RULE_KIND in schema:
            rest = {k: v for k, v in schema.items() if k != RULE_KIND}
            return {"$ref": f"#/$defs/{schema[RULE_KIND]}", **rest}
        return {k: link_rules(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [link_rules(v) for v in schema]
    return schema


def rules_schema(kind: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(schema of any rule of ``kind``, the $defs it needs): one alternative per registered rule,
    told apart by its ``rule`` tag; strategies may also be named by a string."""
    defs: dict[str, Any] = {}
    options = []
    for tag, cls in [*registered(kind).items(), *presets(kind).items()]:
        schema = cls.model_json_schema(ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        schema.setdefault("properties", {})
        schema["properties"] = {"rule": {"const": tag}, **schema["properties"]}
        schema["required"] = ["rule", *schema.get("required", [])]
        name = f"{kind}.{tag}"
        defs[name] = schema
        options.append({"$ref": f"#/$defs/{name}"})
    alternatives: list[dict[str, Any]] = [{"oneOf": options}]
    if kind == "strategy":
        alternatives.insert(0, {"type": "string", "description": "the name of another strategy of the run file"})
    else:
        alternatives.insert(0, {"enum": [*registered(kind), *presets(kind)]})
    return {"anyOf": alternatives}, defs
