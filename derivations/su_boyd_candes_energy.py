"""The Su-Boyd-Candes energy argument for Nesterov's ODE (the worked example).

Setting and assumptions
    ``f: R^d -> R`` convex and continuously differentiable with minimiser ``x*`` and minimum
    ``f*``; ``X(t)`` solves Nesterov's ODE ``X'' + (3/t) X' + grad f(X) = 0`` for ``t > 0``
    with ``X(0) = x0``, ``X'(0) = 0`` (the solution exists and is unique: Su, Boyd & Candes,
    Theorem 1).  The encoding uses ``d = 2`` coordinates ``X1(t), X2(t)`` with the gradient
    along the trajectory ``g_i(t) = d_i f(X(t))`` and ``F(t) = f(X(t))``; every step is
    coordinate-wise, so the argument is the same in any dimension.

Claim (Su, Boyd & Candes 2016, Theorem 3; an upper bound, not claimed tight)
    ``f(X(t)) - f* <= 2 |x0 - x*|^2 / t^2`` for all ``t > 0``, from the energy
    ``E(t) = t^2 (f(X(t)) - f*) + 2 |X + t X'/2 - x*|^2`` being non-increasing.  Also the
    small-``t`` behaviour ``X(t) = x0 - t^2/8 grad f(x0) + o(t^2)`` (their Section 2).

Steps
    (2.1) definition of E; (2.2) dE/dt by the chain rule and the ODE; (2.3) dE/dt <= 0 by
    convexity; (2.4) E(t) <= E(t0) and (2.6) E(t) <= E(0) by the comparison principle
    (t0 -> 0); (2.5) E(0) = 2|X(0) - x*|^2 (limit t -> 0 with bounded velocity); (2.7)
    t^2 (f - f*) <= E; (2.8) the rate; (2.9)-(2.11) the small-t expansion; (2.12) an
    integration-by-parts form; (2.13) E(t) - E(0) = int_0^t E'; (2.14) the solution exists
    (cited, with a numeric sanity check against the closed form for f = x^2/2).

Notation
    ``xs_i`` are the coordinates of ``x*``, ``fs = f*``; ``c2, c3`` the Taylor coefficients
    of ``X`` at 0, ``g0 = grad f(x0)``.

References
    W. Su, S. Boyd, E. Candes, "A differential equation for modeling Nesterov's accelerated
    gradient method: theory and insights", JMLR 17 (2016).

Example
    >>> import derivations
    >>> print(derivations.get("su_boyd_candes_energy").check("(2.3)"))  # doctest: +SKIP

This module is the template the seed derivations copy (see ``derivations/_template.py``).
"""

from __future__ import annotations

import sympy as sp
from sympy import Derivative as D
from sympy import Eq, Integral, Le

from derivations import (
    HOLDS_NUMERICALLY,
    REFUTED,
    Assumption,
    Step,
    Verdict,
    by_parts,
    chain,
    cited,
    comparison,
    definition,
    differentiate,
    follows_from,
    integrate,
    limit,
)

ID = "su_boyd_candes_energy"
TITLE = "Worked example: the Su-Boyd-Candes energy bound f(X(t)) - f* <= 2|x0 - x*|^2/t^2"
SOURCE = "Su, Boyd & Candes (JMLR 2016), Section 3 (not a seed document: the template derivation)"

# --- symbols, with their assumptions (STYLE.md item 3)
t, t0, s = sp.symbols("t t_0 s", positive=True)
fs, xs1, xs2 = sp.symbols("f^* x^*_1 x^*_2", real=True)
c2, c3, g0, g2 = sp.symbols("c_2 c_3 g_0 g_2", real=True)
X1, X2, g1f, g2f, F, E = (sp.Function(n, real=True) for n in ("X1", "X2", "g1", "g2", "F", "E"))

v1 = X1(t) + t * D(X1(t), t) / 2 - xs1
v2 = X2(t) + t * D(X2(t), t) / 2 - xs2
energy = t**2 * (F(t) - fs) + 2 * (v1**2 + v2**2)
inner_gap = g1f(t) * (X1(t) - xs1) + g2f(t) * (X2(t) - xs2)
dist0_sq = (X1(0) - xs1) ** 2 + (X2(0) - xs2) ** 2

ASSUMPTIONS = (
    Assumption("ODE1", "nesterov_ode_coordinate_1", "X1'' + (3/t) X1' + g1 = 0 for t > 0",
               Eq(D(X1(t), (t, 2)) + 3 / t * D(X1(t), t) + g1f(t), 0)),
    Assumption("ODE2", "nesterov_ode_coordinate_2", "X2'' + (3/t) X2' + g2 = 0 for t > 0",
               Eq(D(X2(t), (t, 2)) + 3 / t * D(X2(t), t) + g2f(t), 0)),
    Assumption("CHAIN", "chain_rule", "d/dt f(X(t)) = <grad f(X(t)), X'(t)>",
               Eq(D(F(t), t), g1f(t) * D(X1(t), t) + g2f(t) * D(X2(t), t))),
    Assumption("CONVEX", "convexity_first_order", "f(x*) >= f(X) + <grad f(X), x* - X>, i.e. f(X) - f* <= <g, X - x*>",
               Le(F(t) - fs, inner_gap)),
    Assumption("INIT", "initial_conditions", "X(0) = x0, X'(0) = 0; X' bounded near t = 0 (X is C^1 on [0, oo))"),
    Assumption("SERIES", "small_t_ansatz", "X(t) = x0 + c2 t^2 + c3 t^3 + O(t^4) and g(X(t)) = g0 + g2 t^2 + O(t^3) "
               "(X'(0) = 0 removes the t term of X, hence of g(X(t)))"),
)


def _series_ode(ctx):
    """The ODE (coordinate 1) with the small-t ansatz substituted (the truncated terms are o(1))."""
    ode = ctx.claim("ODE1")
    ansatz = {X1(t): g0 * 0 + sp.Symbol("x_0") + c2 * t**2 + c3 * t**3, g1f(t): g0 + g2 * t**2}
    lhs = ode.lhs.subs(ansatz).doit()
    return Eq(sp.expand(lhs), 0)


def _bessel_sanity(ctx, claim) -> Verdict:
    """For f(x) = x^2/2 the solution is X(t) = 2 x0 J1(t)/t; compare with a numerical solution."""
    import numpy as np
    from scipy.integrate import solve_ivp
    from scipy.special import j1

    x0, ta = 1.0, 1e-6
    # series start at ta: X = x0 - ta^2/8 x0, X' = -ta/4 x0
    sol = solve_ivp(lambda tt, y: [y[1], -3.0 / tt * y[1] - y[0]], (ta, 20.0), [x0 - ta**2 / 8 * x0, -ta / 4 * x0],
                    method="DOP853", rtol=1e-11, atol=1e-13, dense_output=True)
    ts = np.linspace(0.5, 20.0, 60)
    err = float(np.max(np.abs(sol.sol(ts)[0] - 2 * x0 * j1(ts) / ts)))
    if err < 1e-7:
        return Verdict(HOLDS_NUMERICALLY, "numeric", f"f = x^2/2: DOP853 solution matches 2 x0 J1(t)/t on [0.5, 20] "
                       f"to {err:.1e} (rtol 1e-11)", {"max_error": err})
    return Verdict(REFUTED, "numeric", f"f = x^2/2: numerical solution differs from 2 x0 J1(t)/t by {err:.1e}",
                   {"max_error": err})


STEPS = (
    Step("(2.1)", "def_energy", Eq(E(t), energy), definition(),
         note="E(t) = t^2 (f(X) - f*) + 2 |X + t X'/2 - x*|^2, Su-Boyd-Candes' Lyapunov function."),
    Step("(2.2)", "eq2_2_energy_derivative",
         Eq(D(E(t), t), 2 * t * (F(t) - fs) - 2 * t * inner_gap),
         follows_from(solve={"(2.1)": E(t), "ODE1": D(X1(t), (t, 2)), "ODE2": D(X2(t), (t, 2)),
                             "CHAIN": D(F(t), t)}),
         uses=("(2.1)", "ODE1", "ODE2", "CHAIN")),
    Step("(2.3)", "eq2_3_energy_nonincreasing_of_convex", Le(D(E(t), t), 0),
         follows_from(solve={"(2.2)": D(E(t), t)}), uses=("(2.2)", "CONVEX")),
    Step("(2.4)", "eq2_4_energy_le_initial_of_nonincreasing", Le(E(t), E(t0)),
         comparison(hypothesis="(2.3)", u=E(t), t=t, t0=t0), uses=("(2.3)",),
         note="for t >= t0 > 0"),
    Step("(2.5)", "eq2_5_energy_at_zero", Eq(E(0), 2 * dist0_sq),
         limit(of="(2.1)", var=t, to=0, bounded=(D(X1(t), t), D(X2(t), t), F(t))), uses=("(2.1)", "INIT")),
    Step("(2.6)", "eq2_6_energy_le_energy_at_zero", Le(E(t), E(0)),
         comparison(hypothesis="(2.3)", u=E(t), t=t, t0=t0, limit=0), uses=("(2.3)", "INIT")),
    Step("(2.7)", "eq2_7_gap_le_energy", Le(t**2 * (F(t) - fs), E(t)),
         follows_from(solve={"(2.1)": E(t)}), uses=("(2.1)",)),
    Step("(2.8)", "eq2_8_rate_of_energy", Le(F(t) - fs, 2 * dist0_sq / t**2),
         follows_from(derive=lambda ctx: chain(ctx, "(2.7)", "(2.6)", "(2.5)"), how="chaining (2.7), (2.6), (2.5)"),
         uses=("(2.7)", "(2.6)", "(2.5)")),
    Step("(2.9)", "eq2_9_series_residual",
         Eq(0, 8 * c2 + g0 + 15 * c3 * t + g2 * t**2),
         follows_from(derive=_series_ode, how="substituting the ansatz into the ODE"), uses=("ODE1", "SERIES")),
    Step("(2.10)", "eq2_10_leading_order", Eq(8 * c2 + g0, 0),
         limit(of="(2.9)", var=t, to=0), uses=("(2.9)",)),
    Step("(2.11)", "eq2_11_small_t_coefficient", Eq(c2, -g0 / 8),
         follows_from(solve={"(2.10)": c2}), uses=("(2.10)",),
         note="X(t) = x0 - t^2/8 grad f(x0) + o(t^2)"),
    Step("(2.12)", "eq2_12_gap_by_parts",
         Eq(Integral(t**2 * D(F(t), t), t), t**2 * (F(t) - fs) - Integral(2 * t * (F(t) - fs), t)),
         by_parts(t), note="integrated form of d/dt [t^2 (f - f*)] used for averaged rates"),
    Step("(2.13)", "eq2_13_energy_drop_integral",
         Eq(E(t) - E(0), Integral(D(E(s), s), (s, 0, t))), integrate(t, lower=0)),
    Step("(2.14)", "thm1_solution_exists", Eq(D(X1(t), (t, 2)) + 3 / t * D(X1(t), t) + g1f(t), 0),
         cited("Su, Boyd & Candes (2016), Theorem 1: for convex L-smooth f the ODE with X(0) = x0, X'(0) = 0 "
               "has a unique global C^2 solution", check=_bessel_sanity),
         expect="cited"),
)
