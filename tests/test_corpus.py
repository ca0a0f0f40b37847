"""The corpus of hostile inputs (issue 13): every case of ``corpus/cases.yaml`` is a malformed or
hostile file or argument set given to the Python API, a loader (scenario and run files,
municipality folders and workbooks, SCB files) or the command line, with its expected outcome:

* ``error``: a clear error naming the file and the field (or row and column). From the command
  line: exit code 2 (1 for ``validate`` with errors), a line starting with ``error:`` (or the
  argument parser's error box) and no traceback; from Python, a ``ValueError`` (or the type the
  case ``raises``) whose message, from a loader, names the input (or what the case's ``where`` says).
* ``warning``: the input is accepted and a warning names the problem.
* ``accepted``: the input is accepted without a word, for the reason the case gives.

Each case says what it must contain (``message``, one text or a list). Inputs are built from the
small files in ``corpus/`` and the edits a case lists; big, deep or special files are generated
here. Every case runs in bounded time (:data:`SECONDS`) and memory (:data:`MEMORY` more address
space than the process had), so a hang or a runaway allocation fails the case instead of the run.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import re
import resource
import shutil
import signal
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

import budgetsim as bs
from budgetsim.cli import app
from budgetsim.formats.documents import MAX_BYTES
from budgetsim.formats.scb import read_scb
from budgetsim.io import load_input, load_municipality, load_run, load_scenario, write_template

CORPUS = Path(__file__).parent / "corpus"
CASES: list[dict[str, Any]] = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
SECONDS = 30  #: longest a case may run
MEMORY = 2 << 30  #: most address space (bytes) a case may add
SURFACES = ("api", "loader", "cli")
OUTCOMES = ("error", "warning", "accepted")
INPUTS = ("scenario", "run", "file", "generate", "town", "workbook")
runner = CliRunner()


class CaseTimeout(BaseException):
    """A case ran longer than :data:`SECONDS` (a ``BaseException``, so no ``except Exception`` hides it)."""


@contextmanager
def bounded() -> Iterator[None]:
    """Run the block with an alarm after :data:`SECONDS` and at most :data:`MEMORY` more address space."""

    def stop(signum: int, frame: object) -> None:
        raise CaseTimeout(f"the case ran longer than {SECONDS} s")

    previous = signal.signal(signal.SIGALRM, stop)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    in_use = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    limit = in_use + MEMORY if soft == resource.RLIM_INFINITY else min(soft, in_use + MEMORY)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.setitimer(signal.ITIMER_REAL, SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


# --- inputs ------------------------------------------------------------------------------------
def _step(node: Any, key: str) -> Any:
    """The key of ``node`` that ``key`` (a part of a dotted path) stands for: a list index, a year
    as the integer the document holds, or the text."""
    if isinstance(node, list):
        return int(key)
    return int(key) if key.lstrip("-").isdigit() and int(key) in node else key


def patched(document: Any, changes: dict[str, Any], deleted: list[str]) -> Any:
    """``document`` with each dotted path of ``changes`` set (a list index one past the end
    appends) and each of ``deleted`` removed."""
    document = copy.deepcopy(document)
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = document
        for key in parents:
            node = node[_step(node, key)]
        step = _step(node, last)
        if isinstance(node, list) and step == len(node):
            node.append(value)
        else:
            node[step] = value
    for path in deleted:
        *parents, last = path.split(".")
        node = document
        for key in parents:
            node = node[_step(node, key)]
        del node[_step(node, last)]
    return document


def base_document() -> dict[str, Any]:
    return yaml.safe_load((CORPUS / "scenario.yaml").read_text(encoding="utf-8"))


def write_document(path: Path, document: Any) -> Path:
    """``document`` as YAML or JSON (by the ending); a string is written as it is."""
    if isinstance(document, str):
        path.write_text(document, encoding="utf-8")
    elif path.suffix == ".json":
        path.write_text(json.dumps(document), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def scenario_input(spec: dict[str, Any], folder: Path) -> Path:
    """The corpus scenario with the case's changes, as ``scenario.yaml`` (or ``.json``)."""
    document = patched(base_document(), spec.get("set", {}), spec.get("delete", []))
    return write_document(folder / f"scenario.{spec.get('format', 'yaml')}", document)


def run_input(spec: Any, folder: Path) -> Path:
    """A run file (the document, or its text) next to the corpus scenario ``scenario.yaml``."""
    shutil.copy(CORPUS / "scenario.yaml", folder / "scenario.yaml")
    return write_document(folder / "run.yaml", spec)


def file_input(name: str, folder: Path) -> Path:
    """A copy of a file (or folder) of the corpus."""
    source = CORPUS / name
    target = folder / source.name
    if source.is_dir():
        return Path(shutil.copytree(source, target))
    return Path(shutil.copy(source, target))


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _save_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _header(rows: list[list[str]]) -> int:
    return next(i for i, cells in enumerate(rows) if cells and not cells[0].startswith("#"))


def town_input(spec: dict[str, Any], folder: Path) -> Path:
    """The template town of ``budgetsim init`` with the case's edits: ``cells`` (table, data row
    from 0, column, value; a new column is added), ``rename`` (table, column, new name),
    ``append`` (table: lines), ``text`` (table: the whole file), ``copy`` (table: a corpus file),
    ``drop`` (tables), ``move`` (table: a new file name); first ``scb`` (corpus SCB files in ``scb/``, instead of population.csv)."""
    town = write_template(folder / "town")
    if spec.get("scb"):
        (town / "population.csv").unlink()
        (town / "scb").mkdir()
        for name in spec["scb"]:
            shutil.copy(CORPUS / name, town / "scb" / Path(name).name)
    for table, row, column, value in spec.get("cells", []):
        rows = _rows(town / f"{table}.csv")
        header = _header(rows)
        if column not in rows[header]:
            rows[header].append(column)
            for cells in rows[header + 1 :]:
                cells.append("")
        rows[header + 1 + row][rows[header].index(column)] = str(value).replace("{long}", "x" * 10_000)
        _save_rows(town / f"{table}.csv", rows)
    for table, column, name in spec.get("rename", []):
        rows = _rows(town / f"{table}.csv")
        header = _header(rows)
        rows[header] = [name if c == column else c for c in rows[header]]
        _save_rows(town / f"{table}.csv", rows)
    for table, lines in spec.get("append", {}).items():
        with (town / f"{table}.csv").open("a", encoding="utf-8") as handle:
            handle.write("".join(f"{line}\n" for line in lines))
    for table, text in spec.get("text", {}).items():
        (town / f"{table}.csv").write_text(text, encoding="utf-8")
    for table, name in spec.get("copy", {}).items():
        shutil.copy(CORPUS / name, town / f"{table}.csv")
    for table in spec.get("drop", []):
        (town / f"{table}.csv").unlink()
    for table, name in spec.get("move", {}).items():
        (town / f"{table}.csv").rename(town / name)
    return town


def workbook_input(spec: dict[str, Any], folder: Path) -> Path:
    """The template town as a workbook with the case's edits: ``cells`` (sheet, cell, value),
    ``rename`` (sheet, new name), ``add`` (new sheets), ``remove`` (sheets), ``hide`` (sheets), ``hide_rows`` (sheet, row)."""
    path = write_template(folder / "town.xlsx", xlsx=True)
    book = openpyxl.load_workbook(path)
    for sheet, cell, value in spec.get("cells", []):
        book[sheet][cell] = value
    for sheet, name in spec.get("rename", []):
        book[sheet].title = name
    for name in spec.get("add", []):
        book.create_sheet(name)["A1"] = "not a table"
    for name in spec.get("remove", []):
        del book[name]
    for name in spec.get("hide", []):
        book[name].sheet_state = "hidden"
    for name, row in spec.get("hide_rows", []):
        book[name].row_dimensions[row].hidden = True
    book.save(path)
    return path


# --- generated inputs: big, deep or special files, made at test time -------------------------
def sparse(path: Path, head: bytes = b"", size: int = MAX_BYTES + 1) -> Path:
    """A file of ``size`` bytes that takes no space on disk: ``head``, then holes."""
    path.write_bytes(head)
    with path.open("r+b") as handle:
        handle.truncate(size)
    return path


def alias_bomb(folder: Path) -> Path:
    """Ten levels of ten aliases each: a few hundred bytes standing for 10**10 values."""
    levels = ["&x0 [1,1,1,1,1,1,1,1,1,1]"] + [f"&x{i} [" + ",".join([f"*x{i - 1}"] * 10) + "]" for i in range(1, 10)]
    return write_document(folder / "scenario.yaml", "committees: [" + ", ".join(levels) + "]\n")


def recursive_alias(folder: Path) -> Path:
    return write_document(folder / "scenario.yaml", "committees: &a [1, *a]\n")


def deep_yaml(folder: Path) -> Path:
    return write_document(folder / "scenario.yaml", "committees: " + "[" * 100_000 + "]" * 100_000 + "\n")


def deep_json(folder: Path) -> Path:
    return write_document(folder / "scenario.json", '{"committees": ' + "[" * 100_000 + "]" * 100_000 + "}")


def deep_run(folder: Path) -> Path:
    inner = "{rule: floor, inner: " * 60 + "{rule: incremental}" + "}" * 60
    return run_input(f"strategies: {{deep: {inner}}}\n", folder)


def many_keys_json(folder: Path) -> Path:
    """A flat JSON object with 300,000 unknown keys (5 MB; each would be a problem to list)."""
    return write_document(folder / "scenario.json", {f"k{i}": i for i in range(300_000)})


def many_keys_yaml(folder: Path) -> Path:
    """The same in YAML, which takes hundreds of bytes per value once composed."""
    return write_document(folder / "scenario.yaml", "{" + ", ".join(f"k{i}: {i}" for i in range(300_000)) + "}\n")


def many_errors_json(folder: Path) -> Path:
    """The corpus scenario with 1,000 unknown keys: 1,000 problems."""
    return write_document(folder / "scenario.json", {**base_document(), **{f"k{i}": i for i in range(1_000)}})


def far_column_workbook(folder: Path) -> Path:
    """An economy sheet with a stray value in column CZ, beyond the 100 columns read."""
    return workbook_input({"cells": [["economy", "CZ2", 0.5]]}, folder)


def huge_integer_yaml(folder: Path) -> Path:
    document = (CORPUS / "scenario.yaml").read_text(encoding="utf-8")
    return write_document(folder / "scenario.yaml", document.replace("100000000.0", "9" * 5000, 1))


def huge_integer_json(folder: Path) -> Path:
    document = json.dumps(yaml.safe_load((CORPUS / "scenario.yaml").read_text(encoding="utf-8")))
    return write_document(folder / "scenario.json", document.replace("100000000.0", "9" * 5000, 1))


def sparse_yaml(folder: Path) -> Path:
    return sparse(folder / "scenario.yaml", b"name: x\n")


def sparse_run(folder: Path) -> Path:
    return sparse(folder / "run.yaml", b"strategies: {a: {rule: incremental}}\n")


def sparse_table(folder: Path) -> Path:
    town = write_template(folder / "town")
    sparse(town / "committees.csv", (town / "committees.csv").read_bytes())
    return town


def sparse_workbook(folder: Path) -> Path:
    return sparse(folder / "town.xlsx", b"PK\x03\x04")


def sparse_scb(folder: Path) -> Path:
    return sparse(folder / "BE0101N1.csv", b'"region","\xc3\xa5lder","2022"\n')


def long_cell_table(folder: Path) -> Path:
    """A committee name of 200,000 characters: more than the CSV reader takes in one cell."""
    town = write_template(folder / "town")
    with (town / "committees.csv").open("a", encoding="utf-8") as handle:
        handle.write(f"LONG,{'x' * 200_000},culture,1000000,0.5,0.1,\n")
    return town


def nul_table(folder: Path) -> Path:
    town = write_template(folder / "town")
    with (town / "committees.csv").open("ab") as handle:
        handle.write(b"NUL,Nul\x00name,culture,1000000,0.5,0.1,\n")
    return town


def fifo_scenario(folder: Path) -> Path:
    """A named pipe called scenario.yaml: opening it would wait for a writer for ever."""
    path = folder / "scenario.yaml"
    os.mkfifo(path)
    return path


def fifo_table(folder: Path) -> Path:
    town = write_template(folder / "town")
    (town / "committees.csv").unlink()
    os.mkfifo(town / "committees.csv")
    return town


def device_scenario(folder: Path) -> Path:
    """scenario.yaml standing for /dev/zero: endless bytes."""
    path = folder / "scenario.yaml"
    path.symlink_to("/dev/zero")
    return path


def missing_file(folder: Path) -> Path:
    return folder / "missing.yaml"


def run_bad_scenario(folder: Path) -> Path:
    """A run file whose scenario file, bad.json, has a base frame that is not a number."""
    write_document(folder / "bad.json", patched(base_document(), {"committees.0.base_frame": float("nan")}, []))
    return run_input({"scenario": "bad.json", "strategies": {"a": {"rule": "incremental"}}}, folder)


def folder_as_scenario(folder: Path) -> Path:
    path = folder / "scenario.yaml"
    path.mkdir()
    return path


def folder_as_run(folder: Path) -> Path:
    path = folder / "run.yaml"
    path.mkdir()
    return path


def empty_folder(folder: Path) -> Path:
    path = folder / "empty"
    path.mkdir()
    (path / "notes.txt").write_text("no tables here", encoding="utf-8")
    return path


def existing_file(folder: Path) -> Path:
    path = folder / "existing.txt"
    path.write_text("keep me", encoding="utf-8")
    return path


def existing_workbook(folder: Path) -> Path:
    path = folder / "mine.xlsx"
    path.write_bytes(b"my own workbook")
    return path


def long_names(folder: Path) -> Path:
    """A committee whose name is 100,000 characters long, another's with a newline and a tab."""
    changes = {"committees.2.name": "Kultur " * 14_286, "committees.1.name": "Omsorg\nsecond line\tand a tab"}
    return write_document(folder / "scenario.yaml", patched(base_document(), changes, []))


def long_strategy_name(folder: Path) -> Path:
    return run_input({"scenario": "scenario.yaml", "strategies": {"x" * 10_000: {"rule": "incremental"}}}, folder)


def far_cell_workbook(folder: Path) -> Path:
    """A committees sheet with one value in the last cell Excel has (XFD1048576)."""
    return workbook_input({"cells": [["committees", "XFD1048576", 1]]}, folder)


def _rewrite_sheet(path: Path, sheet: int, edit: Callable[[bytes], bytes]) -> Path:
    """Rewrite the XML of worksheet ``sheet`` of the workbook at ``path``."""
    target = path.with_name("edited.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item)
            out.writestr(item, edit(data) if item.filename == f"xl/worksheets/sheet{sheet}.xml" else data)
    return target.replace(path)


def cached_formula_workbook(folder: Path) -> Path:
    """SKOL's base frame as a formula with the value Excel computed and saved with it."""
    path = workbook_input({"cells": [["committees", "D3", "=225000000*1"]]}, folder)
    return _rewrite_sheet(
        path, 2, lambda xml: xml.replace(b"<f>225000000*1</f><v />", b"<f>225000000*1</f><v>225000000</v>")
    )


def zip_bomb_workbook(folder: Path) -> Path:
    """A workbook whose committees sheet unpacks to 600 MB of blanks (a few hundred kB packed)."""
    path = write_template(folder / "town.xlsx", xlsx=True)
    target = path.with_name("bomb.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            out.writestr(item, source.read(item))
        with out.open("xl/padding.xml", "w") as padding:
            block = b" " * 2**20
            for _ in range(600):
                padding.write(block)
    return target.replace(path)


def garbage_workbook(folder: Path) -> Path:
    return Path(shutil.copy(CORPUS / "files" / "garbage.bin", folder / "town.xlsx"))


def zip_not_workbook(folder: Path) -> Path:
    path = folder / "town.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return path


def damaged_sheet_workbook(folder: Path) -> Path:
    """A workbook whose committees sheet is cut off in the middle of its XML."""
    path = write_template(folder / "town.xlsx", xlsx=True)
    return _rewrite_sheet(path, 2, lambda xml: xml[: len(xml) // 2])


GENERATORS: dict[str, Callable[[Path], Path]] = {
    f.__name__: f
    for f in (
        alias_bomb,
        recursive_alias,
        deep_yaml,
        deep_json,
        deep_run,
        many_keys_json,
        many_keys_yaml,
        many_errors_json,
        far_column_workbook,
        huge_integer_yaml,
        huge_integer_json,
        sparse_yaml,
        sparse_run,
        sparse_table,
        sparse_workbook,
        sparse_scb,
        long_cell_table,
        nul_table,
        missing_file,
        run_bad_scenario,
        fifo_scenario,
        fifo_table,
        device_scenario,
        folder_as_scenario,
        folder_as_run,
        empty_folder,
        existing_file,
        existing_workbook,
        long_names,
        long_strategy_name,
        far_cell_workbook,
        cached_formula_workbook,
        zip_bomb_workbook,
        garbage_workbook,
        zip_not_workbook,
        damaged_sheet_workbook,
    )
}


def materialize(case: dict[str, Any], folder: Path) -> Path | None:
    """The case's input, written into ``folder`` (None if it has none)."""
    given = [key for key in INPUTS if key in case]
    if not given:
        return None
    kind = given[0]
    spec = case[kind]
    if kind == "scenario":
        return scenario_input(spec, folder)
    if kind == "run":
        return run_input(spec, folder)
    if kind == "file":
        return file_input(spec, folder)
    if kind == "generate":
        return GENERATORS[spec](folder)
    if kind == "town":
        return town_input(spec, folder)
    return workbook_input(spec, folder)


# --- what each surface runs ------------------------------------------------------------------
LOADERS: dict[str, Callable[..., Any]] = {
    "scenario": load_scenario,
    "run": load_run,
    "input": load_input,
    "municipality": load_municipality,
    "scb": read_scb,
}
DEFAULT_LOADER = {"scenario": "scenario", "run": "run", "town": "municipality", "workbook": "municipality"}


def corpus_scenario() -> bs.Scenario:
    return load_scenario(CORPUS / "scenario.yaml")


def _monte_carlo(path: Path | None, **kwargs: Any) -> Any:
    return bs.monte_carlo(corpus_scenario(), bs.strategies.boras_current(), **kwargs)


def _compare(path: Path | None, strategies: list[str]) -> Any:
    made = {name: bs.strategies.incremental() for name in strategies}
    return bs.compare(corpus_scenario(), made)


def _explain(path: Path | None, committee: str, year: int | None = None, language: str = "en") -> Any:
    result = bs.simulate(corpus_scenario(), bs.strategies.boras_current())
    return result.explain(committee, year, language=language)


def _replace(path: Path | None, **changes: Any) -> Any:
    return corpus_scenario().replace(**changes)


def _replace_committee(path: Path | None, committee: str, **changes: Any) -> Any:
    return corpus_scenario().replace_committee(committee, **changes)


def _with_volume_driver(path: Path | None, **kwargs: Any) -> Any:
    return corpus_scenario().with_volume_driver(**kwargs)


def _committee(path: Path | None, committee: str) -> Any:
    return corpus_scenario().committee(committee)


def _validate(path: Path | None, **changes: Any) -> Any:
    """A scenario validated from Python data: the corpus scenario with dotted paths changed."""
    return bs.Scenario.model_validate(patched(base_document(), changes, []))


def _boras(path: Path | None, **options: Any) -> Any:
    return bs.boras(**options)


def _save_scenario(path: Path | None, target: str) -> Any:
    return bs.io.save_scenario(corpus_scenario(), target)


def _save_municipality(path: Path | None, target: str) -> Any:
    return bs.io.save_municipality(corpus_scenario(), target)


def _save_run(path: Path | None, target: str) -> Any:
    return bs.io.save_run(target, {"mine": lambda ctx: {}})


def _write_template(path: Path | None, target: str, xlsx: bool = False) -> Any:
    return write_template(target, xlsx=xlsx)


def _load_input(path: Path | None, dataset: str = "boras", **options: Any) -> Any:
    return load_input(path, dataset, **options)


API: dict[str, Callable[..., Any]] = {
    "monte_carlo": _monte_carlo,
    "compare": _compare,
    "explain": _explain,
    "replace": _replace,
    "replace_committee": _replace_committee,
    "with_volume_driver": _with_volume_driver,
    "committee": _committee,
    "validate": _validate,
    "boras": _boras,
    "save_scenario": _save_scenario,
    "save_municipality": _save_municipality,
    "save_run": _save_run,
    "write_template": _write_template,
    "load_input": _load_input,
}
RAISES = {"ValueError": ValueError, "KeyError": KeyError, "TypeError": TypeError}


def _fill(value: Any, path: Path | None, folder: Path) -> Any:
    """``{input}``, ``{tmp}`` and ``{long}`` in the strings of a case's arguments."""
    if isinstance(value, str):
        return value.replace("{input}", str(path)).replace("{tmp}", str(folder)).replace("{long}", "x" * 10_000)
    if isinstance(value, list):
        return [_fill(v, path, folder) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, path, folder) for k, v in value.items()}
    return value


def _texts(case: dict[str, Any], path: Path | None, folder: Path) -> list[str]:
    message = case.get("message", [])
    return _fill([message] if isinstance(message, str) else message, path, folder)


def run_python(case: dict[str, Any], path: Path | None, folder: Path) -> None:
    """An API or loader case: the call, its exception or its warnings, against the expectation."""
    if case["surface"] == "api":
        call = API[case["call"]]
        kwargs = _fill(case.get("kwargs", {}), path, folder)
    else:
        call = LOADERS[case.get("loader") or DEFAULT_LOADER[next(k for k in INPUTS if k in case)]]
        kwargs = case.get("kwargs", {})
    error: BaseException | None = None
    with warnings.catch_warnings(record=True) as caught, bounded():
        warnings.simplefilter("always")
        try:
            call(path, **kwargs)
        except Exception as err:  # noqa: BLE001  (which exception it is, is what the case checks)
            error = err
    said = [str(w.message) for w in caught]
    expect, texts = case["expect"], _texts(case, path, folder)
    if expect == "error":
        wanted = RAISES[case.get("raises", "ValueError")]
        assert isinstance(error, wanted), f"expected a {wanted.__name__}, got {error!r}"
        message = str(error)
        if case["surface"] == "loader" and path is not None:
            where = _fill(case.get("where", path.name), path, folder)
            assert where in message, f"the error does not name {where}: {message}"
        assert all(t in message for t in texts), f"{texts} not in: {message}"
        return
    assert error is None, f"expected no error, got {error!r}"
    if expect == "warning":
        assert any(all(t in w for t in texts) for w in said), f"{texts} not in the warnings {said}"
    else:
        assert not said, f"expected no warning, got {said}"


ERROR_LINE = re.compile(r"^(error: |Error: )|─ Error ─", re.MULTILINE)


def run_cli(case: dict[str, Any], path: Path | None, folder: Path) -> None:
    """A command-line case, in this process: its exit code and output against the expectation."""
    args = _fill(case["args"], path, folder)
    with warnings.catch_warnings(record=True) as caught, bounded():
        warnings.simplefilter("always")
        result = runner.invoke(app, args)
    output, said = result.output, [str(w.message) for w in caught]
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    assert not crashed and "Traceback" not in output, f"a traceback: {result.exception!r}\n{output}"
    expect, texts = case["expect"], _texts(case, path, folder)
    if expect == "error":
        assert result.exit_code == case.get("exit", 2), f"exit code {result.exit_code}:\n{output}"
        assert ERROR_LINE.search(output), f"no line starting with 'error:':\n{output}"
        assert all(t in output for t in texts), f"{texts} not in:\n{output}"
        return
    assert result.exit_code == 0, f"exit code {result.exit_code}:\n{output}"
    if expect == "warning":
        shown = [*said, *(line for line in output.splitlines() if line.startswith("warning: "))]
        assert any(all(t in w for t in texts) for w in shown), f"{texts} not in the warnings {shown}"
    else:
        assert not said, f"expected no warning, got {said}"
        assert all(t in output for t in texts), f"{texts} not in:\n{output}"


def _param(case: dict[str, Any]) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if "xfail" in case else []
    return pytest.param(case, id=case["id"], marks=marks)


def test_the_manifest_is_complete() -> None:
    """Every case has a unique id, a surface, an outcome, what its message must contain, and (if
    accepted) why; there are at least 100."""
    ids = [c["id"] for c in CASES]
    assert len(ids) >= 100 and len(set(ids)) == len(ids), [i for i in ids if ids.count(i) > 1]
    for case in CASES:
        assert case["surface"] in SURFACES and case["expect"] in OUTCOMES, case["id"]
        assert sum(key in case for key in INPUTS) <= 1, case["id"]
        assert case["expect"] == "accepted" or case.get("message"), f"{case['id']}: what must the message say?"
        message = case.get("message", [])
        assert all(isinstance(t, str) for t in ([message] if isinstance(message, str) else message)), case["id"]
        assert case["expect"] != "accepted" or case.get("why"), f"{case['id']}: why is it accepted?"
        assert (case["surface"] == "cli") == ("args" in case), case["id"]
        assert (case["surface"] == "api") == ("call" in case), case["id"]


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case(case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # outputs a command writes by default land here
    path = materialize(case, tmp_path)
    if case["surface"] == "cli":
        run_cli(case, path, tmp_path)
    else:
        run_python(case, path, tmp_path)
