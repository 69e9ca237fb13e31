"""Bu, Xu & Chen (AISTATS 2021), Section 5: higher-order momentum error dynamics (5.1) and the
Newton-flow pseudo-loss with the eigenvalue bound lambda_max <= n/m.

Setting and assumptions
    The two-layer ReLU model of ``ntk_gradient_flow``.  On an interval without activation
    flips ``f`` is linear in ``W`` (constant Jacobian ``J``).  (5.1): the (J+1)-th order flow
    ``w^{(J+1)} + sum_{j=1}^J b_j w^{(j)} + dL/dw = 0`` (encoded for J = 2).  Section 5.2:
    Newton's flow written neuron by neuron, ``w_r' = -(J_r^T J_r)^{-1} J_r^T Delta`` with
    ``J_r = df/dw_r`` (n x p), ``J_r^T J_r`` the per-neuron Hessian of L (a.s.).

Claim (seed 001, Section 5; qualitative, and an upper bound lambda_max <= n/m)
    The error obeys the same (J+1)-th order ODE with L replaced by Lhat (5.1); for Newton's
    flow ``Delta' = -sum_r J_r (J_r^T J_r)^{-1} J_r^T Delta`` with pseudo-loss
    ``1/2 Delta^T M Delta``, ``lambda_max(J_r^T J_r) <= tr(J_r J_r^T) = (1/m) sum_i 1{...} <= n/m``,
    and with ``lambda_min(H) >= lambda0`` the convergence factor ``lambda0 m/n``.

Steps
    (5.0) the discrete multi-momentum update with J = 1 is heavy ball; (5.1a) third
    derivatives vanish on a linear piece; (5.1), (5.1)' the error ODE for J = 2;
    (5.2a) per-neuron Hessian of L; (5.2b) the cross-neuron blocks dropped by the per-neuron
    flow; (5.2c) invertibility of J_r^T J_r; (5.2d) lambda_max <= trace (PSD); (5.2e) the trace
    identity; (5.2f) trace <= n/m; (5.2g) the inverse bound; (5.2h) the convergence factor.

Notation
    ``b1, b2`` momentum coefficients; ``j_ik`` Jacobian entries; ``a`` (``a_r``, ``a_l``) output
    signs; ``x_ik`` input coordinates (p = 2); ``I_i`` activation indicators in {0, 1};
    ``lmax`` = lambda_max(J_r^T J_r).

References
    Z. Bu, S. Xu, K. Chen, AISTATS 2021 (seed 001), Section 5.  B. Pearlmutter, "Gradient
    descent: second order momentum and saturating error", NeurIPS 1992.

Example
    >>> import derivations
    >>> print(derivations.get("ntk_momentum_extensions").check("(5.2b)"))  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative as D
from sympy import Eq, Ge, Le

from derivations import (
    HOLDS_NUMERICALLY,
    INCONCLUSIVE,
    REFUTED,
    Assumption,
    Correction,
    Step,
    Verdict,
    differentiate,
    follows_from,
    identity,
    inequality,
    numeric,
)

ID = "ntk_momentum_extensions"
TITLE = "Higher-order momentum error dynamics (5.1) and the Newton flow (Section 5.2)"
SOURCE = "seed 001_e9be7074050bf7df (Bu, Xu & Chen, AISTATS 2021), Sections 5.1-5.2"

t = sp.symbols("t", positive=True)
b1, b2, beta1, eta, m, n, lam0, lmax = sp.symbols("b_1 b_2 beta_1 eta m n lambda_0 lambda_max", positive=True)
j11, j12, j21, j22, q1, q2 = sp.symbols("j_11 j_12 j_21 j_22 q_1 q_2", real=True)
a, ar, al = sp.symbols("a a_r a_l", real=True)
x11, x12, x21, x22, wr1, wr2, wl, y1, y2 = sp.symbols("x_11 x_12 x_21 x_22 w_r1 w_r2 w_l y_1 y_2", real=True)
I1, I2 = sp.symbols("I_1 I_2", nonnegative=True)
wk, wk1, gk = sp.symbols("w_k w_km1 g_k", real=True)

w1, w2, Del1, Del2 = (sp.Function(nm, real=True) for nm in ("w1", "w2", "Delta1", "Delta2"))

ASSUMPTIONS = (
    Assumption("HO1", "third_order_flow_w1", "(J = 2): w1''' + b2 w1'' + b1 w1' + sum_i J_i1 Delta_i = 0",
               Eq(D(w1(t), (t, 3)) + b2 * D(w1(t), (t, 2)) + b1 * D(w1(t), t) + j11 * Del1(t) + j21 * Del2(t), 0)),
    Assumption("HO2", "third_order_flow_w2", "second coordinate",
               Eq(D(w2(t), (t, 3)) + b2 * D(w2(t), (t, 2)) + b1 * D(w2(t), t) + j12 * Del1(t) + j22 * Del2(t), 0)),
    Assumption("LIN1", "linear_piece_1", "Delta_1 = J_11 w1 + J_12 w2 + q1 on a flip-free interval",
               Eq(Del1(t), j11 * w1(t) + j12 * w2(t) + q1)),
    Assumption("LIN2", "linear_piece_2", "Delta_2 = J_21 w1 + J_22 w2 + q2", Eq(Del2(t), j21 * w1(t) + j22 * w2(t) + q2)),
    Assumption("SIGN", "output_weight_sign", "a_r^2 = 1", Eq(a**2, 1)),
    Assumption("UNIT1", "unit_input_1", "|x_1| = 1 (p = 2)", Eq(x11**2 + x12**2, 1)),
    Assumption("UNIT2", "unit_input_2", "|x_2| = 1", Eq(x21**2 + x22**2, 1)),
    Assumption("IND", "indicators_le_1", "indicators are <= 1", sp.And(Le(I1, 1), Le(I2, 1))),
    Assumption("LMAX", "lambda_max_le_n_over_m", "(5.2f): lambda_max(J_r^T J_r) <= n/m", Le(lmax, n / m)),
)


def _newton_rank(ctx, claim) -> Verdict:
    """J_r^T J_r on random two-layer networks: how often it is singular."""
    rng = np.random.default_rng(5)
    rows = []
    for nn, p in ((3, 5), (6, 4), (10, 3)):
        X = rng.standard_normal((nn, p))
        X /= np.linalg.norm(X, axis=1, keepdims=True)
        W = rng.standard_normal((200, p))
        act = (W @ X.T) > 0
        sing = 0
        for r in range(200):
            Jr = X * act[r][:, None] / np.sqrt(200)  # (n, p), up to the sign a_r
            if np.linalg.matrix_rank(Jr.T @ Jr) < p:
                sing += 1
        rows.append((nn, p, sing))
    if ctx.corrected:
        ok = True
        for nn, p in ((6, 3), (8, 4)):
            X = rng.standard_normal((nn, p))
            X /= np.linalg.norm(X, axis=1, keepdims=True)
            for _ in range(200):
                act = rng.integers(0, 2, nn).astype(bool)
                Jr = X * act[:, None]
                inv = np.linalg.matrix_rank(Jr.T @ Jr) == p
                span = np.linalg.matrix_rank(X[act]) == p if act.any() else False
                ok &= inv == span
        return Verdict(HOLDS_NUMERICALLY if ok else REFUTED, "numeric",
                       "400 random (inputs, activation pattern) instances with n in (6, 8), p in (3, 4): J_r^T J_r is "
                       f"invertible exactly when the active inputs span R^p: {ok}", {})
    worst = max(rows, key=lambda r: r[2])
    if worst[2] > 0:
        return Verdict(REFUTED, "numeric",
                       f"random networks (m = 200, W ~ N(0, I)): singular J_r^T J_r for {rows[0][2]}/200 neurons at "
                       f"(n, p) = (3, 5) (rank <= #active samples <= 3 < p), {rows[1][2]}/200 at (6, 4), {rows[2][2]}/200 "
                       "at (10, 3) (neurons active on fewer than p samples)", {"rows": rows},
                       "python -c \"import derivations; print(derivations.get('ntk_momentum_extensions').check('(5.2c)'))\"")
    return Verdict(INCONCLUSIVE, "numeric", f"no singular block found: {rows}", {"rows": rows})


def _lambda_max_le_trace(ctx, claim) -> Verdict:
    rng = np.random.default_rng(9)
    worst = -np.inf
    for _ in range(3000):
        k = rng.integers(1, 7)
        B = rng.standard_normal((k, rng.integers(1, 7)))
        M = B @ B.T
        worst = max(worst, np.linalg.eigvalsh(M)[-1] - np.trace(M))
    ok = worst <= 1e-10
    return Verdict(HOLDS_NUMERICALLY if ok else REFUTED, "numeric",
                   f"3000 random PSD matrices B B^T (sizes 1..6): max(lambda_max - trace) = {worst:.2e} (tolerance 1e-10); "
                   "lambda_max <= sum of the (nonnegative) eigenvalues", {"worst": worst})


def _newton_factor(ctx, claim) -> Verdict:
    """lambda_min(sum_r P_r) >= (m/n) lambda_min(H) on random instances where every block is invertible."""
    rng = np.random.default_rng(11)
    worst, count = np.inf, 0
    for _ in range(40):
        nn, p, mm = 6, 2, 50
        X = rng.standard_normal((nn, p))
        X /= np.linalg.norm(X, axis=1, keepdims=True)
        W = rng.standard_normal((mm, p))
        act = (W @ X.T) > 0
        M = np.zeros((nn, nn))
        Hm = np.zeros((nn, nn))
        okb = True
        for r in range(mm):
            Jr = X * act[r][:, None] / np.sqrt(mm)
            G = Jr.T @ Jr
            if np.linalg.matrix_rank(G) < p:
                okb = False
                break
            M += Jr @ np.linalg.solve(G, Jr.T)
            Hm += Jr @ Jr.T
        if not okb:
            continue
        count += 1
        worst = min(worst, np.linalg.eigvalsh(M)[0] - mm / nn * np.linalg.eigvalsh(Hm)[0])
    if count and worst >= -1e-10:
        return Verdict(HOLDS_NUMERICALLY, "numeric", f"{count} random instances (n = 6, p = 2, m = 50, all blocks "
                       f"invertible): min(lambda_min(M) - (m/n) lambda_min(H)) = {worst:.3g} >= 0", {"worst": worst})
    if not count:
        return Verdict(INCONCLUSIVE, "numeric", "no instance with all blocks invertible", {})
    return Verdict(REFUTED, "numeric", f"lambda_min(M) < (m/n) lambda_min(H) by {-worst:.3g}", {"worst": worst})


_Lnewton = ((ar * wr1 * x11 + ar * wr2 * x12 + al * wl * x11) - y1) ** 2 / 2 + \
           ((ar * wr1 * x21 + ar * wr2 * x22 + al * wl * x21) - y2) ** 2 / 2  # two neurons on a linear piece (1/sqrt(m) absorbed)

STEPS = (
    Step("(5.0)", "eq5_0_one_momentum_is_heavy_ball",
         Eq(wk - eta * gk + sp.Sum(beta1 * (sp.Function("wseq")(sp.Symbol("k", integer=True) - sp.Symbol("j", integer=True) + 1)
                                            - sp.Function("wseq")(sp.Symbol("k", integer=True) - sp.Symbol("j", integer=True))),
                                   (sp.Symbol("j", integer=True), 1, 1)),
            wk - eta * gk + beta1 * (sp.Function("wseq")(sp.Symbol("k", integer=True))
                                     - sp.Function("wseq")(sp.Symbol("k", integer=True) - 1))),
         identity(), note="With J = 1 the multi-momentum update is heavy ball (3.1); with J = 0 the sum is empty (GD)."),
    Step("(5.1a)", "eq5_1a_higher_derivatives_vanish_on_linear_piece",
         Eq(D(a * (wr1 * x11 + wr2 * x12), wr1, wr2) + D(a * (wr1 * x11 + wr2 * x12), (wr1, 3)), 0), differentiate(),
         note="'d^j f/dW^j = 0 a.s. for j > 1': true on each linear piece; activation flips (and sliding modes) are "
              "where it fails, as in Section 3 (see ntk_heavy_ball_lyapunov:(3.10 mono))."),
    Step("(5.1)", "eq5_1_third_order_error_dynamics_1",
         Eq(D(Del1(t), (t, 3)) + b2 * D(Del1(t), (t, 2)) + b1 * D(Del1(t), t)
            + ((j11**2 + j12**2) * Del1(t) + (j11 * j21 + j12 * j22) * Del2(t)), 0),
         follows_from(solve={"HO1": D(w1(t), (t, 3)), "HO2": D(w2(t), (t, 3)), "LIN1": Del1(t), "LIN2": Del2(t)}),
         uses=("HO1", "HO2", "LIN1", "LIN2", "(5.1a)")),
    Step("(5.1)'", "eq5_1_third_order_error_dynamics_2",
         Eq(D(Del2(t), (t, 3)) + b2 * D(Del2(t), (t, 2)) + b1 * D(Del2(t), t)
            + ((j11 * j21 + j12 * j22) * Del1(t) + (j21**2 + j22**2) * Del2(t)), 0),
         follows_from(solve={"HO1": D(w1(t), (t, 3)), "HO2": D(w2(t), (t, 3)), "LIN1": Del1(t), "LIN2": Del2(t)}),
         uses=("HO1", "HO2", "LIN1", "LIN2", "(5.1a)")),
    Step("(5.2a)", "eq5_2a_per_neuron_hessian_gauss_newton",
         Eq(D(_Lnewton, wr1, wr2), (ar * x11) * (ar * x12) + (ar * x21) * (ar * x22)), differentiate(),
         note="d^2 L/dw_r^2 = J_r^T J_r on a linear piece (entry (1, 2) shown, p = 2, n = 2)."),
    Step("(5.2b)", "eq5_2b_cross_neuron_hessian_block_zero_implicit", Eq(D(_Lnewton, wr1, wl), 0), differentiate(),
         expect=REFUTED, finding="error",
         correction=Correction(Eq(D(_Lnewton, wr1, wl), (ar * x11) * (al * x11) + (ar * x21) * (al * x21)), differentiate(),
                               note="d^2 L/dw_r dw_l = J_r^T J_l: the full Hessian is J^T J, not block diagonal"),
         note="Newton's method uses the full Hessian (nabla^2 L)^{-1}, but the flow is written neuron by neuron with "
              "(d^2 L/dw_r^2)^{-1}, i.e. it drops the cross blocks d^2 L/dw_r dw_l = J_r^T J_l, which are not 0 "
              "(only d^2 f/dw_r dw_l vanishes).  The analysed flow is a block-diagonal Gauss-Newton method."),
    Step("(5.2c)", "eq5_2c_per_neuron_block_invertible", Ge(sp.Symbol("rank(J_r^T J_r)", positive=True), sp.Symbol("p", positive=True)),
         numeric(_newton_rank, what="rank of J_r^T J_r on random networks"), expect=REFUTED, finding="error",
         correction=Correction(Ge(sp.Symbol("rank(J_r^T J_r)", positive=True), sp.Symbol("p", positive=True)),
                               numeric(_newton_rank, what="invertible iff the active inputs span R^p"),
                               expect=HOLDS_NUMERICALLY,
                               note="invertible exactly when neuron r's active inputs span R^p (needs >= p active samples)"),
         note="The flow needs (J_r^T J_r)^{-1}, a p x p matrix of rank <= number of samples on which neuron r is active: "
              "singular whenever p exceeds that number (always for p > n, and for any neuron active on < p samples)."),
    Step("(5.2d)", "eq5_2d_lambda_max_le_trace_psd", Le(lmax, sp.Symbol("tr(J_r J_r^T)", nonnegative=True)),
         numeric(_lambda_max_le_trace, what="lambda_max(B B^T) <= tr(B B^T)"), expect=HOLDS_NUMERICALLY,
         note="lambda_max(J^T J) = lambda_max(J J^T) <= tr(J J^T) (nonnegative eigenvalues)."),
    Step("(5.2e)", "eq5_2e_trace_of_per_neuron_gram",
         Eq(((a * x11 * I1) ** 2 + (a * x12 * I1) ** 2 + (a * x21 * I2) ** 2 + (a * x22 * I2) ** 2) / m, (I1**2 + I2**2) / m),
         follows_from(solve={"SIGN": a**2, "UNIT1": x11**2, "UNIT2": x21**2}), uses=("SIGN", "UNIT1", "UNIT2"),
         note="tr(J_r J_r^T) = sum_i |df_i/dw_r|^2 = (1/m) sum_i 1{w_r^T x_i >= 0} (I_i^2 = I_i)."),
    Step("(5.2f)", "eq5_2f_trace_le_n_over_m", Le((I1**2 + I2**2) / m, 2 / m), inequality(), uses=("IND",),
         note="sum_i indicators <= n (n = 2)."),
    Step("(5.2g)", "eq5_2g_inverse_eigenvalues_ge_m_over_n", Ge(1 / lmax, m / n), inequality(), uses=("LMAX",),
         note="(J_r^T J_r)^{-1} >= (m/n) I when it exists."),
    Step("(5.2h)", "eq5_2h_newton_convergence_factor", Ge(sp.Symbol("lambda_min(M)", positive=True), lam0 * m / n),
         numeric(_newton_factor, what="lambda_min(sum_r J_r (J_r^T J_r)^{-1} J_r^T) vs (m/n) lambda_min(H)"),
         expect=HOLDS_NUMERICALLY,
         note="M = sum_r J_r (J_r^T J_r)^{-1} J_r^T >= (m/n) sum_r J_r J_r^T = (m/n) H, so lambda_min(M) >= lambda0 m/n "
              "when lambda_min(H) >= lambda0 (the section assumes lambda0, not lambda0/2 as elsewhere) and every block "
              "is invertible (see (5.2c))."),
)
