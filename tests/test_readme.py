"""The README's Python blocks run as written, in order, in a fresh interpreter (so a README example
can never break again)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_readme_has_python_blocks() -> None:
    assert len(python_blocks()) >= 10


@pytest.mark.slow
def test_readme_python_blocks_run_in_order(tmp_path: Path) -> None:
    code = "\n\n".join(python_blocks())
    (tmp_path / "readme.py").write_text(code, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "readme.py"], cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False
    )
    assert run.returncode == 0, run.stderr[-3000:]


def test_notebook_reprs_are_short_summaries() -> None:
    import budgetsim as bs

    s = bs.default_scenario()
    assert repr(s).startswith("<Scenario 'Borås Stad': base year 2023") and len(repr(s)) < 300
    assert "<table" in s._repr_html_() and "Grundskolenämnden" in s._repr_html_()
    r = bs.simulate(s, bs.strategies.boras_current())
    assert "frame 2030, MSEK" in r._repr_html_() and len(r._repr_html_()) < 5_000
    c = bs.compare(s, [bs.strategies.incremental()])
    assert "mean_coverage" in c._repr_html_()
    m = bs.monte_carlo(s, bs.strategies.incremental(), draws=20)
    assert "expected deficit, MSEK" in m._repr_html_()
    mc = bs.compare_monte_carlo(s, [bs.strategies.incremental()], draws=20)
    assert "mean_prob_deficit" in mc._repr_html_()


def test_readme_backtest_table_is_generated() -> None:
    from budgetsim.datasets.boras_backtest import markdown

    assert markdown() in README.read_text(encoding="utf-8")


def test_readme_example_output_is_what_the_command_prints(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from budgetsim.cli import app

    printed = CliRunner().invoke(app, ["compare", "--out", str(tmp_path / "out")])
    assert printed.exit_code == 0, printed.output
    text = README.read_text(encoding="utf-8")
    block = text.split("`budgetsim compare` on the built-in data prints (money in MSEK):\n\n```\n", 1)[1].split("```")[
        0
    ]

    def body(output: str) -> list[str]:
        return [line.rstrip() for line in output.splitlines() if line.strip() and not line.startswith("Wrote ")]

    assert body(block) == body(printed.output)
