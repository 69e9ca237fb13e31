"""<One line: what this derivation establishes.>

Copy this file to ``derivations/<id>.py`` (the module name is the ID; the registry finds it).
``derivations/su_boyd_candes_energy.py`` is a complete worked example of this template.

Setting and assumptions
    <the objects, the dynamics, the hypotheses; implicit assumptions made explicit>

Claim (<source file, theorem / equation numbers>; <tight | upper bound | lower bound>)
    <the statement>

Steps
    <one line per step: label, what it concludes, how>

Notation
    <symbol -> meaning>

References
    <papers>

Example
    >>> import derivations
    >>> print(derivations.get("<id>").check())  # doctest: +SKIP
"""

from __future__ import annotations

import sympy as sp
from sympy import Eq, Le

from derivations import Assumption, Correction, Step, identity, inequality  # noqa: F401 - template

ID = "_template"
TITLE = "<title>"
SOURCE = "<seed file name>, <section>"

# Symbols carry their assumptions; side conditions are explicit data (CONDITIONS).
t = sp.symbols("t", positive=True)
mu, L = sp.symbols("mu L", positive=True)
CONDITIONS = (Le(mu, L),)

ASSUMPTIONS = (
    Assumption("A1", "<name>", "<statement as the source makes it (or leaves implicit)>"),
)

# Each Step encodes the claim AS WRITTEN.  Where it is wrong, add correction=Correction(...)
# with the corrected claim (checked too), finding="slip" | "error" | "gap", and a note.
STEPS: tuple[Step, ...] = ()
