"""Scenario values changed by dotted path, for sweeps declared as data: ``economy.wage_uplift:
[0.02, 0.03, 0.04]`` runs the scenario three times, with a wage uplift of 2, 3 and 4 % in every
budget year. A path walks the scenario's fields; committees are named by id
(``committees.VÄN.base_frame``), list items by position (``committees.VÄN.volume_drivers.0.min_age``),
and a value given for a field that holds one value per year (``economy.revenue``) sets every year,
unless the path names the year (``economy.wage_uplift.2025``). A municipality folder's column names
work as well (``committees.VÄN.price_basis`` for ``committees.VÄN.price_list.basis``). The changed
scenario is validated again, so an error names the path and what is wrong.

>>> import budgetsim as bs
>>> s = override(bs.default_scenario(), "economy.wage_uplift", 0.04)
>>> sorted(set(s.economy.wage_uplift.values()))
[0.04]
>>> override(bs.default_scenario(), "committees.VÄN.base_frame", 1.5e9).committee("VÄN").base_frame
1500000000.0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from budgetsim.formats.tables import MODEL_PATHS
from budgetsim.scenario import Scenario

Variation = dict[str, Callable[[Scenario], Scenario]]


def _step(node: Any, key: str, path: str) -> tuple[Any, Any]:
    """(container, key within it) for one part of a path, with committees found by id."""
    if isinstance(node, list):
        if node and all(isinstance(x, dict) and "id" in x for x in node):
            for i, item in enumerate(node):
                if str(item["id"]) == key:
                    return node, i
            known = ", ".join(str(x["id"]) for x in node)
            raise ValueError(f"{path}: no {key!r} here; known: {known}")
        if not key.isdigit() or int(key) >= len(node):
            raise ValueError(f"{path}: {key!r} is not a position in a list of {len(node)}")
        return node, int(key)
    if isinstance(node, dict):
        for candidate in (key, int(key) if key.lstrip("-").isdigit() else None):
            if candidate in node:
                return node, candidate
        raise ValueError(f"{path}: no field {key!r} here; known: {', '.join(map(str, node))}")
    raise ValueError(f"{path}: {key!r} goes below a single value")


def model_path(path: str) -> str:
    """``path`` in the scenario model's names: a municipality folder's column names are accepted
    for the values they hold (:data:`~budgetsim.formats.tables.MODEL_PATHS`).

    >>> model_path("committees.ÄLDRE.price_basis"), model_path("result_target")
    ('committees.ÄLDRE.price_list.basis', 'economy.result_target')
    """
    keys = path.split(".")
    if len(keys) == 3 and keys[0] == "committees":
        found = next((m for (t, c), m in MODEL_PATHS.items() if t != "municipality" and c == keys[2]), None)
        return f"committees.{keys[1]}.{found}" if found else path
    return MODEL_PATHS.get(("municipality", path), path)


def override(scenario: Scenario, path: str, value: Any) -> Scenario:
    """A validated copy of ``scenario`` with the value at the dotted ``path`` replaced (a model
    path, or a folder's column name: :func:`model_path`)."""
    data = scenario.model_dump(mode="json")
    keys = model_path(path).split(".")
    node: Any = data
    for i, key in enumerate(keys):
        if node is None:
            raise ValueError(
                f"{path}: the scenario has no {'.'.join(keys[:i])} (none given), so nothing below it to set"
            )
        container, at = _step(node, key, path)
        node = container[at]
    old = container[at]
    if isinstance(old, dict) and old and all(str(k).isdigit() for k in old) and not isinstance(value, Mapping):
        container[at] = dict.fromkeys(old, value)  # one value for every year
    else:
        container[at] = value
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:  # each problem by its place, without pydantic's type codes and links
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'scenario'}: {e['msg']}" for e in err.errors(include_url=False)[:5]
        )
        raise ValueError(f"{path} = {value!r}: {problems}") from None
    except ValueError as err:
        raise ValueError(f"{path} = {value!r}: {err}") from None


def variations(grid: Mapping[str, Sequence[Any]]) -> dict[str, Variation]:
    """Sweep variations from ``{dotted path: [values]}``: for each path, one scenario change per
    value, labelled by the value (as :func:`budgetsim.sweep.sweep` takes them).

    >>> list(variations({"economy.result_target": [0.01, 0.02]})["economy.result_target"])
    ['0.01', '0.02']
    """
    out: dict[str, Variation] = {}
    for path, values in grid.items():
        if isinstance(values, str | bytes) or not isinstance(values, Sequence) or not values:
            raise ValueError(f"sweep: {path}: give a list of values, e.g. [0.02, 0.03]")
        labels = [str(v) for v in values]
        if len(set(labels)) != len(labels):
            raise ValueError(f"sweep: {path}: a value is given twice")
        out[path] = {label: _change(path, v) for label, v in zip(labels, values, strict=True)}
    return out


def _change(path: str, value: Any) -> Callable[[Scenario], Scenario]:
    def change(scenario: Scenario) -> Scenario:
        return override(scenario, path, value)

    return change
