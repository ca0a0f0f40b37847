"""The pytest plugin (registered through the ``pytest11`` entry point): collects ``test_*.yaml``
policy-test files (:mod:`budgetsim.policy.files`) as tests, one per case; adds
``--update-snapshots`` (:func:`budgetsim.policy.snapshot`); and gives the fixtures
``boras_scenario`` (the built-in dataset), ``small_town`` (a factory of the template town of
``budgetsim init``, with changes) and ``assert_comparison``.

A YAML file named ``test_*.yaml`` without ``cases`` is not a policy-test file and is left alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from budgetsim.datasets.boras import boras
from budgetsim.formats.documents import read_document
from budgetsim.formats.municipality import load_municipality
from budgetsim.formats.template import write_template
from budgetsim.policy.expectations import assert_comparison as _assert_comparison
from budgetsim.policy.files import Case, CaseResult, PolicyFileError, load_policy_file, run_case
from budgetsim.policy.snapshot import UPDATE
from budgetsim.scenario import Scenario


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        default=False,
        help="budgetsim: rewrite snapshots (budgetsim.policy.snapshot) instead of comparing with them",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("update_snapshots", default=False):
        os.environ[UPDATE] = "1"


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix in (".yaml", ".yml") and file_path.name.startswith("test_"):
        return PolicyTestFile.from_parent(parent, path=file_path)
    return None


class PolicyTestFile(pytest.File):
    """A policy-test file: one test per case."""

    def collect(self) -> Iterator[pytest.Item]:
        document = read_document(self.path)
        if not isinstance(document, dict) or "cases" not in document:
            return
        try:
            policy = load_policy_file(self.path)
        except PolicyFileError as err:
            raise self.CollectError(str(err)) from None
        for case, (line, expect_lines) in zip(policy.cases, policy.lines, strict=True):
            yield PolicyCase.from_parent(self, name=case.name, case=case, line=line, expect_lines=expect_lines)


class PolicyFailure(AssertionError):
    """A case that failed: its report."""

    def __init__(self, result: CaseResult) -> None:
        self.result = result
        super().__init__("\n".join(result.failures()))


class PolicyCase(pytest.Item):
    """One case of a policy-test file."""

    def __init__(self, *, case: Case, line: int, expect_lines: list[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case, self.line, self.expect_lines = case, line, expect_lines

    def runtest(self) -> None:
        result = run_case(self.case, self.path, self.line, self.expect_lines)
        if not result.passed:
            raise PolicyFailure(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, PolicyFailure):
            return f"policy case {self.case.name!r} failed:\n" + "\n".join(
                f"  {line}" for line in excinfo.value.result.failures()
            )
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.line - 1, f"policy case: {self.case.name}"


@pytest.fixture
def boras_scenario() -> Scenario:
    """The built-in Borås scenario (``bs.boras()``)."""
    return boras()


@pytest.fixture
def small_town(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Scenario]:
    """A factory of the template town of ``budgetsim init`` (four committees, budget years
    2025-2028): ``small_town()``, or with fields changed, ``small_town(end_year=2027)``."""

    def make(**changes: Any) -> Scenario:
        town = load_municipality(write_template(tmp_path_factory.mktemp("town") / "town"))
        return town.replace(**changes) if changes else town

    return make


@pytest.fixture
def assert_comparison() -> Callable[..., None]:
    """:func:`budgetsim.policy.assert_comparison`: expectations (dicts in the policy-test grammar)
    of a comparison, every failure listed."""
    return _assert_comparison
