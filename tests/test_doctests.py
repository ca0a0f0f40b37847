"""Run the docstring examples of the *installed* package: they are part of the specification."""

import doctest
import importlib
import pkgutil

import pytest

import budgetsim

MODULES = sorted(m.name for m in pkgutil.walk_packages(budgetsim.__path__, "budgetsim."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert failures == 0, f"{failures} docstring example(s) failed in {name}"


def test_every_module_is_collected() -> None:
    assert {"budgetsim.engine.run", "budgetsim.strategies.volume", "budgetsim.datasets.boras"} <= set(MODULES)
