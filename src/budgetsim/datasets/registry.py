"""Datasets as registrations. A dataset is a municipality packaged for budgetsim: a scenario
builder, the budget-process presets that name its committees' roles, and the comparison its
command line runs by default. Datasets are found through the Python entry-point group
``budgetsim.datasets``, so another package can ship a municipality::

    # in that package's pyproject.toml
    [project.entry-points."budgetsim.datasets"]
    vaxjo = "vaxjo_budget:DATASET"

Borås is one such entry (``budgetsim.datasets.boras:DATASET``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from budgetsim.core.context import StrategyLike
from budgetsim.process.rules import BudgetProcess
from budgetsim.scenario import Scenario

GROUP = "budgetsim.datasets"
#: The dataset the command line and :func:`budgetsim.default_scenario` use when none is named.
DEFAULT = "boras"


@dataclass(frozen=True)
class Dataset:
    """A registered municipality: ``build(**options)`` gives its scenario (options such as
    ``end_year`` are the builder's keyword parameters), ``processes`` its named process presets
    and ``strategies(scenario)`` the comparison run when the user names no strategies, inside the
    process preset ``default_process``."""

    name: str
    title: str
    build: Callable[..., Scenario]
    strategies: Callable[[Scenario], dict[str, StrategyLike]]
    processes: Mapping[str, Callable[..., BudgetProcess]] = field(default_factory=dict)
    default_process: str | None = None  #: the process preset the command line runs the comparison in

    def scenario(self, **options: Any) -> Scenario:
        """The scenario, built with ``options`` (each must be a keyword of the builder)."""
        known = inspect.signature(self.build).parameters
        unknown = sorted(set(options) - set(known))
        if unknown:
            raise ValueError(
                f"dataset {self.name!r}: unknown option(s) {unknown}; it takes {', '.join(known) or 'none'}"
            )
        return self.build(**options)

    def process(self, name: str) -> BudgetProcess:
        """A process preset of the dataset by name."""
        if name not in self.processes:
            raise ValueError(
                f"dataset {self.name!r} has no process preset {name!r}; it has {', '.join(self.processes) or 'none'}"
            )
        return self.processes[name]()


@cache
def _registered() -> dict[str, Dataset]:
    found: dict[str, Dataset] = {}
    for entry in entry_points(group=GROUP):
        dataset = entry.load()
        if not isinstance(dataset, Dataset):
            raise TypeError(f"entry point {entry.name!r} of {GROUP} is a {type(dataset).__name__}, not a Dataset")
        found[entry.name] = dataset
    return found


def datasets() -> dict[str, Dataset]:
    """Every registered dataset by name.

    >>> "boras" in datasets()
    True
    """
    return dict(_registered())


def dataset(name: str = DEFAULT) -> Dataset:
    """The registered dataset ``name``."""
    known = _registered()
    if name not in known:
        raise ValueError(f"no dataset {name!r}; registered: {', '.join(known) or 'none (is budgetsim installed?)'}")
    return known[name]


def data_folder(package: str, name: str) -> Traversable:
    """The folder of a dataset's data files: ``<package>/_data/<name>`` inside an installed wheel, or
    the top-level ``data/<name>`` of a source checkout (an editable install), where the project
    keeps them.

    >>> data_folder("budgetsim", "boras").joinpath("committees.csv").is_file()
    True
    """
    packaged = files(package) / "_data" / name
    if packaged.is_dir():
        return packaged
    checkout = Path(str(files(package))).resolve().parents[1] / "data" / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"no data for dataset {name!r}: neither {packaged} nor {checkout} exists")
