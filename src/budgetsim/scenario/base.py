"""Shared pydantic configuration: scenario objects are immutable and reject unknown fields,
so a typo in a scenario file is an error, not a silently ignored key; a yes/no where a number
belongs (``base_frame: true``) is an error too, not the number 1."""

from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator


def _admits_bool(annotation: Any) -> bool:
    return annotation is bool or any(_admits_bool(a) for a in get_args(annotation))


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool) and info.field_name is not None:
            field = cls.model_fields[info.field_name]
            if not _admits_bool(field.annotation):
                raise ValueError(f"{value} is a yes/no value; give a number")
        return value
