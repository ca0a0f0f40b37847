"""Bridges add up exactly, and the model's description names the parameters actually in force."""

import numpy as np
import pytest

import budgetsim as bs
from budgetsim.datasets.boras import boras_practice
from budgetsim.transitions import FloorWithDamping


@pytest.fixture(scope="module")
def practice() -> bs.Result:
    return bs.simulate(bs.default_scenario(), bs.strategies.boras_current(), process=boras_practice())


def test_every_bridge_adds_up(practice: bs.Result) -> None:
    frames = practice.frames.set_index(["year", "committee"]).frame
    for year in practice.scenario.years:
        for committee in [*practice.scenario.committee_ids, None]:
            b = practice.explain(committee, int(year))
            assert b.check()
            changes = b.table.query("component not in ['base', 'frame']").amount.sum()
            start, end = b.table.amount.iloc[0], b.table.amount.iloc[-1]
            expected = frames.loc[int(year)].sum() if committee is None else frames[(int(year), committee)]
            assert end == pytest.approx(expected, rel=1e-12)
            assert start + changes == pytest.approx(end, rel=1e-12)


def test_bridge_by_hand_for_incremental() -> None:
    s = bs.default_scenario()
    b = bs.simulate(s, bs.strategies.incremental()).explain("GSN", 2024)
    base = s.committee("GSN").base_frame
    assert b.table.set_index("component").amount.to_dict() == pytest.approx(
        {
            "base": base,
            "wages": base * 0.65 * 0.033,
            "prices": base * 0.35 * 0.018,
            "efficiency": -base * 0.01,
            "frame": base * 1.01775,
        }
    )
    assert b.table.label.tolist() == [
        "last year's frame",
        "wage uplift",
        "price uplift",
        "efficiency requirement",
        "this year's frame",
    ]
    sv = bs.simulate(s, bs.strategies.incremental()).explain("GSN", 2024, language="sv")
    assert sv.table.label.iloc[1] == "lönekompensation"


def test_process_components_are_grouped(practice: bs.Result) -> None:
    table = practice.explain(year=2029).table
    groups = dict(zip(table.component, table.group, strict=True))
    assert groups["deficit_recovery"] == "year-end effects" and groups["request_granted"] == "requests"
    assert groups["wages"] == "price and wage uplift"


def test_explain_errors(practice: bs.Result) -> None:
    with pytest.raises(ValueError, match="2040 is not a budget year"):
        practice.explain("IFN", 2040)
    with pytest.raises(ValueError, match="unknown committee 'XYZ'"):
        practice.explain("XYZ")


def test_description_names_the_parameters_in_force() -> None:
    s = bs.default_scenario().with_volume_driver("VÄN", min_age=80)
    price = s.committee("VÄN").volume_drivers[0].price
    rule = FloorWithDamping(bs.strategies.needs_based(total=bs.strategies.boras_current()), floor=-0.01)
    text = bs.describe(s, rule, process=boras_practice())
    assert f"VÄN (Vård- och äldrenämnden): 80+ at {price:,.0f} SEK" not in text  # the floor wraps needs, not volume
    assert "no committee's frame changes by less than -1 % a year".lower() in text.lower()
    assert "IFN: deficits 100 % written off" in text and "SON:" in text and "ratchet: 50 %" in text
    assert "VÄN: accumulated result at the start 170.0 MSEK" in text
    current = bs.describe(s, bs.strategies.boras_current())
    assert f"VÄN (Vård- och äldrenämnden): 80+ at {price:,.0f} SEK" in current
    assert "2024: wages 3.3 %, other 1.8 %, efficiency 1 %" in current
    assert "Not covered: IFN, SON, ÖVR" in current
    s65 = bs.default_scenario()
    assert "65+ at" in bs.describe(s65, bs.strategies.boras_current())


def test_description_in_swedish_and_of_a_user_rule() -> None:
    def equal_growth(ctx):
        """Every committee grows by two per cent."""
        return {"growth": 0.02 * ctx.last_frame}

    text = bs.describe(bs.default_scenario(), equal_growth, language="sv")
    assert text.startswith("# Resursfördelningsmodell: equal_growth")
    assert "**equal_growth** (egen regel). Every committee grows by two per cent." in text
    with pytest.raises(ValueError, match="language must be one of"):
        bs.describe(bs.default_scenario(), equal_growth, language="de")


def test_many_draws_bridge_picks_one_draw() -> None:
    s = bs.default_scenario()
    mc = bs.monte_carlo(s, bs.strategies.boras_current(), draws=3, seed=1, keep_draws=True).result
    assert not np.isclose(
        mc.explain("FSN", 2030, draw=0).table.amount.iloc[-1], mc.explain("FSN", 2030, draw=1).table.amount.iloc[-1]
    )


def test_description_of_the_process_covers_requests_roles_and_reserve() -> None:
    from budgetsim.process import Balance, BudgetProcess, Requests, YearEndRule

    process = BudgetProcess(
        year_end={"IFN": YearEndRule(deficit_write_off=1.0)},
        requests=Requests(
            eligible=("GSN",),
            pool_share={y: 0.01 for y in range(2024, 2031)},
            hoarding=0.5,
            ambition={"GSN": 2.0},
            noise=0.2,
        ),
        balance=Balance(reserve_threshold=0.02),
    )
    text = bs.describe(bs.default_scenario(), bs.strategies.boras_current(), process)
    assert "Requests: GSN may request money" in text and "2024: 1 %" in text
    assert "Hoarders hold back 50 % of the pool" in text and "GSN: 2.0" in text and "vary at random by 20 %" in text
    assert "takes the part of the balanced-budget result above 2 % of tax revenue, general grants" in text
    sv = bs.describe(bs.default_scenario(), bs.strategies.boras_current(), bs.datasets.boras.boras_practice(), "sv")
    assert "Novembersteget: när kommunfullmäktige beslutar kommunbidragen" in sv and "tilläggsanslag" in sv
    assert "balanskravsresultatet" in sv and "skatteintäkter, generella statsbidrag och utjämning" in sv
    assert "väktaren" in sv and "förkämparna" in sv and "resultatöverföring" in sv and "budgetår 2024–2030" in sv
    assert "FSN: deficits 100 % written off; surpluses 0 % clawed back (no rule given)." in text
