"""The numeric side raises the same exception family as the symbolic side (STYLE.md item 9).

``numeric_checks`` imports ``derivations`` (DESIGN.md's dependency direction), so there is one
:class:`DerivcheckError` / :class:`InvalidParameter` for the whole project and the CLI turns
every one of them into a one-line message with exit code 2.
"""

from derivations._errors import DerivcheckError, InvalidParameter

__all__ = ["DerivcheckError", "InvalidParameter"]
