"""Your own municipality: the folder and workbook format, Borås round trips, SCB files, validation
that names file, row and column, and the command line on a folder with no Python written."""

import csv
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import budgetsim as bs
from budgetsim.cli import app
from budgetsim.formats.scb import read_scb
from budgetsim.io import MunicipalityError, load_municipality, read_municipality, save_municipality, write_template

runner = CliRunner()
SCB = Path(__file__).parent / "data" / "scb"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "town"


@pytest.fixture
def town(tmp_path: Path) -> Path:
    return write_template(tmp_path / "town")


def _lines(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _write(path: Path, lines: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(lines)


def edit(folder: Path, table: str, row: int, column: str, value: str) -> str:
    """Set one cell of data row ``row`` (0 = first) and return 'table.csv:<line>:column'."""
    path = folder / f"{table}.csv"
    lines = _lines(path)
    header = next(i for i, cells in enumerate(lines) if cells and not cells[0].startswith("#"))
    names = lines[header]
    if column not in names:
        names.append(column)
        for cells in lines[header + 1 :]:
            cells.append("")
    lines[header + 1 + row][names.index(column)] = value
    _write(path, lines)
    return f"{table}.csv:{header + 2 + row}:{column}"


def problems_of(folder: Path) -> list[str]:
    return [str(p) for p in read_municipality(folder)[1] if p.severity == "error"]


@pytest.mark.slow
def test_borås_round_trips_through_a_folder_and_a_workbook(tmp_path: Path) -> None:
    s = bs.default_scenario()
    for target in (tmp_path / "boras", tmp_path / "boras.xlsx"):
        loaded = load_municipality(save_municipality(s, target))
        assert loaded == s, target.name
        a = bs.compare(s, bs.strategies.presets.standard_comparison(s))
        b = bs.compare(loaded, bs.strategies.presets.standard_comparison(loaded))
        assert a.frames.equals(b.frames) and a.metrics.equals(b.metrics)


def test_the_template_town_runs_and_adds_up_single_ages_to_the_bands_it_needs(town: Path) -> None:
    s = load_municipality(town)
    assert s.population.labels == ("0-0", "1-5", "6-15", "16-64", "65-79", "80+")
    rows = [r for r in _lines(town / "population.csv") if r and r[0] == "outcome" and r[2] == "2024"]
    ages = {r[3]: float(r[4]) for r in rows}
    assert s.population.outcomes[2024][1] == sum(ages[str(a)] for a in range(1, 6))
    assert s.population.outcomes[2024][-1] == sum(v for a, v in ages.items() if int(a.rstrip("+")) >= 80)
    # years not yet lived follow the forecast, and say so
    assert s.population.outcomes[2026] == s.population.forecasts[0].counts[2026]
    assert any(n.item == "population.outcomes.2025-" and n.status == "assumption" for n in s.notes)
    # a rate given once applies to every year; a row per year overrides revenue
    assert s.economy.wage_uplift == dict.fromkeys(range(2025, 2029), 0.035) and s.economy.revenue[2027] == 1.01e9


def test_example_folder_is_the_template(tmp_path: Path) -> None:
    written = write_template(tmp_path / "town")
    for path in EXAMPLE.glob("*.csv"):
        assert path.read_text(encoding="utf-8") == (written / path.name).read_text(encoding="utf-8"), path.name


def test_cli_runs_a_hand_written_town_with_no_python(tmp_path: Path) -> None:
    town = shutil.copytree(EXAMPLE, tmp_path / "town")
    assert runner.invoke(app, ["validate", str(town)]).exit_code == 0
    compared = runner.invoke(app, ["compare", str(town), "--out", str(tmp_path / "out")])
    assert compared.exit_code == 0, compared.output
    assert (
        "Read municipality folder" in compared.output
        and "Exempelby: budget years 2025-2028, 4 committees" in compared.output
    )
    reported = runner.invoke(app, ["report", str(town), "--out", str(tmp_path / "report")])
    assert reported.exit_code == 0, reported.output
    assert (tmp_path / "report" / "report.html").stat().st_size > 10_000
    explained = runner.invoke(app, ["explain", "SKOL", "2026", "--run-file", str(town), "--language", "sv"])
    assert explained.exit_code == 0 and "à-prisersättning 6-15" in explained.output
    workbook = tmp_path / "town.xlsx"
    assert runner.invoke(app, ["init", str(workbook), "--xlsx"]).exit_code == 0
    assert runner.invoke(app, ["compare", str(workbook), "--out", str(tmp_path / "out2")]).exit_code == 0
    assert runner.invoke(app, ["init", str(town)]).exit_code == 2  # not empty


def test_per_capita_by_hand_on_the_mean_of_year_ends(town: Path) -> None:
    s = load_municipality(town)
    r = bs.simulate(s, bs.strategies.PerCapita())
    lines = [row for row in _lines(town / "population.csv") if row and row[0] in ("outcome", "forecast")]

    def people(year: int, lo: int, hi: int) -> float:
        kind = "outcome" if year <= 2023 else "forecast"  # the 2024 vintage knows facts to 2023
        return sum(
            float(x[4]) for x in lines if x[0] == kind and x[2] == str(year) and lo <= int(x[3].rstrip("+")) <= hi
        )

    # 2025, SKOL: 112,000 SEK per inhabitant aged 6-15 x the mean of the 2024 and 2025 year ends
    mean = (people(2024, 6, 15) + people(2025, 6, 15)) / 2
    frame = r.frames.query("year == 2025 and committee == 'SKOL'").frame.iloc[0]
    assert frame == pytest.approx(112_000 * mean, abs=0.5)
    # 2027 is not in the price list: the 2026 price, uplifted by SKOL's cost mix (70 % wages)
    uplift = 1 + 0.7 * 0.035 + 0.3 * 0.02
    mean27 = (people(2026, 6, 15) + people(2027, 6, 15)) / 2
    frame27 = r.frames.query("year == 2027 and committee == 'SKOL'").frame.iloc[0]
    assert frame27 == pytest.approx(115_500 * uplift * mean27, abs=0.5)
    # the bridge shows the band: 2026 minus 2025 for ages 6-15, to the krona
    bridge = r.explain("SKOL", 2026).table.set_index("component").amount
    mean26 = (people(2025, 6, 15) + people(2026, 6, 15)) / 2
    assert bridge["per_capita:6-15"] == pytest.approx(115_500 * mean26 - 112_000 * mean, abs=0.5)
    # OMS has no price list: 80+ at its volume driver's base-year price, uplifted
    oms = r.frames.query("year == 2025 and committee == 'OMS'").frame.iloc[0]
    mean80 = (people(2024, 80, 100) + people(2025, 80, 100)) / 2
    assert oms == pytest.approx(180_000 * (1 + 0.8 * 0.035 + 0.2 * 0.02) * mean80, abs=0.5)


def test_per_capita_bases_and_composition(town: Path) -> None:
    s = load_municipality(town)
    forecast = bs.simulate(s, bs.strategies.PerCapita(basis="forecast")).frames
    outcome = bs.simulate(s, bs.strategies.PerCapita(basis="outcome")).frames
    mean = bs.simulate(s, bs.strategies.PerCapita()).frames
    assert not forecast.frame.equals(mean.frame) and not outcome.frame.equals(mean.frame)
    routed = bs.strategies.presets.current_model(s)
    frames = bs.simulate(s, bs.transitions.FloorWithDamping(routed, floor=-0.02)).frames
    assert (frames.frame > 0).all()
    with pytest.raises(ValueError, match="committee 'KULT' has neither a price list nor volume drivers"):
        bs.simulate(s, bs.strategies.PerCapita(committees=("KULT",)))


def test_per_capita_passes_the_axioms_the_catalogue_claims() -> None:
    from budgetsim.testing import CATALOGUE, verify
    from budgetsim.testing.catalogue import expected

    entry = CATALOGUE["per capita, mean population"]
    report = verify(entry.make(), max_examples=8, shrink=False).set_index("axiom").holds
    assert report.to_dict() == expected(entry)


@pytest.mark.parametrize(
    "name", ["BE0101N1_boras_2022.px", "BE0101N1_boras_2022.csv", "BE0101N1_boras_2022.jsonstat.json"]
)
def test_scb_files_give_borås_2022_population(name: str) -> None:
    rows = read_scb(SCB / name)
    assert rows["count"].sum() == 114_445  # Borås at 2022-12-31, as published
    assert rows.set_index("band")["count"]["80-84"] == 3_283
    assert set(rows.kind) == {"outcome"}


def test_scb_forecast_and_a_folder_with_scb_files(town: Path) -> None:
    forecast = read_scb(SCB / "boras_forecast_2023.json")
    assert set(forecast.kind) == {"forecast"} and set(forecast.published) == {2023}
    assert forecast.query("year == 2027")["count"].sum() == 116_101  # bands of the published 116,103 (rounding)
    (town / "population.csv").unlink()
    (town / "scb").mkdir()
    for name in ("BE0101N1_boras_2022.px", "boras_forecast_2023.json"):
        shutil.copy(SCB / name, town / "scb" / name)
    messages = problems_of(town)
    assert messages  # the town's years are not Borås's: the problems say where
    assert all("scb/" in m or ".csv" in m for m in messages)


def test_cli_converts_an_scb_file(tmp_path: Path) -> None:
    out = tmp_path / "population.csv"
    result = runner.invoke(app, ["scb", str(SCB / "BE0101N1_boras_2022.px"), "--out", str(out)])
    assert result.exit_code == 0 and "21 rows (21 outcome)" in result.output
    assert _lines(out)[0] == ["kind", "year", "band", "sex", "count"]


# --- malformed files: every problem names file, row and column -------------------------------
CASES = [
    ("committees", 0, "base_frame", "180", "180 looks like MSEK; give SEK"),
    ("committees", 1, "base_frame", "22500", "22500 looks like tkr"),
    ("committees", 0, "base_frame", "abc", "'abc' is not a number"),
    ("committees", 0, "base_frame", "-5e6", "is negative"),
    ("committees", 1, "wage_share", "1.4", "not a share between 0 and 1"),
    ("committees", 1, "wage_share", "", "empty; give a share"),
    ("committees", 1, "id", "FSK", "'FSK' is used by row 10; ids must differ"),
    ("committees", 1, "id", "fsk", "'fsk' is used by row 10 as 'FSK' (ids differ not only in case)"),
    ("committees", 2, "id", "OM S", "give a short id of letters (A-Z, ÅÄÖ), digits, _ and -"),
    ("committees", 2, "id", "ALL", "'ALL' is a reserved word"),
    ("committees", 0, "price_basis", "median", "'median' is not one of forecast, mean, outcome"),
    ("committees", 0, "internal_services_share", "0.5", "exceed 1"),
    ("committees", 0, "mandated_share", "90%", "not a number"),
    ("volume_drivers", 0, "committee", "XYZ", "unknown committee 'XYZ'"),
    ("volume_drivers", 0, "min_age", "x", "'x' is not a whole number"),
    ("volume_drivers", 0, "price", "-1", "is negative"),
    ("need_weights", 0, "weight", "", "empty; give a number of 0 or more"),
    ("need_weights", 3, "care_intensity_growth", "0.01", "differs between the rows of OMS"),
    ("need_weights", 0, "committee", "FORS", "unknown committee 'FORS'"),
    ("price_lists", 0, "year", "20x5", "'20x5' is not a whole number"),
    ("price_lists", 0, "year", "2525", "not a year"),
    ("price_lists", 1, "price", "lots", "'lots' is not a number"),
    ("price_lists", 2, "committee", "KULTUR", "unknown committee 'KULTUR'"),
    ("population", 0, "kind", "guess", "'guess' is not one of outcome, forecast"),
    ("population", 0, "age", "-3", "is negative"),
    ("population", 5, "count", "many", "'many' is not a number"),
    ("population", 5, "age", "4", "age 4 is given twice"),
    ("population", 3, "band", "0-4", "give either age or band"),
    (
        "economy",
        1,
        "year",
        "2035",
        "2035 is after the end year 2028 (kept for a longer run), and revenue has no value for budget year(s) [2025]",
    ),
    ("economy", 1, "year", "2020", "2020 is not a budget year (2025-2028, or later for a longer run)"),
    ("economy", 0, "wage_uplift", "3,5 %", "not a number"),
    ("economy", 0, "efficiency", "x", "'x' is not a number"),
    ("additions", 0, "committee", "NONE", "unknown committee 'NONE'"),
    ("additions", 0, "year", "2024", "2024 is not a budget year"),
    ("cost_steps", 0, "share", "x", "'x' is not a number"),
    ("uncertainty", 0, "parameter", "colour_sd", "unknown parameter 'colour_sd'"),
    ("sources", 0, "status", "rumour", "'rumour' is not one of published, estimate, assumption"),
    ("municipality", 0, "end_year", "2024", "2024 is not after base_year 2024"),
]


@pytest.mark.parametrize(
    ("table", "row", "column", "value", "message"), CASES, ids=[f"{c[0]}.{c[2]}={c[3]}" for c in CASES]
)
def test_malformed_cells_name_file_row_and_column(town: Path, table, row, column, value, message) -> None:
    where = edit(town, table, row, column, value)
    found = problems_of(town)
    assert any(m.startswith(where) and message in m for m in found), found
    with pytest.raises(MunicipalityError) as info:
        load_municipality(town)
    assert where in str(info.value) and "ValidationError" not in str(info.value)


def test_structural_problems_are_all_reported_at_once(town: Path) -> None:
    lines = _lines(town / "committees.csv")
    header = next(i for i, c in enumerate(lines) if c and not c[0].startswith("#"))
    lines[header] = ["base_frames" if c == "base_frame" else c for c in lines[header]]
    _write(town / "committees.csv", lines)
    (town / "economy.csv").unlink()
    population = _lines(town / "population.csv")
    _write(
        town / "population.csv",
        [r for r in population if not (r and r[0] == "outcome" and r[2] == "2023" and r[3] == "7")],
    )
    found = problems_of(town)
    assert any(m.startswith(f"committees.csv:{header + 1}:base_frames: unknown column") for m in found)
    assert any(m.startswith(f"committees.csv:{header + 1}:base_frame: missing column") for m in found)
    assert any(m.startswith("economy.csv: missing: the table of uplift rates") for m in found)
    assert any(":age: outcome 2023: no count for age(s) [7]" in m for m in found)


def test_files_as_swedish_excel_saves_them_give_the_same_scenario(town: Path, tmp_path: Path) -> None:
    """Windows-1252 with semicolons and decimal commas ("CSV (semicolon separated)") and tabs
    ("Text (tab delimited)") read as the UTF-8 original; validate notes the encoding, not a warning."""
    original = load_municipality(town)
    path = town / "committees.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.replace(",", ";").replace(".", ",").encode("cp1252"))  # all are decimal points
    assert load_municipality(town) == original
    assert [str(p) for p in read_municipality(town)[1]] == ["committees.csv: read as Windows-1252 text"]
    assert original.committees[0].name == "Förskolenämnden"
    result = runner.invoke(app, ["validate", str(town)])
    assert result.exit_code == 0 and "note: committees.csv: read as Windows-1252 text" in result.output
    assert "0 warning(s)" in result.output
    path.write_text(text.replace(",", "\t"), encoding="utf-8")
    assert load_municipality(town) == original and read_municipality(town)[1] == []


def test_last_age_must_be_open_and_municipality_has_one_row(town: Path) -> None:
    population = _lines(town / "population.csv")
    _write(town / "population.csv", [[c.replace("100+", "100") for c in r] for r in population])
    assert any("must be open-ended (100+)" in m for m in problems_of(town))
    lines = _lines(town / "municipality.csv")
    _write(town / "municipality.csv", [*lines, lines[-1]])
    assert any(m.startswith("municipality.csv:") and "give exactly one row" in m for m in problems_of(town))


def test_workbook_problems_name_the_sheet(tmp_path: Path) -> None:
    import openpyxl

    path = write_template(tmp_path / "town.xlsx", xlsx=True)
    book = openpyxl.load_workbook(path)
    book["committees"]["D3"] = 330  # SKOL's base frame in MSEK
    book.save(path)
    found = problems_of(path)
    assert found == ["town.xlsx:committees:3:base_frame: 330 looks like MSEK; give SEK (e.g. 330,000,000)"]


def test_scenario_level_errors_are_located_and_warnings_raised(town: Path) -> None:
    edit(town, "volume_drivers", 0, "price", "900000")  # 80+ x 900,000 exceeds OMS's frame
    found = problems_of(town)
    committees = _lines(town / "committees.csv")
    line = next(i for i, c in enumerate(committees) if c and c[0] == "OMS") + 1
    assert any(m.startswith(f"committees.csv:{line}:price:") and "more than the base frame" in m for m in found)
    edit(town, "volume_drivers", 0, "price", "180000")
    edit(town, "economy", 1, "revenue", "1")
    with pytest.warns(bs.io.MunicipalityWarning, match="cannot fund the frames"):
        load_municipality(town)
    lines = [r for r in _lines(town / "need_weights.csv") if not (r and r[0] == "KULT")]
    _write(town / "need_weights.csv", lines)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_municipality(town)
    assert any("KULT: no need weights; its need then follows its base cost" in str(w.message) for w in caught)


def test_validate_command_and_inputs_of_the_wrong_kind(town: Path, tmp_path: Path) -> None:
    edit(town, "committees", 0, "base_frame", "180")
    result = runner.invoke(app, ["validate", str(town)])
    assert result.exit_code == 1 and "committees.csv:" in result.output and "looks like MSEK" in result.output
    scenario = bs.io.save_scenario(bs.default_scenario(), tmp_path / "boras.yaml")
    assert "Read scenario file" in runner.invoke(app, ["describe", str(scenario)]).output
    other = tmp_path / "process.yaml"
    other.write_text("year_end: {}\n", encoding="utf-8")
    wrong = runner.invoke(app, ["compare", str(other)])
    assert wrong.exit_code == 2 and "neither a run file" in wrong.output and "scenario: town.yaml" in wrong.output


def test_run_file_on_a_municipality_folder(town: Path, tmp_path: Path) -> None:
    run = tmp_path / "run.yaml"
    run.write_text(
        f"scenario: {town}\nstrategies:\n  prices: {{rule: per_capita}}\n  capped: {{rule: cap, inner: prices, max_loss: 0.01, keep_total: false}}\n",
        encoding="utf-8",
    )
    loaded = bs.io.load_run(run)
    assert loaded.scenario.name == "Exempelby" and list(loaded.strategies) == ["prices", "capped"]
    frames = bs.simulate(loaded.scenario, loaded.strategies["capped"]).raw.frame
    assert np.all(frames[:, 1:] >= frames[:, :-1] * 0.99 - 1e-6)


def test_scenario_files_take_constant_rates_and_errors_name_the_file(tmp_path: Path) -> None:
    data = bs.default_scenario().model_dump(mode="json")
    data["economy"]["wage_uplift"] = 0.035
    s = bs.Scenario.model_validate(data)
    assert s.economy.wage_uplift == dict.fromkeys(range(2024, 2031), 0.035)
    data["committees"][0]["cost_mix"]["wages"] = 1.4
    path = tmp_path / "town.json"
    path.write_text(__import__("json").dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["compare", str(path)])
    assert result.exit_code == 2
    assert f"{path}:committees.0.cost_mix.wages: Input should be less than or equal to 1" in result.output
    assert "errors.pydantic.dev" not in result.output


def test_borås_folder_runs_as_the_built_in_data(tmp_path: Path) -> None:
    """`budgetsim compare data/boras` prints what `budgetsim compare` prints: the folder's scenario
    and its process.yaml are the dataset's scenario and default process."""
    from budgetsim.datasets.boras import folder

    built_in = runner.invoke(app, ["compare", "--out", str(tmp_path / "a")])
    loaded = runner.invoke(app, ["compare", str(folder()), "--out", str(tmp_path / "b")])
    assert built_in.exit_code == loaded.exit_code == 0, loaded.output
    assert loaded.output.splitlines()[0] == f"Read municipality folder {folder()}"
    assert loaded.output.splitlines()[1:-1] == built_in.output.splitlines()[:-1]  # the last: where it wrote
    assert (tmp_path / "a" / "frames.csv").read_bytes() == (tmp_path / "b" / "frames.csv").read_bytes()


def test_a_folder_keeps_data_for_a_longer_run_and_its_process(town: Path) -> None:
    """Economy rows after the end year are kept (a run with a later end year uses them); one before
    the first budget year is an error; a bad process.yaml is named by file and field."""
    with (town / "economy.csv").open("a", encoding="utf-8") as handle:
        handle.write("2029,0.03,0.02,0.01,0.04,1040000000\n")
    assert load_municipality(town).economy.revenue[2029] == 1_040_000_000
    edit(town, "economy", 1, "year", "2024")
    assert any("economy.csv:10:year: 2024 is not a budget year (2025-2028" in m for m in problems_of(town))
    edit(town, "economy", 1, "year", "2025")
    (town / "process.yaml").write_text("year_end: {XYZ: [{rule: write_off}]}\n", encoding="utf-8")
    message = f"{town / 'process.yaml'}: process.year_end: unknown committee(s) ['XYZ']; known: FSK, SKOL, OMS, KULT"
    result = runner.invoke(app, ["compare", str(town), "--out", str(town.parent / "out")])
    assert result.exit_code == 2 and result.output.strip() == f"error: {message}"
    result = runner.invoke(app, ["validate", str(town)])
    assert result.exit_code == 1 and result.output.splitlines()[0] == f"error: {message}"


def test_scb_outcomes_beside_the_municipalitys_own_forecast(tmp_path: Path) -> None:
    """SCB's file of year-end counts in scb/ and the forecasts in population.csv make one
    population: Borås's 2022 outcome from SCB gives the scenario the published table gives."""
    s = bs.default_scenario()
    town = save_municipality(s, tmp_path / "boras")
    lines = _lines(town / "population.csv")
    _write(town / "population.csv", [r for r in lines if not (r[0] == "outcome" and r[2] == "2022")])
    (town / "scb").mkdir()
    shutil.copy(SCB / "BE0101N1_boras_2022.px", town / "scb")
    loaded, problems = read_municipality(town)
    assert loaded == s
    assert [str(p) for p in problems] == [
        "population: outcome 2022 from scb/, outcome 2023-2053, 30 forecasts published 2023-2052 from population.csv"
    ]
    # where both give a year, population.csv's rows are used, and the note says so
    _write(town / "population.csv", lines)
    loaded, problems = read_municipality(town)
    assert loaded == s and "(given in both, population.csv's used: outcome 2022)" in str(problems[0])
    result = runner.invoke(app, ["validate", str(town)])
    assert result.exit_code == 0 and result.output.startswith("note: population: nothing from scb/")


def test_outcomes_by_single_age_and_a_forecast_by_band(town: Path) -> None:
    """Single ages are added up to the bands other rows give, so outcomes from SCB by single year
    and a forecast by band mix; an open age that a band would split is an error."""
    original = load_municipality(town)
    bands = original.population.bands
    lines = _lines(town / "population.csv")
    header = next(i for i, c in enumerate(lines) if c and not c[0].startswith("#"))
    names = lines[header]
    rows = [dict(zip(names, r, strict=True)) for r in lines[header + 1 :] if r]
    banded: dict[tuple[str, str, str], float] = {}
    for r in rows:
        if r["kind"] == "forecast":
            age = int(r["age"].rstrip("+"))
            band = next(b for b in bands if b.min_age <= age and (b.max_age is None or age <= b.max_age))
            key = (r["published"], r["year"], band.label)
            banded[key] = banded.get(key, 0.0) + float(r["count"])
    out = [["kind", "published", "year", "age", "band", "count"]]
    out += [[r["kind"], "", r["year"], r["age"], "", r["count"]] for r in rows if r["kind"] == "outcome"]
    out += [["forecast", p, y, "", label, str(count)] for (p, y, label), count in banded.items()]
    _write(town / "population.csv", out)
    assert load_municipality(town) == original
    with (town / "population.csv").open("a", encoding="utf-8") as handle:  # an open age inside a band
        handle.write(f"outcome,,2021,{bands[-1].min_age - 1}+,,5\n")
    assert any(
        f"the open age {bands[-1].min_age - 1}+ cannot be split between the bands" in m for m in problems_of(town)
    )
