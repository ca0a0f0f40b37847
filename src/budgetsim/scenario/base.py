"""Shared pydantic configuration: scenario objects are immutable and reject unknown fields,
so a typo in a scenario file is an error, not a silently ignored key; a yes/no where a number
belongs (``base_frame: true``, or inside a year path or a row of counts) is an error too, not the
number 1."""

import re
import types
import unicodedata
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationInfo, field_validator

#: Largest amount of money a scenario may hold (SEK): far above any municipality's budget, far
#: below where sums over years and draws lose their precision; a larger one is a typo.
MAX_AMOUNT = 1e15
#: Most inhabitants an age band may count.
MAX_COUNT = 1e10
#: Highest age an age range may name.
MAX_AGE = 150
#: The years a scenario may run in.
MIN_YEAR, MAX_YEAR = 1900, 2200

_LEAVES = (int, float, str, type(None))
_CONTAINERS = (dict, tuple, list, Union, types.UnionType)


def check_amount(value: float) -> float:
    """``value``, if it is an amount of money a scenario can hold (at most :data:`MAX_AMOUNT` either way)."""
    if abs(value) > MAX_AMOUNT:
        raise ValueError(f"{value:g} SEK is more than any budget holds (at most {MAX_AMOUNT:g} SEK); is it a typo?")
    return value


#: An amount of money in SEK, at most :data:`MAX_AMOUNT` either way.
Amount = Annotated[float, AfterValidator(check_amount)]


#: Most characters any text (a name, a description, a source) may have.
MAX_TEXT = 2_000
#: Most characters a name (of a scenario, a committee, a sector) may have.
MAX_NAME = 200

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_text(value: str) -> str:
    """``value``, if it holds no control character (a tab or a line break is fine): no file
    format carries them all, and a workbook cannot hold them.

    >>> check_text("Omsorg | äldre\\nrad två")
    'Omsorg | äldre\\nrad två'
    """
    if len(value) > MAX_TEXT:
        raise ValueError(f"{len(value):,} characters, more than the {MAX_TEXT:,} a text may have; shorten it")
    found = _CONTROL.search(value)
    if found is not None:
        raise ValueError(f"a control character ({found.group()!r}) at position {found.start()}; remove it")
    return value


#: Text without control characters.
Text = Annotated[str, AfterValidator(check_text)]


def years_text(years: list[int]) -> str:
    """A list of years for a message, shortened when long.

    >>> years_text([2025]), years_text(list(range(2026, 2501)))
    ('[2025]', '[2026, 2027, 2028, ..., 2500] (475 years)')
    """
    if len(years) <= 6:
        return str(years)
    return f"[{', '.join(map(str, years[:3]))}, ..., {years[-1]}] ({len(years)} years)"


def _is_text(annotation: Any) -> bool:
    """Whether a field of type ``annotation`` holds text (``str`` or an annotated ``str``)."""
    return annotation is str or (get_origin(annotation) is Annotated and get_args(annotation)[0] is str)


def _admits_bool(annotation: Any) -> bool:
    return annotation is bool or any(_admits_bool(a) for a in get_args(annotation))


def _plain_data(annotation: Any) -> bool:
    """Whether ``annotation`` is built of numbers and text in dicts, tuples, lists and unions only
    (so a yes/no anywhere inside a value of it is a mistake)."""
    if annotation in _LEAVES or annotation is Ellipsis:
        return True
    return get_origin(annotation) in _CONTAINERS and all(_plain_data(a) for a in get_args(annotation))


def _first_bool(value: Any) -> str | None:
    """Where the first yes/no value in ``value`` is (a dict's keys and values, a list's or tuple's
    items, by their path), if it has one."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, where = stack.pop()
        if isinstance(item, bool):
            return f"{item} at {where.lstrip('.')}" if where else str(item)
        if isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, bool):
                    return f"the key {key}"
                stack.append((child, f"{where}.{key}"))
        elif isinstance(item, list | tuple):
            stack.extend((child, f"{where}.{i}") for i, child in enumerate(item))
    return None


def reject_bool(annotation: Any, value: Any) -> Any:
    """``value`` for a field of type ``annotation``, unless it is (or, in plain data, holds) a
    yes/no where the type has no room for one (pydantic would take ``true`` as 1)."""
    if isinstance(value, bool) and not _admits_bool(annotation):
        if _is_text(annotation):  # YAML reads an unquoted yes, no, true or false as a yes/no value
            raise ValueError(f"{value} is a yes/no value; quote the text ('yes', 'no') to keep it as written")
        raise ValueError(f"{value} is a yes/no value; give a number")
    if isinstance(value, dict | list | tuple) and _plain_data(annotation):
        found = _first_bool(value)
        if found is not None:
            raise ValueError(f"{found} is a yes/no value; give a number")
    return value


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name is None:
            return value
        return reject_bool(cls.model_fields[info.field_name].annotation, value)


#: What a committee id may hold: letters (A-Z, ÅÄÖ and a few more of the Latin alphabet), digits,
#: ``_`` and ``-``; at most 12 characters.
ID_PATTERN = r"^[A-Za-z0-9_\-ÅÄÖåäöÆØæøÉéÜü]{1,12}$"
#: Words that stand for more than one committee where an id is expected (``explain ALL``).
RESERVED_IDS = frozenset({"ALL", "TOTAL", "SUM", "NONE", "ANY"})
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]")


def invisible(value: str) -> str | None:
    """The first invisible or bidirectional-control character in ``value`` (a zero-width space, a
    right-to-left override), named, or None.

    >>> invisible("SKOL\u200b")
    'U+200B (ZERO WIDTH SPACE)'
    """
    found = _INVISIBLE.search(value)
    if found is None:
        return None
    char = found.group()
    return f"U+{ord(char):04X} ({unicodedata.name(char, 'unnamed')})"


def check_id(value: str) -> str:
    """A committee id in its one spelling: NFC-normalised (a composed and a decomposed ``Å`` are one
    letter), of letters, digits, ``_`` and ``-``, not a reserved word.

    >>> check_id("VA\u0308N")  # V, A and a combining diaeresis, N
    'VÄN'
    >>> check_id("ALL")
    Traceback (most recent call last):
    ...
    ValueError: 'ALL' is a reserved word (it would stand for every committee); choose another id
    """
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFC", value)
    hidden = invisible(text)
    if hidden is not None:
        raise ValueError(f"{text!r} holds an invisible character, {hidden}; type the id again")
    if text.upper() in RESERVED_IDS or text == "*":
        raise ValueError(f"{text!r} is a reserved word (it would stand for every committee); choose another id")
    if not re.fullmatch(ID_PATTERN, text):
        raise ValueError(
            f"{text!r}: give a short id of letters (A-Z, ÅÄÖ), digits, _ and - (at most 12 characters, no spaces)"
        )
    return text


#: A committee id (:func:`check_id`).
CommitteeId = Annotated[str, BeforeValidator(check_id)]

#: A reference to a committee by its id, in the id's one spelling (NFC), checked against the ids by
#: the scenario.
CommitteeRef = Annotated[str, AfterValidator(lambda value: unicodedata.normalize("NFC", value))]
