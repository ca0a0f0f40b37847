"""Hostile input, as a security audit tried it: names that are scripts, Markdown table breakers or
spreadsheet formulas; YAML alias bombs, deep nesting, repeated keys and huge files; and output
files written to folders that do not exist or with endings nothing can write."""

import csv
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
import yaml
from factory import committees, make_scenario
from typer.testing import CliRunner

import budgetsim as bs
from budgetsim.cli import app
from budgetsim.formats import documents as files
from budgetsim.io import load_scenario, save_scenario
from budgetsim.reporting.describe import describe
from budgetsim.reporting.report import report

runner = CliRunner()
XSS = "<script>document.body.setAttribute('data-xss','RAN')</script>"
PIPE = "Omsorg | äldre"
SWEDISH = "Kultur- och fritidsnämnden å ä ö Å Ä Ö"
LINK = '=HYPERLINK("http://x","click")'
IMG = "<img src=x onerror=alert(1)>"


def hostile_scenario() -> bs.Scenario:
    """The test scenario with a committee named by a script, one whose name holds a ``|``, one with
    a Swedish name, and a scenario name in HTML (an id cannot hold a formula or markup: ids are
    letters, digits, ``_`` and ``-``)."""
    rows = committees()
    rows[0].update(name=XSS)
    rows[1].update(name=PIPE, sector="care <b>|</b>")
    rows[2].update(name=SWEDISH)
    return make_scenario(name="<b>town</b>", committees=rows)


def hostile_strategies() -> dict[str, bs.StrategyLike]:
    """Strategies named by a spreadsheet formula and by an HTML tag."""
    return {LINK: bs.strategies.incremental(), IMG: bs.strategies.needs_based(total=bs.strategies.incremental())}


def write_hostile_run(folder: Path) -> Path:
    """The hostile scenario and strategies as a scenario file and a run file."""
    save_scenario(hostile_scenario(), folder / "scenario.yaml")
    run = {"scenario": "scenario.yaml", "strategies": {LINK: {"rule": "incremental"}}}
    run["strategies"][IMG] = {"rule": "needs_based", "total": LINK}
    path = folder / "run.yaml"
    path.write_text(yaml.safe_dump(run, allow_unicode=True), encoding="utf-8")
    return path


def markdown_cells(row: str) -> list[str]:
    """The cells of a Markdown table row, split at the pipes that are not escaped."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", re.sub(r"\\\\", "", row.strip()))[1:-1]]


class Tables(HTMLParser):
    """Every table row's cells (as text), and every tag and attribute the page has."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


# 1. Script injection in the HTML report, Markdown tables broken by "|"


def test_describe_escapes_html_and_pipes_of_user_text() -> None:
    text = describe(hostile_scenario(), hostile_strategies()[IMG])
    assert "<script" not in text and "<img" not in text and "<b>" not in text
    assert "&lt;script&gt;" in text and SWEDISH in text
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(rows) == 4  # header and three committees
    assert all(len(markdown_cells(row)) == 5 for row in rows), rows
    assert markdown_cells(rows[2])[1:3] == [r"Omsorg \| äldre", r"care &lt;b&gt;\|&lt;/b&gt;"]


def test_html_report_runs_no_user_markup_and_keeps_its_tables(tmp_path) -> None:
    paths = report(hostile_scenario(), hostile_strategies(), tmp_path)
    page = paths["html"].read_text(encoding="utf-8")
    assert not re.search(r"<\s*(script|img|b)\b", page, re.IGNORECASE)  # no tag from user data
    parser = Tables()
    parser.feed(page)
    assert not [a for _, attrs in parser.tags for a in attrs if a.startswith("on") or a in ("src", "href")]
    model = page[page.index('<section class="model"') :]
    tables = Tables()
    tables.feed(model[: model.index("</table>")])
    assert [len(row) for row in tables.rows] == [5, 5, 5, 5]
    assert [row[1] for row in tables.rows[1:]] == [XSS, PIPE, SWEDISH]  # shown as written, as text
    assert tables.rows[2][2] == "care <b>|</b>"


# 2. YAML and JSON documents


def alias_bomb() -> str:
    """The audit's bomb: ten levels of ten aliases each, a few hundred bytes, 10**10 values."""
    levels = ["&x0 [1,1,1,1,1,1,1,1,1,1]"]
    levels += [f"&x{i} [" + ",".join([f"*x{i - 1}"] * 10) + "]" for i in range(1, 10)]
    return "name: [" + ", ".join(levels) + "]\n"


def test_alias_bomb_is_refused_naming_file_and_line(tmp_path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb(), encoding="utf-8")
    assert path.stat().st_size < 500
    with pytest.raises(ValueError, match=r"bomb\.yaml, line 1, column \d+: .*aliases stand for more than 100,000"):
        files.read_document(path)
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("committees: []\n" + alias_bomb(), encoding="utf-8")
    result = runner.invoke(app, ["compare", str(scenario)])
    assert result.exit_code == 2 and "scenario.yaml, line 2" in result.output and "aliases" in result.output


def test_alias_limits_leave_ordinary_anchors_alone(tmp_path) -> None:
    path = tmp_path / "anchors.yaml"
    path.write_text("base: &b {x: 1, y: [1, 2]}\nother:\n  <<: *b\n  x: 5\nsame: *b\n", encoding="utf-8")
    assert files.read_document(path) == {
        "base": {"x": 1, "y": [1, 2]},
        "other": {"x": 5, "y": [1, 2]},
        "same": {"x": 1, "y": [1, 2]},
    }
    path.write_text("a: &x 1\nb: [" + ", ".join(["*x"] * files.MAX_ALIASES) + "]\n", encoding="utf-8")
    assert len(files.read_document(path)["b"]) == files.MAX_ALIASES
    path.write_text("a: &x 1\nb: [" + ", ".join(["*x"] * (files.MAX_ALIASES + 1)) + "]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"anchors\.yaml, line 2, column 4: .*more than 100 aliases"):
        files.read_document(path)
    path.write_text("a: &x [1, *x]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="an alias refers to a collection that contains it"):
        files.read_document(path)


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_deep_nesting_is_a_clear_error_not_a_recursion_error(tmp_path, suffix) -> None:
    path = tmp_path / f"deep{suffix}"
    path.write_text("[" * 10_000 + "]" * 10_000, encoding="utf-8")
    with pytest.raises(ValueError, match=rf"deep\{suffix}.*(nest|depth)"):
        files.read_document(path)
    result = runner.invoke(app, ["compare", str(path)])
    assert result.exit_code == 2 and "deep" in result.output and "Traceback" not in result.output
    path.write_text('{"a": ' + "[" * 60 + "]" * 60 + "}", encoding="utf-8")  # valid, but 61 levels
    with pytest.raises(ValueError, match=rf"deep\{suffix}.*nested deeper than 50 levels"):
        files.read_document(path)
    path.write_text('{"a": ' + "[" * 49 + "]" * 49 + "}", encoding="utf-8")
    assert files.read_document(path)["a"]


def test_a_key_given_twice_is_refused_naming_key_and_line(tmp_path) -> None:
    path = save_scenario(make_scenario(), tmp_path / "twice.yaml")
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "name: other\n", encoding="utf-8")
    line = len(text.splitlines()) + 1
    first = text.splitlines().index("name: test") + 1
    with pytest.raises(
        ValueError, match=rf"twice\.yaml, line {line}, column 1: .*'name' given twice \(first on line {first}\)"
    ):
        load_scenario(path)
    data = tmp_path / "twice.json"
    data.write_text('{"name": "a", "committees": [{"id": "A", "id": "B"}]}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"twice\.json: not valid JSON: key 'id' given twice"):
        files.read_document(data)


def test_yaml_errors_name_the_file_and_line(tmp_path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nstrategies: {current: [rule: boras_current\n", encoding="utf-8")
    result = runner.invoke(app, ["compare", str(broken)])
    assert result.exit_code == 2 and "<unicode string>" not in result.output
    assert re.search(r"broken\.yaml, line \d+, column \d+: not valid YAML", result.output), result.output


def test_files_larger_than_the_limit_are_refused(tmp_path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"name: x\n")
    with path.open("r+b") as handle:
        handle.truncate(50 * 2**20 + 1)  # sparse: nothing is written
    with pytest.raises(ValueError, match=r"huge\.yaml: 52,428,801 bytes, larger than the 50 MB"):
        files.read_document(path)


def test_yaml_is_read_by_libyaml_when_pyyaml_has_it() -> None:
    expected = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    assert issubclass(files.DocumentLoader, expected)


# 3. Formula injection in the CSV tables and the Excel pack


def test_csv_tables_and_excel_pack_hold_no_formulas(tmp_path) -> None:
    run = write_hostile_run(tmp_path)
    compared = runner.invoke(app, ["compare", str(run), "--out", str(tmp_path / "out")])
    assert compared.exit_code == 0, compared.output
    cells = {}
    for table in (tmp_path / "out").glob("*.csv"):
        with table.open(encoding="utf-8", newline="") as handle:
            cells[table.stem] = [cell for row in csv.reader(handle) for cell in row]
    every = [cell for table in cells.values() for cell in table]
    formulas = [c for c in every if c[:1] in ("=", "+", "-", "@", "\t", "\r") and len(c) > 1 and not is_number(c)]
    assert formulas == []
    assert f"'{LINK}" in cells["frames"] and f"'{LINK}" in cells["scorecard"]
    assert any(c.startswith("-") and is_number(c) for c in cells["components"])  # negative numbers stay numbers
    reported = runner.invoke(app, ["report", str(run), "--out", str(tmp_path / "report")])
    assert reported.exit_code == 0, reported.output
    book = openpyxl.load_workbook(tmp_path / "report" / "comparison.xlsx")
    values = [cell for sheet in book for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert [c.coordinate for c in values if c.data_type == "f"] == []
    texts = {c.value for c in values}
    assert {LINK, IMG} <= texts


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_safe_text_marks_formulas_only() -> None:
    from budgetsim.reporting.safe import safe_frame, safe_text

    assert [safe_text(v) for v in ("=1+1", "+1+1", "-1+1", "@A1", "\t=1", "\r=1")] == [
        "'=1+1",
        "'+1+1",
        "'-1+1",
        "'@A1",
        "'\t=1",
        "'\r=1",
    ]
    assert [safe_text(v) for v in (-4.5, "-4.5", "+3", "-", "Vård- och äldrenämnden", None)] == [
        -4.5,
        "-4.5",
        "+3",
        "-",
        "Vård- och äldrenämnden",
        None,
    ]
    table = bs.compare(hostile_scenario(), hostile_strategies()).scorecard
    safe = safe_frame(table)
    assert f"'{LINK}" in safe.columns and safe[f"'{LINK}"].equals(table[LINK])


# 4. describe --out, schema --out and explain --plot: atomic, and clear errors


@pytest.fixture
def replaced(monkeypatch) -> list[str]:
    """The targets of every os.replace: a file written whole, then moved in place."""
    targets: list[str] = []
    real = os.replace

    def spy(src, dst):
        targets.append(Path(dst).name)
        real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    return targets


def test_describe_out_is_atomic_and_refuses_missing_folders_and_endings(tmp_path, replaced) -> None:
    out = tmp_path / "model.md"
    out.write_text("old", encoding="utf-8")
    refused = runner.invoke(app, ["describe", "--out", str(out)])  # an existing file only with --force
    assert refused.exit_code == 2 and "exists; pass --force" in refused.output and out.read_text() == "old"
    written = runner.invoke(app, ["describe", "--out", str(out), "--force"])
    assert written.exit_code == 0, written.output
    assert replaced == ["model.md"] and out.read_text(encoding="utf-8").startswith("# Allocation model")
    assert [p.name for p in tmp_path.iterdir()] == ["model.md"]  # no temporary file left
    missing = runner.invoke(app, ["describe", "--out", str(tmp_path / "nope" / "model.md")])
    assert missing.exit_code == 2 and "does not exist" in missing.output and "Traceback" not in missing.output
    ending = runner.invoke(app, ["describe", "--out", str(tmp_path / "model.html")])
    assert ending.exit_code == 2 and "give a .md, .markdown or .txt file" in ending.output
    assert not (tmp_path / "model.html").exists()


def test_schema_out_is_atomic_and_refuses_a_missing_parent_folder(tmp_path, replaced) -> None:
    written = runner.invoke(app, ["schema", "--out", str(tmp_path / "schemas")])
    assert written.exit_code == 0, written.output
    assert sorted(replaced) == ["policy.schema.json", "run.schema.json", "scenario.schema.json"]
    assert (
        "strategies" in json.loads((tmp_path / "schemas" / "run.schema.json").read_text(encoding="utf-8"))["properties"]
    )
    missing = runner.invoke(app, ["schema", "--out", str(tmp_path / "nope" / "schemas")])
    assert missing.exit_code == 2 and "does not exist" in missing.output and "Traceback" not in missing.output
    (tmp_path / "file").write_text("", encoding="utf-8")
    a_file = runner.invoke(app, ["schema", "--out", str(tmp_path / "file")])
    assert a_file.exit_code == 2 and "is a file; give a folder" in a_file.output


def test_explain_plot_is_atomic_and_refuses_unknown_endings_and_folders(tmp_path, replaced) -> None:
    chart = tmp_path / "chart.svg"
    written = runner.invoke(app, ["explain", "ALL", "--plot", str(chart)])
    assert written.exit_code == 0, written.output
    assert replaced == ["chart.svg"] and chart.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    ending = runner.invoke(app, ["explain", "ALL", "--plot", str(tmp_path / "chart.gif")])
    assert ending.exit_code == 2 and "give a .png, .svg or .pdf file" in ending.output
    missing = runner.invoke(app, ["explain", "ALL", "--plot", str(tmp_path / "nope" / "chart.png")])
    assert missing.exit_code == 2 and "does not exist" in missing.output and "Traceback" not in missing.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chart.svg"]
