"""Bu, Xu & Chen (AISTATS 2021), Section 4: the gamma/t Nesterov flow on the two-layer ReLU NTK
model (Theorem 3, Lemma 4.1): polynomial decay and the lazy-training bound R'(eps).

Setting and assumptions
    The model of ``ntk_gradient_flow``; weights follow (4.2)
    ``w_r'' + (gamma/t) w_r' + dL/dw_r = 0``, ``w_r'(0) = 0``.  On an interval without activation
    flips the Jacobian is constant and the error obeys (4.4).  Lemma 4.1 assumes
    ``lambda_min(H(s)) >= lambda0/2 = mu`` for ``s <= t``, ``gamma > 3`` and
    ``2 <= alpha <= 2 gamma/3`` (and ``alpha > 4`` for the weight bound).  ``n = 2`` samples
    and two weight coordinates in the symbolic steps (coordinate-wise arguments).

Claim (seed 001, Theorem 3 / Lemma 4.1; upper bounds)
    ``Lhat(t) <= C(alpha, gamma) L(0) / (t^alpha mu^{(alpha-2)/2})`` (cited from Su-Boyd-Candes,
    Theorem 8), hence ``L(t) <= C L(0)/(t^alpha mu^{alpha/2}) = A t^{-alpha} L(0)``; the energy
    ``E = L + 1/2 sum_r |w_r'|^2`` is non-increasing; ``|w_r'(t)| <= t^{1-alpha/2} K`` with
    ``K = sqrt(n C L(0)/(m mu^{alpha/2} (gamma - alpha/2 + 1)^2))``; and
    ``|w_r(t) - w_r(0)| <= R'(eps) = 2 eps^{2-alpha/2} K/(alpha - 4) + sqrt(2 L(0)) eps``; the width
    ``m = Omega(n^{5 alpha/2 - 4} / (delta^{3 alpha/2 - 3} lambda0^{3 alpha/2 - 2}))``.

Steps
    (4.4), (4.4)' error dynamics; (4.5) gradient of Lhat; (V) the Lyapunov function of [57];
    (4.7) cited rate (+ trajectories); (A) the constant A; (Lemma 4.1 loss); (4.6) Theorem 3;
    (E) energy, (E.1) its derivative, (E.1b) E' <= 0, (E.2) E(t) <= E(0), (E.0) E(0) = L(0),
    (E.3) |w_r'|^2 <= 2 L(0), (E traj) energy on trajectories; (4.8a)-(4.8) t^gamma factor and
    closed form; (N1)-(N5) norm chain; (N3) the sqrt(L) slip; (N6a), (N6) the eps-splitting;
    (N7) the short-time piece; (Lemma 4.1 stmt) the statement's sqrt(2 L(0) eps);
    (cond), (cond rho) parameter conditions; (A.2) width order.

Notation
    ``mu = lambda0/2``; ``rho = gamma - alpha/2 + 1``; ``L0 = L(0)``; ``v = w_r'`` (one coordinate),
    ``g`` the matching coordinate of dL/dw_r, ``Ig(t) = int_0^t s^gamma g(s) ds``; ``Lss`` = L(s);
    ``K`` as in the claim; ``eps`` the splitting time.

References
    Z. Bu, S. Xu, K. Chen, AISTATS 2021 (seed 001), Section 4.  W. Su, S. Boyd, E. Candes,
    "A differential equation for modeling Nesterov's accelerated gradient method", JMLR 17
    (2016), Theorem 8 and the generalized energy of their Section 4.
    B. Polyak, P. Shcherbakov, "Lyapunov functions: an optimization theory perspective" (2017).

Example
    >>> import derivations
    >>> print(derivations.get("ntk_nesterov_lyapunov").check("(Lemma 4.1 stmt)"))  # doctest: +SKIP
"""

from __future__ import annotations

import sympy as sp
from sympy import Derivative as D
from sympy import Eq, Ge, Gt, Integral, Le

from derivations import (
    HOLDS_NUMERICALLY,
    REFUTED,
    Assumption,
    Correction,
    Step,
    cited,
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

ID = "ntk_nesterov_lyapunov"
TITLE = "Nesterov gamma/t flow on the NTK model: Theorem 3, Lemma 4.1 (energy, t^gamma closed form, R'(eps))"
SOURCE = "seed 001_e9be7074050bf7df (Bu, Xu & Chen, AISTATS 2021), Section 4"

# --- symbols, with their assumptions
t, s, t0 = sp.symbols("t s t_0", positive=True)
gamma, alpha, lam0, mu, m, n, Cc, L0, eps, K, delta, cw, kappa, rho = sp.symbols(
    "gamma alpha lambda_0 mu m n C L_0 epsilon K delta c kappa rho", positive=True)
D1, D2 = sp.symbols("D_1 D_2", real=True)
h11, h12, h22 = sp.symbols("h_11 h_12 h_22", real=True)
j11, j12, j21, j22, q1, q2 = sp.symbols("j_11 j_12 j_21 j_22 q_1 q_2", real=True)
Ls, Lhs, Lss, v1s, v2s, Es = sp.symbols("L_t Lhat_t L_s v_1 v_2 E_t", nonnegative=True)
A = sp.symbols("A", positive=True)

w1, w2, Del1, Del2, v, g, w, Lf, Ef, G1, G2 = (sp.Function(nm, real=True) for nm in
                                               ("w1", "w2", "Delta1", "Delta2", "v", "g", "w", "L", "E", "G1", "G2"))
Vf, Ig = sp.Function("V", real=True), sp.Function("Ig", real=True)

# The side conditions gamma > 3, 2 <= alpha <= 2 gamma/3 are the assumption PARAMS, named in the steps
# that need them (module-wide CONDITIONS on symbols absent from a claim stop the engine's
# numeric identity spot-check from sampling any point: see notes/ntk_nesterov_lyapunov.md).

ASSUMPTIONS = (
    Assumption("NAG1", "nesterov_flow_w1", "(4.2) on a flip-free interval: w1'' + (gamma/t) w1' + sum_i J_i1 Delta_i = 0",
               Eq(D(w1(t), (t, 2)) + gamma / t * D(w1(t), t) + j11 * Del1(t) + j21 * Del2(t), 0)),
    Assumption("NAG2", "nesterov_flow_w2", "(4.2), second coordinate",
               Eq(D(w2(t), (t, 2)) + gamma / t * D(w2(t), t) + j12 * Del1(t) + j22 * Del2(t), 0)),
    Assumption("LIN1", "linear_piece_1", "Delta_1 = J_11 w1 + J_12 w2 + q1 on a flip-free interval",
               Eq(Del1(t), j11 * w1(t) + j12 * w2(t) + q1)),
    Assumption("LIN2", "linear_piece_2", "Delta_2 = J_21 w1 + J_22 w2 + q2", Eq(Del2(t), j21 * w1(t) + j22 * w2(t) + q2)),
    Assumption("NAGG1", "nesterov_flow_gradient_1", "(4.2) with the gradient G_r = dL/dw_r: w1'' = -(gamma/t) w1' - G1",
               Eq(D(w1(t), (t, 2)), -gamma / t * D(w1(t), t) - G1(t))),
    Assumption("NAGG2", "nesterov_flow_gradient_2", "w2'' = -(gamma/t) w2' - G2",
               Eq(D(w2(t), (t, 2)), -gamma / t * D(w2(t), t) - G2(t))),
    Assumption("CHAIN", "chain_rule_loss", "dL/dt = sum_r dL/dw_r w_r' (L is absolutely continuous along the flow)",
               Eq(D(Lf(t), t), G1(t) * D(w1(t), t) + G2(t) * D(w2(t), t))),
    Assumption("INIT", "zero_initial_velocity", "w_r'(0) = 0; w_r' bounded near t = 0"),
    Assumption("NAGV", "nesterov_velocity", "(4.2) for one coordinate of w_r: v' + (gamma/t) v + g = 0, v = w_r'",
               Eq(D(v(t), t) + gamma / t * v(t) + g(t), 0)),
    Assumption("IG", "integral_name", "notation: Ig(t) = int_0^t s^gamma g(s) ds",
               Eq(Ig(t), Integral(s**gamma * g(s), (s, 0, t)))),
    Assumption("MU", "mu_definition", "mu = lambda0/2", Eq(mu, lam0 / 2)),
    Assumption("LOSS_RATE", "lemma4_1_loss_rate_at_s", "Lemma 4.1's loss bound at time s: L(s) <= C L0/(s^alpha mu^{alpha/2})",
               Le(Lss, Cc * L0 / (s**alpha * mu**(alpha / 2)))),
    Assumption("RHO", "rho_definition", "rho = gamma - alpha/2 + 1", Eq(rho, gamma - alpha / 2 + 1)),
    Assumption("PARAMS", "lemma4_1_parameters", "gamma > 3 and 2 <= alpha <= 2 gamma/3 (Lemma 4.1)",
               sp.And(Gt(gamma, 3), Ge(alpha, 2), Le(alpha, 2 * gamma / 3))),
    Assumption("ALPHA4", "alpha_gt_4", "alpha > 4 (the weight bound of Lemma 4.1)", Gt(alpha, 4)),
    Assumption("EPS", "eps_lt_t", "0 < eps < t", Gt(t, eps)),
)


# ----------------------------------------------------------------------------- helpers


def _lhat_bound(ctx):
    """(4.7) (cited) times 2/lambda0 with Lhat >= mu L (lambda_min(H) >= mu)."""
    r = ctx.claim("(4.7)")  # Lhat <= C L0 / (t^alpha mu^{(alpha-2)/2})
    return Le(Ls, r.rhs / mu)


def _closed_form(ctx):
    ftc = ctx.claim("(4.8a)")
    integrand = ctx.claim("(4.8t)").rhs.subs(t, s)  # -s^gamma g(s)
    ig = ctx.claim("IG")
    if sp.simplify(integrand + ig.rhs.function) != 0:
        raise ValueError("the integrand of (4.8t) is not -s^gamma g(s)")
    return Eq(sp.expand(ftc.lhs * t**(-gamma)), -t**(-gamma) * ig.lhs)


def _trajectory_sanity(key):
    def fn(ctx, claim):
        from derivations._evidence import trajectory_verdict

        return trajectory_verdict(key)
    return fn


Rp_first = 2 * eps**(2 - alpha / 2) / (alpha - 4) * sp.sqrt(n * Cc * L0 / (m * mu**(alpha / 2) * rho**2))

# width requirement: first term of R'(eps) < R/2 with eps = R/(2 sqrt(2 L0)), R = c delta lambda0/n^2, L0 = kappa n/delta
_R = cw * delta * lam0 / n**2
_L0v = kappa * n / delta
_eps = _R / (2 * sp.sqrt(2 * _L0v))
m_required = (2 * _eps**(2 - alpha / 2) / (alpha - 4))**2 * n * Cc * _L0v / ((lam0 / 2)**(alpha / 2) * rho**2) / (_R**2 / 4)

# log m_required as a sum of logs (exact: every symbol is positive)
_log_m = sp.expand_log(sp.log(m_required), force=True)

STEPS = (
    Step("(4.4)", "eq4_4_error_dynamics_1",
         Eq(D(Del1(t), (t, 2)) + gamma / t * D(Del1(t), t)
            + ((j11**2 + j12**2) * Del1(t) + (j11 * j21 + j12 * j22) * Del2(t)), 0),
         follows_from(solve={"NAG1": D(w1(t), (t, 2)), "NAG2": D(w2(t), (t, 2)), "LIN1": Del1(t), "LIN2": Del2(t)}),
         uses=("NAG1", "NAG2", "LIN1", "LIN2"),
         note="Multiply (4.2) by df/dw_r and sum over r on a flip-free interval (H = J J^T); (4.3) is the same "
              "with f in place of Delta."),
    Step("(4.4)'", "eq4_4_error_dynamics_2",
         Eq(D(Del2(t), (t, 2)) + gamma / t * D(Del2(t), t)
            + ((j11 * j21 + j12 * j22) * Del1(t) + (j21**2 + j22**2) * Del2(t)), 0),
         follows_from(solve={"NAG1": D(w1(t), (t, 2)), "NAG2": D(w2(t), (t, 2)), "LIN1": Del1(t), "LIN2": Del2(t)}),
         uses=("NAG1", "NAG2", "LIN1", "LIN2")),
    Step("(4.5)", "eq4_5_pseudo_loss_gradient",
         Eq(D((h11 * D1**2 + 2 * h12 * D1 * D2 + h22 * D2**2) / 2, D1), h11 * D1 + h12 * D2), differentiate(),
         note="dLhat/dDelta = H Delta, so (4.4) is Nesterov's ODE for the quadratic Lhat."),
    Step("(V)", "def_lyapunov_su_boyd_candes",
         Eq(Vf(t), t**alpha * Lhs + (2 * gamma - alpha) ** 2 * t**(alpha - 2) / 8
            * ((Del1(t) + 2 * t / (2 * gamma - alpha) * D(Del1(t), t)) ** 2
               + (Del2(t) + 2 * t / (2 * gamma - alpha) * D(Del2(t), t)) ** 2)),
         definition(), note="V(t; alpha, gamma) of Su-Boyd-Candes Section 4 (with x* = 0 in error coordinates). "
                            "It is defined but not used: the rate is taken from [57, Theorem 8]."),
    Step("(4.7)", "eq4_7_pseudo_loss_rate_cited", Le(Lhs, Cc * L0 / (t**alpha * mu**((alpha - 2) / 2))),
         cited("Su, Boyd & Candes (2016), Theorem 8, as quoted by the seed: for mu-strongly convex Lhat, gamma > 3 "
               "and 2 <= alpha <= 2 gamma/3, Lhat(t) <= C(alpha, gamma) L(0)/(t^alpha mu^{(alpha-2)/2})",
               check=_trajectory_sanity("ntk_nesterov_lyapunov:(4.7)")),
         expect="cited",
         note="Outside theorem; the quoted form is not re-derived here.  Sanity check on real NAG trajectories: "
              "sup t^4 L(t) mu^2/L(0) is finite (an admissible C(4, 8)).  Across activation flips H changes, so "
              "the cited theorem (fixed quadratic) applies only piecewise -- the same gap as heavy ball's (3.10)."),
    Step("(A)", "eq4_7_constant_A",
         Eq(Cc * L0 / (t**alpha * mu**((alpha - 2) / 2)), A * L0 / (t**alpha * mu**(-1))),
         follows_from(subs={A: Cc * mu**(-alpha / 2)}), uses=("(4.7)",),
         note="(4.7) defines A through C/(t^alpha mu^{(alpha-2)/2}) = A/(t^alpha mu^{-1}), i.e. A = C mu^{-alpha/2}."),
    Step("(Lemma 4.1 loss)", "lemma4_1_loss_rate", Le(Ls, Cc * L0 / (t**alpha * mu**(alpha / 2))),
         follows_from(derive=_lhat_bound, how="(4.7) divided by mu, with L <= Lhat/mu (lambda_min(H) >= mu)"),
         uses=("(4.7)",),
         note="L(t) <= (2/lambda0) Lhat(t) <= C L(0)/(t^alpha (lambda0/2)^{alpha/2}) as stated."),
    Step("(4.6)", "eq4_6_theorem3_loss_rate", Le(Ls, A * t**(-alpha) * L0),
         follows_from(subs={A: Cc * mu**(-alpha / 2)}, derive=lambda ctx: ctx.claim("(Lemma 4.1 loss)"),
                      how="Lemma 4.1 with A = C mu^{-alpha/2}"), uses=("(Lemma 4.1 loss)", "(A)")),
    Step("(E)", "def_energy", Eq(Ef(t), Lf(t) + (D(w1(t), t) ** 2 + D(w2(t), t) ** 2) / 2), definition(),
         note="The energy of [49]: E = L(W, a) + 1/2 sum_r |w_r'|^2."),
    Step("(E.1)", "energy_derivative", Eq(D(Ef(t), t), -gamma / t * (D(w1(t), t) ** 2 + D(w2(t), t) ** 2)),
         follows_from(solve={"(E)": Ef(t), "CHAIN": D(Lf(t), t), "NAGG1": D(w1(t), (t, 2)), "NAGG2": D(w2(t), (t, 2))}),
         uses=("(E)", "CHAIN", "NAGG1", "NAGG2")),
    Step("(E.1b)", "energy_nonincreasing", Le(D(Ef(t), t), 0), follows_from(solve={"(E.1)": D(Ef(t), t)}),
         uses=("(E.1)",)),
    Step("(E.2)", "energy_le_initial", Le(Ef(t), Ef(0)),
         comparison(hypothesis="(E.1b)", u=Ef(t), t=t, t0=t0, limit=0), uses=("(E.1b)", "INIT"),
         note="E is absolutely continuous (L is, along the flow; w' is C^0), so no jump issue here, unlike V of "
              "heavy ball; t0 -> 0 with E continuous at 0."),
    Step("(E.0)", "energy_at_zero_is_initial_loss",
         Eq(Ef(0), Lf(0)), follows_from(derive=lambda ctx: Eq(Ef(0), Lf(0)), how="(E) at t = 0 with w'(0) = 0"),
         uses=("(E)", "INIT"), expect="proved",
         note="E(0) = L(0) + 1/2 sum |w_r'(0)|^2 = L(0)."),
    Step("(E.3)", "velocity_sq_le_twice_initial_loss", Le(v1s**2, 2 * L0),
         inequality(given=("(E.3a)",)), uses=("(E.3a)",),
         note="|w_r'|^2 <= sum_r |w_r'|^2 <= 2 E(t) - 2 L(t) <= 2 L(0)."),
    Step("(E.3a)", "kinetic_le_initial_loss_values", Le((v1s**2 + v2s**2) / 2, L0),
         inequality(given=("(E.3v)",)), uses=("(E.3v)",)),
    Step("(E.3v)", "energy_bound_in_values", Le(Ls + (v1s**2 + v2s**2) / 2, L0),
         follows_from(derive=lambda ctx: Le(Ls + (v1s**2 + v2s**2) / 2, L0), how="(E.2), (E.0) and (E) in values"),
         uses=("(E.2)", "(E.0)", "(E)"),
         note="Renaming L(t) = L_t, w_r'(t) = v_r, L(0) = L_0 in E(t) <= E(0) = L(0)."),
    Step("(E traj)", "energy_nonincreasing_on_trajectories", Le(Ef(t), Lf(0)),
         trajectory("ntk_nesterov_lyapunov:(E.2)"), expect=HOLDS_NUMERICALLY,
         note="E(t) <= L(0) and E non-increasing on real Nesterov-flow trajectories."),
    Step("(4.8t)", "eq4_8t_t_gamma_integrating_factor", Eq(D(t**gamma * v(t), t), -t**gamma * g(t)),
         follows_from(solve={"NAGV": D(v(t), t)}), uses=("NAGV",)),
    Step("(4.8a)", "eq4_8a_fundamental_theorem", Eq(t**gamma * v(t), Integral(D(s**gamma * v(s), s), (s, 0, t))),
         integrate(t, lower=0), uses=("INIT",),
         note="At t = 0 both sides vanish (t^gamma v(t) -> 0: gamma > 0, v bounded)."),
    Step("(4.8)", "eq4_8_velocity_closed_form", Eq(v(t), -t**(-gamma) * Ig(t)),
         follows_from(derive=_closed_form, how="(4.8a) with the integrand from (4.8t), Ig = int_0^t s^gamma g"),
         uses=("(4.8a)", "(4.8t)", "IG")),
    Step("(N1)", "n1_velocity_norm_triangle",
         Le(sp.Symbol("|sum_i c_i 1_i x_i|", nonnegative=True), sp.Symbol("sum_i |c_i|", nonnegative=True)),
         numeric(lambda ctx, claim: __import__("derivations.ntk_heavy_ball_lyapunov", fromlist=["x"])
                 ._triangle_integrand(ctx, claim), what="triangle inequality, as in heavy ball (W1)"),
         expect=HOLDS_NUMERICALLY,
         note="|w_r'| <= t^{-gamma} m^{-1/2} int_0^t s^gamma sum_i |f_i - y_i| ds (integrand bound checked numerically)."),
    Step("(N2)", "n2_l1_le_sqrt_n_l2", Le(sp.Abs(D1) + sp.Abs(D2), sp.sqrt(2) * sp.sqrt(D1**2 + D2**2)), inequality()),
    Step("(N3)", "n3_error_norm_is_sqrt_loss_as_written", Eq(sp.sqrt(D1**2 + D2**2), sp.sqrt((D1**2 + D2**2) / 2), evaluate=False),
         identity(), expect=REFUTED, finding="slip",
         correction=Correction(Eq(sp.sqrt(D1**2 + D2**2), sp.sqrt(2 * ((D1**2 + D2**2) / 2)), evaluate=False), identity(),
                               note="|f - y|_2 = sqrt(2 L)"),
         note="Same slip as heavy ball (W3): |f(s) - y|_2 = sqrt(2 L(s)), not sqrt(L(s)); K and the first term of "
              "R'(eps) lose a factor sqrt(2)."),
    Step("(N4)", "n4_integrand_bound_of_loss_rate",
         Le(s**gamma * sp.sqrt(Lss), sp.sqrt(Cc * L0 / mu**(alpha / 2)) * s**(gamma - alpha / 2)),
         inequality(given=("LOSS_RATE",)), uses=("LOSS_RATE",), expect=HOLDS_NUMERICALLY,
         note="sqrt of Lemma 4.1's loss bound at time s (monotonicity of sqrt is not proved symbolically)."),
    Step("(N5a)", "n5a_power_integral", Eq(Integral(s**(rho - 1), (s, 0, t)), t**rho / rho), integrate(t, lower=0),
         note="int_0^t s^{gamma - alpha/2} ds = t^{gamma - alpha/2 + 1}/(gamma - alpha/2 + 1), rho = gamma - alpha/2 + 1 > 0."),
    Step("(N5)", "n5_velocity_bound_t_power",
         Eq(t**(-gamma) * sp.sqrt(n / m) * sp.sqrt(Cc * L0 / mu**(alpha / 2)) * t**rho / rho,
            t**(1 - alpha / 2) * sp.sqrt(n * Cc * L0 / (m * mu**(alpha / 2) * rho**2))),
         follows_from(solve={"RHO": rho}), uses=("(N5a)", "RHO")),
    Step("(N6a)", "n6a_tail_integral",
         Eq(Integral(K * s**(1 - alpha / 2), (s, eps, t)), K * (t**(2 - alpha / 2) - eps**(2 - alpha / 2)) / (2 - alpha / 2)),
         integrate(t, lower=eps)),
    Step("(N6)", "n6_tail_bound_eps_splitting",
         Le(K * (t**(2 - alpha / 2) - eps**(2 - alpha / 2)) / (2 - alpha / 2), 2 * eps**(2 - alpha / 2) / (alpha - 4) * K),
         inequality(), uses=("(N6a)", "ALPHA4", "EPS", "PARAMS"),
         note="int_eps^t |w_r'| <= 2 eps^{2-alpha/2} K/(alpha - 4) for alpha > 4 (drop -t^{2-alpha/2})."),
    Step("(N7)", "n7_short_time_piece", Eq(Integral(sp.sqrt(2 * L0), (s, 0, eps)), sp.sqrt(2 * L0) * eps), identity(),
         uses=("(E.3)",), note="int_0^eps |w_r'| ds <= sqrt(2 L(0)) eps by (E.3)."),
    Step("(Lemma 4.1 stmt)", "lemma4_1_statement_sqrt_2_L0_eps",
         Le(Rp_first + sp.sqrt(2 * L0) * eps, Rp_first + sp.sqrt(2 * L0 * eps)), inequality(),
         expect=REFUTED, finding="slip",
         correction=Correction(Le(Rp_first + sp.sqrt(2 * L0) * eps, Rp_first + sp.sqrt(2 * L0 * eps)),
                               inequality(conditions=(Le(eps, 1),)),
                               note="the statement is implied by the proof only for eps <= 1; the proof's R'(eps) ends "
                                    "with sqrt(2 L(0)) eps"),
         note="Lemma 4.1's statement ends with sqrt(2 L(0) eps); its proof derives sqrt(2 L(0)) eps.  The proof does not "
              "give the statement for eps > 1 (the two agree in the 'sufficiently small eps' regime that is used)."),
    Step("(cond)", "cond_gamma_gt_6_of_alpha_gt_4", Gt(gamma, 6), inequality(), uses=("ALPHA4", "PARAMS"),
         note="4 < alpha <= 2 gamma/3 forces gamma >= 3 alpha/2 > 6: Theorem 3's 'gamma > 6' is implied."),
    Step("(cond rho)", "cond_rho_positive", Gt(gamma - alpha / 2 + 1, 0), inequality(), uses=("PARAMS",),
         note="alpha <= 2 gamma/3 gives gamma - alpha/2 + 1 >= 2 gamma/3 + 1 > 0: the power integral converges."),
    Step("(A.2)", "a2_width_exponent_of_n", Eq(n * D(_log_m, n), 5 * alpha / 2 - 4), differentiate(),
         note="R'(eps) < R = c delta lambda0/n^2 with eps = R/(2 sqrt(2 L(0))), L(0) = kappa n/delta (Du et al.) and the "
              "first term < R/2 needs m > m_required; its elasticity in n is 5 alpha/2 - 4 as stated (Appendix A.2 is "
              "not in the seed; this choice of eps is ours)."),
    Step("(A.2)'", "a2_width_exponent_of_delta", Eq(delta * D(_log_m, delta), -(3 * alpha / 2 - 3)),
         differentiate(), note="the exponent of delta: -(3 alpha/2 - 3), as stated"),
    Step("(A.2)''", "a2_width_exponent_of_lambda0", Eq(lam0 * D(_log_m, lam0), -(3 * alpha / 2 - 2)),
         differentiate(), note="the exponent of lambda0: -(3 alpha/2 - 2), as stated"),
)
