"""Grant rules: how the guardian divides the pool among the requests (äskanden). Each is a
registered rule giving every request a weight; grants are then water-filled, min(request,
lambda x weight), so nobody gets more than asked and the pool is spent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar

import numpy as np

from budgetsim.core.registry import Example, Rule, rule_field
from budgetsim.core.text import tr


@dataclass(frozen=True)
class GrantInputs:
    """What the guardian knows when granting, each (D, C): the requests, the evidence of need (the
    gap between expected need and the frame), the advocates' ambition, and each committee's last
    operating deficit."""

    request: np.ndarray
    evidence: np.ndarray
    ambition: np.ndarray
    last_deficit: np.ndarray


class GrantRule(Rule, kind="grant"):
    """Base of the grant rules: :meth:`weights` of the requests."""

    def weights(self, inputs: GrantInputs) -> np.ndarray:
        """(D, C) the weight of each committee's claim on the pool."""
        return inputs.request

    def text(self, language: str) -> str:
        return self.tag


class ProRata(GrantRule, tag="pro_rata"):
    """In proportion to the requests."""

    examples: ClassVar = (Example("pro rata", lambda _: ProRata()),)

    def text(self, language: str) -> str:
        return tr(language, "pro rata to requests", "i proportion till äskandena")


class ByNeed(GrantRule, tag="need"):
    """By evidence of need: the gap between expected need and the proposed frame."""

    examples: ClassVar = (Example("by need", lambda _: ByNeed()),)

    def weights(self, inputs: GrantInputs) -> np.ndarray:
        return inputs.evidence

    def text(self, language: str) -> str:
        return tr(language, "by evidence of need", "efter belagt behov")


class ByAdvocacy(GrantRule, tag="advocacy"):
    """By advocacy strength: the request times the advocate's ambition (the best arguer gets most)."""

    examples: ClassVar = (Example("by advocacy", lambda _: ByAdvocacy()),)

    def weights(self, inputs: GrantInputs) -> np.ndarray:
        return inputs.request * inputs.ambition

    def text(self, language: str) -> str:
        return tr(language, "by advocacy strength", "efter hur väl nämnden argumenterar")


class ByLastDeficit(GrantRule, tag="last_deficit"):
    """By the size of the last operating deficit (overspenders end up with more)."""

    examples: ClassVar = (Example("by last deficit", lambda _: ByLastDeficit()),)

    def weights(self, inputs: GrantInputs) -> np.ndarray:
        return inputs.last_deficit

    def text(self, language: str) -> str:
        return tr(language, "by the size of the last deficit", "efter storleken på senaste underskottet")


#: A field holding a grant rule: a rule, a run-file entry ``{rule: ...}`` or a bare tag ('need').
GrantRef = Annotated[GrantRule, *rule_field("grant")]
