"""Everything a user reads is also available in Swedish: the model description of every registered
rule, the bridges, and the HTML report (its text and the words in its charts) contain no English
words once ``language="sv"`` is asked for."""

import html
import re
import subprocess
import tempfile
from pathlib import Path

import matplotlib
import pytest
from test_report import headless_chromium

import budgetsim as bs
from budgetsim.core.registry import registered
from budgetsim.datasets.boras import boras_practice
from budgetsim.reporting.report import report

matplotlib.use("Agg")
S = bs.default_scenario()

#: common English words that are not Swedish words (so a hit is an untranslated text)
ENGLISH = set(
    """the and with of to for from by are not its their each when that this which than into only over
    committee committees frame frames need needs coverage strategy strategies incremental efficiency
    share cost costs deficit deficits surplus surpluses price prices wage wages based current volume
    draws uplift source sources published estimate assumption year years result results growth revenue
    mean bridge written request requests granted reserve none rules summary glossary last writes
    inhabitant inhabitants level levels target""".split()  # noqa: SIM905 (a word list reads best as text)
)
#: a field path or code name (committees.FSN.need.need_index, base_year, `budgetsim sources`) is an
#: identifier, not text
IDENTIFIER = re.compile(r"`[^`]*`|<code>.*?</code>|\S*\w[._]\w\S*")


def english_words(text: str) -> set[str]:
    """The English words in ``text``, identifiers left out."""
    words = re.findall(r"[A-Za-zÅÄÖåäöé]+", IDENTIFIER.sub(" ", text))
    return {w for w in words if w.lower() in ENGLISH}


def visible_text(page: str) -> str:
    """The words a reader sees on an HTML page, those drawn in its SVG charts included."""
    page = re.sub(r"<(style|script|code)\b.*?</\1>", " ", page, flags=re.DOTALL)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_checker_finds_english() -> None:
    assert english_words("Ramar per nämnd: frame 2030, committees.FSN.need_index, `budgetsim sources`") == {"frame"}


def _rules() -> list[tuple[str, object]]:
    return [
        (f"{tag}: {example.name}", example.make(S))
        for kind in ("strategy", "year_end", "grant")
        for tag, cls in registered(kind).items()
        for example in cls.examples
    ]


@pytest.mark.parametrize(("name", "rule"), _rules(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_registered_rule_is_described_in_swedish(name: str, rule: object) -> None:
    tag = name.split(":")[0]
    if tag in registered("strategy"):
        text = bs.describe(S, rule, language="sv")
    else:
        process = (
            bs.process.BudgetProcess(year_end={"*": (rule,)})
            if tag in registered("year_end")
            else bs.process.BudgetProcess(requests=bs.process.Requests(rule=rule))
        )
        text = bs.describe(S, bs.strategies.boras_current(), process, "sv")
    assert english_words(text) == set(), text


def test_bridges_and_the_dataset_model_are_in_swedish() -> None:
    result = bs.simulate(S, bs.strategies.boras_current(), process=boras_practice())
    for committee in (None, "VÄN", "IFN"):
        bridge = result.explain(year=2026, committee=committee, language="sv")
        assert english_words(bridge.table.label.str.cat(sep=" ") + " " + str(bridge)) == set()
    assert english_words(bs.describe(S, bs.strategies.boras_current(), boras_practice(), "sv")) == set()


@pytest.fixture(scope="module")
def swedish_report(tmp_path_factory) -> Path:
    strategies = {"current": bs.strategies.boras_current(), "needs based": bs.strategies.needs_based()}
    out = tmp_path_factory.mktemp("sv")
    return report(S, strategies, out, process=boras_practice(), draws=30, seed=1, language="sv")["html"]


@pytest.mark.slow
def test_the_swedish_report_has_no_english_words(swedish_report: Path) -> None:
    page = swedish_report.read_text(encoding="utf-8")
    assert '<html lang="sv">' in page
    charts = " ".join(re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL))
    assert "behovstäckning" in visible_text(charts).lower()  # chart words are text, and Swedish
    assert english_words(visible_text(page)) == set()


@pytest.mark.slow
def test_the_swedish_workbook_has_no_english_words_and_no_markup(swedish_report: Path) -> None:
    """Read back: sheet names, titles, headers, component and metric labels and the model's
    description are Swedish, and no cell holds Markdown."""
    import openpyxl

    book = openpyxl.load_workbook(swedish_report.parent / "comparison.xlsx")
    assert book.sheetnames == ["Sammanfattning", *S.committee_ids, "Bryggor", "Nyckeltal", "Modell"]
    texts = [c.value for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert english_words(re.sub(r"budgetsim \w+", " ", " ".join(texts))) == set()  # a command is a name
    assert [t for t in texts if re.search(r"\*\*|`|^#|^\|", t)] == []
    headers = [c.value for c in book["Bryggor"][2]]
    assert headers == ["strategi", "år", "nämnd", "komponent", "belopp (mnkr)"]
    assert {"lönekompensation", "föregående års ram"} <= {c.value for c in book["Bryggor"]["D"]}
    assert "Ginikoefficient för behovstäckning" in [c.value for c in book["Sammanfattning"][2]]
    assert any(t.startswith("• ") for t in texts)  # the description's lists, as plain text


@pytest.mark.slow
def test_the_swedish_sources_table_labels_every_parameter(swedish_report: Path) -> None:
    page = swedish_report.read_text(encoding="utf-8")
    sources = page[page.index('id="sources"') :]
    assert "<th>parameter</th><th>beskrivning</th>" in sources
    assert ">FSN: lönekostnadsandel<" in sources and ">löneindex 2025–<" in sources
    labels = [bs.core.text.item_label(n.item, "sv") for n in S.notes]
    assert [n.item for n, label in zip(S.notes, labels, strict=True) if label == n.item] == []  # all labelled


@pytest.mark.slow
def test_the_swedish_report_in_a_browser(swedish_report: Path, tmp_path: Path) -> None:
    """What Chromium shows of the Swedish report: the glossary (Ordlista), one colour scale for the
    coverage of both strategies, a fan chart per strategy and committee, and no English words."""
    chromium, flags = headless_chromium(tmp_path)
    dom = subprocess.run(
        [chromium, *flags, "--dump-dom", swedish_report.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert '<h2 id="glossary">Ordlista</h2>' in dom and "<dt>genomsnittlig behovstäckning</dt>" in dom
    spreads = re.findall(r'<figure class="coverage" data-spread="([^"]+)">', dom)
    assert len(spreads) == 2 and len(set(spreads)) == 1
    fans = dom.split('<h3 class="fan">')[1:]
    assert [f[: f.index("<")] for f in fans] == ["nuvarande modell", "behovsbaserad"]
    assert all(f.split("<h")[0].count("<figure>") == len(S.committees) for f in fans)
    assert english_words(visible_text(dom)) == set()


def test_compare_prints_in_swedish_and_explain_takes_a_path(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from budgetsim.cli import app
    from budgetsim.datasets.boras import folder

    runner = CliRunner()
    result = runner.invoke(app, ["compare", "--language", "sv", "--out", str(tmp_path / "sv")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Borås Stad: budgetår 2024–2030, 7 nämnder"
    assert "genomsnittlig behovstäckning                         0,991" in result.output
    assert lines[-1].startswith(f"Skrev 9 tabeller och manifest.json till {tmp_path / 'sv'}/")
    assert english_words(re.sub(r"\S+\.(csv|json)|/\S+", " ", result.output)) == set()
    # explain takes PATH like every other command (the year may be left out; --run-file still works)
    for args, year in (
        (["VÄN", "2027", str(folder())], 2027),
        (["VÄN", str(folder())], 2030),
        (["VÄN", "2027", "--run-file", str(folder())], 2027),
    ):
        explained = runner.invoke(app, ["explain", *args, "--language", "sv"])
        assert explained.exit_code == 0, explained.output
        assert f"VÄN, {year}: från föregående års ram till årets (nuvarande modell)" in explained.output
    twice = runner.invoke(app, ["explain", "VÄN", str(folder()), "--run-file", str(tmp_path)])
    assert twice.exit_code == 2 and "give the input once" in twice.output


def test_the_description_is_true_to_the_run() -> None:
    """Each rule once, the prices of the years the run uses (FSK's 2026 list price uplifted by its
    cost mix: 157,000 x (1 + 0.75 x 3.5 % + 0.25 x 2 %) = 161,906.25 in 2027), no rule that covers
    no committee, and numbers in Swedish form."""
    from budgetsim.formats.template import write_template
    from budgetsim.io import load_municipality
    from budgetsim.strategies.presets import standard_comparison

    town = load_municipality(write_template(Path(tempfile.mkdtemp()) / "town"))
    current = standard_comparison(town)["current"]
    text = bs.describe(town, current, None, "sv")
    assert text.count("**À-prislista.**") == 1 and "*FSK, SKOL:* **À-prislista.**" in text
    assert "- FSK (Förskolenämnden): 1-5: 2025 152 000 kr, 2026 157 000 kr, 2027 161 906 kr*, 2028 166 966 kr*" in text
    assert round(157_000 * (1 + 0.75 * 0.035 + 0.25 * 0.02)) == 161_906
    # the run pays those prices: FSK's frame in 2027 is the 2027 price times its budget population
    result = bs.simulate(town, current)
    band, year = [b.label for b in result.arrays.bands].index("1-5"), list(result.arrays.years).index(2027)
    known = result.arrays.known_population[0, year, 1:, band]  # the year-end counts around 2027, as known then
    frame = result.frames.query("committee == 'FSK' and year == 2027").frame.iloc[0]
    assert frame == pytest.approx(161_906.25 * known.mean(), rel=1e-12)
    # a volume uplift that covers nobody is not described; a need index is written the Swedish way
    no_drivers = town.replace(committees=tuple(c.model_copy(update={"volume_drivers": ()}) for c in town.committees))
    assert "Volymuppräkning" not in bs.describe(no_drivers, bs.strategies.boras_current(), None, "sv")
    indexed = town.replace_committee("OMS", need=town.committee("OMS").need.model_copy(update={"need_index": 1.02}))
    described = bs.describe(indexed, bs.strategies.needs_based(), None, "sv")
    assert "behovsindex 1,02" in described and "1.02" not in described


@pytest.mark.slow
def test_the_transition_plan_in_swedish_and_in_english() -> None:
    from budgetsim.design import design_transition

    current = bs.strategies.boras_current()
    found = design_transition(S, current, bs.strategies.needs_based(total=current), max_loss=0.02)
    swedish, english = found.plan_html("sv"), found.plan_html("en")
    assert '<h2 id="transition">Övergångsplan</h2>' in swedish and '<h2 id="transition">Transition plan</h2>' in english
    assert english_words(visible_text(swedish)) == set()
    assert found.recommended in english and found.candidates.set_index("design").design_sv[found.recommended] in swedish
    assert "Paretomängd" in visible_text(swedish) and "Pareto set" in visible_text(english)  # the front's legend
