"""Additive-model and rate tests for ``partitioned_nesterov`` (seed 002)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, note, target
from hypothesis import strategies as st

import derivations
from numeric_checks._checks_partitioned import AdditiveModel, Quadratic, beta_poster, rate_ratio, run

models = st.builds(AdditiveModel, n=st.integers(2, 6), du=st.integers(1, 4),
                   sv=st.tuples(st.floats(0.5, 1.5), st.floats(1.5, 4.0)), a2_norm=st.floats(0.01, 0.5),
                   seed=st.integers(0, 10_000))
points = st.integers(0, 10_000)


def _point(m, seed):
    rng = np.random.default_rng(seed)
    return 2 * rng.standard_normal(m.n), 2 * rng.standard_normal(m.du)


@given(models, points)
def test_constants_satisfy_assumptions_1_to_5(m, seed):
    """A1-A5 with mu = smin(A1)^2, L1 = smax(A1)^2, G1 = smax(A2), G2 = smax(A1) smax(A2), f* = 0."""
    rng = np.random.default_rng(seed)
    x, u = _point(m, seed)
    y, v = _point(m, seed + 1)
    note(f"n={m.n} du={m.du} mu={m.mu:.3g} L1={m.L1:.3g} G1={m.G1:.3g} G2={m.G2:.3g}")
    tol = 1e-9
    # A1: |h(x,u) - h(x,v)| <= G1 |u - v|
    assert np.linalg.norm(np.tanh(m.a2 @ u) - np.tanh(m.a2 @ v)) <= m.G1 * np.linalg.norm(u - v) + tol
    # A2: |grad_1 f(x,u) - grad_1 f(x,v)| <= G2 |u - v|
    assert np.linalg.norm(m.grads(x, u)[0] - m.grads(x, v)[0]) <= m.G2 * np.linalg.norm(u - v) + tol
    # A3, A4 in x
    g1 = m.grads(x, u)[0]
    lin = m.value(x, u) + g1 @ (y - x)
    dist2 = float((y - x) @ (y - x))
    assert m.value(y, u) >= lin + m.mu / 2 * dist2 - tol * (1 + abs(lin))
    assert m.value(y, u) <= lin + m.L1 / 2 * dist2 + tol * (1 + abs(lin))
    # A5: min_x f(x, u) = f* = 0 for every u (A1 invertible)
    assert m.value(m.xstar(u), u) <= 1e-18 + 1e-12 * float(m.y @ m.y)
    del rng


@given(models, points)
def test_pl_and_difficulty_1(m, seed):
    x, u = _point(m, seed)
    _, v = _point(m, seed + 1)
    g1, g2 = m.grads(x, u)
    assert g1 @ g1 + g2 @ g2 >= 2 * m.mu * (m.value(x, u) - m.fstar) * (1 - 1e-9)
    lhs = np.linalg.norm(m.xstar(u) - m.xstar(v))
    bound = m.G2 / m.mu * np.linalg.norm(u - v)
    target(float(lhs / bound) if bound > 0 else 0.0, label="Difficulty 1 ratio")
    assert lhs <= bound * (1 + 1e-9) + 1e-12


@given(models, points)
def test_difficulty_2_corrected_holds_and_printed_fails(m, seed):
    """|grad_2 f|^2 <= (G1^2 L2/mu) |grad_1 f|^2 (corrected) holds; the printed form (grad_2 on both sides)
    fails wherever G1^2 L2/mu < 1 and grad_2 f != 0."""
    x, u = _point(m, seed)
    g1, g2 = m.grads(x, u)
    k = m.G1**2 * m.L2 / m.mu
    lhs = float(g2 @ g2)
    target(lhs / (k * float(g1 @ g1) + 1e-300), label="corrected Difficulty 2 ratio")
    assert lhs <= k * float(g1 @ g1) * (1 + 1e-9) + 1e-15
    if k < 1 and lhs > 1e-12:
        assert lhs > k * lhs


def test_difficulty_2_needs_realizable_targets():
    """With a non-realizable y (A1 not onto: n > d_x), A5 fails and the corrected Difficulty 2 can fail:
    at x = x*(u) grad_1 f = 0 while grad_2 f != 0."""
    rng = np.random.default_rng(3)
    n, dx, du = 6, 3, 2
    a1, a2 = rng.standard_normal((n, dx)), 0.3 * rng.standard_normal((n, du))
    y = rng.standard_normal(n)
    u = rng.standard_normal(du)
    s = np.tanh(a2 @ u)
    x = np.linalg.lstsq(a1, y - s, rcond=None)[0]
    r = a1 @ x + s - y
    g1, g2 = a1.T @ r, a2.T @ (r * (1 - s**2))
    assert np.linalg.norm(g1) < 1e-10 and np.linalg.norm(g2) > 1e-3


@pytest.mark.parametrize("method", ["gd", "nesterov"])
@pytest.mark.parametrize("c", [0.1, 0.25, 0.5, 1.0])
def test_rate_forms_hold_on_additive_models_and_quadratics(method, c):
    ms = [AdditiveModel(8, 5, sv=(1.0, 3.0), a2_norm=0.1, seed=100 + s) for s in range(4)]
    ms += [Quadratic(6, 0.01, 1.0, seed=s) for s in range(3)]
    ratios = [rate_ratio(m, method, c, k_steps=400) for m in ms]
    assert max(ratios) <= 1.0, f"{method} c={c}: ratios {ratios}"


def test_large_a2_breaks_nothing_silently():
    """Outside the small-G1 regime the theorems promise nothing; the run still reports finite gaps."""
    m = AdditiveModel(6, 4, sv=(1.0, 2.0), a2_norm=3.0, seed=1)
    gaps, kappa = run(m, "nesterov", 1.0, 200)
    assert np.all(np.isfinite(gaps)) and kappa >= 1


def test_beta_in_unit_interval():
    for kappa in (1.0, 10.0, 1e4):
        for c in (1e-3, 0.5, 1.0):
            b = (4 * np.sqrt(kappa) - np.sqrt(c)) / (4 * np.sqrt(kappa) + 7 * np.sqrt(c))
            assert 0 <= b < 1
    assert beta_poster(9.0, 1.0) == pytest.approx(11 / 19)


def test_findings_recorded():
    d = derivations.get("partitioned_nesterov")
    assert {s.label: s.finding for s in d.steps if s.finding} == {"Thm1-A5": "error", "Diff2": "slip"}
