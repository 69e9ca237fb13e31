"""Bu, Xu & Chen (AISTATS 2021), Section 3: heavy-ball flow on the two-layer ReLU NTK model
(Theorem 2, Lemma 3.3) by the Lyapunov function V = Lhat + 1/2 |alpha Delta + Delta'|^2.

Setting and assumptions
    The model of ``ntk_gradient_flow``; weights follow the heavy-ball flow (3.5)
    ``w_r'' + b w_r' + dL/dw_r = 0`` with ``b = sqrt(2 lambda0) = 2 alpha``,
    ``alpha = sqrt(lambda0/2)``, ``w_r'(0) = 0``.  On an interval without activation flips the
    Jacobian is constant and the error obeys (3.7) ``Delta'' + 2 alpha Delta' + H Delta = 0``.
    The lazy-regime hypothesis of Lemma 3.3 is ``lambda_min(H(s)) >= lambda0/2 = alpha^2``; it is
    encoded exactly by writing the (constant, symmetric) ``H = alpha^2 I + C C^T`` with ``C``
    lower triangular (``n = 2``; every step is coordinate-wise).  ``Delta`` and ``Delta'`` at
    a time ``t`` are the plain symbols ``D1, D2, E1, E2``; ``A1, A2`` are ``Delta''``.

Claim (seed 001, Theorem 2 and Lemma 3.3; upper bounds)
    ``L(t) <= (2/alpha^2) e^{-alpha t} Lhat(0) = (4/lambda0) e^{-sqrt(lambda0/2) t} Lhat(0)`` and
    ``|w_r(t) - w_r(0)| <= R' = sqrt(32 n Lhat(0) / (9 m alpha^6))``; the width requirement
    ``m = Omega(n^6/(delta^3 lambda0^4))``; and ``sqrt(lambda0/2) > lambda0`` (HB faster than GD).

Steps
    (b) the choice of b; (alpha) alpha = b/2; (3.6) second derivatives vanish on a linear
    piece; (3.7), (3.7)' error dynamics; (V) definition; (3.8) V' by the chain rule; (H'=0);
    (3.8') V' with H' = 0; (3.9a)-(3.9f) the chain to V' <= -alpha V; (3.9) and (3.9t);
    (3.10) Gronwall (strict, as written); (3.10 mono) monotonicity of V e^{alpha t}; (3.10s);
    (3.11)-(3.15) the loss bound; (Theorem 2) the 4/lambda0 constant; (3.16)-(3.18) the
    integrating factor and closed form of w'; (W1)-(W6) the norm chain to R'; (R' corrected);
    (Lemma 3.3 loss), (Lemma 3.3 R') on trajectories; (A.1) the width order; (tr), (lam0<1/2),
    (lam0<=1/2), (HB faster) the rate comparison.

Notation
    ``alpha = sqrt(lambda0/2)``; ``c1, c2, c3`` the Cholesky factor of ``H - alpha^2 I``;
    ``Vd`` = V'(t); ``Vs, Lhs, Ls`` = V, Lhat, L at time t; ``V0, Lh0, N0`` = V(0), Lhat(0),
    |Delta(0)|^2 (``D01, D02`` = Delta(0), ``k1, k2, k3`` the Cholesky factor at 0); ``Lss`` =
    L(s); ``v(t) = w_r'(t)`` one coordinate, ``g(t)`` the matching coordinate of dL/dw_r.

References
    Z. Bu, S. Xu, K. Chen, AISTATS 2021 (seed 001), Section 3.  A. Wilson, B. Recht, M. Jordan,
    "A Lyapunov analysis of momentum methods in optimization" (2016), eq. (7).
    S. S. Du et al., ICLR 2019 (Lemmas 3.1, 3.2).

Example
    >>> import derivations
    >>> print(derivations.get("ntk_heavy_ball_lyapunov").check("(3.9e)"))  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative as D
from sympy import Eq, Ge, Gt, Integral, Le, Lt

from derivations import (
    HOLDS_NUMERICALLY,
    REFUTED,
    INCONCLUSIVE,
    Assumption,
    Correction,
    Step,
    Verdict,
    chain,
    comparison,
    definition,
    differentiate,
    follows_from,
    identity,
    inequality,
    integrate,
    numeric,
    trajectory,
)

ID = "ntk_heavy_ball_lyapunov"
TITLE = "Heavy-ball flow on the NTK model: Lyapunov chain, Theorem 2 and Lemma 3.3"
SOURCE = "seed 001_e9be7074050bf7df (Bu, Xu & Chen, AISTATS 2021), Section 3"

# --- symbols, with their assumptions
t, s = sp.symbols("t s", positive=True)
alpha, lam0, m, n, delta, cw = sp.symbols("alpha lambda_0 m n delta c", positive=True)
b = sp.symbols("b", positive=True)
D1, D2, E1, E2, A1, A2 = sp.symbols("D_1 D_2 E_1 E_2 A_1 A_2", real=True)
c1, c2, c3 = sp.symbols("c_1 c_2 c_3", real=True)
D01, D02, k1, k2, k3 = sp.symbols("D0_1 D0_2 k_1 k_2 k_3", real=True)
Vd = sp.Symbol("Vdot", real=True)
Vs, Lhs, Ls, V0, Lh0, N0, Lss = sp.symbols("V_t Lhat_t L_t V_0 Lhat_0 N_0 L_s", nonnegative=True)
j11, j12, j21, j22, q1, q2, a, x1, x2 = sp.symbols("j_11 j_12 j_21 j_22 q_1 q_2 a x_1 x_2", real=True)
kappa = sp.symbols("kappa", positive=True)
lam1, lam2, lam3 = sp.symbols("lambda_1 lambda_2 lambda_3", positive=True)

w1, w2, Del1, Del2, Vf, v, g, w = (sp.Function(nm, real=True) for nm in
                                   ("w1", "w2", "Delta1", "Delta2", "V", "v", "g", "w"))
H11, H12, H22 = (sp.Function(nm, real=True) for nm in ("H11", "H12", "H22"))

# constant H with lambda_min(H) >= alpha^2, written exactly as alpha^2 I + C C^T
h11, h12, h22 = alpha**2 + c1**2, c1 * c2, alpha**2 + c2**2 + c3**2
g11, g12, g22 = alpha**2 + k1**2, k1 * k2, alpha**2 + k2**2 + k3**2  # H(0)


def _quad(p11, p12, p22, u1, u2, v1=None, v2=None):
    v1, v2 = (u1, u2) if v1 is None else (v1, v2)
    return p11 * u1 * v1 + p12 * (u1 * v2 + u2 * v1) + p22 * u2 * v2


HDD = _quad(h11, h12, h22, D1, D2)  # <H Delta, Delta>
HDE = _quad(h11, h12, h22, D1, D2, E1, E2)  # <H Delta, Delta'>
DD, DE, EE = D1**2 + D2**2, D1 * E1 + D2 * E2, E1**2 + E2**2
Lhat_expr = HDD / 2
V_expr = Lhat_expr + ((alpha * D1 + E1) ** 2 + (alpha * D2 + E2) ** 2) / 2
Lhat0_expr = _quad(g11, g12, g22, D01, D02) / 2
N0_expr = D01**2 + D02**2

# V(t) with a time-dependent H, for the chain rule step (3.8)
Vfun = (H11(t) * Del1(t) ** 2 + 2 * H12(t) * Del1(t) * Del2(t) + H22(t) * Del2(t) ** 2) / 2 + (
    (alpha * Del1(t) + D(Del1(t), t)) ** 2 + (alpha * Del2(t) + D(Del2(t), t)) ** 2) / 2

CONDITIONS = ()

ASSUMPTIONS = (
    Assumption("HB1", "heavy_ball_w1", "(3.5) on a flip-free interval: w1'' + 2 alpha w1' + sum_i J_i1 Delta_i = 0",
               Eq(D(w1(t), (t, 2)) + 2 * alpha * D(w1(t), t) + j11 * Del1(t) + j21 * Del2(t), 0)),
    Assumption("HB2", "heavy_ball_w2", "(3.5) for the second weight coordinate",
               Eq(D(w2(t), (t, 2)) + 2 * alpha * D(w2(t), t) + j12 * Del1(t) + j22 * Del2(t), 0)),
    Assumption("LIN1", "linear_piece_1", "on a flip-free interval f_1 is linear in W: Delta_1 = J_11 w1 + J_12 w2 + q1",
               Eq(Del1(t), j11 * w1(t) + j12 * w2(t) + q1)),
    Assumption("LIN2", "linear_piece_2", "Delta_2 = J_21 w1 + J_22 w2 + q2", Eq(Del2(t), j21 * w1(t) + j22 * w2(t) + q2)),
    Assumption("ERR1", "error_dynamics_constant_H_1", "(3.7) with H = alpha^2 I + C C^T (lambda_min(H) >= alpha^2): "
               "Delta_1'' = -2 alpha Delta_1' - (H Delta)_1", Eq(A1, -2 * alpha * E1 - (h11 * D1 + h12 * D2))),
    Assumption("ERR2", "error_dynamics_constant_H_2", "(3.7), second component",
               Eq(A2, -2 * alpha * E2 - (h12 * D1 + h22 * D2))),
    Assumption("INIT1", "zero_initial_velocity_1", "w_r'(0) = 0 gives Delta'(0) = 0", Eq(E1, 0)),
    Assumption("INIT2", "zero_initial_velocity_2", "Delta_2'(0) = 0", Eq(E2, 0)),
    Assumption("HBV", "heavy_ball_velocity", "(3.5) for one coordinate of w_r: v' + 2 alpha v + g = 0, v = w_r'",
               Eq(D(v(t), t) + 2 * alpha * v(t) + g(t), 0)),
    Assumption("HBW", "heavy_ball_weight", "(3.5) for one coordinate: w'' + 2 alpha w' + g = 0",
               Eq(D(w(t), (t, 2)) + 2 * alpha * D(w(t), t) + g(t), 0)),
    Assumption("IG", "integral_name", "notation: Ig(t) = int_0^t e^{2 alpha s} g(s) ds",
               Eq(sp.Function("Ig", real=True)(t), Integral(sp.exp(2 * alpha * s) * sp.Function("g", real=True)(s), (s, 0, t)))),
    Assumption("V0INIT", "zero_initial_velocity_v", "v(0) = w_r'(0) = 0", Eq(v(0), 0)),
    Assumption("ALPHA", "alpha_definition", "alpha = sqrt(lambda0/2), i.e. lambda0 = 2 alpha^2", Eq(lam0, 2 * alpha**2)),
    Assumption("EIG1", "eigenvalue_1_ge_lambda0", "n = 3: each eigenvalue of H^inf is >= lambda0 = lambda_min",
               Ge(lam1, lam0)),
    Assumption("EIG2", "eigenvalue_2_ge_lambda0", "lambda_2 >= lambda0", Ge(lam2, lam0)),
    Assumption("EIG3", "eigenvalue_3_ge_lambda0", "lambda_3 >= lambda0", Ge(lam3, lam0)),
    Assumption("TRACE", "trace_of_hinf", "lambda_1 + lambda_2 + lambda_3 = 3/2 (n = 3)",
               Eq(lam1 + lam2 + lam3, sp.Rational(3, 2))),
)


# ----------------------------------------------------------------------------- helpers


def _d38prime(ctx):
    """(3.8) with H' = 0 (step (H'=0)) and the values at time t renamed to plain symbols."""
    e = ctx.claim("(3.8)")
    rename = {D(Del1(t), (t, 2)): A1, D(Del2(t), (t, 2)): A2, D(Del1(t), t): E1, D(Del2(t), t): E2,
              D(H11(t), t): 0, D(H12(t), t): 0, D(H22(t), t): 0}
    e = e.xreplace(rename) if False else e.subs(rename)
    e = e.subs({Del1(t): D1, Del2(t): D2, H11(t): h11, H12(t): h12, H22(t): h22, Vf(t): Vs})
    return Eq(Vd, e.rhs)


def _chain39(ctx):
    return chain(ctx, "(3.9d)", "(3.9e)", "(3.9f)")


def _rename39t(ctx):
    return ctx.claim("(3.9)").xreplace({Vd: D(Vf(t), t), Vs: Vf(t)})


def _rename310s(ctx):
    return ctx.claim("(3.10)").xreplace({Vf(t): Vs, Vf(0): V0})


def _closed_form(ctx):
    """(3.17) with the integrand from (3.16) (at time s), v(0) = 0, and the integral named Ig(t)."""
    ftc = ctx.claim("(3.17)")
    integrand = ctx.claim("(3.16)").rhs.subs(t, s)  # -e^{2 alpha s} g(s)
    ig = ctx.claim("IG")  # Ig(t) = Integral(e^{2 alpha s} g(s), (s, 0, t))
    if sp.simplify(integrand + ig.rhs.function) != 0:
        raise ValueError("the integrand of (3.16) is not -e^{2 alpha s} g(s)")
    lhs = ftc.lhs.subs(v(0), ctx.claim("V0INIT").rhs)
    return Eq(sp.expand(lhs * sp.exp(-2 * alpha * t)), -sp.exp(-2 * alpha * t) * ig.lhs)


def _theorem2(ctx):
    return ctx.claim("(3.15)")


def _rename315s(ctx):
    return ctx.claim("(3.15)").xreplace({Ls: Lss, t: s})


def _orthonormal_lambda0(ctx, claim) -> Verdict:
    """Orthonormal inputs (unit norm, pairwise non-parallel): H^inf = I/2, lambda0 = 1/2."""
    from derivations.ntk_gradient_flow import hinf_matrix

    rows = []
    for nn in (2, 3, 5):
        X = np.eye(nn)
        lam = float(np.linalg.eigvalsh(hinf_matrix(X))[0])
        rows.append((nn, lam))
    nn, lam = rows[1]
    if ctx.step.label == "(lam0<1/2)":
        lhs, rhs = nn / 2, nn * lam
        what = f"tr(H^inf) = {lhs} and n lambda0 = {rhs}"
    else:
        lhs, rhs = float(np.sqrt(lam / 2)), lam
        what = f"sqrt(lambda0/2) = {lhs} and lambda0 = {rhs}"
    if not lhs > rhs and abs(lam - 0.5) < 1e-15:
        return Verdict(REFUTED, "numeric", f"orthonormal inputs x_i = e_i (n = 3, p = 3; unit norm, no two parallel): "
                       f"H^inf = I/2 exactly (arccos(0) = pi/2), lambda0 = 1/2, so {what}: the strict inequality fails "
                       f"(also for n = 2, 5: lambda0 = {[r[1] for r in rows]})", {"rows": rows},
                       "import numpy as np; from derivations.ntk_gradient_flow import hinf_matrix; "
                       "print(np.linalg.eigvalsh(hinf_matrix(np.eye(3))))")
    return Verdict(INCONCLUSIVE, "numeric", f"no counterexample: {what}", {"rows": rows})


def _triangle_integrand(ctx, claim) -> Verdict:
    """|sum_i c_i x_i 1_i| / sqrt(m) <= sum_i |c_i| / sqrt(m) for unit x_i, indicators in {0, 1}."""
    rng = np.random.default_rng(33)
    worst = -np.inf
    for _ in range(2000):
        nn, p = rng.integers(1, 9), rng.integers(1, 7)
        X = rng.standard_normal((nn, p))
        X /= np.linalg.norm(X, axis=1, keepdims=True)
        c = rng.standard_normal(nn) * rng.exponential(1.0, nn)
        ind = rng.integers(0, 2, nn)
        lhs = np.linalg.norm((c * ind) @ X)
        worst = max(worst, lhs - np.abs(c).sum())
    if worst <= 1e-12:
        return Verdict(HOLDS_NUMERICALLY, "numeric", f"2000 random instances (n <= 8, p <= 6, unit x_i, random "
                       f"indicators and weights): max(|sum_i c_i 1_i x_i| - sum_i |c_i|) = {worst:.2e} <= 1e-12 "
                       "(the triangle inequality; the integral form follows by monotonicity of the integral)",
                       {"worst": worst})
    return Verdict(REFUTED, "numeric", f"violation {worst:.2e}", {"worst": worst})


Rp_stated = sp.sqrt(32 * n * Lh0 / (9 * m * alpha**6))
Rp_corrected = sp.sqrt(64 * n * Lh0 / (9 * m * alpha**6))
m_required = 32 * n * Lh0 * n**4 / (9 * alpha**6 * cw**2 * delta**2 * lam0**2)  # R'^2 < R^2 = (c delta lambda0/n^2)^2

dist = sp.Function("dist", nonnegative=True)(t)

STEPS = (
    Step("(b)", "b_choice_twice_strong_convexity_as_written", Eq(sp.sqrt(2 * lam0), 2 * (lam0 / 2), evaluate=False), identity(),
         expect=REFUTED, finding="slip",
         correction=Correction(Eq(sp.sqrt(2 * lam0), 2 * sp.sqrt(lam0 / 2), evaluate=False), identity(),
                               note="b = 2 sqrt(mu) with mu = lambda0/2 the strong-convexity modulus of Lhat"),
         note="'b = sqrt(2 lambda0), i.e. twice the strongly convexity of Lhat': Lhat is lambda0/2-strongly convex, "
              "and b is twice the SQUARE ROOT of that modulus (Wilson-Recht-Jordan's 2 sqrt(mu)), not twice it."),
    Step("(alpha)", "alpha_half_b", Eq(sp.sqrt(2 * lam0) / 2, sp.sqrt(lam0 / 2), evaluate=False), identity(),
         note="alpha := b/2 = sqrt(lambda0/2), so b = 2 alpha in (3.5), (3.7)."),
    Step("(3.6)", "eq3_6_second_derivative_zero_on_linear_piece",
         Eq(D(a * (w1(t) * x1 + w2(t) * x2) / sp.sqrt(m), w1(t), w2(t)) + D(a * (w1(t) * x1 + w2(t) * x2) / sp.sqrt(m), (w1(t), 2)), 0),
         differentiate(),
         note="On an active piece f_i = m^{-1/2} a_r w_r^T x_i is linear in w_r: all second derivatives vanish. "
              "The 'a.s.' in (3.6) hides that along a trajectory w_r^T x_i does cross 0 (activation flips), where "
              "Delta' and H jump, and can even stay at 0 (Filippov sliding: the GD audit runs show chattering pairs); "
              "the consequences are recorded at (3.10 mono)."),
    Step("(3.7)", "eq3_7_error_dynamics_1",
         Eq(D(Del1(t), (t, 2)) + 2 * alpha * D(Del1(t), t)
            + ((j11**2 + j12**2) * Del1(t) + (j11 * j21 + j12 * j22) * Del2(t)), 0),
         follows_from(solve={"HB1": D(w1(t), (t, 2)), "HB2": D(w2(t), (t, 2)), "LIN1": Del1(t), "LIN2": Del2(t)}),
         uses=("HB1", "HB2", "LIN1", "LIN2", "(3.6)"),
         note="Multiply (3.5) by df/dw_r and sum over r, on a flip-free interval (constant Jacobian J); "
              "H = J J^T, b = 2 alpha."),
    Step("(3.7)'", "eq3_7_error_dynamics_2",
         Eq(D(Del2(t), (t, 2)) + 2 * alpha * D(Del2(t), t)
            + ((j11 * j21 + j12 * j22) * Del1(t) + (j21**2 + j22**2) * Del2(t)), 0),
         follows_from(solve={"HB1": D(w1(t), (t, 2)), "HB2": D(w2(t), (t, 2)), "LIN1": Del1(t), "LIN2": Del2(t)}),
         uses=("HB1", "HB2", "LIN1", "LIN2", "(3.6)")),
    Step("(V)", "def_lyapunov", Eq(Vf(t), Vfun), definition(),
         note="V = 1/2 Delta^T H Delta + 1/2 |sqrt(lambda0/2) Delta + Delta'|^2 with alpha = sqrt(lambda0/2)."),
    Step("(3.8)", "eq3_8_lyapunov_derivative_chain_rule",
         Eq(D(Vf(t), t), (D(Del1(t), t) * (H11(t) * Del1(t) + H12(t) * Del2(t))
                          + D(Del2(t), t) * (H12(t) * Del1(t) + H22(t) * Del2(t)))
            + (D(H11(t), t) * Del1(t) ** 2 + 2 * D(H12(t), t) * Del1(t) * Del2(t) + D(H22(t), t) * Del2(t) ** 2) / 2
            + (alpha * D(Del1(t), t) + D(Del1(t), (t, 2))) * (alpha * Del1(t) + D(Del1(t), t))
            + (alpha * D(Del2(t), t) + D(Del2(t), (t, 2))) * (alpha * Del2(t) + D(Del2(t), t))),
         follows_from(solve={"(V)": Vf(t)}), uses=("(V)",)),
    Step("(H'=0)", "eq2_6_ntk_constant_between_flips",
         Eq(D((x1 * x2) * (sp.Symbol("I_1") * sp.Symbol("I_2") + sp.Symbol("I_3") * sp.Symbol("I_4")) / m, t), 0),
         differentiate(),
         note="By (2.6) H_ij(t) = (1/m) x_i^T x_j sum_r 1_ir 1_jr depends on t only through the indicators, which are "
              "constant between activation flips: H' = 0 there.  At a flip H jumps; 'dH/dt = 0 a.s.' does not make "
              "V continuous (see (3.10 mono))."),
    Step("(3.8')", "eq3_8_lyapunov_derivative_constant_H",
         Eq(Vd, HDE + (alpha * E1 + A1) * (alpha * D1 + E1) + (alpha * E2 + A2) * (alpha * D2 + E2)),
         follows_from(derive=_d38prime, how="(3.8) with dH/dt = 0 (step (H'=0)), values at t renamed"),
         uses=("(3.8)", "(H'=0)")),
    Step("(3.9a)", "eq3_9a_substitute_error_dynamics",
         Eq(Vd, HDE + (-alpha * E1 - (h11 * D1 + h12 * D2)) * (alpha * D1 + E1)
            + (-alpha * E2 - (h12 * D1 + h22 * D2)) * (alpha * D2 + E2)),
         follows_from(solve={"(3.8')": Vd, "ERR1": A1, "ERR2": A2}), uses=("(3.8')", "ERR1", "ERR2")),
    Step("(3.9b)", "eq3_9b_lyapunov_derivative_expanded", Eq(Vd, -alpha * HDD - alpha**2 * DE - alpha * EE),
         follows_from(solve={"(3.9a)": Vd}), uses=("(3.9a)",)),
    Step("(3.9c)", "eq3_9c_quadratic_form_split_of_lambda_min", Ge(HDD, Lhat_expr + alpha**2 / 2 * DD), inequality(),
         note="<H Delta, Delta> >= 1/2 <H Delta, Delta> + alpha^2/2 |Delta|^2 = Lhat + alpha^2/2 |Delta|^2 from "
              "lambda_min(H) >= alpha^2 (H = alpha^2 I + C C^T)."),
    Step("(3.9d)", "eq3_9d_lyapunov_derivative_written_as_equality",
         Eq(Vd, -alpha * Lhat_expr - alpha**3 / 2 * DD - alpha**2 * DE - alpha * EE),
         follows_from(solve={"(3.9b)": Vd}), uses=("(3.9b)", "(3.9c)"),
         expect=REFUTED, finding="slip",
         correction=Correction(Le(Vd, -alpha * Lhat_expr - alpha**3 / 2 * DD - alpha**2 * DE - alpha * EE),
                               follows_from(solve={"(3.9b)": Vd}),
                               note="'<=': (3.9b) with (3.9c) multiplied by -alpha"),
         note="The source writes 'V' = -alpha Lhat - alpha^3/2 |Delta|^2 - ...' with '=', but the step uses "
              "lambda_min(H) >= alpha^2, so it is an inequality (equality only when H Delta = alpha^2 Delta)."),
    Step("(3.9e)", "eq3_9e_strict_after_dropping_velocity_term",
         Lt(-alpha * Lhat_expr - alpha**3 / 2 * DD - alpha**2 * DE - alpha * EE,
            -alpha * (Lhat_expr + ((alpha * D1 + E1) ** 2 + (alpha * D2 + E2) ** 2) / 2)),
         inequality(), expect=REFUTED, finding="slip",
         correction=Correction(Le(-alpha * Lhat_expr - alpha**3 / 2 * DD - alpha**2 * DE - alpha * EE,
                                  -alpha * (Lhat_expr + ((alpha * D1 + E1) ** 2 + (alpha * D2 + E2) ** 2) / 2)),
                               inequality(), note="'<=': the dropped term is -alpha/2 |Delta'|^2 <= 0"),
         note="Throwing away -alpha/2 |Delta'|^2 gives '<=', not '<': equality when Delta' = 0, which happens at t = 0 "
              "(w'(0) = 0 gives Delta'(0) = 0)."),
    Step("(3.9f)", "eq3_9f_bracket_is_lyapunov",
         Eq(-alpha * (Lhat_expr + ((alpha * D1 + E1) ** 2 + (alpha * D2 + E2) ** 2) / 2), -alpha * V_expr, evaluate=False), identity()),
    Step("(V)s", "def_lyapunov_value_at_t", Eq(Vs, V_expr), definition()),
    Step("(3.9)", "eq3_9_lyapunov_decay_inequality", Le(Vd, -alpha * Vs),
         follows_from(derive=_chain39, how="chaining (3.9d) (corrected), (3.9e) (corrected), (3.9f)"),
         uses=("(3.9d)", "(3.9e)", "(3.9f)", "(V)s")),
    Step("(3.9t)", "eq3_9t_lyapunov_decay_as_ode_inequality", Le(D(Vf(t), t), -alpha * Vf(t)),
         follows_from(derive=_rename39t, how="(3.9) at each t of a flip-free interval"), uses=("(3.9)",),
         note="Holds pointwise between activation flips; V may jump at a flip."),
    Step("(3.10)", "eq3_10_gronwall_lyapunov_strict", Lt(Vf(t), sp.exp(-alpha * t) * Vf(0)),
         comparison(hypothesis="(3.9t)", u=Vf(t), t=t, t0=0), uses=("(3.9t)",),
         also=trajectory(), expect=HOLDS_NUMERICALLY, finding="gap",
         correction=Correction(Le(Vf(t), sp.exp(-alpha * t) * Vf(0)), comparison(hypothesis="(3.9t)", u=Vf(t), t=t, t0=0),
                               note="'<=' by Gronwall, valid when V is absolutely continuous on [0, t] (no upward jumps)"),
         note="Two gaps: Gronwall on V' <= -alpha V gives '<=' not '<'; and V is discontinuous at activation flips "
              "(Delta' and H jump), so V' <= -alpha V between flips does not give the bound -- upward jumps occur "
              "(see (3.10 mono)).  On the audit trajectories (m = 512) the bound itself holds with margin."),
    Step("(3.10 mono)", "eq3_10_lyapunov_times_exponential_nonincreasing",
         Le(Vf(t) * sp.exp(alpha * t), Vf(sp.Symbol("t_1", positive=True)) * sp.exp(alpha * sp.Symbol("t_1", positive=True))),
         trajectory(), uses=("(3.9t)",), expect=REFUTED, finding="error",
         correction=Correction(Le(Vf(t), sp.exp(-alpha * t) * Vf(0)), comparison(hypothesis="(3.9t)", u=Vf(t), t=t, t0=0),
                               note="valid on an interval [0, t] free of activation flips (V continuous there)"),
         note="What the Gronwall step needs: V(t) e^{alpha t} non-increasing for t >= t_1.  Refuted on a real "
              "network that satisfies lambda_min(H(t)) >= lambda0/2 throughout: V jumps up at activation flips. "
              "The source's 'dH/dt = 0 a.s.' overlooks the jumps of H and Delta'."),
    Step("(3.10s)", "eq3_10s_lyapunov_bound_values", Le(Vs, sp.exp(-alpha * t) * V0),
         follows_from(derive=_rename310s, how="(3.10) (corrected, non-strict) with V(t) = V_t, V(0) = V_0"),
         uses=("(3.10)",), note="Rests on the continuity of V (see (3.10 mono))."),
    Step("(Lhat)s", "def_pseudo_loss_value_at_t", Eq(Lhs, Lhat_expr), definition()),
    Step("(3.11)", "eq3_11_pseudo_loss_le_lyapunov", Le(Lhs, Vs),
         inequality(given=("(Lhat)s", "(V)s")), uses=("(Lhat)s", "(V)s"),
         note="V - Lhat = 1/2 |alpha Delta + Delta'|^2 >= 0."),
    Step("(V0)", "def_lyapunov_at_zero", Eq(V0, Lhat0_expr + ((alpha * D01 + sp.Symbol("E0_1")) ** 2
                                                              + (alpha * D02 + sp.Symbol("E0_2")) ** 2) / 2),
         definition(), note="V(0) with Delta(0) = (D0_1, D0_2), Delta'(0) = (E0_1, E0_2), H(0) = alpha^2 I + K K^T."),
    Step("(Lhat0)", "def_pseudo_loss_at_zero", Eq(Lh0, Lhat0_expr), definition()),
    Step("(N0)", "def_error_norm_at_zero", Eq(N0, N0_expr), definition()),
    Step("(3.12)", "eq3_12_lyapunov_at_zero_of_zero_velocity", Eq(V0, Lh0 + alpha**2 / 2 * N0),
         follows_from(derive=lambda ctx: ctx.claim("(V0)").subs({sp.Symbol("E0_1"): 0, sp.Symbol("E0_2"): 0}),
                      how="(V0) with Delta'(0) = 0 (w'(0) = 0)"),
         uses=("(V0)", "(Lhat0)", "(N0)", "INIT1")),
    Step("(3.13)", "eq3_13_initial_error_le_pseudo_loss_of_lambda_min", Le(alpha**2 / 2 * N0, Lh0),
         follows_from(derive=lambda ctx: Ge((k1 * D01 + k2 * D02) ** 2 + (k3 * D02) ** 2, 0, evaluate=False),
                      how="Lhat(0) - alpha^2/2 |Delta(0)|^2 = 1/2 |K^T Delta(0)|^2 (lambda_min(H(0)) >= alpha^2)"),
         uses=("(Lhat0)", "(N0)")),
    Step("(3.14)", "eq3_14_pseudo_loss_bound", Le(Lhs, 2 * sp.exp(-alpha * t) * Lh0),
         inequality(given=("(3.11)", "(3.10s)", "(3.12)", "(3.13)")), uses=("(3.11)", "(3.10s)", "(3.12)", "(3.13)")),
    Step("(3.15a)", "eq3_15a_pseudo_loss_ge_alpha2_loss", Le(alpha**2 * Ls, Lhs),
         follows_from(derive=lambda ctx: Ge((c1 * D1 + c2 * D2) ** 2 + (c3 * D2) ** 2, 0, evaluate=False),
                      how="Lhat - alpha^2 L = 1/2 |C^T Delta|^2 (lambda_min(H) >= alpha^2)"),
         uses=("(Lhat)s", "DEF_Ls")),
    Step("DEF_Ls", "def_loss_value_at_t", Eq(Ls, DD / 2), definition()),
    Step("(3.15)", "eq3_15_loss_bound_lemma3_3", Le(Ls, 2 / alpha**2 * sp.exp(-alpha * t) * Lh0),
         inequality(given=("(3.15a)", "(3.14)")), uses=("(3.15a)", "(3.14)")),
    Step("(Theorem 2)", "thm2_loss_bound_constant_4_over_lambda0",
         Le(Ls, 4 / lam0 * sp.exp(-sp.sqrt(lam0 / 2) * t) * Lh0),
         follows_from(solve={"ALPHA": lam0}, derive=_theorem2, how="(3.15) with lambda0 = 2 alpha^2"),
         uses=("(3.15)", "ALPHA"),
         note="2/alpha^2 = 4/lambda0 and alpha = sqrt(lambda0/2): Theorem 2 and Lemma 3.3 as stated."),
    Step("(Lemma 3.3 loss)", "lemma3_3_loss_bound_on_trajectories",
         Le(sp.Function("L", nonnegative=True)(t), 4 / lam0 * sp.exp(-sp.sqrt(lam0 / 2) * t) * sp.Function("Lhat", nonnegative=True)(0)),
         trajectory(), expect=HOLDS_NUMERICALLY,
         note="Trajectory check of the final bound on real heavy-ball runs of the two-layer ReLU network."),
    Step("(3.16)", "eq3_16_integrating_factor", Eq(D(sp.exp(2 * alpha * t) * v(t), t), -sp.exp(2 * alpha * t) * g(t)),
         follows_from(solve={"HBV": D(v(t), t)}), uses=("HBV",),
         note="Multiplying (3.5) by e^{bt} = e^{2 alpha t}; v = w_r' (one coordinate), g = dL/dw_r."),
    Step("(3.16w)", "eq3_16w_integrating_factor_weights",
         Eq(D(sp.exp(2 * alpha * t) * D(w(t), t), t), -sp.exp(2 * alpha * t) * g(t)),
         follows_from(solve={"HBW": D(w(t), (t, 2))}), uses=("HBW",)),
    Step("(3.17)", "eq3_17_fundamental_theorem",
         Eq(sp.exp(2 * alpha * t) * v(t) - v(0), Integral(D(sp.exp(2 * alpha * s) * v(s), s), (s, 0, t))),
         integrate(t, lower=0)),
    Step("(3.18)", "eq3_18_velocity_closed_form",
         Eq(v(t), -sp.exp(-2 * alpha * t) * sp.Function("Ig", real=True)(t)),
         follows_from(derive=_closed_form, how="(3.17) with the integrand from (3.16), v(0) = 0, Ig = int_0^t e^{2 alpha s} g"),
         uses=("(3.17)", "(3.16)", "V0INIT", "IG"),
         note="w_r' = -e^{-2 alpha t} int_0^t e^{2 alpha s} m^{-1/2} a_r sum_i (f_i - y_i) x_i 1{...} ds, one coordinate; "
              "the integral is named Ig(t) (numeric spot-checks of unevaluated integrals are slow in the engine)."),
    Step("(W1)", "w1_velocity_norm_triangle",
         Le(sp.Symbol("|sum_i c_i 1_i x_i|", nonnegative=True), sp.Symbol("sum_i |c_i|", nonnegative=True)),
         numeric(_triangle_integrand, what="triangle inequality with |a_r| = 1, |x_i| = 1, indicators in {0,1}"),
         expect=HOLDS_NUMERICALLY,
         note="|w_r'| <= e^{-2 alpha t} m^{-1/2} int_0^t e^{2 alpha s} sum_i |f_i - y_i| ds: the integrand bound "
              "(triangle inequality) is checked numerically; integrating it is monotonicity of the integral."),
    Step("(W2)", "w2_l1_le_sqrt_n_l2", Le(sp.Abs(D1) + sp.Abs(D2), sp.sqrt(2) * sp.sqrt(DD)), inequality(),
         note="Cauchy-Schwarz sum_i |Delta_i| <= sqrt(n) |Delta|_2 (n = 2)."),
    Step("(W3)", "w3_error_norm_is_sqrt_loss_as_written", Eq(sp.sqrt(DD), sp.sqrt(DD / 2), evaluate=False), identity(),
         expect=REFUTED, finding="slip",
         correction=Correction(Eq(sp.sqrt(DD), sp.sqrt(2 * (DD / 2)), evaluate=False), identity(),
                               note="|f - y|_2 = sqrt(2 L) for L = 1/2 |f - y|^2"),
         note="The chain writes |f(s) - y|_2 = sqrt(L(s)); with L = 1/2 |f - y|^2 it is sqrt(2 L(s)).  Every later "
              "constant of the chain (and R') loses a factor sqrt(2); see (R' corrected)."),
    Step("(3.15)s", "eq3_15s_loss_bound_at_s", Le(Lss, 2 / alpha**2 * sp.exp(-alpha * s) * Lh0),
         follows_from(derive=_rename315s, how="(3.15) at time s"), uses=("(3.15)",)),
    Step("(W4)", "w4_integrand_bound_of_loss_bound",
         Le(sp.exp(2 * alpha * (s - t)) * sp.sqrt(Lss), sp.sqrt(2 * Lh0 / alpha**2) * sp.exp(sp.Rational(3, 2) * alpha * s - 2 * alpha * t)),
         inequality(given=("(3.15)s",)), uses=("(3.15)s",), expect=HOLDS_NUMERICALLY,
         note="The prover does not establish the monotonicity of sqrt symbolically: holds numerically.  Correct given the (slipped) sqrt(L) of (W3); with sqrt(2 L) the factor is sqrt(4 Lhat0/alpha^2)."),
    Step("(W5a)", "w5a_integral_of_exponential",
         Eq(Integral(sp.exp(sp.Rational(3, 2) * alpha * s - 2 * alpha * t), (s, 0, t)),
            2 / (3 * alpha) * (sp.exp(-alpha * t / 2) - sp.exp(-2 * alpha * t))), identity()),
    Step("(W5)", "w5_velocity_norm_bound",
         Le(sp.sqrt(n / m) * sp.sqrt(2 * Lh0 / alpha**2) * 2 / (3 * alpha) * (sp.exp(-alpha * t / 2) - sp.exp(-2 * alpha * t)),
            sp.sqrt(8 * n * Lh0 / (9 * m * alpha**4)) * sp.exp(-alpha * t / 2)), inequality(), uses=("(W5a)",)),
    Step("(W6a)", "w6a_integral_of_velocity_bound",
         Eq(Integral(sp.sqrt(8 * n * Lh0 / (9 * m * alpha**4)) * sp.exp(-alpha * s / 2), (s, 0, t)),
            sp.sqrt(8 * n * Lh0 / (9 * m * alpha**4)) * 2 / alpha * (1 - sp.exp(-alpha * t / 2))), identity()),
    Step("(W6)", "w6_weight_distance_lt_R_prime",
         Lt(sp.sqrt(8 * n * Lh0 / (9 * m * alpha**4)) * 2 / alpha * (1 - sp.exp(-alpha * t / 2)), Rp_stated),
         inequality(conditions=(Gt(Lh0, 0),)), uses=("(W6a)",),
         note="|w_r(t) - w_r(0)| <= int_0^t |w_r'| < sqrt(32 n Lhat0/(9 m alpha^6)) = R' (the triangle inequality for "
              "integrals; the source says 'Cauchy-Schwarz').  Strict only for Lhat(0) > 0 (assumed; for "
              "Delta(0) = 0 both sides are 0)."),
    Step("(R' corrected)", "r_prime_corrected_with_sqrt2",
         Lt(sp.sqrt(n / m) * sp.sqrt(4 * Lh0 / alpha**2) * 2 / (3 * alpha) * 2 / alpha * (1 - sp.exp(-alpha * t / 2)),
            Rp_corrected), inequality(conditions=(Gt(Lh0, 0),)), uses=("(W3)",),
         note="The chain redone with |f - y| = sqrt(2 L): R'_corrected = sqrt(64 n Lhat0/(9 m alpha^6)) = sqrt(2) R'."),
    Step("(Lemma 3.3 R')", "lemma3_3_weight_distance_le_R_prime", Le(dist, Rp_stated), trajectory(),
         uses=("(W6)",), expect=HOLDS_NUMERICALLY, finding="slip",
         correction=Correction(Le(dist, Rp_corrected), trajectory("ntk_heavy_ball_lyapunov:(Lemma 3.3 R')"),
                               expect=HOLDS_NUMERICALLY,
                               note="the bound the corrected chain proves (R' corrected), also checked on trajectories"),
         note="Lemma 3.3's R' rests on the sqrt(L) slip of (W3): the argument proves only sqrt(2) R'.  On trajectories "
              "both bounds hold by a factor ~50, so the stated R' is not refuted -- it is unproved."),
    Step("(A.1)", "a1_width_order_of_r_prime_lt_r",
         Eq(m_required.subs({Lh0: kappa * n / delta, alpha: sp.sqrt(lam0 / 2)}),
            256 * kappa / (9 * cw**2) * n**6 / (delta**3 * lam0**4), evaluate=False), identity(),
         expect=REFUTED, finding="error",
         correction=Correction(Eq(m_required.subs({Lh0: kappa * n / delta, alpha: sp.sqrt(lam0 / 2)}),
                                  256 * kappa / (9 * cw**2) * n**6 / (delta**3 * lam0**5), evaluate=False), identity(),
                               note="with Lhat(0) = kappa n/delta the requirement is n^6/(delta^3 lambda0^5)"),
         note="R' < R = c delta lambda0/n^2 means m > 32 n^5 Lhat(0)/(9 alpha^6 c^2 delta^2 lambda0^2).  With the "
              "usual Lhat(0) <= lambda_max L(0), L(0) = O(n/delta) (Du et al.), this is n^6/(delta^3 lambda0^5) up to "
              "lambda_max, one power of lambda0 more than the stated Omega(n^6/(delta^3 lambda0^4)); the stated order "
              "needs Lhat(0) = O(lambda0 n/delta).  Appendix A.1 is not in the seed, so the reading Lhat(0) = kappa n/delta "
              "is ours."),
    Step("(tr)", "trace_of_hinf_is_n_over_2", Eq(sp.Rational(1, 2) - sp.acos(sp.Integer(1), evaluate=False) / (2 * sp.pi), sp.Rational(1, 2), evaluate=False),
         identity(), note="Each diagonal entry of H^inf is (1/2 - arccos(1)/(2 pi)) * 1 = 1/2, so tr(H^inf) = n/2."),
    Step("(lam0<1/2)", "trace_gt_n_lambda0_as_written", Gt(sp.Rational(3, 2), 3 * lam0),
         numeric(_orthonormal_lambda0, what="lambda0 for orthonormal inputs"), uses=("EIG1", "EIG2", "EIG3", "TRACE"), expect=REFUTED, finding="error",
         correction=Correction(Ge(sp.Rational(3, 2), 3 * lam0), inequality(given=("EIG1", "EIG2", "EIG3", "TRACE")),
                               note="sum_i lambda_i >= n lambda0, hence lambda0 <= 1/2 (equality iff H^inf = I/2)"),
         note="'tr(H^inf) = n/2 = sum_i lambda_i > n lambda0' is strict only if H^inf is not a multiple of I; for "
              "orthonormal inputs (allowed: unit norm, no two parallel) H^inf = I/2 and lambda0 = 1/2 exactly."),
    Step("(HB faster)", "hb_rate_gt_gd_rate_as_written", Gt(sp.sqrt(lam0 / 2), lam0),
         numeric(_orthonormal_lambda0, what="rates for orthonormal inputs"), expect=REFUTED, finding="error",
         correction=Correction(Ge(sp.sqrt(lam0 / 2), lam0), inequality(conditions=(Le(lam0, sp.Rational(1, 2)),)),
                               note="sqrt(lambda0/2) >= lambda0 for lambda0 <= 1/2, strict iff lambda0 < 1/2"),
         note="For orthonormal inputs lambda0 = 1/2 and sqrt(lambda0/2) = lambda0: the rate guarantees coincide. "
              "(The measured rates still favour HB: see notes/ntk_heavy_ball_lyapunov.md.)"),
)
