"""One exception family for derivcheck's numeric side (STYLE.md item 9).

Same classes and messages as ``derivations._errors`` (to be unified later): every error a
user can cause is a :class:`DerivcheckError`; a bad parameter raises :class:`InvalidParameter`,
whose message names the parameter, the value, the violated condition and how to fix it.
"""

from __future__ import annotations


class DerivcheckError(Exception):
    """Base class of every error derivcheck raises on purpose."""


class InvalidParameter(DerivcheckError, ValueError):
    """A parameter has a value outside what is allowed.

    ``InvalidParameter("gamma", -1, "must be > 0", fix="use gamma=3 for Nesterov's flow")``
    reads ``gamma=-1: must be > 0 (use gamma=3 for Nesterov's flow)``.
    """

    def __init__(self, name: str, value: object, condition: str, *, fix: str | None = None):
        self.name = name
        self.value = value
        self.condition = condition
        self.fix = fix
        msg = f"{name}={value!r}: {condition}"
        if fix:
            msg += f" ({fix})"
        super().__init__(msg)
