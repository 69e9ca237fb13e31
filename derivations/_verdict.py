"""Verdicts: what the checker concludes about one claim, with its evidence."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

PROVED = "proved"
HOLDS_NUMERICALLY = "holds_numerically"
REFUTED = "refuted"
INCONCLUSIVE = "inconclusive"
CITED = "cited"
STATUSES = (PROVED, HOLDS_NUMERICALLY, REFUTED, INCONCLUSIVE, CITED)

TIERS = ("sympy", "z3", "numeric", "trajectory", "citation")


@dataclass(frozen=True)
class Verdict:
    """The checker's answer for one claim.

    ``status`` is one of :data:`STATUSES`; ``tier`` names the engine that decided
    (``sympy``, ``z3``, ``numeric``, ``trajectory``, or ``citation`` for a cited result);
    ``evidence`` is a one-line human summary; ``details`` holds structured evidence
    (residual, counterexample, searched domain, z3 model, worst margin, tolerances);
    ``replay`` is a snippet that re-runs the check.
    """

    status: str
    tier: str | None
    evidence: str
    details: dict[str, Any] = field(default_factory=dict)
    replay: str | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status={self.status!r}: must be one of {STATUSES}")
        if self.tier is not None and self.tier not in TIERS:
            raise ValueError(f"tier={self.tier!r}: must be one of {TIERS} or None")

    @property
    def decided(self) -> bool:
        return self.status in (PROVED, REFUTED)

    def with_replay(self, replay: str | None) -> "Verdict":
        return replace(self, replay=replay)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "tier": self.tier,
            "evidence": self.evidence,
            "details": _jsonable(self.details),
            "replay": self.replay,
        }


def _jsonable(obj: Any) -> Any:
    """Convert SymPy / NumPy objects in evidence to JSON-safe values."""
    import numbers

    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, numbers.Integral):
        return int(obj)
    if isinstance(obj, numbers.Real):
        f = float(obj)
        return f if f == f and abs(f) != float("inf") else str(f)
    try:
        import numpy as np

        if isinstance(obj, np.ndarray):
            return _jsonable(obj.tolist())
        if isinstance(obj, np.generic):
            return _jsonable(obj.item())
    except ImportError:  # pragma: no cover
        pass
    return str(obj)
