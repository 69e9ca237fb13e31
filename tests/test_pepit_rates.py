"""Cross-check of worst-case rates against PEPit (a test dependency only; no derivation verdict uses it).

For gradient descent, Nesterov's momentum (2) and heavy ball on mu-strongly convex L-smooth functions
(mu = 0.1, L = 1) with eta = c/L and the poster's beta = (4 sqrt(kappa) - sqrt(c))/(4 sqrt(kappa) + 7 sqrt(c)),
PEPit computes tau(N) = max (f(x_N) - f*) subject to f(x_0) - f* <= 1 (SDP solved by CLARABEL through cvxpy;
the default SCS is inaccurate at longer horizons).  Checks:

* every sampled quadratic of the class has (f_N - f*)/(f_0 - f*) <= tau(N) (a sample cannot beat the exact
  worst case: this validates both the iteration code and the PEP);
* the documents' rate forms -- Theorem 2 (GD): (1 - c/(4 kappa))^N, Theorem 3 (Nesterov):
  2 (1 - c/(4 sqrt kappa))^N -- are >= tau(N); a claimed rate below tau(N) would be refuted for the class.
  Heavy ball has no claimed rate in the documents; its row records PEPit against Theorem 3's form, for reference.
The numbers are recorded in notes/partitioned_nesterov.md.
"""

from __future__ import annotations

from math import sqrt

import numpy as np
import pytest

from PEPit import PEP  # noqa: E402
from PEPit.functions import SmoothStronglyConvexFunction  # noqa: E402

MU, L = 0.1, 1.0
KAPPA = L / MU
SOLVER = "CLARABEL"
RTOL = 1e-5  # SDP accuracy allowance when comparing sampled ratios with tau(N)


def beta_poster(c: float) -> float:
    return (4 * sqrt(KAPPA) - sqrt(c)) / (4 * sqrt(KAPPA) + 7 * sqrt(c))


def pepit_tau(method: str, c: float, n: int) -> float:
    problem = PEP()
    f = problem.declare_function(SmoothStronglyConvexFunction, mu=MU, L=L)
    xs = f.stationary_point()
    fs = f(xs)
    x0 = problem.set_initial_point()
    problem.set_initial_condition(f(x0) - fs <= 1)
    eta, beta = c / L, beta_poster(c)
    x, y, xprev = x0, x0, x0
    for _ in range(n):
        if method == "gd":
            x = x - eta * f.gradient(x)
        elif method == "nesterov":  # (2): x_{k+1} = y_k - eta grad f(y_k), y_{k+1} = x_{k+1} + beta (x_{k+1} - x_k)
            xn = y - eta * f.gradient(y)
            y = xn + beta * (xn - x)
            x = xn
        else:  # heavy ball x_{k+1} = x_k - eta grad f(x_k) + beta (x_k - x_{k-1}), x_{-1} = x_0
            xn = x - eta * f.gradient(x) + beta * (x - xprev)
            xprev, x = x, xn
    problem.set_performance_metric(f(x) - fs)
    return float(problem.solve(wrapper="cvxpy", solver=SOLVER, verbose=0))


def sampled_worst(method: str, c: float, n: int, samples: int = 400, seed: int = 0) -> float:
    """Worst (f_N - f*)/(f_0 - f*) over random quadratics with spectrum in [MU, L] (incl. the endpoints)."""
    rng = np.random.default_rng(seed)
    eta, beta = c / L, beta_poster(c)
    worst = 0.0
    for _ in range(samples):
        ev = np.concatenate([[MU, L], rng.uniform(MU, L, 2)])
        x0 = rng.standard_normal(4)
        f = lambda z: 0.5 * float(np.sum(ev * z * z))  # noqa: E731
        x, y, xprev = x0.copy(), x0.copy(), x0.copy()
        for _ in range(n):
            if method == "gd":
                x = x - eta * ev * x
            elif method == "nesterov":
                xn = y - eta * ev * y
                y = xn + beta * (xn - x)
                x = xn
            else:
                xn = x - eta * ev * x + beta * (x - xprev)
                xprev, x = x, xn
        worst = max(worst, f(x) / f(x0))
    return worst


def claimed(method: str, c: float, n: int) -> float:
    if method == "gd":
        return (1 - c / (4 * KAPPA)) ** n
    return 2 * (1 - c / (4 * sqrt(KAPPA))) ** n


CASES = [(m, c, n) for m in ("gd", "nesterov", "hb") for c in (0.25, 1.0) for n in (1, 2, 4, 8)]


@pytest.mark.parametrize("method,c,n", CASES, ids=[f"{m}-c{c}-N{n}" for m, c, n in CASES])
def test_claimed_rate_vs_pepit_worst_case(method, c, n):
    tau = pepit_tau(method, c, n)
    assert 0.0 < tau < 1.0, f"PEPit returned {tau} (solver {SOLVER})"
    emp = sampled_worst(method, c, n)
    assert emp <= tau * (1 + RTOL) + 1e-9, (
        f"a sampled quadratic beats PEPit's worst case: {emp} > {tau} ({method}, c={c}, N={n})")
    rate = claimed(method, c, n)
    assert rate >= tau, (f"claimed rate {rate:.6f} is below PEPit's worst case {tau:.6f} for {method}, c={c}, N={n}: "
                         f"refuted for the class of {MU}-strongly convex {L}-smooth functions")


def test_pepit_matches_known_gd_worst_case():
    """PEPit's GD worst case with step 1/L is the known tight (1 - mu/L)^(2N)."""
    for n in (1, 3):
        assert pepit_tau("gd", 1.0, n) == pytest.approx((1 - MU / L) ** (2 * n), rel=1e-4)
