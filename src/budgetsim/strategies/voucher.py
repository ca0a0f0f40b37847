"""Per-pupil voucher with structural supplement (skolpeng + strukturbelopp): the primary-school
committee's internal model. Each school gets a base amount, plus an amount per pupil, plus a
supplement per pupil from a socioeconomic index; money follows the actual pupil count month by
month, so a school gains one twelfth of the yearly pupil amount for each month a new pupil
attends. Schools are a level below the committee; the committee's frame is their sum.

month amount = (base + (per_pupil + supplement x index) x pupils in the month) / 12 x price level
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
from pydantic import Field, field_validator

from budgetsim.core.arrays import ScenarioArrays
from budgetsim.core.components import Component
from budgetsim.core.context import Allocation, BudgetContext, as_allocation, check_strategy, frames_after
from budgetsim.core.need import mix_rate
from budgetsim.core.registry import Example, StrategyRef
from budgetsim.core.strategy import Strategy
from budgetsim.core.text import sek, tr
from budgetsim.scenario import Scenario
from budgetsim.scenario.base import Model
from budgetsim.strategies.incremental import Incremental

MONTHS = 12


class School(Model):
    """A school: base amount (SEK a year, base-year prices), socioeconomic index, and the actual
    number of pupils in each month (12 counts a year)."""

    name: str = Field(min_length=1)
    base_amount: float = Field(default=0.0, ge=0)
    structural_index: float = Field(default=0.0, ge=0)
    pupils: dict[int, tuple[float, ...]]

    @field_validator("pupils")
    @classmethod
    def _monthly(cls, pupils: dict[int, tuple[float, ...]]) -> dict[int, tuple[float, ...]]:
        for year, counts in pupils.items():
            if len(counts) != MONTHS:
                raise ValueError(f"year {year}: {len(counts)} monthly counts, need {MONTHS}")
            if any(c < 0 for c in counts):
                raise ValueError(f"year {year}: pupil counts must be >= 0")
        return pupils


class PupilVoucher(Strategy, tag="pupil_voucher"):
    """The pupil money (elevpeng) of ``committee``'s schools. With ``inner`` (Borås's practice, study
    l.482-486) the committee's frame is what ``inner`` gives and the vouchers split that fixed frame
    between the schools: each school's share is its voucher amount over all schools' (diagnostic
    ``voucher_scale`` = frame / sum of vouchers). Without ``inner`` the committee's frame is the sum
    of the vouchers and the other committees keep their frame (route them with
    :class:`~budgetsim.strategies.PerCommittee`).

    >>> school = School(name="Bodaskolan", base_amount=1e6, structural_index=1.0, pupils={2024: (100,) * 12})
    >>> v = PupilVoucher("GSN", (school,), per_pupil=80_000, supplement=10_000)
    >>> float(v.monthly(2024).sum())  # 1 MSEK + 100 x (80,000 + 10,000), base-year prices
    10000000.0
    """

    committee: str
    schools: tuple[School, ...]
    per_pupil: float = Field(ge=0)
    supplement: float = Field(default=0.0, ge=0)
    inner: StrategyRef | None = None  #: the rule that sets the committee's frame the vouchers split
    name: str = "pupil voucher"

    components: ClassVar = {"voucher": Component("needs", "pupil voucher", "elevpeng", 44)}
    examples: ClassVar = (
        Example(
            "two schools",
            lambda s: PupilVoucher(
                s.committees[0].id,
                tuple(
                    School(
                        name=name,
                        base_amount=2e6,
                        structural_index=index,
                        pupils={y: tuple(pupils + m for m in range(MONTHS)) for y in s.years},
                    )
                    for name, index, pupils in (("Norra", 0.4, 300.0), ("Södra", 1.6, 250.0))
                ),
                per_pupil=80_000,
                supplement=12_000,
            ),
            axioms=False,
        ),
        Example(
            "splitting a fixed frame",
            lambda s: PupilVoucher(
                s.committees[0].id,
                (School(name="Centrum", base_amount=1e6, pupils={y: (100.0,) * MONTHS for y in s.years}),),
                per_pupil=50_000,
                inner=Incremental(),
            ),
            axioms=False,
        ),
    )

    def describe(self, scenario: Scenario, language: str = "en") -> str:
        return tr(
            language,
            f"**Pupil voucher ({self.committee}).** Each of {len(self.schools)} schools gets its base amount plus {sek(self.per_pupil, language)} per pupil and {sek(self.supplement, language)} per pupil and point of its socioeconomic index, settled month by month on actual pupils; the committee's frame is the sum.",
            f"**Elevpeng ({self.committee}).** Var och en av {len(self.schools)} skolor får sitt grundbelopp plus {sek(self.per_pupil, language)} per elev och {sek(self.supplement, language)} per elev och indexpoäng i strukturbelopp, avräknat månadsvis på faktiskt elevantal; nämndens ram är summan.",
        )

    def check(self, arrays: ScenarioArrays) -> None:
        if self.inner is not None:
            check_strategy(self.inner, arrays)
        if self.committee not in arrays.committees:
            raise ValueError(f"pupil voucher: unknown committee {self.committee!r}")
        if not self.schools:
            raise ValueError(f"pupil voucher: no schools for {self.committee}")
        for school in self.schools:
            missing = [int(y) for y in arrays.years if int(y) not in school.pupils]
            if missing:
                raise ValueError(f"pupil voucher: school {school.name!r} has no pupil counts for {missing}")

    def monthly(self, year: int) -> np.ndarray:
        """(schools, 12) amounts per school and month in base-year SEK."""
        rows = []
        for s in self.schools:
            pupils = np.array(s.pupils[year], dtype=float)
            rows.append((s.base_amount + (self.per_pupil + self.supplement * s.structural_index) * pupils) / MONTHS)
        return np.array(rows)

    def __call__(self, ctx: BudgetContext) -> Allocation:
        c = ctx.committees.index(self.committee)
        vouchers = self.monthly(ctx.year).sum() * ctx.price_level[:, c]
        if self.inner is not None:
            inner = as_allocation(self.inner(ctx))
            frame = frames_after(ctx, inner)[:, c]
            scale = np.zeros_like(ctx.last_frame)
            scale[:, c] = frame / vouchers
            return Allocation(inner.changes, {**inner.info, "voucher_scale": scale})
        change = np.zeros_like(ctx.last_frame)
        change[:, c] = vouchers - ctx.last_frame[:, c]
        return Allocation({"voucher": change})

    def school_amounts(self, arrays: ScenarioArrays, frames: np.ndarray | None = None) -> pd.DataFrame:
        """year, school, month, pupils, amount (SEK at each year's prices; first draw): the
        monthly settlement behind the committee's frame. With ``frames`` (the committee's frame per
        budget year, e.g. from a result) the amounts are scaled to split exactly that frame."""
        c = arrays.committees.index(self.committee)
        rate = mix_rate(arrays, arrays.wage_uplift[0, :, None], arrays.price_uplift[0, :, None])[:, c]  # (T,)
        level = np.cumprod(1 + rate)
        rows = []
        for t, year in enumerate(int(y) for y in arrays.years):
            amounts = self.monthly(year) * level[t]
            if frames is not None:
                amounts = amounts * frames[t] / amounts.sum()
            for s, school in enumerate(self.schools):
                for m in range(MONTHS):
                    rows.append((year, school.name, m + 1, school.pupils[year][m], amounts[s, m]))
        return pd.DataFrame(rows, columns=["year", "school", "month", "pupils", "amount"])
