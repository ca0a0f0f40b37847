"""Transition rules on small hand-made cases whose numbers were computed by hand."""

import numpy as np
import pytest
from factory import economy

import budgetsim as bs
from budgetsim.transitions import Blend, Cap, FloorWithDamping, LossCap, PaceOfChange, UnaffordableError

MSEK = 1e6


def _scenario(frames, population=10_000.0) -> bs.Scenario:
    """Committees A, B, ... with the given base frames (MSEK), one age band, budget years 2024-2025."""
    committees = [
        {
            "id": chr(65 + i),
            "name": f"Nämnd {chr(65 + i)}",
            "sector": "test",
            "base_frame": f * MSEK,
            "cost_mix": {"wages": 0.5},
        }
        for i, f in enumerate(frames)
    ]
    pop = {"bands": [{"label": "0+", "min_age": 0}], "outcomes": {y: (population,) for y in range(2022, 2026)}}
    return bs.Scenario.model_validate(
        {"base_year": 2023, "end_year": 2025, "committees": committees, "population": pop, "economy": economy()}
    )


def propose(*levels_by_year):
    """A strategy that proposes fixed frames (MSEK) per year, whatever happened before."""

    def proposal(ctx):
        return {"proposal": np.array(levels_by_year[ctx.t]) * MSEK - ctx.last_frame}

    return proposal


def _frames(result: bs.Result, year: int) -> list[float]:
    return (result.frames.query("year == @year").frame / MSEK).tolist()


def test_floor_with_damping_four_committees_by_hand() -> None:
    # last 100/200/300/400; proposed 90/190/330/430 (total 1,040); floor -1 %: 99/198/297/396 (sum 990).
    # A and B are lifted; the gains above the floor of C (33) and D (34) are scaled by k = 50 / 67.
    rule = FloorWithDamping(propose([90, 190, 330, 430], [90, 190, 330, 430]), floor=-0.01)
    r = bs.simulate(_scenario([100, 200, 300, 400]), rule)
    k = 50 / 67
    assert _frames(r, 2024) == pytest.approx([99, 198, 297 + 33 * k, 396 + 34 * k])
    assert sum(_frames(r, 2024)) == pytest.approx(1040)
    floor = r.components.query("year == 2024 and component == 'floor'").amount / MSEK
    assert floor.tolist() == pytest.approx([9, 8, 33 * k - 33, 34 * k - 34])
    assert floor.sum() == pytest.approx(0, abs=1e-9)


def test_unaffordable_floor_raises_or_scales() -> None:
    rule = FloorWithDamping(propose([90, 100], [90, 100]), floor=0.0)  # floors 100 + 100 > 190
    with pytest.raises(UnaffordableError, match="floor in 2024: the floor costs 10,000,000 SEK more than the total"):
        bs.simulate(_scenario([100, 100]), rule)
    scaled = bs.simulate(_scenario([100, 100]), FloorWithDamping(rule.inner, floor=0.0, if_unaffordable="scale"))
    assert _frames(scaled, 2024) == pytest.approx([95, 95])


def test_cap_by_hand() -> None:
    # last 100/200/300/400, proposed 130/190/300/420, gains capped at +10 %, losses at -2 %
    inner = propose([130, 190, 300, 420], [130, 190, 300, 420])
    clipped = bs.simulate(_scenario([100, 200, 300, 400]), Cap(inner, max_gain=0.10, max_loss=0.02, keep_total=False))
    assert _frames(clipped, 2024) == pytest.approx([110, 196, 300, 420])
    # keeping the total: A at +10 %, B at -2 %, C and D share the rest as the same share of last
    # frame: 1,026 + 700 x lambda = 1,040, lambda = 0.02
    kept = bs.simulate(_scenario([100, 200, 300, 400]), Cap(inner, max_gain=0.10, max_loss=0.02))
    assert _frames(kept, 2024) == pytest.approx([110, 196, 306, 428], rel=1e-12)
    assert sum(_frames(kept, 2024)) == pytest.approx(1040, rel=1e-15)


def test_pace_of_change_by_hand() -> None:
    # everybody at 100; the inner rule gives 420 in total; the target splits 10/20/30/40 %:
    # 42/84/126/168. Hold-harmless floors of 100: only D can rise, to 120 (= 0.714 x 168).
    inner = propose([105, 105, 105, 105], [105, 105, 105, 105])
    target = propose([10, 20, 30, 40], [10, 20, 30, 40])
    r = bs.simulate(_scenario([100, 100, 100, 100]), PaceOfChange(inner, target=target))
    assert _frames(r, 2024) == pytest.approx([100, 100, 100, 120])
    distance = r.diagnostics.query("year == 2024 and name == 'distance_from_target'").value
    assert distance.tolist() == pytest.approx([100 / 42 - 1, 100 / 84 - 1, 100 / 126 - 1, 120 / 168 - 1])


def test_pace_of_change_with_max_below() -> None:
    # total 1,000, target 80/120/100/700. The guarantee (at most 20 % under target) lifts D to 560;
    # the 140 left go to the committees still under target by their gap: B 20, D 140 of 160
    inner = propose([250, 250, 250, 250], [250, 250, 250, 250])
    target = propose([80, 120, 100, 700], [80, 120, 100, 700])
    r = bs.simulate(_scenario([100, 100, 100, 100]), PaceOfChange(inner, target=target, max_below=0.2))
    assert _frames(r, 2024) == pytest.approx([100, 100 + 140 * 20 / 160, 100, 560 + 140 * 140 / 160])


def test_pace_of_change_hold_harmless_and_minimum_uplift() -> None:
    inner = propose([99, 99], [99, 99])  # the inner total 198 cannot pay for nobody falling
    with pytest.raises(UnaffordableError, match="minimum uplift costs more"):
        bs.simulate(_scenario([100, 100]), PaceOfChange(inner, target=propose([1, 1], [1, 1])))
    r = bs.simulate(
        _scenario([100, 100]),
        PaceOfChange(inner, target=propose([1, 3], [1, 3]), min_uplift=-0.02, hold_harmless=False),
    )
    assert _frames(r, 2024) == pytest.approx([98, 100])


def test_blend_with_phase_in() -> None:
    # needs-like target 210/210 against last 100/300; 2024: 50 % new, 2025: 100 % new
    rule = Blend(
        ((propose([210, 210], [210, 210]), {2024: 0.5, 2025: 1.0}), (bs.strategies.Unchanged(), {2024: 0.5, 2025: 0.0}))
    )
    r = bs.simulate(_scenario([100, 300]), rule)
    assert _frames(r, 2024) == pytest.approx([155, 255])
    assert _frames(r, 2025) == pytest.approx([210, 210])
    comp = r.components.query("year == 2024 and component == 'proposal'").amount / MSEK
    assert comp.tolist() == pytest.approx([55, -45])
    with pytest.raises(ValueError, match="blend: weights for 2024 must be in \\[0, 1\\] and sum to 1"):
        bs.simulate(_scenario([100, 300]), Blend(((bs.strategies.Unchanged(), 0.5),)))


def test_loss_cap_per_inhabitant_by_hand() -> None:
    # 10,000 inhabitants, 250 SEK each: each year a loss of at most 2.5 MSEK against what the old
    # rule (last year's frame kept) gives from the same frames. The reform proposes 80/120 both years.
    rule = LossCap(propose([80, 120], [80, 120]), reference=bs.strategies.Unchanged(), per_inhabitant=250)
    r = bs.simulate(_scenario([100, 100]), rule)
    assert _frames(r, 2024) == pytest.approx([97.5, 102.5])  # B's gain 22.5 over its floor scaled by 5 / 22.5
    assert _frames(r, 2025) == pytest.approx([95, 105])  # floors 95 and 100; B's gain 20 scaled by 5 / 20
    cap = r.components.query("component == 'loss_cap'").amount / MSEK
    assert cap.tolist() == pytest.approx([17.5, -17.5, 15, -15])


def test_rules_stack_and_explain_each_step() -> None:
    s = bs.default_scenario()
    rule = Cap(
        FloorWithDamping(bs.strategies.needs_based(total=bs.strategies.boras_current()), floor=-0.01), max_gain=0.04
    )
    assert rule.name == "cap(floor(needs based))"
    r = bs.simulate(s, rule)
    assert {"needs", "floor", "cap"} <= set(r.components.component)
    totals = r.components.groupby(["year", "committee"]).amount.sum()
    assert np.allclose(totals.values, r.frames.set_index(["year", "committee"]).frame.loc[totals.index].values)
    change = r.frames.pivot(index="year", columns="committee", values="frame").pct_change().iloc[1:]
    assert (change.values <= 0.04 + 1e-12).all() and (change.values >= -0.01 - 1e-12).all()


def test_transition_from_current_to_needs_on_boras() -> None:
    """The README example: five years from Borås's current model to needs-based allocation of the
    same total with a -1 % floor; everyone's year-on-year change is at least -1 %."""
    s = bs.boras(end_year=2028)
    current = bs.strategies.boras_current()
    rule = FloorWithDamping(bs.strategies.needs_based(total=current), floor=-0.01)
    r = bs.simulate(s, rule)
    frames = r.frames.pivot(index="year", columns="committee", values="frame")
    base = np.array([c.base_frame for c in s.committees])
    changes = np.vstack([frames.values[:1] / base, frames.values[1:] / frames.values[:-1]]) - 1
    assert changes.min() >= -0.01 - 1e-12
    total = bs.simulate(s, current).frames.query("year == 2024").frame.sum()
    assert frames.loc[2024].sum() == pytest.approx(total, rel=1e-12)


def test_rule_parameters_are_checked_up_front() -> None:
    inner = propose([100, 100], [100, 100])
    with pytest.raises(ValueError, match="if_unaffordable must be 'raise' or 'scale', got 'scal'"):
        bs.simulate(_scenario([100, 100]), FloorWithDamping(inner, if_unaffordable="scal"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_gain must be a fraction in \\[0, 1\\], got -0.1"):
        bs.simulate(_scenario([100, 100]), Cap(inner, max_gain=-0.1))


def test_unaffordable_rule_names_the_draws() -> None:
    arrays = bs.engine.compile_scenario(_scenario([100, 100]))

    def shrink(ctx):  # draw 1 loses 10 % of its total
        return {"cut": ctx.last_frame * np.array([[0.0], [-0.10], [0.0]])}

    many = arrays.with_draws(wage_outcome=np.repeat(arrays.wage_outcome, 3, axis=0))
    with pytest.raises(UnaffordableError, match=r"floor in 2024: .* \(draw 1: up to 19,000,000 SEK short\)"):
        bs.simulate(many, FloorWithDamping(shrink, floor=-0.005))


def test_blend_passes_diagnostics_unweighted() -> None:
    s = bs.default_scenario()
    pure = bs.simulate(s, bs.strategies.needs_based()).diagnostics
    blended = bs.simulate(s, Blend(((bs.strategies.needs_based(), 0.7), (bs.strategies.Unchanged(), 0.3)))).diagnostics
    assert np.allclose(pure.value, blended.value)
