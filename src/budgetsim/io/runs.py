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
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any, Self

from budgetsim.core.registry import Rule
from budgetsim.core.strategy import strategy_name
from budgetsim.io.inputs import Input, load_input
from budgetsim.writing import Lock, WriteError, lock_beside, make_folder, reason, release, sync, write_text

MANIFEST = "manifest.json"
DEFAULT_ROOT = Path("budgetsim-output")


def default_folder(command: str, name: str) -> Path:
    """A new folder under ``budgetsim-output/`` named by command, input and time
    (``compare-boras-20261129-131500``), not yet made."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(name).stem).strip("-") or "run"
    base = DEFAULT_ROOT / f"{command}-{slug}-{stamp}"
    folder, n = base, 2
    while folder.exists():
        folder, n = base.with_name(f"{base.name}-{n}"), n + 1
    return folder


class RunFolder:
    """A run's folder, written as a transaction. Use it as a context manager around the run:

    * on entry the target is checked (new, empty, or an earlier run whose every file budgetsim
      wrote, by name and SHA-256 in its manifest, when ``force``; never a folder of other files) and
      locked: a second run into it is refused while this one lasts;
    * the run writes into :attr:`staging`, a fresh hidden folder beside the target;
    * :meth:`commit` moves the staged run into place in one step (an earlier run is moved aside
      first and then removed); without a commit (an error, Ctrl-C, SIGTERM) the staging folder is
      removed, so the target keeps its previous complete state.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "run"
    >>> with RunFolder(out) as folder:
    ...     _ = (folder.staging / "a.csv").write_text("x")
    ...     folder.commit()
    >>> sorted(p.name for p in out.iterdir()), sorted(p.name for p in out.parent.iterdir())
    (['a.csv'], ['run'])
    """

    def __init__(self, target: Path, force: bool = False) -> None:
        self.target, self.force = Path(target), force
        self._lock: Lock | None = None
        self._staging: Path | None = None

    def __enter__(self) -> Self:
        self._check()
        if self.target.parent.is_dir():  # else (a first run's budgetsim-output/) when the run writes
            self._lock = lock_beside(self.target, "make the folder")
        return self

    def _check(self) -> None:
        try:
            self._check_target()
        except OSError as err:
            raise WriteError(self.target, reason(err)) from None

    def _check_target(self) -> None:
        out = self.target
        if out.is_symlink():
            raise ValueError(f"--out: {out} is a link; give the folder itself")
        if out.exists() and not out.is_dir():
            raise ValueError(f"--out: {out} is a file, not a folder")
        if out.is_dir() and not os.access(out, os.W_OK | os.X_OK):
            raise WriteError(out, "Permission denied")
        if not out.exists() or not any(out.iterdir()):
            return
        manifest = out / MANIFEST
        if not manifest.is_file() or manifest.is_symlink():
            raise ValueError(f"--out: {out} holds files that are not a budgetsim run; choose an empty or new folder")
        if not self.force:
            raise ValueError(f"--out: {out} holds an earlier run; choose another folder, or pass --force to replace it")
        written = read_manifest(manifest).get("sha256") or {}
        for path in sorted(out.iterdir()):
            if path.name == MANIFEST:
                continue
            if path.is_symlink() or not path.is_file() or written.get(path.name) != sha256(path):
                raise ValueError(
                    f"--out: {path} was not written by budgetsim (or was changed since); --force replaces only "
                    "an earlier run's own files: move it away or choose another folder"
                )

    @property
    def staging(self) -> Path:
        """The hidden folder the run writes into, made on first use."""
        if self._staging is None:
            if self._lock is None:  # the folder it goes in is made now, so a run that fails leaves none
                make_folder(self.target.parent)
                self._lock = lock_beside(self.target, "make the folder")
                self._check()  # under the lock: a run may have arrived while this one computed
            try:
                self._staging = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.", dir=self.target.parent))
            except OSError as err:
                raise WriteError(self.target, reason(err), "make the folder") from None
        return self._staging

    def commit(self) -> None:
        """Put the staged run in place of the target (checked again: nothing but an earlier run's own
        files is ever moved aside and removed, even if files arrived while the run computed)."""
        staged, out = self.staging, self.target
        self._check()
        try:
            sync(staged)
            aside = None
            if out.exists() and any(out.iterdir()):
                aside = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
                os.replace(out, aside / out.name)
            elif out.exists():
                out.rmdir()
            os.replace(staged, out)
            sync(out.parent)
        except OSError as err:
            raise WriteError(out, reason(err)) from None
        self._staging = None
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)

    def __exit__(self, *exc: object) -> None:
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None
        release(self._lock)
        self._lock = None

    @contextmanager
    def writing(self) -> Iterator[None]:
        """A block that writes into the staged run: a file that cannot be written is named where the
        user asked for it (``out/report.html``), not by the hidden folder it was staged in."""
        try:
            yield
        except WriteError as err:
            staged = self._staging
            if staged is None or not err.path.is_relative_to(staged):
                raise
            raise WriteError(self.target / err.path.relative_to(staged), err.reason) from None


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
    """Write ``manifest.json`` into ``folder`` (whole, then moved in place), with every file's SHA-256:
    what a later ``--force`` may replace."""
    manifest = {
        "budgetsim": version("budgetsim"),
        "command": command,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "draws": draws,
        "seed": seed if draws else None,
        **describe_run(run, path),
        "files": [f.name for f in files],
        "sha256": {f.name: sha256(f) for f in files},
    }
    return write_text(folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


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
    >>> from budgetsim.formats.documents import save_scenario
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
