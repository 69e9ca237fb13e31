"""Tests for the seed-003 homework audit (hw_* derivations): the findings and their corrections, checked
independently of the encodings (exact arithmetic or direct simulation), plus hypothesis sweeps."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, note, settings, target
from hypothesis import strategies as st

import derivations
from derivations import HOLDS_NUMERICALLY, REFUTED

GAMMA = 0.5772156649015329
HW = ("hw_nonconvexity_at_zero", "hw_sgd_stationarity", "hw_smoothness_overparam", "hw_linear_networks",
      "hw_ultrawide_perturbation")


def harmonic(n: int) -> Fraction:
    return sum((Fraction(1, k) for k in range(1, n + 1)), Fraction(0))


def step_sum(beta: float, T: int) -> float:
    """sum_{t<T} min(1/(t+1), 1/beta)."""
    return math.fsum(min(1 / (t + 1), 1 / beta) for t in range(T))


def tail_sum(beta: float, T: int) -> float:
    lo = math.ceil(beta - 1)
    return math.fsum(1 / (t + 1) for t in range(lo, T))


# ----------------------------------------------------------------------------- registry / findings


@pytest.mark.parametrize("mid", HW)
def test_hw_module_registered_with_findings_documented(mid):
    d = derivations.get(mid)
    for s in d.steps:
        if s.finding in ("slip", "error"):
            assert s.correction is not None and s.note


def test_findings_are_the_expected_set():
    found = {(d.id, s.label, s.finding) for d in derivations.ALL if d.id.startswith("hw_") for s in d.steps if s.finding}
    assert ("hw_sgd_stationarity", "Q2.harm", "error") in found
    assert ("hw_sgd_stationarity", "Q2.harm.outer", "error") in found
    assert ("hw_ultrawide_perturbation", "Q2.b", "error") in found
    assert ("hw_ultrawide_perturbation", "Q2.c", "error") in found
    assert ("hw_ultrawide_perturbation", "Q2.O", "error") in found
    assert ("hw_ultrawide_perturbation", "Q2.sqrt", "gap") in found


# ----------------------------------------------------------------------------- Part 2 Q2: harmonic bounds


def test_harmonic_link_counterexample_exact():
    # beta = 1.01: ceil(beta - 1) = 1, so the tail sum is H_100 - 1
    lhs = float(harmonic(100) - 1)
    assert math.isclose(lhs, tail_sum(1.01, 100), rel_tol=1e-12)
    assert lhs < math.log(100) - math.log(1.01) - 0.4
    # beta = 0.5: the outer claim fails
    assert float(harmonic(10)) < math.log(10) - math.log(0.5)
    assert math.isclose(step_sum(0.5, 10), float(harmonic(10)), rel_tol=1e-12)


@given(beta=st.floats(0.01, 60.0), T=st.integers(1, 3000))
def test_corrected_harmonic_bound_holds(beta, T):
    note(f"beta={beta}, T={T}")
    slack = tail_sum(beta, T) - (math.log(T + 1) - math.log(math.ceil(beta)))
    target(-slack)
    assert slack >= -1e-12
    assert step_sum(beta, T) >= tail_sum(beta, T) - 1e-12


@given(beta=st.floats(math.exp(-GAMMA) + 1e-9, 60.0), T=st.integers(1, 3000))
def test_outer_claim_holds_for_beta_above_exp_minus_gamma(beta, T):
    slack = step_sum(beta, T) - (math.log(T) - math.log(beta))
    target(-slack)
    assert slack >= -1e-12


@pytest.mark.parametrize("beta", [0.1, 0.3, 0.5])
def test_outer_claim_fails_for_small_beta(beta):
    T = 10_000
    assert step_sum(beta, T) < math.log(T) - math.log(beta)


def test_grid_check_refutes_and_corrects():
    d = derivations.get("hw_sgd_stationarity")
    r = d.check_step("Q2.harm")
    assert r.verdict.status == REFUTED and "beta = 1.01, T = 100" in r.verdict.evidence
    assert r.correction.status == HOLDS_NUMERICALLY


# ----------------------------------------------------------------------------- Part 2 Q1/Q2 simulations


def test_q2_exact_hitting_time_below_bound_small_beta():
    from numeric_checks._checks_hw_sgd import q2_bound, q2_hitting

    for beta in (0.05, 0.2, 0.5):
        tau = q2_hitting(beta, 0.3, 0.2, 2 * 0.2 / beta)
        assert tau is not None and tau >= 1
        assert math.log10(tau) <= q2_bound(beta, 0.3, 0.2, 2 * 0.2 / beta)


def test_q1_monte_carlo_hitting_time_below_bound():
    from numeric_checks._checks_hw_sgd import q1_hitting

    tau, bound = q1_hitting(2.0, 0.5, 0.1, 3, 2.5, paths=2000)
    assert tau is not None and tau <= bound


# ----------------------------------------------------------------------------- Part 4 Q2


def test_q2b_counterexample_closed_form():
    # H(s) = 0.5 + s/2 on [0, 2]: |u(2) - y|^2 = exp(-2 * int_0^2 H) = e^-4; claimed e^(-2 * 1.5 * 2) = e^-6
    integral = sp.integrate(sp.Rational(1, 2) + sp.Symbol("s") / 2, (sp.Symbol("s"), 0, 2))
    assert integral == 2
    assert math.exp(-4) > math.exp(-6)


def test_triangle_step_counterexample():
    a, b = np.array([1.0, 0.0]), np.array([-1.0, 0.0])
    assert np.sum((a - b) ** 2) > np.sum(a**2) + np.sum(b**2)
    assert np.sum((a - b) ** 2) <= 2 * np.sum(a**2) + 2 * np.sum(b**2)


@settings(max_examples=8)
@given(seed=st.integers(0, 10_000), eps=st.floats(0.01, 1.0), n=st.integers(2, 4))
def test_corrected_perturbation_bound_random_instances(seed, eps, n):
    from numeric_checks._checks_hw_ultrawide import _simulate

    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, n))
    hs = a @ a.T / n + eps * np.eye(n)           # lambda*_min >= eps keeps H(t) PSD
    q0 = np.linalg.qr(rng.standard_normal((n, n)))[0]
    s = rng.uniform(-1, 1, n); s /= np.abs(s).max()
    om = rng.uniform(0.5, 5.0)

    def ht(tt):                                  # H* + eps R(t) diag(s) R(t)^T, R(t) rotating in a plane
        c, sn = math.cos(om * tt), math.sin(om * tt)
        rot = np.eye(n); rot[0, 0] = rot[1, 1] = c; rot[0, 1], rot[1, 0] = -sn, sn
        q = q0 @ rot
        return hs + eps * (q * s) @ q.T
    u0, y = rng.standard_normal(n), rng.standard_normal(n)
    ts, dist = _simulate(hs, ht, u0, y, 3.0, 1e-10, 1e-12)
    ratio = float(np.max(dist / (eps * ts * np.linalg.norm(u0 - y))))
    note(f"ratio={ratio}")
    target(ratio)
    assert ratio <= 1.0 + 1e-8


def test_final_bound_is_not_small_at_t_zero():
    # the source's final bound does not vanish as t -> 0, so it cannot be O(t eps)
    R, l1, l2, eps = 1.0, 1.0, 2.0, 1e-3
    for t in (1e-2, 1e-4, 1e-6):
        B = 2 * R**2 * (1 + t * (l1 + l2 + eps))
        assert B >= 2 * R**2 and B / (t * eps) >= 2 / (t * eps)  # unbounded as t, eps -> 0
    assert 2 / (1e-6 * eps) > 1e8


# ----------------------------------------------------------------------------- Part 1


def test_gradient_at_zero_needs_sigma_zero():
    from derivations.hw_nonconvexity_at_zero import W2net, _grad_sq_at_zero, h2, sigma, zero2

    expr = _grad_sq_at_zero(h2, W2net, zero2, (2,)).doit()
    assert sp.simplify(expr) != 0              # without sigma(0) = 0 the last layer's gradient survives
    assert sp.simplify(expr.subs(sigma(0), 0)) == 0


def test_one_layer_network_has_nonzero_gradient_at_zero():
    x1, w = sp.symbols("x1 w", real=True)
    ell = sp.Function("l")
    g = sp.diff(ell(w * x1), w).subs(w, 0).doit()
    assert g != 0                              # N = 1: grad L(0) = l'(0) x, so N >= 2 is needed


# ----------------------------------------------------------------------------- Part 2 Q3


def test_gradient_formula_matches_finite_differences():
    from numeric_checks._checks_hw_smooth import grad_phi

    rng = np.random.default_rng(0)
    d, N = 3, 3
    Y = rng.standard_normal((d, d))
    ws = [rng.standard_normal((d, d)) * 0.7 for _ in range(N)]

    def phi(ws):
        P = np.eye(d)
        for w in ws:
            P = w @ P
        return 0.5 * np.sum((P - Y) ** 2)
    g = grad_phi(ws, lambda P: P - Y)
    h, fd = 1e-6, []
    for j in range(N):
        for idx in np.ndindex(d, d):
            wp = [w.copy() for w in ws]; wm = [w.copy() for w in ws]
            wp[j][idx] += h; wm[j][idx] -= h
            fd.append((phi(wp) - phi(wm)) / (2 * h))
    assert np.allclose(g, fd, rtol=1e-6, atol=1e-7)


def test_difference_quotient_growth_orders():
    from numeric_checks._checks_hw_smooth import ratios

    alphas, out, c2 = ratios()
    assert out["nonaffine_N2"][-1] / out["nonaffine_N2"][-2] == pytest.approx(100, rel=0.05)
    assert out["affine_N3"][-1] / out["affine_N3"][-2] == pytest.approx(10, rel=0.05)
    assert max(out["affine_N2"]) <= c2 * (1 + 1e-12)


# ----------------------------------------------------------------------------- Part 3


@given(seed=st.integers(0, 10_000), N=st.integers(2, 6))
def test_row_vector_formula_equals_ach(seed, N):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((1, 4)); g = rng.standard_normal((1, 4))
    r = np.linalg.norm(W)
    src = -r ** (2 - 2 / N) * g - (N - 1) * r ** (-2 / N) * (g @ W.T).item() * W
    ach = -r ** (2 - 2 / N) * (g + (N - 1) * (g @ (W / r).T).item() * W / r)
    cls = np.zeros_like(W)
    from numeric_checks._checks_hw_linear import _psd_power

    for j in range(1, N + 1):
        cls -= (W @ W.T).item() ** ((j - 1) / N) * g @ _psd_power(W.T @ W, (N - j) / N)
    assert np.allclose(src, ach, rtol=1e-10, atol=1e-12)
    assert np.allclose(src, cls, rtol=1e-8, atol=1e-10)


def test_balancedness_identity_random_instance():
    from numeric_checks._checks_hw_linear import _balanced_square, _psd_power

    rng = np.random.default_rng(1)
    ws = _balanced_square(rng, 3, 4)
    P, parts = np.eye(3), []
    for w in ws:
        P = w @ P; parts.append(P.copy())
    E = parts[-1].T @ parts[-1]
    for j in range(1, 5):
        assert np.allclose(parts[j - 1].T @ parts[j - 1], _psd_power(E, j / 4), atol=1e-10)
