"""Liao & Kyrillidis: Nesterov's momentum for partitioned objectives f(x, u) = g(h(x, u)).

Setting and assumptions
    ``f: R^{d1} x R^{d2} -> R``, ``f = g o h`` with ``g`` ``L2``-smooth; Assumptions 1-5 of the
    poster: ``h`` is ``G1``-Lipschitz in ``u`` (A1); ``grad_1 f`` is ``G2``-Lipschitz in ``u``
    (A2); ``f`` is ``mu``-strongly convex (A3) and ``L1``-smooth (A4) in ``x``; ``min_x f(x, u)
    = f*`` for every ``u`` (A5).  Nesterov's momentum (2) with ``eta = c/L1`` and ``beta = (4
    sqrt(kappa) - sqrt(c))/(4 sqrt(kappa) + 7 sqrt(c))``, ``kappa = L1/mu``.  Scalar encodings:
    norms and squared norms are nonnegative symbols (``q1 = |grad_1 f|^2``, ``q2 = |grad_2
    f|^2``, ``s = |grad g(h)|^2``, ``F = f(x, u)``); Theorem 1's counterexample is the 2-D
    quadratic ``f = 1/2 (A x^2 + 2 B x u + Cq u^2)``, ``A > 0``, ``A Cq > B^2``.

Claim (seed 002_424f2b33cfb3df52.txt; upper bounds)
    Theorem 1: a ``mu~``-strongly convex ``L~``-smooth ``f~`` satisfies A1-5 with ``R = oo``,
    ``mu = mu~``, ``L1 = L2 = L~``, ``G1 = G2 = 0``; A3 + A5 give ``|grad f|^2 >= 2 mu (f - f*)``.
    Difficulty 1: ``|x*(u1) - x*(u2)| <= (G2/mu)|u1 - u2|``.  Difficulty 2 (as printed):
    ``|grad_2 f|^2 <= (G1^2 L2/mu) |grad_2 f|^2``.  Theorems 2-3: ``f_k - f* <= (1 -
    c/(4 kappa))^k (f_0 - f*)`` (GD) and ``<= 2 (1 - c/(4 sqrt(kappa)))^k (f_0 - f*)``
    (Nesterov), for some ``c > 0`` left unspecified.

Steps
    minx: ``min_x f - f*`` for the 2-D quadratic.  Thm1-A5: A5 with a nontrivial partition
    (error: false unless ``u`` is absent).  SC-min, Thm1-PL: the PL-type inequality.  Diff1: the
    Lipschitz minimiser map.  Diff2: as printed (slip: the right side should carry
    ``grad_1``); corrected inequality proved from ``|grad_2 f| <= G1 |grad g|``, smoothness of
    ``g`` with ``min g = f*`` (realizable targets) and the PL inequality in ``x``.  beta>=0,
    beta<1: the momentum is admissible for ``kappa >= 1``, ``0 < c <= 1``.  Thm2-trivial: the
    GD rate for the trivial partition (any ``c`` in (0, 1]).  Thm2, Thm3: the rate forms on
    random additive models and quadratics (trajectory).

Notation
    ``sk = sqrt(kappa)``, ``sc = sqrt(c)``; ``dx = |x*(u1) - x*(u2)|``, ``du = |u1 - u2|``,
    ``gd = |grad_1 f(x*(u1), u2)|``; ``Mu = min_x f(x, u) - f*``.

References
    F. Liao, A. Kyrillidis, "Provable accelerated convergence of Nesterov's momentum for deep
    ReLU neural networks", ALT 2024 (poster).  Y. Nesterov, Lectures on Convex Optimization
    (2018), Thm 2.1.15 (the GD rate for strongly convex smooth functions).

Example
    >>> import derivations
    >>> print(derivations.get("partitioned_nesterov").check("Diff2"))  # doctest: +SKIP
"""

from __future__ import annotations

import sympy as sp
from sympy import Eq, Ge, Le

from derivations import (
    HOLDS_NUMERICALLY,
    REFUTED,
    Assumption,
    Correction,
    Step,
    Verdict,
    follows_from,
    inequality,
    numeric,
    trajectory,
)

ID = "partitioned_nesterov"
TITLE = "Partitioned strong convexity and Nesterov's momentum (Liao & Kyrillidis poster)"
SOURCE = "002_424f2b33cfb3df52.txt (poster), Theorems 1-3, Idea of proof (Difficulties 1-2), parameter choices"

mu, L1, L2, G1, G2 = sp.symbols("mu L_1 L_2 G_1 G_2", positive=True)
q1, q2, s_, dx, du, gd = sp.symbols("q_1 q_2 s dx du gd", nonnegative=True)
F, fs, g1, d = sp.symbols("F f^* g_1 d", real=True)
A, Cq, B = sp.symbols("A C_q B", positive=True)
x, u, Mu = sp.symbols("x u M_u", real=True)
sk, sc, kappa, c = sp.symbols("sk sc kappa c", positive=True)

CONDITIONS = (sp.Le(mu, L1), sp.Gt(A * Cq - B**2, 0))  # the 2-D quadratic is strongly convex
DOMAIN = {mu: (0.01, 5.0), L1: (0.01, 50.0), L2: (0.01, 10.0), G1: (0.0, 5.0), G2: (0.0, 5.0)}

fq = (A * x**2 + 2 * B * x * u + Cq * u**2) / 2   # strongly convex iff A > 0, A Cq > B^2; f* = 0 at 0
beta_expr = (4 * sk - sc) / (4 * sk + 7 * sc)


def _derive_minx(ctx):
    xs = sp.solve(sp.diff(fq, x), x)[0]
    return Eq(Mu, sp.factor(fq.subs(x, xs)))


def _diff2_as_printed(ctx, claim) -> Verdict:
    """Evaluate the printed inequality on an additive model with G1^2 L2/mu < 1 at a point with grad_2 f != 0."""
    import numpy as np

    from numeric_checks._checks_partitioned import AdditiveModel

    m = AdditiveModel(6, 4, sv=(1.0, 2.0), a2_norm=0.1, seed=0)
    k = m.G1**2 * m.L2 / m.mu
    gx, gu = m.grads(m.x0, m.u0)
    lhs = float(gu @ gu)
    rhs = k * lhs
    ev = (f"additive model AdditiveModel(6, 4, sv=(1, 2), a2_norm=0.1, seed=0): G1^2 L2/mu = {k:.4g} < 1, "
          f"at (x0, u0): |grad_2 f|^2 = {lhs:.6g} > (G1^2 L2/mu)|grad_2 f|^2 = {rhs:.6g}")
    if lhs > rhs * (1 + 1e-9) and lhs > 1e-12:
        return Verdict(REFUTED, "numeric", ev, {"lhs": lhs, "rhs": rhs, "factor": k},
                       replay="python -c \"from numeric_checks._checks_partitioned import AdditiveModel as M; "
                              "m = M(6, 4, sv=(1.0, 2.0), a2_norm=0.1, seed=0); gx, gu = m.grads(m.x0, m.u0); "
                              "print(gu @ gu, m.G1**2 / m.mu * (gu @ gu))\"")
    return Verdict(HOLDS_NUMERICALLY, "numeric", ev, {"lhs": lhs, "rhs": rhs})


ASSUMPTIONS = (
    Assumption("A3", "strong_convexity_in_x",
               "f(y, u) >= f(x, u) + <g1, y - x> + mu/2 |y - x|^2 (scalar form, d = y - x, g1 = grad_1 f)"),
    Assumption("A5", "min_over_x_is_global_min", "min_x f(x, u) = f* for every u"),
    Assumption("A3A5", "sc_min_with_A5", "A3 minimised over y, with A5: f* >= F - q1/(2 mu)",
               Ge(fs, F - q1 / (2 * mu))),
    Assumption("NORM", "full_gradient_norm", "|grad f|^2 = q1 + q2 >= q1", Ge(q1 + q2, q1)),
    Assumption("SM", "strong_monotonicity_at_minimiser",
               "A3 gives <grad_1 f(a,u) - grad_1 f(b,u), a - b> >= mu |a - b|^2; with grad_1 f(x*(u2), u2) = 0: "
               "gd >= mu dx", Ge(gd, mu * dx)),
    Assumption("A2", "grad1_lipschitz_in_u", "grad_1 f(x*(u1), u1) = 0 and A2: gd <= G2 du", Le(gd, G2 * du)),
    Assumption("JAC", "chain_rule_grad2", "grad_2 f = (D_u h)^T grad g(h), |D_u h| <= G1 (A1): q2 <= G1^2 s",
               Le(q2, G1**2 * s_)),
    Assumption("GSMOOTH", "smooth_loss_gradient_bound",
               "g is L2-smooth with min g = f* (realizable targets): s = |grad g(h)|^2 <= 2 L2 (F - f*)",
               Le(s_, 2 * L2 * (F - fs))),
    Assumption("PLX", "pl_in_x", "A3 + A5: F - f* <= q1/(2 mu)", Le(F - fs, q1 / (2 * mu))),
    Assumption("KAPPA", "kappa_and_c_ranges", "kappa = L1/mu >= 1 (sk = sqrt(kappa) >= 1), 0 < c <= 1 (sc <= 1)",
               sp.And(Ge(sk, 1), Le(sc, 1))),
)

STEPS = (
    Step("minx", "min_over_x_of_strongly_convex_quadratic", Eq(Mu, (A * Cq - B**2) * u**2 / (2 * A)),
         follows_from(derive=_derive_minx, how="solving d/dx f = 0 and substituting"),
         note="for f = 1/2 (A x^2 + 2B xu + Cq u^2) (f* = 0): min_x f(x, u) - f* = (A Cq - B^2) u^2/(2A), the "
              "Schur complement, >= mu~ u^2/2 > 0 for u != 0 under strong convexity."),
    Step("Thm1-A5", "thm1_strongly_convex_satisfies_A5", Eq(Mu, 0),
         follows_from(solve={"minx": Mu}), uses=("minx", "A5"), expect=REFUTED, finding="error",
         note="Theorem 1 claims every strongly convex smooth f~ satisfies A1-5 with G1 = G2 = 0; for any "
              "nontrivial partition A5 fails (min_x f(x, u) - f* is a positive definite quadratic in u), and G1 = 0 "
              "would make h constant in u.  It holds only for the trivial partition (u absent, d2 = 0: x = w), "
              "where A1, A2, A5 are vacuous and A3, A4 hold with mu~, L~; the theorem must say so.",
         correction=Correction(Eq(Mu, 0), follows_from(solve={"minx": Mu}, subs={u: 0}),
                               note="the trivial partition (u absent, i.e. u = 0 here): A5 holds")),
    Step("SC-min", "strong_convexity_lower_bound_minimised_over_y", Ge(F + g1 * d + mu / 2 * d**2, F - g1**2 / (2 * mu)),
         inequality(), uses=("A3",),
         note="the A3 lower bound is minimised at d = -g1/mu: f(y, u) >= F - |grad_1 f|^2/(2 mu) for all y; with A5, "
              "f* >= F - q1/(2 mu) (assumption A3A5)."),
    Step("Thm1-PL", "thm1_pl_inequality_of_A3_A5", Ge(q1 + q2, 2 * mu * (F - fs)),
         inequality(given=("A3A5", "NORM")), uses=("SC-min", "A3A5", "NORM"),
         note="|grad f|^2 >= |grad_1 f|^2 >= 2 mu (f - f*).  The poster writes 'for all x in R^d'; x ranges over "
              "R^{d1} (notation only)."),
    Step("Diff1", "difficulty1_minimiser_map_lipschitz", Le(dx, G2 / mu * du),
         inequality(given=("SM", "A2")), uses=("SM", "A2"),
         note="mu |x*(u1) - x*(u2)| <= |grad_1 f(x*(u1), u2)| = |grad_1 f(x*(u1), u2) - grad_1 f(x*(u1), u1)| <= "
              "G2 |u1 - u2|.  x*(u) is unique for each u (A3); the non-uniqueness is of the global minimiser (x, u)."),
    Step("Diff2", "difficulty2_grad2_bound", Le(q2, G1**2 * L2 / mu * q2),
         numeric(_diff2_as_printed, what="the printed inequality on an additive model with G1^2 L2/mu < 1"),
         uses=("JAC", "GSMOOTH", "PLX"), expect=REFUTED, finding="slip",
         note="as printed the inequality bounds |grad_2 f|^2 by a multiple of itself: true only if G1^2 L2/mu >= 1 or "
              "grad_2 f = 0, and Theorem 3's regime has G1 small.  The intended inequality has grad_1 on the right: "
              "|grad_2 f|^2 <= (G1^2 L2/mu) |grad_1 f|^2.  It needs min g = f* (realizable targets, e.g. A1 onto for "
              "the additive model) besides A1, A3, A5; the additive-model tests check it on random instances.",
         correction=Correction(Le(q2, G1**2 * L2 / mu * q1), inequality(given=("JAC", "GSMOOTH", "PLX")),
                               note="|grad_2 f|^2 <= G1^2 |grad g|^2 <= 2 G1^2 L2 (f - f*) <= (G1^2 L2/mu) |grad_1 f|^2")),
    Step("beta>=0", "beta_nonnegative", Ge(beta_expr, 0), inequality(), uses=("KAPPA",),
         note="beta = (4 sqrt(kappa) - sqrt(c))/(4 sqrt(kappa) + 7 sqrt(c)) >= 0 since 4 sqrt(kappa) >= 4 > sqrt(c)."),
    Step("beta<1", "beta_below_one", sp.Lt(beta_expr, 1), inequality(), uses=("KAPPA",),
         note="1 - beta = 8 sqrt(c)/(4 sqrt(kappa) + 7 sqrt(c)) > 0 (about 2 sqrt(c/kappa), the usual 1 - beta scale)."),
    Step("Thm2-trivial", "thm2_gd_rate_trivial_partition_any_c",
         Le(1 - c * (2 - c) / kappa, 1 - c / (4 * kappa)), inequality(conditions=(Le(c, 1), Ge(kappa, 1))),
         note="for the trivial partition (f strongly convex and smooth) GD with eta = c/L contracts f - f* by "
              "1 - 2 mu eta (1 - L eta/2) = 1 - c(2 - c)/kappa (Nesterov 2018, Thm 2.1.15 / PL argument), which is "
              "<= 1 - c/(4 kappa) for every c in (0, 1]: Theorem 2's rate form holds there with any such c."),
    Step("Thm2", "thm2_gd_rate_on_additive_models", Le(sp.Symbol("f_k - f^*"), (1 - c / (4 * kappa)) ** sp.Symbol("k")
                                                      * sp.Symbol("f_0 - f^*")),
         trajectory(), expect=HOLDS_NUMERICALLY,
         note="the poster leaves c unspecified; on the instances tried the form holds for every c in {0.1, 0.25, "
              "0.5, 1} (trajectory evidence and tests)."),
    Step("Thm3", "thm3_nesterov_rate_on_additive_models",
         Le(sp.Symbol("f_k - f^*"), 2 * (1 - c / (4 * sk)) ** sp.Symbol("k") * sp.Symbol("f_0 - f^*")),
         trajectory(), expect=HOLDS_NUMERICALLY,
         note="eta = c/L1, beta as printed; holds on the instances tried for every c in {0.1, 0.25, 0.5, 1}.  On the "
              "whole class of mu-strongly convex L-smooth functions PEPit's worst case is below the claimed bound at "
              "the horizons tested (tests/test_pepit_rates.py, notes)."),
)
