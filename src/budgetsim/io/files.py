"""Scenario files (YAML or JSON), validated by the same pydantic models as in Python, and their
JSON Schema for editors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from budgetsim.scenario import Scenario


def read_document(path: str | Path) -> Any:
    """A YAML (.yaml/.yml) or JSON (.json) document."""
    path = Path(path)
    if not path.exists():
        raise ValueError(f"{path}: no such file")
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        return json.loads(text)
    if path.suffix.lower() in {".yaml", ".yml"}:
        return yaml.safe_load(text)
    raise ValueError(f"{path}: give a .yaml, .yml or .json file")


def load_scenario(path: str | Path) -> Scenario:
    """A scenario from a YAML or JSON file; errors name the field and the problem.

    >>> import budgetsim as bs, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> save_scenario(bs.default_scenario(), folder / "boras.yaml").name
    'boras.yaml'
    >>> load_scenario(folder / "boras.yaml") == bs.default_scenario()
    True
    """
    return Scenario.model_validate(read_document(path))


def save_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write a scenario as YAML or JSON (by the file's ending), whole or not at all."""
    return save_document(scenario.model_dump(mode="json"), path)


def save_document(data: Any, path: str | Path) -> Path:
    """Write ``data`` as YAML or JSON (by the file's ending), whole or not at all."""
    path = Path(path)
    text = (
        json.dumps(data, indent=1, ensure_ascii=False)
        if path.suffix.lower() == ".json"
        else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    )
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files."""
    return Scenario.model_json_schema()
