"""One exception family for derivcheck (STYLE.md item 9).

Every error a user can cause is a :class:`DerivcheckError`; the CLI turns it into a
one-line message and exit code 2.  Bad parameters raise :class:`InvalidParameter`, whose
message names the parameter, the value, the violated condition and how to fix it.
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


class UnknownName(DerivcheckError, LookupError):
    """An id or label that does not exist; the message lists the known ones."""

    def __init__(self, kind: str, name: str, known: list[str] | tuple[str, ...]):
        self.kind = kind
        self.name = name
        self.known = tuple(known)
        shown = ", ".join(self.known) if self.known else "(none)"
        super().__init__(f"unknown {kind} {name!r}; known: {shown}")

    def __str__(self) -> str:  # LookupError would otherwise quote the message
        return self.args[0]


class EncodingError(DerivcheckError):
    """A derivation module encodes a step inconsistently (a bug in the encoding, not a verdict)."""
