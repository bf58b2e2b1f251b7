"""The effect of each territorial action on a place's state: one :class:`Rule` per action.

Every rule is written down with its reason in ``docs/control-model.md``. Pass ``rules={...}`` to
:class:`tracker.control.Timeline` to change one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from tracker import vocab

#: Sides that act for a holding side (they rarely hold ground themselves): the reason is in docs/control-model.md.
ACTING_FOR: dict[str, str] = {"russia": "government", "pmf": "government", "coalition": "sdf"}
#: Order of actions reported for one place on one day: the stronger claim is applied last.
ACTION_RANK: dict[str, int] = {"proximity": 0, "siege": 1, "advance": 2, "withdraw": 3, "capture": 4}


def side_of(actor: Any) -> str | None:
    """The holding side an actor stands for (allies mapped by :data:`ACTING_FOR`); None when it holds no ground."""
    if actor is None or (isinstance(actor, float) and np.isnan(actor)):
        return None
    actor = str(actor)
    actor = ACTING_FOR.get(actor, actor)
    return actor if actor in vocab.sides() and actor != "unknown" else None


@dataclass(frozen=True)
class State:
    """A place's control on a day: ``side`` (holder), ``status`` and the other side of a contest or siege."""

    side: str = "unknown"
    status: str = "unknown"
    other_side: str | None = None
    since: date | None = None
    claim_ids: tuple[str, ...] = ()
    inferred: bool = False
    last_evidence: date | None = None

    def key(self) -> tuple[str, str, str | None]:
        return (self.side, self.status, self.other_side)


UNKNOWN = State()


# ---------------------------------------------------------------- rules
class Rule:
    """The effect of one territorial action. Subclasses override :meth:`apply` (the one hook)."""

    action: str = ""

    def apply(self, state: State, claim: Mapping[str, Any]) -> State | None:
        """The place's new state after ``claim``, or None for no change.

        Parameters
        ----------
        state
            The place's state before the claim.
        claim
            The claim record; ``claim["side"]`` is the acting side (after :data:`ACTING_FOR`).
        """
        raise NotImplementedError

    def holder(self, claim: Mapping[str, Any]) -> str | None:
        """The side the claim says holds the place afterwards (whatever held it before), if it says one."""
        new = self.apply(UNKNOWN, claim)
        return new.side if new is not None and new.status == "held" else None


class CaptureRule(Rule):
    """Capture of P by A on day d: P is held by A from d."""

    action = "capture"

    def apply(self, state, claim):
        return State(claim["side"], "held")


class AdvanceRule(Rule):
    """Advance of A into P: P is contested between A and its holder (no change when A already holds it)."""

    action = "advance"

    def apply(self, state, claim):
        if state.side == claim["side"] and state.status in ("held", "contested", "besieged"):
            return None
        return State(state.side, "contested", claim["side"])


class SiegeRule(Rule):
    """Siege of P by A: P keeps its holder and is besieged by A (A besieging its own place is no change)."""

    action = "siege"

    def apply(self, state, claim):
        if state.side == claim["side"]:
            return None
        return State(state.side, "besieged", claim["side"])


class WithdrawRule(Rule):
    """Withdrawal of A from P: P passes to the named opponent (the fold names the side around P when the report
    names none); with nobody to pass it to, P held by A is contested; A leaving a place it neither holds nor
    fights for changes nothing."""

    action = "withdraw"

    def apply(self, state, claim):
        opponent = side_of(claim.get("opponent"))
        if opponent and opponent != claim["side"]:
            return State(opponent, "held")
        if state.side not in (claim["side"], "unknown") and state.other_side != claim["side"]:
            return None
        holder = state.side if state.side != "unknown" else claim["side"]
        return State(holder, "contested", None if holder == claim["side"] else claim["side"])


class ProximityRule(Rule):
    """A is x km from P: P itself does not change (places on the approach may be inferred, see :class:`Timeline`)."""

    action = "proximity"

    def apply(self, state, claim):
        return None


DEFAULT_RULES: dict[str, Rule] = {r.action: r for r in
                                  (CaptureRule(), AdvanceRule(), SiegeRule(), WithdrawRule(), ProximityRule())}

