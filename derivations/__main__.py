"""``python -m derivations`` is the ``derivcheck`` command."""

from ._cli import main

raise SystemExit(main())
