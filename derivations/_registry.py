"""The registry of derivations: every public module of this package that defines ``STEPS``.

Nothing lists the derivations by hand: adding a module ``derivations/<id>.py`` with ``ID``,
``TITLE``, ``SOURCE`` and ``STEPS`` registers it.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from ._core import Derivation
from ._errors import EncodingError, UnknownName


@lru_cache(maxsize=1)
def all_derivations() -> tuple[Derivation, ...]:
    import derivations as pkg

    found = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"derivations.{info.name}")
        if hasattr(module, "STEPS"):
            d = Derivation(module)
            if d.id != info.name:
                raise EncodingError(f"module derivations.{info.name} has ID {d.id!r}; the ID must be the module name")
            found.append(d)
    return tuple(found)


def ids() -> tuple[str, ...]:
    """The ids of all registered derivations."""
    return tuple(d.id for d in all_derivations())


def get(derivation_id: str) -> Derivation:
    """The derivation with this id; an unknown id raises ``UnknownName`` listing the known ones."""
    for d in all_derivations():
        if d.id == derivation_id:
            return d
    raise UnknownName("derivation id", derivation_id, ids())
