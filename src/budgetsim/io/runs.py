"""Runs kept apart: every CLI run writes into its own folder with a ``manifest.json`` saying what
produced it (package version, command, input files and their SHA-256, dataset, seed, draws,
strategies as run-file entries, the process, the scenario's sources and the files written), and
:func:`differences` compares two runs, scenarios or run files parameter by parameter.

>>> flatten({"economy": {"wage_uplift": {"2024": 0.033}}, "seed": 1})
{'economy.wage_uplift.2024': 0.033, 'seed': 1}
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from budgetsim.core.registry import Rule
from budgetsim.core.strategy import strategy_name
from budgetsim.io.files import make_folder, save_text
from budgetsim.io.inputs import Input, load_input

MANIFEST = "manifest.json"
DEFAULT_ROOT = Path("budgetsim-output")


def run_folder(out: Path | None, command: str, name: str, force: bool = False) -> Path:
    """The folder a run writes into. Without ``out``: a new folder under ``budgetsim-output/``
    named by command, input and time (``compare-boras-20261129-131500``). With ``out``: that
    folder if it is new or empty; one holding an earlier run only with ``force`` (whose files,
    as its manifest lists them, are then removed); never a folder of other files. A given ``out``
    is made here, so a place where it cannot be is an error before anything runs."""
    if out is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        base = (
            DEFAULT_ROOT / f"{command}-{re.sub(r'[^A-Za-z0-9_-]+', '-', Path(name).stem).strip('-') or 'run'}-{stamp}"
        )
        folder, n = base, 2
        while folder.exists():
            folder, n = base.with_name(f"{base.name}-{n}"), n + 1
        return folder  # made when the run writes, so a run that fails leaves no empty folder
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out: {out} is a file, not a folder")
    if not out.exists() or not any(out.iterdir()):
        return make_folder(out)
    manifest = out / MANIFEST
    if not manifest.is_file():
        raise ValueError(f"--out: {out} holds files that are not a budgetsim run; choose an empty or new folder")
    if not force:
        raise ValueError(f"--out: {out} holds an earlier run; choose another folder, or pass --force to replace it")
    listed = read_manifest(manifest).get("files", [])
    for file in [*listed, MANIFEST]:
        target = out / Path(str(file)).name  # only files of the folder itself
        if target.is_file():
            target.unlink()
    return out


def sha256(path: Path) -> str:
    """The SHA-256 of a file, or of a folder's files (names and contents, in name order)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(str(file.relative_to(path) if path.is_dir() else file.name).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def strategy_entry(strategy: Any) -> Any:
    """A strategy as a run-file entry, or its name for a function the registry does not know."""
    return strategy.spec() if isinstance(strategy, Rule) and strategy.tag else strategy_name(strategy)


def rules(run: Input) -> dict[str, Any]:
    """A run's strategies as run-file entries and its budget process, as JSON-ready data."""
    return {
        "strategies": {name: strategy_entry(st) for name, st in run.strategies.items()},
        "process": None if run.process is None else run.process.model_dump(mode="json"),
    }


def describe_run(run: Input, path: Path | None) -> dict[str, Any]:
    """What a run is made of, as JSON-ready data: inputs with hashes, scenario, strategies, process."""
    s = run.scenario
    sources = sorted({str(x) for x in s.provenance().source if str(x)})
    return {
        "input": None if path is None else {"path": str(path), "kind": run.kind, "sha256": sha256(path)},
        "dataset": run.name if path is None else None,
        "scenario": {
            "name": s.name,
            "base_year": s.base_year,
            "end_year": s.end_year,
            "committees": list(s.committee_ids),
        },
        **rules(run),
        "sources": sources,
    }


def write_manifest(
    folder: Path,
    command: str,
    run: Input,
    path: Path | None,
    files: list[Path],
    draws: int | None = None,
    seed: int | None = None,
) -> Path:
    """Write ``manifest.json`` into ``folder`` (whole, then moved in place)."""
    manifest = {
        "budgetsim": version("budgetsim"),
        "command": command,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "draws": draws,
        "seed": seed if draws else None,
        **describe_run(run, path),
        "files": [f.name for f in files],
    }
    return save_text(folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def read_manifest(path: Path) -> dict[str, Any]:
    """A run's manifest (an error naming the file if it is not one)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ValueError(f"{path}: not a readable manifest ({err})") from None
    if not isinstance(data, dict) or "budgetsim" not in data:
        raise ValueError(f"{path}: not a budgetsim manifest (no 'budgetsim' version)")
    return data


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts and lists as {dotted path: leaf value}."""
    if isinstance(value, Mapping):
        items: list[tuple[str, Any]] = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, list | tuple):
        items = [(str(i), v) for i, v in enumerate(value)]
    else:
        return {prefix: value}
    flat: dict[str, Any] = {}
    for key, item in items:
        flat.update(flatten(item, f"{prefix}.{key}" if prefix else key))
    return flat


def comparable(path: Path) -> dict[str, Any]:
    """What :func:`differences` compares of ``path``: a run folder or manifest as written; a
    scenario, run file, municipality folder or workbook as its full scenario, strategies and process."""
    manifest = path / MANIFEST if path.is_dir() and (path / MANIFEST).is_file() else path
    if manifest.name == MANIFEST and manifest.is_file():
        data = read_manifest(manifest)
        return {k: v for k, v in data.items() if k not in ("created", "files")}
    run = load_input(path)
    return {
        "scenario": run.scenario.model_dump(mode="json", exclude={"notes"}),
        **rules(run),
        "draws": run.draws,
        "seed": run.seed,
    }


def differences(a: Path, b: Path) -> list[tuple[str, Any, Any]]:
    """Every parameter that differs between two runs, scenarios or run files: (dotted path, value
    in ``a``, value in ``b``), a parameter missing on one side shown as None.

    >>> import tempfile, budgetsim as bs
    >>> from budgetsim.io.files import save_scenario
    >>> folder = Path(tempfile.mkdtemp())
    >>> s = bs.default_scenario()
    >>> b = s.replace(economy=s.economy.model_copy(update={"result_target": 0.03}))
    >>> _ = save_scenario(s, folder / "a.yaml"), save_scenario(b, folder / "b.yaml")
    >>> differences(folder / "a.yaml", folder / "b.yaml")
    [('scenario.economy.result_target', 0.02, 0.03)]
    """
    left, right = flatten(comparable(a)), flatten(comparable(b))
    keys = list(dict.fromkeys([*left, *right]))
    return [(k, left.get(k), right.get(k)) for k in keys if left.get(k) != right.get(k)]
