"""Shared pydantic configuration: scenario objects are immutable and reject unknown fields,
so a typo in a scenario file is an error, not a silently ignored key."""

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)
