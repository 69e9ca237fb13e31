"""Bu, Xu & Chen (AISTATS 2021), Section 2: NTK error dynamics of gradient flow and Theorem 1.

Setting and assumptions
    Two-layer ReLU network ``f(W, a, x) = m^{-1/2} sum_r a_r relu(w_r^T x)`` with fixed
    ``a_r in {-1, +1}``, unit-norm inputs ``x_i`` (no two parallel), MSE loss
    ``L = 1/2 sum_i (f_i - y_i)^2`` (no 1/n), only ``W`` trained by gradient flow
    ``w_r' = -dL/dw_r`` (2.1).  The encoding uses ``n = 2`` samples and two weight
    coordinates (``w1, w2``: two neurons with one coordinate each, or two coordinates of one
    neuron; every step is coordinate-wise, so the argument is the same for any ``n, m, p``).
    ``J_ir(t) = df_i/dw_r`` is the Jacobian along the trajectory; for the ReLU model it is
    piecewise constant in time (it changes only when some ``w_r^T x_i`` changes sign), and the
    chain rule holds for almost every ``t``.

Claim (seed 001, Section 2: (2.2)-(2.6), Fact 2.2, Theorem 1; upper bound)
    Prediction/error dynamics ``Delta' = -H(t) Delta`` with the NTK Gram matrix
    ``H_ij = sum_r J_ir J_jr = (1/m) x_i^T x_j sum_r 1{w_r^T x_i >= 0, w_r^T x_j >= 0}``; the
    pseudo-loss ``Lhat = 1/2 Delta^T H Delta`` has gradient ``H Delta``; the closed form of
    ``H^inf`` (Fact 2.2, cited from Du et al.); and Theorem 1:
    ``lambda_min(H(t)) > lambda0/2`` (cited, wide networks) implies
    ``L(t) < exp(-lambda0 t) L(0)`` (written strict; Gronwall gives ``<=``).

Steps
    (2.2a) dL/df_i = f_i - y_i; (2.2), (2.2)' weight dynamics per weight; (2.3), (2.3)'
    prediction dynamics; (2.4), (2.4)' error dynamics; (2.5) definition of H;
    (2.6) per-neuron Gram entry of the ReLU model; (Lhat) gradient of the pseudo-loss;
    (Fact 2.2) closed form of H^inf (cited + Monte Carlo); (Fact 2.2b) lambda0 > 0 for
    non-parallel inputs (cited + numeric); (T1.a) dL/dt = -Delta^T H Delta; (T1.b)
    dL/dt <= -lambda0 L; (T1.c) Gronwall; (Theorem 1) the strict bound as written;
    (Theorem 1 lazy) lambda_min(H(t)) >= lambda0/2 along trajectories (cited + trajectories).

Notation
    ``f1, f2`` predictions, ``y1, y2`` targets, ``Delta_i = f_i - y_i``; ``J_ir`` Jacobian
    entries; ``H_ij`` NTK entries (``H12 = H21``); ``G_r = dL/dw_r``; ``Lf(t) = L(t)``;
    ``lam0 = lambda_min(H^inf)``; ``F1, F2, Y1, Y2`` plain-symbol predictions/targets.

References
    Z. Bu, S. Xu, K. Chen, "A dynamical view on optimization algorithms of overparameterized
    neural networks", AISTATS 2021 (seed 001).  S. S. Du, X. Zhai, B. Poczos, A. Singh,
    "Gradient descent provably optimizes over-parameterized neural networks", ICLR 2019
    (arXiv:1810.02054), Assumption 3.1, Theorem 3.1, Lemmas 3.1-3.4.

Example
    >>> import derivations
    >>> print(derivations.get("ntk_gradient_flow").check("(2.4)"))  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative as D
from sympy import Eq, Ge, Gt, Le, Lt

from derivations import (
    HOLDS_NUMERICALLY,
    INCONCLUSIVE,
    REFUTED,
    Assumption,
    Correction,
    Step,
    Verdict,
    cited,
    comparison,
    definition,
    differentiate,
    follows_from,
)

ID = "ntk_gradient_flow"
TITLE = "NTK error dynamics of gradient flow and Theorem 1 (L(t) <= exp(-lambda0 t) L(0))"
SOURCE = "seed 001_e9be7074050bf7df (Bu, Xu & Chen, AISTATS 2021), Section 2"

# --- symbols, with their assumptions
t = sp.symbols("t", positive=True)
lam0, m = sp.symbols("lambda_0 m", positive=True)
y1, y2 = sp.symbols("y_1 y_2", real=True)
F1, F2, Y1, Y2 = sp.symbols("F_1 F_2 Y_1 Y_2", real=True)
a = sp.symbols("a", real=True)
xi1, xi2, xj1, xj2 = sp.symbols("x_i1 x_i2 x_j1 x_j2", real=True)
Ii, Ij = sp.symbols("I_i I_j", nonnegative=True)  # indicator values in {0, 1}
D1, D2, h11, h12, h22 = sp.symbols("Delta_1 Delta_2 h_11 h_12 h_22", real=True)
rho = sp.symbols("rho", real=True)
Hinf = sp.Symbol("H^inf_ij", real=True)

w1, w2, f1, f2, G1, G2 = (sp.Function(nm, real=True) for nm in ("w1", "w2", "f1", "f2", "G1", "G2"))
J11, J12, J21, J22 = (sp.Function(nm, real=True) for nm in ("J11", "J12", "J21", "J22"))
H11, H12, H22 = (sp.Function(nm, real=True) for nm in ("H11", "H12", "H22"))
Del1, Del2, Lf = (sp.Function(nm, real=True) for nm in ("Delta1", "Delta2", "L"))

quad_form = H11(t) * Del1(t) ** 2 + 2 * H12(t) * Del1(t) * Del2(t) + H22(t) * Del2(t) ** 2
sq_norm = Del1(t) ** 2 + Del2(t) ** 2

ASSUMPTIONS = (
    Assumption("GF", "gradient_flow_w1", "(2.1): w_1' = -dL/dw_1", Eq(D(w1(t), t), -G1(t))),
    Assumption("GF'", "gradient_flow_w2", "(2.1): w_2' = -dL/dw_2", Eq(D(w2(t), t), -G2(t))),
    Assumption("CHAIN_L", "chain_rule_loss_w1", "dL/dw_1 = sum_i dL/df_i df_i/dw_1 with dL/df_i = f_i - y_i (2.2a)",
               Eq(G1(t), (f1(t) - y1) * J11(t) + (f2(t) - y2) * J21(t))),
    Assumption("CHAIN_L'", "chain_rule_loss_w2", "dL/dw_2 = sum_i dL/df_i df_i/dw_2",
               Eq(G2(t), (f1(t) - y1) * J12(t) + (f2(t) - y2) * J22(t))),
    Assumption("CHAIN_F", "chain_rule_prediction_1", "f_1' = sum_r df_1/dw_r w_r' (a.e. t)",
               Eq(D(f1(t), t), J11(t) * D(w1(t), t) + J12(t) * D(w2(t), t))),
    Assumption("CHAIN_F'", "chain_rule_prediction_2", "f_2' = sum_r df_2/dw_r w_r' (a.e. t)",
               Eq(D(f2(t), t), J21(t) * D(w1(t), t) + J22(t) * D(w2(t), t))),
    Assumption("ERR", "error_definition_1", "Delta_1 = f_1 - y_1 (y constant)", Eq(Del1(t), f1(t) - y1)),
    Assumption("ERR'", "error_definition_2", "Delta_2 = f_2 - y_2", Eq(Del2(t), f2(t) - y2)),
    Assumption("SIGN", "output_weight_sign", "a_r in {-1, +1}, so a_r^2 = 1", Eq(a**2, 1)),
    Assumption("EIG", "lambda_min_H_ge_half_lambda0",
               "lambda_min(H(s)) >= lambda0/2 for 0 <= s <= t (the lazy-regime hypothesis of Theorem 1)",
               Ge(quad_form, lam0 / 2 * sq_norm)),
)


# ----------------------------------------------------------------------------- numeric sanity checks


def _hinf_monte_carlo(ctx, claim) -> Verdict:
    """Monte Carlo estimate of E_w[x_i^T x_j 1{w^T x_i >= 0, w^T x_j >= 0}] vs the closed form."""
    rng = np.random.default_rng(20210401)
    worst, rows = 0.0, []
    n_mc = 150_000
    for p in (2, 3, 5):
        for _ in range(3):
            xi = rng.standard_normal(p)
            xj = rng.standard_normal(p)
            xi /= np.linalg.norm(xi)
            xj /= np.linalg.norm(xj)
            c = float(xi @ xj)
            w = rng.standard_normal((n_mc, p))
            ind = ((w @ xi) >= 0) & ((w @ xj) >= 0)
            mc = c * ind.mean()
            se = abs(c) * np.sqrt(ind.mean() * (1 - ind.mean()) / n_mc)
            closed = float(sp.N(claim.rhs.subs(rho, c)))
            z = abs(mc - closed) / max(se, 1e-12)
            worst = max(worst, z)
            rows.append((p, c, mc, closed))
    if worst < 5.0:
        return Verdict(HOLDS_NUMERICALLY, "numeric",
                       f"Monte Carlo ({n_mc} draws of w ~ N(0, I_p), p in (2, 3, 5), 9 random unit pairs): the estimate "
                       f"agrees with (1/2 - arccos(rho)/(2 pi)) rho within {worst:.2f} standard errors (tolerance 5)",
                       {"worst_z": worst, "rows": rows})
    return Verdict(REFUTED, "numeric", f"Monte Carlo differs from the closed form by {worst:.1f} standard errors",
                   {"worst_z": worst, "rows": rows})


def hinf_matrix(X: np.ndarray) -> np.ndarray:
    """H^inf of Fact 2.2 for unit-norm rows of X (closed form)."""
    G = np.clip(X @ X.T, -1.0, 1.0)
    return (0.5 - np.arccos(G) / (2 * np.pi)) * G


def _lambda0_positive(ctx, claim) -> Verdict:
    """lambda_min(H^inf) > 0 for random non-parallel unit inputs; shrinks as two inputs become parallel."""
    rng = np.random.default_rng(7)
    mins = []
    for n, p in ((3, 2), (6, 3), (10, 5), (20, 8)):
        for _ in range(20):
            X = rng.standard_normal((n, p))
            X /= np.linalg.norm(X, axis=1, keepdims=True)
            mins.append(float(np.linalg.eigvalsh(hinf_matrix(X))[0]))
    shrink = []
    for eps in (1e-1, 1e-2, 1e-3):
        X = np.array([[1.0, 0.0], [np.cos(eps), np.sin(eps)], [0.0, 1.0]])
        shrink.append(float(np.linalg.eigvalsh(hinf_matrix(X))[0]))
    if min(mins) > 0 and shrink[0] > shrink[1] > shrink[2] > 0:
        return Verdict(HOLDS_NUMERICALLY, "numeric",
                       f"80 random non-parallel unit data sets (n, p) in ((3,2),(6,3),(10,5),(20,8)): min lambda0 = "
                       f"{min(mins):.3g} > 0; for two inputs at angle eps = 1e-1, 1e-2, 1e-3 lambda0 = "
                       + ", ".join(f"{v:.2e}" for v in shrink) + " (positive, -> 0 as they become parallel)",
                       {"min_lambda0": min(mins), "parallel_limit": shrink})
    return Verdict(REFUTED, "numeric", f"lambda0 <= 0 found: min {min(mins):.3g}", {"mins": mins})


def _trajectory_sanity(key):
    def fn(ctx, claim):
        from derivations._evidence import trajectory_verdict

        return trajectory_verdict(key)
    return fn


def _eig_chain(ctx):
    """(T1.a) with the eigenvalue hypothesis: dL/dt = -q and q >= (lambda0/2)|Delta|^2."""
    eq, eig = ctx.claim("(T1.a)"), ctx.claim("EIG")
    if sp.simplify(eq.rhs + eig.lhs) != 0:
        raise ValueError("(T1.a) and EIG do not share the quadratic form")
    return Le(eq.lhs, -eig.rhs)


STEPS = (
    Step("(2.2a)", "eq2_2a_loss_gradient_in_prediction",
         Eq(D(((F1 - Y1) ** 2 + (F2 - Y2) ** 2) / 2, F1), F1 - Y1), differentiate(),
         note="dL/df = f - y for L = 1/2 |f - y|^2."),
    Step("(2.2)", "eq2_2_weight_dynamics_w1",
         Eq(D(w1(t), t), -((f1(t) - y1) * J11(t) + (f2(t) - y2) * J21(t))),
         follows_from(solve={"GF": D(w1(t), t), "CHAIN_L": G1(t)}), uses=("GF", "CHAIN_L", "(2.2a)")),
    Step("(2.2)'", "eq2_2_weight_dynamics_w2",
         Eq(D(w2(t), t), -((f1(t) - y1) * J12(t) + (f2(t) - y2) * J22(t))),
         follows_from(solve={"GF'": D(w2(t), t), "CHAIN_L'": G2(t)}), uses=("GF'", "CHAIN_L'", "(2.2a)")),
    Step("(2.5)", "eq2_5_ntk_gram_definition_11", Eq(H11(t), J11(t) ** 2 + J12(t) ** 2), definition(),
         note="H(t) = sum_r (df/dw_r)(df/dw_r)^T; the entries H12 = J11 J21 + J12 J22, H22 = J21^2 + J22^2 "
              "are steps (2.5)' and (2.5)''."),
    Step("(2.5)'", "eq2_5_ntk_gram_definition_12", Eq(H12(t), J11(t) * J21(t) + J12(t) * J22(t)), definition()),
    Step("(2.5)''", "eq2_5_ntk_gram_definition_22", Eq(H22(t), J21(t) ** 2 + J22(t) ** 2), definition()),
    Step("(2.3)", "eq2_3_prediction_dynamics_1",
         Eq(D(f1(t), t), -(H11(t) * (f1(t) - y1) + H12(t) * (f2(t) - y2))),
         follows_from(solve={"CHAIN_F": D(f1(t), t), "(2.2)": D(w1(t), t), "(2.2)'": D(w2(t), t),
                             "(2.5)": H11(t), "(2.5)'": H12(t)}),
         uses=("CHAIN_F", "(2.2)", "(2.2)'", "(2.5)", "(2.5)'")),
    Step("(2.3)'", "eq2_3_prediction_dynamics_2",
         Eq(D(f2(t), t), -(H12(t) * (f1(t) - y1) + H22(t) * (f2(t) - y2))),
         follows_from(solve={"CHAIN_F'": D(f2(t), t), "(2.2)": D(w1(t), t), "(2.2)'": D(w2(t), t),
                             "(2.5)'": H12(t), "(2.5)''": H22(t)}),
         uses=("CHAIN_F'", "(2.2)", "(2.2)'", "(2.5)'", "(2.5)''")),
    Step("(2.4)", "eq2_4_error_dynamics_1", Eq(D(Del1(t), t), -(H11(t) * Del1(t) + H12(t) * Del2(t))),
         follows_from(solve={"ERR": Del1(t), "ERR'": Del2(t), "(2.3)": D(f1(t), t)}),
         uses=("ERR", "ERR'", "(2.3)")),
    Step("(2.4)'", "eq2_4_error_dynamics_2", Eq(D(Del2(t), t), -(H12(t) * Del1(t) + H22(t) * Del2(t))),
         follows_from(solve={"ERR": Del1(t), "ERR'": Del2(t), "(2.3)'": D(f2(t), t)}),
         uses=("ERR", "ERR'", "(2.3)'")),
    Step("(2.6)", "eq2_6_relu_gram_entry_of_sign_squared",
         Eq((a * xi1 * Ii / sp.sqrt(m)) * (a * xj1 * Ij / sp.sqrt(m)) + (a * xi2 * Ii / sp.sqrt(m)) * (a * xj2 * Ij / sp.sqrt(m)),
            (xi1 * xj1 + xi2 * xj2) * Ii * Ij / m),
         follows_from(solve={"SIGN": a**2}), uses=("SIGN",),
         note="One neuron's term of (2.5) with df_i/dw_r = m^{-1/2} a_r x_i 1{w_r^T x_i >= 0} (p = 2 coordinates); "
              "I_i I_j is the indicator of both being active.  (3.6) writes the indicator with > 0 instead of >= 0: "
              "the two differ only on the null set w_r^T x_i = 0."),
    Step("(Lhat)", "pseudo_loss_gradient_is_H_delta",
         Eq(D((h11 * D1**2 + 2 * h12 * D1 * D2 + h22 * D2**2) / 2, D1), h11 * D1 + h12 * D2), differentiate(),
         note="dLhat/dDelta = H Delta for symmetric H, so (2.4) reads Delta' = -dLhat/dDelta; Lhat is "
              "lambda_min(H)-strongly convex in Delta (its Hessian is H)."),
    Step("(Fact 2.2)", "fact2_2_hinf_closed_form", Eq(Hinf, (sp.Rational(1, 2) - sp.acos(rho) / (2 * sp.pi)) * rho),
         cited("Du et al. (2019), Assumption 3.1 / Theorem 3.1: E_w[x_i^T x_j 1{w^T x_i >= 0, w^T x_j >= 0}] with "
               "rho = x_i^T x_j, |x_i| = |x_j| = 1 (P(both >= 0) = (pi - arccos rho)/(2 pi))", check=_hinf_monte_carlo),
         expect="cited"),
    Step("(Fact 2.2b)", "fact2_2_lambda0_positive_of_nonparallel", Gt(lam0, 0),
         cited("Du et al. (2019), Theorem 3.1: lambda_min(H^inf) > 0 if no two inputs are parallel",
               check=_lambda0_positive), expect="cited"),
    Step("DEF_L", "def_loss", Eq(Lf(t), sq_norm / 2), definition(), note="L = 1/2 |Delta|^2."),
    Step("(T1.a)", "thm1_a_loss_derivative", Eq(D(Lf(t), t), -quad_form),
         follows_from(solve={"DEF_L": Lf(t), "(2.4)": D(Del1(t), t), "(2.4)'": D(Del2(t), t)}),
         uses=("DEF_L", "(2.4)", "(2.4)'")),
    Step("(T1.b)", "thm1_b_loss_derivative_le_of_lambda_min", Le(D(Lf(t), t), -lam0 * Lf(t)),
         follows_from(derive=_eig_chain, how="(T1.a) with Delta^T H Delta >= (lambda0/2)|Delta|^2 (EIG)"),
         uses=("(T1.a)", "EIG", "DEF_L")),
    Step("(T1.c)", "thm1_c_gronwall_loss_bound", Le(Lf(t), Lf(0) * sp.exp(-lam0 * t)),
         comparison(hypothesis="(T1.b)", u=Lf(t), t=t, t0=0), uses=("(T1.b)",)),
    Step("(Theorem 1)", "thm1_strict_linear_convergence_as_written", Lt(Lf(t), sp.exp(-lam0 * t) * Lf(0)),
         comparison(hypothesis="(T1.b)", u=Lf(t), t=t, t0=0), uses=("(T1.b)",),
         expect=INCONCLUSIVE, finding="slip",
         correction=Correction(Le(Lf(t), sp.exp(-lam0 * t) * Lf(0)),
                               comparison(hypothesis="(T1.b)", u=Lf(t), t=t, t0=0),
                               note="the non-strict bound, as in Du et al. Lemma 3.3 (and (T1.c))"),
         note="Theorem 1 writes L(t) < exp(-lambda0 t) L(0); Gronwall on L' <= -lambda0 L only gives <= (equality "
              "at t = 0, and for L(0) = 0).  Du et al. state <=.  The strict form needs the strict eigenvalue bound "
              "and Delta != 0; as a transcription of the cited result it is a slip."),
    Step("(Theorem 1 lazy)", "thm1_lambda_min_ge_half_lambda0_along_gf",
         Ge(sp.Function("lambda_min_H", real=True)(t), lam0 / 2),
         cited("Du et al. (2019), Lemmas 3.1-3.4: for m = Omega(n^6/(lambda0^4 delta^3)), w.p. >= 1 - delta, "
               "lambda_min(H(t)) > lambda0/2 for all t >= 0 along gradient flow",
               check=_trajectory_sanity("ntk_gradient_flow:(Theorem 1 lazy)")),
         expect="cited",
         note="Trajectory sanity check: on gradient-flow trajectories of the two-layer ReLU model the bound and the "
              "loss bound (T1.c) hold at the widths reported in the evidence; narrower networks are reported too."),
)
