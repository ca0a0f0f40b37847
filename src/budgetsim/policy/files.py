"""Policy tests as data: YAML files of cases, each a scenario, strategies and a process, and what
the comparison must show, run by ``budgetsim test`` and collected by pytest (``test_*.yaml``).

A file::

    defaults:                       # optional: merged into every case
      scenario: boras               # a registered dataset, or a folder, workbook, scenario or run file (beside this file)
    cases:
      - name: needs-based allocation evens out coverage
        description: the study's argument for needs-based frames
        strategies:                 # as in run files; default: the standard comparison (a run file's own)
          current: {rule: boras_current}
          needs based: {rule: needs_based, total: current}
        process: none               # default: the input's own (a dataset's, a folder's process.yaml, a run file's);
                                    # none, a preset of the dataset, or the fields of a BudgetProcess
        set: {economy.wage_uplift: 0.03}   # dotted-path overrides, as in sweeps
        draws: 500                  # for Monte Carlo expectations (risk, Monte Carlo metrics); seed: 0
        expect:                     # see budgetsim.policy.expectations
          - {metric: coverage_gini, strategy: needs based, less_than: {strategy: current}}
          - {quantity: frame, strategy: current, committee: VÄN, year: 2026, equals: 2345.6, unit: MSEK, margin: 0.1}

Errors in a file name it and the line (``test_policy.yaml:12: cases[0].expect[1]: ...``); a failed
expectation names the file and the line of the expectation, the case, the quantity, expected and
got.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import yaml
from pydantic import Field, ValidationError

from budgetsim.compare import Comparison, MonteCarloComparison, compare, compare_monte_carlo
from budgetsim.core.context import StrategyLike
from budgetsim.core.text import tr
from budgetsim.datasets.registry import DEFAULT, datasets
from budgetsim.formats.documents import read_document
from budgetsim.io.inputs import load_input
from budgetsim.io.overrides import override
from budgetsim.io.run_files import ProcessSpec, StrategyEntry, build_strategies, schema_with_rules
from budgetsim.policy.expectations import Expectation, ExpectationError, Outcome, Runs, check
from budgetsim.process.rules import BudgetProcess
from budgetsim.scenario.base import Model, Text
from budgetsim.strategies.presets import standard_comparison
from budgetsim.writing import write_text


class Case(Model):
    """One policy case: the scenario, strategies, process and draws, and the expectations."""

    name: Text = Field(min_length=1)
    description: Text = ""
    scenario: Text = DEFAULT
    end_year: int | None = Field(default=None, description="only for a registered dataset")
    set: dict[Text, Any] = Field(default_factory=dict)
    strategies: dict[Text, StrategyEntry] | None = None
    process: ProcessSpec | None = None
    draws: int | None = Field(default=None, ge=1)
    seed: int = Field(default=0, ge=0)
    expect: tuple[Expectation, ...] = Field(min_length=1)


class _Document(Model):
    """A policy-test file as its JSON Schema describes it."""

    defaults: dict[Text, Any] = Field(default_factory=dict, description="fields merged into every case")
    cases: list[Case] = Field(min_length=1)


def policy_schema() -> dict[str, Any]:
    """The JSON Schema of policy-test files, for editors (``budgetsim schema`` writes it), with the
    registered rules as in run files."""
    return schema_with_rules(_Document, lambda schema: schema["$defs"]["Case"]["properties"]["strategies"]["anyOf"][0])


@dataclass
class PolicyFile:
    """A policy-test file read and checked: its cases, and the line each case and expectation
    starts on."""

    path: Path
    cases: list[Case]
    lines: list[tuple[int, list[int]]]  # per case: its line, and each expectation's


class PolicyFileError(ValueError):
    """A policy-test file that does not validate: every problem, ``file:line: where: what``."""


def load_policy_file(path: str | Path) -> PolicyFile:
    """Read and validate a policy-test file; a :class:`PolicyFileError` lists every problem with
    its line.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "test_gini.yaml"
    >>> _ = path.write_text("cases:\\n- name: gini\\n  expect:\\n  - {metric: coverage_gini, strategy: current, at_most: 0.05}\\n")
    >>> load_policy_file(path).cases[0].expect[0].metric
    'coverage_gini'
    """
    path = Path(path)
    document = read_document(path)
    root = _nodes(path)
    if not isinstance(document, dict) or not isinstance(document.get("cases"), list) or not document["cases"]:
        raise PolicyFileError(f"{path}: give a mapping with cases: a list of at least one case")
    unknown = sorted(set(document) - {"defaults", "cases"})
    if unknown:
        raise PolicyFileError(f"{path}: unknown key(s) {unknown}; a policy-test file has defaults and cases")
    defaults = document.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise PolicyFileError(f"{path}: defaults: give a mapping of case fields")
    cases, lines, problems = [], [], []
    case_nodes = _entry(root, "cases")[1]
    for i, entry in enumerate(document["cases"]):
        node = case_nodes.value[i] if isinstance(case_nodes, yaml.SequenceNode) else None
        line = node.start_mark.line + 1 if node is not None else 1
        expect_node = _entry(node, "expect")[1]
        expect_lines = (
            [n.start_mark.line + 1 for n in expect_node.value] if isinstance(expect_node, yaml.SequenceNode) else []
        )
        if not isinstance(entry, dict):
            problems.append(f"{path}:{line}: cases[{i}]: give a mapping (name, expect, ...)")
            continue
        try:
            cases.append(Case.model_validate({**defaults, **entry}))
            lines.append((line, expect_lines))
        except ValidationError as err:
            errors = err.errors(include_url=False)
            inner = {e["loc"][:j] for e in errors for j, part in enumerate(e["loc"]) if isinstance(part, int)}
            for e in errors:
                loc = e["loc"]
                if e["type"] == "too_short" and loc in inner:  # pydantic counts only the items that validated
                    continue
                at = line
                if loc[:1] == ("expect",) and len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(expect_lines):
                    at = expect_lines[loc[1]]
                elif loc and isinstance(loc[0], str) and (key := _entry(node, loc[0])[0]) is not None:
                    at = key.start_mark.line + 1
                where = ".".join(str(p) for p in loc)
                message = str(e["msg"]).removeprefix("Value error, ")
                problems.append(f"{path}:{at}: cases[{i}] {entry.get('name', '')!r}: {where or 'case'}: {message}")
    if problems:
        raise PolicyFileError(f"{len(problems)} problem(s):\n" + "\n".join(f"  {p}" for p in problems))
    return PolicyFile(path, cases, lines)


def _nodes(path: Path) -> yaml.Node | None:
    """The document's YAML nodes, for their lines (the file has been read and checked)."""
    try:
        return yaml.compose(path.read_text(encoding="utf-8-sig"), Loader=yaml.SafeLoader)
    except (yaml.YAMLError, UnicodeDecodeError):  # JSON with odd text: lines are then not known
        return None


def _entry(node: yaml.Node | None, key: str) -> tuple[yaml.Node | None, yaml.Node | None]:
    """The (key, value) nodes of ``key`` in a mapping node; (None, None) when it has none."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) == key:
                return k, v
    return None, None


# --- running a case ---------------------------------------------------------------------------------
@dataclass
class CaseResult:
    """A case run: each expectation's outcome with its line, or the error that stopped the case."""

    file: Path
    name: str
    line: int
    outcomes: list[tuple[int, Outcome]] = field(default_factory=list)
    error: tuple[int, str] | None = None
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.error is None and all(o.passed for _, o in self.outcomes)

    def failures(self, language: str = "en") -> list[str]:
        """One line per failed expectation (or the error): ``file:line: quantity: expected, got``."""
        if self.error is not None:
            return [f"{self.file}:{self.error[0]}: {self.error[1]}"]
        return [f"{self.file}:{line}: {o.message(language)}" for line, o in self.outcomes if not o.passed]

    def report(self, language: str = "en") -> str:
        """The case's line, and for a failure each failed expectation below it."""
        word = tr(language, "PASS", "OK") if self.passed else tr(language, "FAIL", "FEL")
        head = f"{word:4}  {self.name}  ({self.file}:{self.line})"
        return "\n".join([head, *(f"      {f}" for f in self.failures(language))])


def run_case(
    case: Case, path: Path, line: int = 1, expect_lines: Sequence[int] = (), language: str = "en"
) -> CaseResult:
    """Run one case of the file at ``path``; its errors (a scenario that does not load, a name the
    comparison does not have) end the case as an error, named by line."""
    started = time.perf_counter()
    result = CaseResult(path, case.name, line)
    lines = list(expect_lines) + [line] * (len(case.expect) - len(expect_lines))
    try:
        runs = _runs(case, path)
    except (ValueError, ImportError) as err:
        result.error = (line, str(err))
        result.seconds = time.perf_counter() - started
        return result
    for at, expectation in zip(lines, case.expect, strict=True):
        try:
            result.outcomes.append((at, check(expectation, runs, language)))
        except ExpectationError as err:
            result.error = (at, str(err))
            break
        except ValueError as err:  # the run itself failed (an unaffordable frame, a bad process)
            result.error = (line, str(err))
            break
    result.seconds = time.perf_counter() - started
    return result


def _runs(case: Case, path: Path) -> Runs:
    """The comparison (and Monte Carlo comparison) of a case, made when first needed."""
    known = datasets()
    dataset = known.get(case.scenario)
    if dataset is not None:
        given = load_input(None, case.scenario, **({} if case.end_year is None else {"end_year": case.end_year}))
    elif case.end_year is not None:
        raise ValueError(f"end_year: applies to a registered dataset only ({', '.join(known)})")
    else:
        where = path.parent / case.scenario
        if not where.exists():
            raise ValueError(
                f"scenario: {case.scenario!r} is neither a registered dataset ({', '.join(known)}) "
                f"nor a folder or file beside {path.name} ({where} does not exist)"
            )
        given = load_input(where)
    scenario = given.scenario
    for dotted, value in case.set.items():
        scenario = override(scenario, dotted, value)
    strategies: dict[str, StrategyLike]
    if case.strategies is not None:
        strategies = build_strategies(case.strategies)
    elif given.kind == "run file":
        strategies = given.strategies
    elif dataset is not None:
        strategies = dataset.strategies(scenario)
    else:
        strategies = standard_comparison(scenario)
    process = _process(case, given.process, dataset)
    draws = case.draws if case.draws is not None else given.draws

    @cache
    def comparison() -> Comparison:
        return compare(scenario, strategies, process)

    @cache
    def monte_carlo() -> MonteCarloComparison:
        assert draws is not None
        return compare_monte_carlo(scenario, strategies, process, draws=draws, seed=case.seed)

    return Runs(comparison, monte_carlo if draws else None, "give the case draws (e.g. draws: 1000)")


def _process(case: Case, default: BudgetProcess | None, dataset: Any) -> BudgetProcess | None:
    if case.process is None:
        return default
    if isinstance(case.process, BudgetProcess):
        return case.process
    if case.process == "none":
        return None
    if dataset is None:
        raise ValueError(f"process: the preset {case.process!r} needs a registered dataset as scenario")
    return dataset.process(case.process)


def policy_files(paths: Sequence[str | Path]) -> list[Path]:
    """The policy-test files among ``paths``: files as given, and in folders (searched below)
    every ``test_*.yaml`` / ``test_*.yml``."""
    found: list[Path] = []
    for given in map(Path, paths):
        if given.is_dir():
            found += sorted(p for p in given.rglob("test_*.y*ml") if p.suffix in (".yaml", ".yml"))
        elif given.exists():
            found.append(given)
        else:
            raise ValueError(f"{given}: no such file or folder")
    if not found:
        raise ValueError(f"{', '.join(map(str, paths))}: no policy-test files (test_*.yaml)")
    return found


def run_policy_files(paths: Sequence[str | Path], language: str = "en") -> Iterator[CaseResult]:
    """Run every case of the policy-test files at ``paths`` (files, or folders of ``test_*.yaml``),
    one result per case as it finishes. A file that does not validate raises
    :class:`PolicyFileError` before any of its cases runs."""
    for path in policy_files(paths):
        policy = load_policy_file(path)
        for case, (line, expect_lines) in zip(policy.cases, policy.lines, strict=True):
            yield run_case(case, path, line, expect_lines, language)


def write_junit(results: Sequence[CaseResult], path: str | Path, language: str = "en") -> Path:
    """The results as a JUnit XML report (what CI systems read): one testcase per case, a failure
    with each failed expectation, an error for a case that could not run."""
    suite = ElementTree.Element(
        "testsuite",
        name="budgetsim policy tests",
        tests=str(len(results)),
        failures=str(sum(1 for r in results if r.error is None and not r.passed)),
        errors=str(sum(1 for r in results if r.error is not None)),
        time=f"{sum(r.seconds for r in results):.3f}",
    )
    for r in results:
        case = ElementTree.SubElement(
            suite,
            "testcase",
            classname=r.file.stem,
            name=r.name,
            file=str(r.file),
            line=str(r.line),
            time=f"{r.seconds:.3f}",
        )
        if not r.passed:
            lines = r.failures(language)
            kind = "error" if r.error is not None else "failure"
            ElementTree.SubElement(case, kind, message=lines[0]).text = "\n".join(lines)
    text = ElementTree.tostring(suite, encoding="unicode", xml_declaration=True)
    return write_text(path, text + "\n")
