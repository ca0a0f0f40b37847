"""Policy tests: what a comparison must show, as data. Cases in YAML files
(:mod:`~budgetsim.policy.files`) are run by ``budgetsim test`` and collected by pytest (the
plugin in :mod:`~budgetsim.policy.plugin`, ``test_*.yaml``); the same expectations
(:mod:`~budgetsim.policy.expectations`) check a comparison in Python with
:func:`assert_comparison`; :func:`snapshot` pins a comparison's metrics and frames.

It needs only budgetsim's own dependencies and pytest (for the plugin), not the test extra."""

from budgetsim.policy.expectations import Expectation, ExpectationError, Outcome, assert_comparison, check
from budgetsim.policy.files import (
    Case,
    CaseResult,
    PolicyFile,
    PolicyFileError,
    load_policy_file,
    policy_files,
    run_case,
    run_policy_files,
    write_junit,
)
from budgetsim.policy.snapshot import SnapshotMismatch, snapshot

__all__ = [
    "Case",
    "CaseResult",
    "Expectation",
    "ExpectationError",
    "Outcome",
    "PolicyFile",
    "PolicyFileError",
    "SnapshotMismatch",
    "assert_comparison",
    "check",
    "load_policy_file",
    "policy_files",
    "run_case",
    "run_policy_files",
    "snapshot",
    "write_junit",
]
