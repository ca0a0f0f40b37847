"""The Excel pack and the HTML report: their numbers equal the DataFrames; the HTML is
self-contained and renders in headless Chromium (installed by .ci/run)."""

import html
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import matplotlib
import pytest
from test_hostile import XSS, hostile_scenario, hostile_strategies

import budgetsim as bs
from budgetsim.datasets.boras import boras_practice
from budgetsim.reporting.report import report

matplotlib.use("Agg")
STRATEGIES = {"current": bs.strategies.boras_current(), "needs": bs.strategies.needs_based()}


class Cells(HTMLParser):
    """Collects (table id, column, data-value) of every numeric cell, and every src/href."""

    def __init__(self) -> None:
        super().__init__()
        self.table = None
        self.cells: list[tuple[str, str, float]] = []
        self.links: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.table = a.get("id")
        if tag == "td" and "data-value" in a:
            self.cells.append((self.table, a["data-column"], float(a["data-value"])))
        if tag == "script":
            self.scripts += 1
        self.links += [v for k, v in attrs if k in {"src", "href"} and v]


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> tuple[dict[str, Path], bs.Comparison]:
    out = tmp_path_factory.mktemp("report")
    s = bs.default_scenario()
    paths = report(s, STRATEGIES, out, process=boras_practice(), draws=300, seed=1)
    return paths, bs.compare(s, STRATEGIES, process=boras_practice())


def test_excel_pack_numbers_equal_the_dataframes(made) -> None:
    import openpyxl

    paths, cmp = made
    book = openpyxl.load_workbook(paths["excel"])
    assert book.sheetnames[:2] == ["Summary", "FSN"] and {"Bridges", "Metrics", "Model"} <= set(book.sheetnames)
    summary = book["Summary"]
    header = [c.value for c in summary[2]]
    first = {h: c.value for h, c in zip(header, summary[3], strict=False)}
    assert first["strategy"] == "current"
    assert first["mean need coverage"] == pytest.approx(cmp.metrics.mean_coverage.iloc[0])
    assert first["deficits, MSEK"] == pytest.approx(cmp.metrics.deficits.iloc[0] / 1e6)
    vän = book["VÄN"]
    rows = [[c.value for c in row] for row in vän.iter_rows(min_row=3)]
    cols = [c.value for c in vän[2]]
    frame_2030 = next(r for r in rows if r[cols.index("strategy")] == "needs" and r[cols.index("year")] == 2030)
    expected = cmp.outcomes.query("strategy == 'needs' and committee == 'VÄN' and year == 2030").frame.iloc[0] / 1e6
    assert frame_2030[cols.index("frame (MSEK)")] == pytest.approx(expected)
    assert vän["C3"].number_format == "#,##0.0"
    model_text = "\n".join(str(c.value) for c in book["Model"]["A"] if c.value)
    assert "Volume uplift" in model_text and "IFN: deficits 100 % written off" in model_text


def test_html_is_self_contained_and_its_numbers_equal_the_dataframes(made) -> None:
    paths, cmp = made
    parser = Cells()
    parser.feed(paths["html"].read_text(encoding="utf-8"))
    assert parser.scripts == 0 and parser.links == []  # nothing fetched, nothing run
    last = cmp.frames.query("year == 2030")
    shown = [v for t, col, v in parser.cells if t == "frames-last-year" and col == "needs"]
    assert shown == pytest.approx(last.query("strategy == 'needs'").frame.tolist())
    metrics = [v for t, col, v in parser.cells if t == "metrics" and col == "coverage_gini"]
    assert metrics == pytest.approx(cmp.metrics.coverage_gini.tolist())
    assert any(t == "risk-last-year" for t, _, _ in parser.cells)


def headless_chromium(tmp_path: Path) -> tuple[str, list[str]]:
    """Chromium and its headless flags (skips the test where chromium is not installed)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed on this machine")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    return chromium, flags


@pytest.mark.slow
def test_html_renders_in_headless_chromium(made, tmp_path) -> None:
    chromium, flags = headless_chromium(tmp_path)
    paths, cmp = made
    url = paths["html"].resolve().as_uri()
    dom = subprocess.run(
        [chromium, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    parser = Cells()
    parser.feed(dom)
    rendered = [v for t, col, v in parser.cells if t == "frames-last-year" and col == "current"]
    assert rendered == pytest.approx(cmp.frames.query("year == 2030 and strategy == 'current'").frame.tolist())
    assert dom.count("<svg") >= 4
    shot = tmp_path / "page.png"
    subprocess.run(
        [chromium, *flags, "--window-size=1200,2000", f"--screenshot={shot}", url],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 50_000  # a page with tables and charts, not a blank one


class Body(HTMLParser):
    """The attributes of the page's body, as the browser left them after loading it."""

    def __init__(self) -> None:
        super().__init__()
        self.attrs: dict[str, str | None] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.attrs = dict(attrs)


@pytest.mark.slow
def test_hostile_names_run_no_script_in_headless_chromium(tmp_path) -> None:
    chromium, flags = headless_chromium(tmp_path)
    paths = report(hostile_scenario(), hostile_strategies(), tmp_path / "report")
    url = paths["html"].resolve().as_uri()
    dom = subprocess.run(
        [chromium, *flags, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    body = Body()
    body.feed(dom)
    assert body.attrs is not None and "data-xss" not in body.attrs  # document.body.getAttribute("data-xss") is null
    assert html.escape(XSS, quote=False) in dom  # the name is on the page, as text


def test_sheet_names_are_valid_and_never_hide_the_packs_own(tmp_path) -> None:
    import openpyxl

    from budgetsim.reporting.excel import write_excel

    s = bs.default_scenario()
    committees = [
        c.model_copy(update={"id": new})
        for c, new in zip(s.committees, ["A/B", "Model", "Bridges", "IFN", "SON", "VÄN", "ÖVR"], strict=True)
    ]
    renamed = s.replace(committees=committees, notes=())
    cmp = bs.compare(renamed, {"current": bs.strategies.boras_current()})
    book = openpyxl.load_workbook(write_excel(cmp, tmp_path / "x.xlsx"))
    assert {"A_B", "Model (committee)", "Bridges (committee)", "Model", "Bridges"} <= set(book.sheetnames)


def test_html_shows_years_and_counts_as_integers(made) -> None:
    paths, _ = made
    text = paths["html"].read_text(encoding="utf-8")
    assert 'data-column="year" data-value="2030.0">2030<' in text and "2,030.000" not in text


def test_html_explains_every_metric_and_shares_one_scale_and_a_fan_chart_per_strategy(made) -> None:
    paths, cmp = made
    page = paths["html"].read_text(encoding="utf-8")
    glossary = page[page.index('<dl class="glossary">') :]
    for column in cmp.metrics.columns.drop("strategy"):
        assert f"<dt>{html.escape(bs.core.text.term(column))}</dt>" in glossary, column
    spreads = re.findall(r'<figure class="coverage" data-spread="([^"]+)">', page)
    assert len(spreads) == len(cmp.results) and len(set(spreads)) == 1  # one colour scale for all
    fans = page.split('<h3 class="fan">')[1:]
    assert [f[: f.index("<")] for f in fans] == list(cmp.results)
    committees = cmp.frames.committee.nunique()
    assert all(f.split("<h")[0].count("<figure>") == committees for f in fans)  # one per committee
    assert "<text" in page  # the charts' words are text, not outlines


LAYOUT_PROBE = """<script>addEventListener("load", () => {
  const wide = [...document.querySelectorAll("h1, h2, h3, p, table, figure, dl, ul")]
    .filter(e => !e.closest(".scroll") && e.getBoundingClientRect().right > innerWidth + 1)
    .map(e => e.tagName + "#" + e.id);
  document.body.dataset.layout = JSON.stringify({width: innerWidth, scroll: document.documentElement.scrollWidth, wide});
});</script>"""


@pytest.mark.slow
@pytest.mark.parametrize("width", [390, 1280])
def test_html_fits_a_phone_and_a_desktop_screen(made, tmp_path, width) -> None:
    """Nothing but a table's own scroll box is wider than the screen (headless Chromium keeps a
    window at least 500 px wide, so 'phone' is 500 px here)."""
    chromium, flags = headless_chromium(tmp_path)
    paths, _ = made
    probe = tmp_path / "probe.html"
    probe.write_text(paths["html"].read_text(encoding="utf-8").replace("</body>", LAYOUT_PROBE + "</body>"))
    dom = subprocess.run(
        [chromium, *flags, f"--window-size={width},900", "--dump-dom", probe.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    body = Body()
    body.feed(dom)
    assert body.attrs is not None
    layout = json.loads(html.unescape(body.attrs["data-layout"] or ""))
    assert layout["wide"] == [] and layout["scroll"] <= layout["width"], layout
    shot = tmp_path / f"page-{width}.png"
    subprocess.run(
        [chromium, *flags, f"--window-size={width},2000", f"--screenshot={shot}", paths["html"].resolve().as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 30_000  # tables and charts drawn at this width, not a blank page
