"""The README's Python blocks run as written, in order, in a fresh interpreter (so a README example
can never break again)."""

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_has_python_blocks() -> None:
    assert len(python_blocks()) >= 10


def test_readme_python_blocks_run_in_order(tmp_path: Path) -> None:
    code = "\n\n".join(python_blocks())
    (tmp_path / "readme.py").write_text(code, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "readme.py"], cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False
    )
    assert run.returncode == 0, run.stderr[-3000:]
