"""Zero-based budgeting, activity-based financing, the pupil voucher and per-committee routing."""

import numpy as np
import pytest
from factory import economy, make_scenario
from pydantic import ValidationError

import budgetsim as bs
from budgetsim.strategies import Activity, ActivityBased, PerCommittee, PupilVoucher, School, ZeroBased

SKOL_LEVEL = 1 + 0.7 * 0.033 + 0.3 * 0.018  # SKOL's cost-mix uplift, 2.85 %
HALF_LEVEL = 1 + 0.5 * 0.033 + 0.5 * 0.018  # OMS and KULT, 2.55 %


def _frames(result: bs.Result, year: int) -> dict[str, float]:
    return result.frames.query("year == @year").set_index("committee").frame.to_dict()


ACTIVITIES = [
    Activity(committee="SKOL", name="teaching", unit_cost=100_000, min_age=0, max_age=19, take_up=0.9),
    Activity(committee="SKOL", name="administration", unit_cost=2_000_000),
    Activity(committee="OMS", name="home care", unit_cost=50_000, min_age=80, take_up=0.2),
    Activity(committee="KULT", name="library", unit_cost=9_000_000),
]


def test_zero_based_rebuilds_from_activities_by_hand() -> None:
    r = bs.simulate(make_scenario(), ZeroBased(ACTIVITIES))
    # 2024 forecast (perfect foresight): 220 aged 0-19, 60 aged 80+
    assert _frames(r, 2024) == pytest.approx(
        {
            "SKOL": (100_000 * 0.9 * 220 + 2_000_000) * SKOL_LEVEL,
            "OMS": 50_000 * 0.2 * 60 * HALF_LEVEL,
            "KULT": 9_000_000 * HALF_LEVEL,
        }
    )
    # history is ignored: 2025 does not depend on 2024's frames
    assert _frames(r, 2025)["KULT"] == pytest.approx(9_000_000 * HALF_LEVEL**2)


def test_zero_based_scaled_to_what_is_affordable() -> None:
    s = make_scenario(economy=economy(total_available={2024: 20e6, 2025: 21e6}))
    r = bs.simulate(s, ZeroBased(ACTIVITIES, scale=True))
    rebuilt = np.array(
        [(100_000 * 0.9 * 220 + 2_000_000) * SKOL_LEVEL, 50_000 * 0.2 * 60 * HALF_LEVEL, 9_000_000 * HALF_LEVEL]
    )
    assert list(_frames(r, 2024).values()) == pytest.approx(list(rebuilt * 20e6 / rebuilt.sum()))
    afford = r.components.query("year == 2024 and component == 'affordability'").amount
    assert afford.sum() == pytest.approx(20e6 - rebuilt.sum())


def test_zero_based_checks_its_activities() -> None:
    with pytest.raises(ValueError, match=r"committees without activities \['KULT'\]"):
        bs.simulate(make_scenario(), ZeroBased(ACTIVITIES[:3]))
    bad = [*ACTIVITIES, Activity(committee="KULT", name="museum", unit_cost=1, min_age=6, max_age=15)]
    with pytest.raises(ValueError, match="activity 'museum' of KULT: ages 6-15 do not coincide"):
        bs.simulate(make_scenario(), ZeroBased(bad))


def test_activity_based_pays_for_what_was_delivered() -> None:
    # forecast says 330 aged 65+ in 2024, but 300 turn up: activity-based pays for the 300
    population = {
        "bands": [{"label": "0-64", "min_age": 0, "max_age": 64}, {"label": "65+", "min_age": 65}],
        "outcomes": {2022: (0, 300), 2023: (0, 300), 2024: (0, 300), 2025: (0, 310)},
        "forecasts": [{"published": 2023, "counts": {2023: (0, 300), 2024: (0, 330), 2025: (0, 360)}}],
    }
    committee = {
        "id": "VÄN",
        "name": "Vård- och äldrenämnden",
        "sector": "elderly care",
        "base_frame": 15e6,
        "cost_mix": {"wages": 0.5},
        "need": {"weights": [{"min_age": 65, "weight": 50_000}], "care_intensity_growth": 0.02},
    }
    s = make_scenario(population=population, committees=[committee])
    r = bs.simulate(s, ActivityBased(price_share=0.95))
    assert _frames(r, 2024)["VÄN"] == pytest.approx(0.95 * 50_000 * 300 * 1.02 * HALF_LEVEL)
    needs = bs.simulate(s.replace(economy=economy(total_available={2024: 1.0, 2025: 1.0})), bs.strategies.needs_based())
    assert _frames(needs, 2024)["VÄN"] == pytest.approx(1.0)  # a lone committee gets the whole total


def _school(name: str, pupils: list[float], index: float = 0.0) -> School:
    return School(
        name=name, base_amount=1.2e6, structural_index=index, pupils={2024: tuple(pupils), 2025: tuple(pupils)}
    )


def test_voucher_money_follows_pupils_month_by_month() -> None:
    steady = _school("Sjöboskolan", [100] * 12)
    gaining = _school("Daltorpskolan", [100, 100] + [101] * 10, index=2.0)  # one more pupil from March
    voucher = PupilVoucher("SKOL", (steady, gaining), per_pupil=90_000, supplement=6_000)
    r = bs.simulate(make_scenario(), PerCommittee({"SKOL": voucher}, default=bs.strategies.incremental()))
    steady_year = 1.2e6 + 90_000 * 100
    gaining_year = 1.2e6 + (90_000 + 2 * 6_000) * (100 + 10 / 12)
    assert _frames(r, 2024)["SKOL"] == pytest.approx((steady_year + gaining_year) * SKOL_LEVEL)
    assert _frames(r, 2024)["KULT"] == pytest.approx(10e6 * 1.0155)  # routed to incremental
    table = voucher.school_amounts(bs.engine.compile_scenario(make_scenario()))
    march = table.query("year == 2024 and school == 'Daltorpskolan' and month == 3").amount.iloc[0]
    february = table.query("year == 2024 and school == 'Daltorpskolan' and month == 2").amount.iloc[0]
    assert march - february == pytest.approx((90_000 + 2 * 6_000) / 12 * SKOL_LEVEL)
    assert table.query("year == 2024").amount.sum() == pytest.approx(_frames(r, 2024)["SKOL"])


def test_voucher_input_errors() -> None:
    with pytest.raises(ValidationError, match="11 monthly counts, need 12"):
        School(name="X", pupils={2024: (1.0,) * 11})
    short = School(name="Kort", pupils={2024: (1.0,) * 12})
    with pytest.raises(ValueError, match=r"school 'Kort' has no pupil counts for \[2025\]"):
        bs.simulate(make_scenario(), PupilVoucher("SKOL", (short,), per_pupil=1.0))


def test_per_committee_routing_and_unknown_ids() -> None:
    rule = PerCommittee({"OMS": bs.strategies.VolumeUplift()})
    r = bs.simulate(make_scenario(), rule)
    assert _frames(r, 2024)["KULT"] == 10e6  # no default: last frame kept
    assert _frames(r, 2024)["SKOL"] == 100e6  # SKOL's volume drivers are not routed
    assert _frames(r, 2024)["OMS"] == pytest.approx(50e6 + 20_000 * HALF_LEVEL * 15)
    with pytest.raises(ValueError, match=r"unknown committee\(s\) \['XYZ'\]"):
        bs.simulate(make_scenario(), PerCommittee({"XYZ": bs.strategies.incremental()}))


def test_strategy_inputs_that_would_silently_mean_something_else() -> None:
    assert bs.strategies.VolumeUplift(committees="OMS").committees == ("OMS",)
    with pytest.raises(ValidationError, match="max_age without min_age"):
        Activity(committee="SKOL", name="teaching", unit_cost=1.0, max_age=14)
    with pytest.raises(ValueError, match="pupil voucher: no schools for SKOL"):
        bs.simulate(make_scenario(), PupilVoucher("SKOL", (), per_pupil=1.0))


def test_the_current_model_is_a_rule_a_run_file_can_name(tmp_path) -> None:
    """`current_model` pays per inhabitant where a committee has a price list and incremental +
    volume uplift elsewhere, exactly as the same routing spelled out, and a run file names it."""
    import budgetsim.io as bio
    from budgetsim.formats.template import write_template

    town = bs.load_municipality(write_template(tmp_path / "town"))
    priced = ("FSK", "SKOL")
    spelled = bs.strategies.PerCommittee(
        dict.fromkeys(priced, bs.strategies.PerCapita(committees=priced)), default=bs.strategies.boras_current()
    )
    named = bs.strategies.CurrentModel()
    assert bs.simulate(town, named).frames.equals(bs.simulate(town, spelled).frames)
    run = tmp_path / "run.yaml"
    run.write_text("scenario: town\nstrategies: {current: {rule: current_model}}\n", encoding="utf-8")
    assert bio.load_run(run).strategies["current"] == named
    # without price lists it is Borås's model
    boras = bs.default_scenario()
    assert bs.simulate(boras, named).frames.equals(bs.simulate(boras, bs.strategies.boras_current()).frames)
