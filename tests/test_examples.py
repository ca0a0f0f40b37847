"""The examples run top to bottom and print what the README shows."""

import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_transition_example(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLES / "transition_to_needs.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "Distance from the needs-based target" in out
    cuts = dict(line.rsplit(None, 1) for line in out.splitlines()[-3:])
    assert float(cuts["floor -1 %"]) == -1.0 and float(cuts["pace, hold-harmless"]) == 0.0
    assert float(cuts["at once"]) < -1.0


def test_budget_process_example(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLES / "budget_process.py"), run_name="__main__")
    out = capsys.readouterr().out
    written_off = next(line for line in out.splitlines() if line.startswith("written_off")).split()
    assert float(written_off[2]) == 0.0  # no write-offs in the second regime
    assert "Accumulated result (eget kapital) at the end of 2030" in out
