"""derivcheck's symbolic half: the proof-step engine and one module per derivation.

>>> import derivations
>>> d = derivations.get("su_boyd_candes_energy")
>>> report = d.check()          # a table in text; LaTeX/HTML in Jupyter; report.to_json()
>>> print(report)               # doctest: +SKIP

``derivations.ALL`` is the tuple of registered derivations (every public module of this
package that defines ``STEPS``); ``derivations.get(id)`` looks one up.
"""

from ._core import (
    Assumption,
    CheckContext,
    Correction,
    Derivation,
    DerivationReport,
    Step,
    StepResult,
    stable_seed,
)
from ._errors import DerivcheckError, EncodingError, InvalidParameter, UnknownName
from ._evidence import register_trajectory_check, registered_keys
from ._prover import SearchSettings, check_identity, check_inequality, check_nonnegative
from ._registry import get, ids
from ._rules import (
    Rule,
    by_parts,
    chain,
    cited,
    compare_relations,
    comparison,
    definition,
    differentiate,
    expand_definitions,
    follows_from,
    identity,
    inequality,
    integrate,
    limit,
    numeric,
    scale,
    substitution,
    sum_over,
    sum_over_layers,
    trajectory,
)
from ._verdict import (
    CITED,
    HOLDS_NUMERICALLY,
    INCONCLUSIVE,
    PROVED,
    REFUTED,
    STATUSES,
    Verdict,
)

__all__ = [
    "ALL", "Assumption", "CheckContext", "Correction", "Derivation", "DerivationReport", "DerivcheckError",
    "EncodingError", "InvalidParameter", "Rule", "SearchSettings", "Step", "StepResult", "UnknownName",
    "Verdict", "STATUSES", "PROVED", "HOLDS_NUMERICALLY", "REFUTED", "INCONCLUSIVE", "CITED",
    "by_parts", "chain", "check_identity", "check_inequality", "check_nonnegative", "cited", "compare_relations",
    "comparison", "definition", "differentiate", "expand_definitions", "follows_from", "get", "identity", "ids", "inequality",
    "integrate", "limit", "numeric", "register_trajectory_check", "registered_keys", "scale", "stable_seed",
    "substitution", "sum_over", "sum_over_layers", "trajectory",
]


def __getattr__(name: str):
    if name == "ALL":
        from ._registry import all_derivations

        return all_derivations()
    raise AttributeError(f"module 'derivations' has no attribute {name!r}")
