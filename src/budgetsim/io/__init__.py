"""Files: scenarios and run files in YAML or JSON, validated by the same models, with JSON Schemas."""

from budgetsim.io.files import load_scenario, save_scenario, scenario_schema
from budgetsim.io.run_files import LoadedRun, RunFile, build_strategies, load_run, run_schema, save_run, strategy_specs

__all__ = [
    "LoadedRun",
    "RunFile",
    "build_strategies",
    "load_run",
    "load_scenario",
    "run_schema",
    "save_run",
    "save_scenario",
    "scenario_schema",
    "strategy_specs",
]
