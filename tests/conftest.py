"""Test configuration: strict numerics and the hypothesis profiles.

Profiles: ``ci`` (the default: derandomized, modest example counts, no deadline) and
``thorough`` (many more examples, randomized); choose with ``HYPOTHESIS_PROFILE=thorough``.
Long sweeps carry the ``thorough`` marker; ``pyproject.toml`` deselects them by default
(``-m 'not thorough'``); run them with ``pytest -m thorough``.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=25,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    max_examples=400,
    derandomize=False,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _strict_numerics():
    """Floating-point overflow, invalid operations and division by zero raise in tests."""
    old = np.seterr(over="raise", invalid="raise", divide="raise")
    yield
    np.seterr(**old)
