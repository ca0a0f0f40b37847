"""Provenance: where a scenario value comes from, and whether it is published or assumed."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from budgetsim.scenario.base import Model, Text

Status = Literal["published", "estimate", "assumption"]


class SourceNote(Model):
    """The source of one value of a scenario, addressed by a path such as
    ``committees.GSN.base_frame`` or ``economy.wage_uplift.2024``.

    ``published`` = taken from a public source; ``estimate`` = computed from published figures
    by the stated method; ``assumption`` = a choice made for lack of data.
    """

    item: Text = Field(min_length=1)
    status: Status
    value: Text = ""
    unit: Text = ""
    source: Text = ""
    method: Text = ""
