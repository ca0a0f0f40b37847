"""The package's shape is checked, not hoped for: one-way layers (import-linter contracts in
pyproject.toml), no import hidden inside a function, a clean mypy run over src/, and ruff's lint
and format checks clean over src/ and tests/."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import budgetsim

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Path(budgetsim.__file__).resolve().parent


@pytest.mark.slow
def test_import_contracts_are_kept() -> None:
    from importlinter.cli import EXIT_STATUS_SUCCESS, lint_imports

    status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert status == EXIT_STATUS_SUCCESS, "an import breaks the layers; run lint-imports"


def test_no_budgetsim_import_inside_a_function() -> None:
    hidden = []
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                module = node.module if isinstance(node, ast.ImportFrom) else None
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [module or ""]
                if isinstance(node, ast.Import | ast.ImportFrom) and any(n.startswith("budgetsim") for n in names):
                    hidden.append(f"{path.relative_to(SOURCE)}:{node.lineno}")
    assert not hidden, f"imports inside functions: {hidden}"


@pytest.mark.slow
def test_mypy_is_clean() -> None:
    from mypy import api

    out, err, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), str(ROOT / "src" / "budgetsim")])
    assert status == 0, out + err


@pytest.mark.slow
def test_ruff_lint_and_format_are_clean() -> None:
    for check in (["check"], ["format", "--check"]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *check, "src", "tests"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
