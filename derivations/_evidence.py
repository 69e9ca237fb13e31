"""Registry of trajectory-tier evidence, keyed by ``derivation:label``.

Numeric checks in ``numeric_checks`` register a function against the step they back::

    from derivations import register_trajectory_check

    @register_trajectory_check("nag_layer_balance:(25)")
    def check_eq25(): ...  # returns a Verdict (tier "trajectory")

The symbolic engine never imports ``numeric_checks`` at module level: when a step asks for
trajectory evidence, :func:`trajectory_verdict` imports the ``numeric_checks`` modules whose
names start with ``_checks`` (which register themselves) and looks the key up.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Callable

from ._verdict import INCONCLUSIVE, Verdict

_CHECKS: dict[str, Callable[[], Verdict]] = {}
_CACHE: dict[str, Verdict] = {}
_LOADED = False


def register_trajectory_check(key: str) -> Callable[[Callable[[], Verdict]], Callable[[], Verdict]]:
    """Decorator: ``fn()`` returns the trajectory-tier verdict for step ``key`` (``id:label``)."""
    if ":" not in key:
        raise ValueError(f"key={key!r}: must be 'derivation_id:label'")

    def deco(fn: Callable[[], Verdict]) -> Callable[[], Verdict]:
        _CHECKS[key] = fn
        return fn

    return deco


def load_numeric_checks() -> None:
    """Import every ``numeric_checks._checks*`` module so that it registers its checks."""
    global _LOADED
    if _LOADED:
        return
    try:
        pkg = importlib.import_module("numeric_checks")
    except ImportError:  # pragma: no cover - numeric_checks ships in the same distribution
        _LOADED = True
        return
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("_checks"):
            importlib.import_module(f"numeric_checks.{info.name}")
    _LOADED = True


def registered_keys() -> tuple[str, ...]:
    load_numeric_checks()
    return tuple(sorted(_CHECKS))


def trajectory_verdict(key: str) -> Verdict:
    """The registered verdict for ``key`` (computed once per process), or an explicit inconclusive."""
    load_numeric_checks()
    if key in _CACHE:
        return _CACHE[key]
    fn = _CHECKS.get(key)
    if fn is None:
        return Verdict(INCONCLUSIVE, None, f"no trajectory check is registered for {key}", {"key": key})
    v = fn()
    _CACHE[key] = v
    return v
