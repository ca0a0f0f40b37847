"""Files: scenarios and run files in YAML or JSON, validated by the same models, with JSON Schemas."""

from budgetsim.formats.documents import load_scenario, save_scenario, scenario_schema
from budgetsim.formats.municipality import (
    MunicipalityWarning,
    check_scenario,
    load_municipality,
    read_municipality,
    save_municipality,
)
from budgetsim.formats.tables import TABLES, MunicipalityError, Problem
from budgetsim.formats.template import write_template
from budgetsim.io.inputs import Input, load_input
from budgetsim.io.run_files import LoadedRun, RunFile, build_strategies, load_run, run_schema, save_run, strategy_specs

__all__ = [
    "TABLES",
    "Input",
    "LoadedRun",
    "MunicipalityError",
    "MunicipalityWarning",
    "Problem",
    "RunFile",
    "build_strategies",
    "check_scenario",
    "load_input",
    "load_municipality",
    "load_run",
    "load_scenario",
    "read_municipality",
    "run_schema",
    "save_municipality",
    "save_run",
    "save_scenario",
    "scenario_schema",
    "strategy_specs",
    "write_template",
]
