"""Continuous-time limits of fixed-momentum methods (heavy ball / Nesterov) and their constants.

Setting and assumptions
    ``Phi: R^d -> R`` in ``C^3_b``; fixed momentum ``lambda in (0, 1)``, learning rate ``h > 0``.
    The methods are written in the slides' unified form (1)
    ``u_{n+1} = u_n + lambda (u_n - u_{n-1}) - h grad Phi(u_n + a (u_n - u_{n-1}))`` with
    ``a = 0`` (heavy ball) or ``a = lambda`` (Nesterov), and in the two-step form (2)
    ``u_{n+1} = u_n + h lambda v_n - h grad Phi(u_n + h a v_n)``,
    ``v_{n+1} = lambda v_n - grad Phi(u_n + h a v_n)``.  ``lambda_bar = 1/(1 - lambda)``,
    ``f = -grad Phi``.  The symbolic steps are encoded in one coordinate (``d = 1``): every
    expansion is coordinate-free (``Df f = D^2 Phi grad Phi = 1/2 grad |grad Phi|^2``), so the
    constants are the same in any dimension; the numeric order-of-convergence (OOC) experiments
    include a 2-D ``Phi``.  Taylor expansions use the symbols ``U_k = u^{(k)}(t)`` and
    ``G_k = Phi^{(k+1)}(u(t))`` (truncated polynomials; the truncation order is stated per step).

Claim (seed 004_9fe746ee47f96bf2.txt, slides after Kovachki & Stuart, JMLR 22 (2021); upper bounds)
    Theorem "Convergence" 1: the iterates of (1) stay within ``C h`` of the rescaled gradient flow
    ``u' = -(1 - lambda)^{-1} grad Phi(u)`` on ``[0, T]``.  Theorem 2: within ``C h`` of the
    viscosity equation ``h alpha u'' + (1 - lambda) u' = -grad Phi``, ``alpha = (1 + lambda -
    2a(1 - lambda))/2 > 0``.  Higher-order ODEs ``T_p u = -grad Phi`` with Fourier symbol
    ``(e^{ihw} + lambda e^{-ihw} - lambda - 1)/h``.  An invariant manifold
    ``v = lambda_bar f(u) + h g(u)`` of (2) with ``g = lambda_bar^2 (a - lambda) Df f`` at
    ``h = 0`` (as printed).  Theorem 3: for data on that manifold the iterates stay within
    ``C h^2`` of ``u' = -(1 - lambda)^{-1} grad Phi_h``, ``Phi_h = Phi + (h c/2)|grad Phi|^2``,
    ``c = lambda_bar (lambda_bar - a + 1)`` (as printed).

Steps
    Link-HB, Link-NAG: the two-variable forms give (1) with a = 0 and a = lambda.  (2): the
    two-step form gives (1).  Taylor(1): local residual of (1) to O(h^3).  Thm1: the O(h)
    term vanishes on the rescaled gradient flow; Thm1-OOC: observed order (trajectory).
    Hamiltonian: the "add and subtract" form (as printed: a factor h is missing, slip).  alpha:
    the viscosity constant from matching the O(h^2) term.  Thm2-OOC: observed order; u'(0):
    the slides' initial velocity for the viscosity experiment (does not match the first step;
    corrected value given).  Lemma: derivative bounds (cited, sanity-checked on a quadratic).
    Tp-symbol, T-symbol, Tu-difference, Tp-truncation: the higher-order operators.  h=0: the
    fixed point of v at h = 0.  Inv-O(h): the O(h) invariance condition.  g(h=0), g-grad: the
    printed g (a - lambda; should be a - lambda_bar: a dropped bar, slip).  c-backward-error,
    c-slow-root: c = lambda_bar (lambda_bar - a - 1/2) from backward error analysis and from
    the exact slow characteristic root of a quadratic.  Thm3-c: the printed c (error);
    Thm3-OOC: order 2 fails with the printed c (order 1), holds with the corrected c.

Notation
    ``lam = lambda``, ``lb = lambda_bar = 1/(1 - lambda)``, ``alpha`` the viscosity constant,
    ``c`` the modified-equation constant, ``g0 = grad Phi(u0)``, ``w = u'(0)``;
    ``F0, F1 = f(p), f'(p)`` (so ``Df f = F1 F0``).

References
    N. B. Kovachki, A. M. Stuart, "Continuous time analysis of momentum methods", JMLR 22(17),
    1-40 (2021).  E. Hairer, C. Lubich, G. Wanner, Geometric Numerical Integration, ch. IX
    (modified equations: u' = F - (h/2) F'F + O(h^2) for u_{n+1} = u_n + h F(u_n)).

Example
    >>> import derivations
    >>> print(derivations.get("momentum_modified_equations").check("Thm3-c"))  # doctest: +SKIP
"""

from __future__ import annotations

import sympy as sp
from sympy import Eq, Le

from derivations import (
    HOLDS_NUMERICALLY,
    INCONCLUSIVE,
    REFUTED,
    Assumption,
    Correction,
    Step,
    Verdict,
    cited,
    definition,
    follows_from,
    identity,
    trajectory,
)

ID = "momentum_modified_equations"
TITLE = "Fixed-momentum methods as ODEs: rescaled gradient flow, viscosity equation, modified equation"
SOURCE = "004_9fe746ee47f96bf2.txt (slides, after Kovachki & Stuart JMLR 2021), all slides"

# --- symbols, with their assumptions
h, lam = sp.symbols("h lambda", positive=True)
a = sp.Symbol("a", nonnegative=True)
alpha, c, C = sp.symbols("alpha c C", positive=True)
lb = 1 / (1 - lam)  # lambda_bar
un, um1, up1, vn, vp1, w = sp.symbols("u_n u_{n-1} u_{n+1} v_n v_{n+1} w", real=True)
U0, U1, U2, U3 = sp.symbols("U_0 U_1 U_2 U_3", real=True)
G0, G1, G2 = sp.symbols("G_0 G_1 G_2", real=True)
F0, F1, F2 = sp.symbols("F_0 F_1 F_2", real=True)
g, vstar, R, g0, omega, Ga = sp.symbols("g v^* R g_0 omega G_a", real=True)
E = sp.Function("E", positive=True)  # sup_{nh<=T} |u_n - u(nh)| as a function of h
gradPhi = sp.Function("gradPhi", real=True)
k = sp.Symbol("k", integer=True, positive=True)

CONDITIONS = (sp.Lt(lam, 1), sp.Le(a, lam))
DOMAIN = {lam: (0.05, 0.95), a: (0.0, 0.95), h: (1e-3, 0.5), alpha: (0.05, 2.0), c: (0.1, 50.0)}

P_TRUNC = 4  # the order p used for the T_p steps (the identities are the same for every p)


def _grad_taylor(x):
    """grad Phi(x) expanded about U0 to second order: G0 + G1 (x - U0) + G2/2 (x - U0)^2."""
    d = x - U0
    return G0 + G1 * d + G2 / 2 * d**2


def _u_at(s):
    """u(t + s h) as a Taylor polynomial in h (through h^3)."""
    return U0 + s * h * U1 + (s * h) ** 2 / 2 * U2 + (s * h) ** 3 / 6 * U3


def _trunc(expr, order):
    """Polynomial truncation in h: keep powers h^0 .. h^order."""
    e = sp.expand(expr)
    return sum(e.coeff(h, j) * h**j for j in range(order + 1))


def _residual_of_scheme():
    """u(t+h) - u(t) - lam (u(t) - u(t-h)) + h gradPhi(u + a (u(t) - u(t-h))), through h^2."""
    u_p, u_0, u_m = _u_at(1), _u_at(0), _u_at(-1)
    return _trunc(u_p - u_0 - lam * (u_0 - u_m) + h * _grad_taylor(u_0 + a * (u_0 - u_m)), 2)


def _derive_taylor(ctx):
    return Eq(R, _residual_of_scheme())


def _derive_alpha(ctx):
    """Put the viscosity ODE's u' into the h^2 term; u'' at leading order from the differentiated
    ODE, (1 - lam) U2 = -G1 U1 + O(h); require the h^2 coefficient to vanish; solve for alpha."""
    u1_visc = sp.solve(ctx.claim("VISC"), U1)[0]                       # U1 = -(G0 + h alpha U2)/(1-lam)
    res = _residual_of_scheme().subs(U1, u1_visc)
    coeff2 = sp.expand(res).coeff(h, 2)
    # leading order of u'': differentiate (1 - lam) u' = -grad Phi(u) + O(h), with u' = -G0/(1 - lam) + O(h)
    coeff2 = sp.expand(coeff2).subs(U2, G1 * G0 / (1 - lam) ** 2)
    sol = sp.solve(sp.Eq(coeff2, 0), alpha)
    return Eq(alpha, sp.factor(sol[0]))


def _derive_invariance(ctx):
    """Invariance of v = lb f + h g under (2): z = lam w + f(p + h a w), w = lb f + h g, must equal
    lb f(p + h z) + h g(p + h z).  Expand both to O(h) (f(x) = F0 + F1 (x - p)); return the O(h) match."""
    wv = lb * F0 + h * g
    z = lam * wv + (F0 + F1 * (h * a * wv))
    rhs = lb * (F0 + F1 * h * z) + h * g  # g(p + h z) = g(p) + O(h)
    lhs1 = sp.expand(z).coeff(h, 1)
    rhs1 = sp.expand(rhs).coeff(h, 1)
    return Eq(lhs1, rhs1)


def _derive_c_backward(ctx):
    """Backward error analysis: u_{n+1} = u_n + h F(u_n) with F = z_g = lb f + h (lb^2 f'f + g) + O(h^2)
    has the modified equation u' = F - (h/2) F'F + O(h^2) = lb f + h (lb^2/2 f'f + g) + O(h^2).
    Writing it as u' = -lb grad(Phi + h c/2 |grad Phi|^2) = lb f - h lb c f'f (1-D: grad|grad Phi|^2 = 2 f'f)
    and solving for c."""
    g_sol = sp.solve(ctx.claim("g(h=0)"), g)[0]          # the (corrected) manifold correction
    coeff = sp.expand((lb**2 * F1 * F0 + g_sol) - lb**2 / 2 * F1 * F0)   # O(h) part of the modified field
    c_sol = sp.solve(sp.Eq(coeff, -lb * c * F1 * F0), c)[0]
    return Eq(c, sp.factor(c_sol))


def _derive_c_slow_root(ctx):
    """Phi = u^2/2 (mu = 1): (1) is u_{n+1} = (1 + lam - h(1+a)) u_n - (lam - h a) u_{n-1}; its slow root
    r = 1 + r1 h + r2 h^2 + r3 h^3 + ..., and the flow u' = -lb (1 + h c) u has exp(-lb h (1 + h c)).
    Matching log r to O(h^2) gives c."""
    r1, r2, r3 = sp.symbols("r1 r2 r3")
    r = 1 + r1 * h + r2 * h**2 + r3 * h**3
    char = sp.expand(r**2 - (1 + lam - h * (1 + a)) * r + (lam - h * a))
    sol = {}
    for j, rj in ((1, r1), (2, r2)):
        eqj = char.coeff(h, j).subs(sol)
        sol[rj] = sp.solve(eqj, rj)[0]
    logr = sp.expand(sp.series(sp.log(1 + (r - 1).subs(sol).subs(r3, 0)), h, 0, 3).removeO())
    c_sol = sp.solve(sp.Eq(logr.coeff(h, 2), -lb * c), c)[0]
    return Eq(c, sp.factor(sp.simplify(c_sol)))


def _lemma_sanity(ctx, claim) -> Verdict:
    """Phi = u^2/2: the viscosity solution is explicit; the ratio |u''(t)| / (h^{-1} e^{-(1-lam) t/(2 h alpha)} + 1)
    must stay bounded as h -> 0: its sup over t must settle (change < 10% between the two smallest h)."""
    import numpy as np

    lam_v, a_v = 0.9, 0.0
    al = 0.5 * (1 + lam_v - 2 * a_v * (1 - lam_v))
    hs = (1e-3, 1e-4, 1e-5, 1e-6)
    ts = np.union1d(np.linspace(0.0, 2.0, 4001), np.geomspace(1e-10, 2.0, 4001))
    sups = []
    for hv in hs:
        # roots of h al r^2 + (1 - lam) r + 1 = 0, u(0) = 1, u'(0) = 0
        roots = np.roots([hv * al, 1 - lam_v, 1.0])
        coef = np.linalg.solve(np.array([[1, 1], roots]), [1.0, 0.0])
        u2 = np.real(sum(cf * rr**2 * np.exp(rr * ts) for cf, rr in zip(coef, roots)))
        bound = np.exp(-(1 - lam_v) * ts / (2 * hv * al)) / hv + 1
        sups.append(float(np.max(np.abs(u2) / bound)))
    settled = abs(sups[-1] - sups[-2]) <= 0.1 * sups[-2]
    txt = (f"Phi = u^2/2, lambda = 0.9, a = 0, u'(0) = 0: sup_t |u''|/(e^(-(1-lam)t/(2 h alpha))/h + 1) = "
           + ", ".join(f"{s:.4g}" for s in sups) + f" at h = {', '.join(f'{x:g}' for x in hs)} (t in [0, 2], "
           f"{len(ts)} points, linear + geometric grid)")
    return Verdict(HOLDS_NUMERICALLY if settled else INCONCLUSIVE, "numeric",
                   txt + (": settles (bounded as h -> 0)" if settled else ": still changing as h -> 0"),
                   {"sups": sups, "h": list(hs)})


# --- assumptions and definitions as the slides state them
ASSUMPTIONS = (
    Assumption("HB1", "heavy_ball_velocity", "v_{n+1} = lambda v_n - h grad Phi(u_n)",
               Eq(vp1, lam * vn - h * gradPhi(un))),
    Assumption("NAG1", "nesterov_velocity", "v_{n+1} = lambda v_n - h grad Phi(u_n + lambda v_n)",
               Eq(vp1, lam * vn - h * gradPhi(un + lam * vn))),
    Assumption("POS", "position_update", "u_{n+1} = u_n + v_{n+1}", Eq(up1, un + vp1)),
    Assumption("VEL", "velocity_is_difference", "v_n = u_n - u_{n-1} (from the previous position update)",
               Eq(vn, un - um1)),
    Assumption("TS1", "two_step_position", "(2): u_{n+1} = u_n + h lambda v_n - h grad Phi(u_n + h a v_n)",
               Eq(up1, un + h * lam * vn - h * gradPhi(un + h * a * vn))),
    Assumption("TSV", "two_step_velocity_is_difference_quotient",
               "(2) gives u_{n+1} - u_n = h v_{n+1}, hence v_n = (u_n - u_{n-1})/h for n >= 1",
               Eq(vn, (un - um1) / h)),
    Assumption("GF", "rescaled_gradient_flow", "u' = -(1 - lambda)^{-1} grad Phi(u)", Eq(U1, -G0 / (1 - lam))),
    Assumption("VISC", "viscosity_equation", "h alpha u'' + (1 - lambda) u' = -grad Phi(u)",
               Eq(h * alpha * U2 + (1 - lam) * U1, -G0)),
    Assumption("SCHEME1", "unified_form_1", "(1) solved for u_{n+1}; G_a = grad Phi(u_n + a(u_n - u_{n-1}))",
               Eq(up1, un + lam * (un - um1) - h * Ga)),
    Assumption("FP", "velocity_fixed_point_at_h0", "at h = 0, (2) is v_{n+1} = lambda v_n - grad Phi(u_0); "
               "its fixed point v* solves v* = lambda v* - g0", Eq(vstar, lam * vstar - g0)),
    Assumption("ALPHA_POS", "alpha_positive", "alpha = (1 + lambda - 2a(1 - lambda))/2 > 0",
               sp.Gt(1 + lam - 2 * a * (1 - lam), 0)),
)

# the unified form (1), as printed
scheme_1 = un + lam * (un - um1) - h * gradPhi(un + a * (un - um1))

# T_p and T applied to e^{i w t}, divided by e^{i w t}
tp_symbol = sum(h ** (kk - 1) * (1 + (-1) ** kk * lam) * (sp.I * omega) ** kk / sp.factorial(kk)
                for kk in range(1, P_TRUNC + 1))
t_symbol = (sp.exp(sp.I * h * omega) + lam * sp.exp(-sp.I * h * omega) - lam - 1) / h
tt = sp.Symbol("t", real=True)
e_iwt = sp.exp(sp.I * omega * tt)

# the slides' initial velocity for the viscosity experiment, and the one that matches the first step
alpha_expr = (1 + lam - 2 * a * (1 - lam)) / 2
w_slides = -(1 - 2 * alpha) / (2 * alpha - lam + 1) * g0
w_matched = (1 - 2 * alpha) / (2 * alpha + lam - 1) * g0
u2_at_0 = -((1 - lam) * w + g0) / (h * alpha)  # u''(0) from the viscosity equation, grad Phi(u0) = g0


def _taylor_u_h(wv):
    """u(h) = u0 + h w + h^2/2 u''(0) (second-order Taylor), minus u0."""
    return h * wv + h**2 / 2 * u2_at_0.subs(w, wv)


c_slides = lb * (lb - a + 1)
c_right = lb * (lb - a - sp.Rational(1, 2))

STEPS = (
    Step("Link-HB", "link_heavy_ball_is_unified_form_a0", Eq(up1, scheme_1.subs(a, 0)),
         follows_from(solve={"POS": up1, "HB1": vp1, "VEL": vn}), uses=("POS", "HB1", "VEL"),
         note="v_{n+1} = lambda v_n - h grad Phi(u_n), u_{n+1} = u_n + v_{n+1}  =>  (1) with a = 0."),
    Step("Link-NAG", "link_nesterov_is_unified_form_a_lambda", Eq(up1, scheme_1.subs(a, lam)),
         follows_from(solve={"POS": up1, "NAG1": vp1, "VEL": vn}), uses=("POS", "NAG1", "VEL"),
         note="Nesterov with lambda_n = lambda fixed  =>  (1) with a = lambda."),
    Step("(2)", "eq2_two_step_form_is_unified_form", Eq(up1, scheme_1),
         follows_from(solve={"TS1": up1, "TSV": vn}), uses=("TS1", "TSV"),
         note="(2) with v_n = (u_n - u_{n-1})/h is (1): the h-scaled velocity variable."),
    Step("Taylor(1)", "taylor_local_residual_of_scheme",
         Eq(R, h * ((1 - lam) * U1 + G0) + h**2 * ((1 + lam) / 2 * U2 + a * G1 * U1)),
         follows_from(derive=_derive_taylor, how="Taylor-expanding u(t +- h) and grad Phi in (1) to O(h^3)"),
         note="R = u(t+h) - u(t) - lambda (u(t) - u(t-h)) + h grad Phi(u(t) + a(u(t) - u(t-h))) + O(h^3)."),
    Step("Thm1", "thm1_gradient_flow_consistent_order1", Eq((1 - lam) * U1 + G0, 0),
         follows_from(solve={"GF": U1}), uses=("GF", "Taylor(1)"),
         note="the O(h) term of the local residual vanishes on u' = -(1-lambda)^{-1} grad Phi, so the local "
              "error is O(h^2) and the global error O(h) (stability of (1) for lambda < 1)."),
    Step("Thm1-OOC", "thm1_ooc_gradient_flow_order1", Le(E(h), C * h), trajectory(), uses=("Thm1",),
         expect=HOLDS_NUMERICALLY,
         note="observed order of sup_{nh<=T}|u_n - u(nh)| (declared order 1), Phi = u^2/2, a non-quadratic "
              "and a 2-D Phi, lambda in {0.9, 0.99}, a in {0, lambda}."),
    Step("Hamiltonian", "hamiltonian_form_of_scheme",
         Eq((up1 - 2 * un + um1) / h**2 + (1 - lam) * (un - um1) / h, -Ga),
         follows_from(solve={"SCHEME1": up1}), uses=("SCHEME1",), expect=REFUTED, finding="slip",
         note="as converted, the second difference is divided by h^2; dividing (1) by h gives (u_{n+1} - 2u_n + "
              "u_{n-1})/h, i.e. h (u_{n+1} - 2u_n + u_{n-1})/h^2 -- the factor h the next line's 'h u''' "
              "shows was dropped in conversion.",
         correction=Correction(
             Eq(h * (up1 - 2 * un + um1) / h**2 + (1 - lam) * (un - um1) / h, -Ga),
             follows_from(solve={"SCHEME1": up1}), note="the evident text, with the factor h")),
    Step("alpha", "alpha_viscosity_constant_of_order_h2_matching", Eq(alpha, alpha_expr),
         follows_from(derive=_derive_alpha, how="putting the viscosity ODE into the h^2 term of Taylor(1) "
                      "(u'' = -G1 u'/(1-lambda) + O(h)) and requiring it to vanish"),
         uses=("VISC", "Taylor(1)"),
         note="alpha = (1 + lambda - 2a(1 - lambda))/2 is exactly the value that cancels the O(h^2) local "
              "residual: correct as printed."),
    Step("Thm2-OOC", "thm2_ooc_viscosity_equation_order1", Le(E(h), C * h), trajectory(),
         uses=("alpha", "ALPHA_POS"), expect=HOLDS_NUMERICALLY,
         note="observed order (declared 1) for the viscosity equation, initial velocity as on the slides."),
    Step("u'(0)", "ooc_initial_velocity_matches_first_step",
         Eq(_taylor_u_h(w_slides), -h * g0), identity(), uses=("VISC",), expect=REFUTED, finding="slip",
         note="the slides give u'(0) = -(1-2alpha)/(2alpha-lambda+1) grad Phi(u0) without derivation.  Matching "
              "the ODE's second-order Taylor value u(h) = u0 + h w + h^2/2 u''(0) (u''(0) from the ODE) with the "
              "first iterate u_1 = u0 - h grad Phi(u0) (v_0 = 0) gives w = (1-2alpha)/(2alpha+lambda-1) grad "
              "Phi(u0); the printed value is what this matching gives with the h^2/2 term's sign flipped "
              "(equivalently matching u(-h)) -- our reconstruction.  It does not affect the order: any O(1) "
              "u'(0) gives order 1 (Thm2-OOC, and the OOC table in the notes).",
         correction=Correction(Eq(_taylor_u_h(w_matched), -h * g0), identity(),
                               note="w = (1 - 2 alpha)/(2 alpha + lambda - 1) grad Phi(u0)")),
    Step("Lemma", "lemma_derivative_bounds_initial_layer",
         Le(sp.Symbol("|u''(t)|", nonnegative=True),
            sp.Symbol("C_1^{(2)}", positive=True) / h * sp.exp(-(1 - lam) * tt / (2 * h * alpha))
            + sp.Symbol("C_2^{(2)}", positive=True)),
         cited("Kovachki & Stuart (2021), first-order approximation lemma (derivative bounds for the viscosity "
               "equation)", check=_lemma_sanity),
         expect="cited",
         note="existence of h-independent constants cannot be decided numerically; sanity-checked on Phi = u^2/2 "
              "(the exact fast mode decays like e^{-(1-lambda)t/(h alpha)}, faster than the bound's rate)."),
    Step("Tp-symbol", "tp_fourier_symbol",
         Eq(sum(h ** (kk - 1) * (1 + (-1) ** kk * lam) / sp.factorial(kk) * sp.diff(e_iwt, tt, kk)
                for kk in range(1, P_TRUNC + 1)) / e_iwt, tp_symbol),
         identity(), note=f"T_p e^(i w t) = (sum_k h^(k-1)(1+(-1)^k lambda)(iw)^k/k!) e^(i w t), shown for p = {P_TRUNC}."),
    Step("T-symbol", "t_fourier_symbol_p_infinity",
         Eq(sp.Sum(h ** (k - 1) * (1 + (-1) ** k * lam) * (sp.I * omega) ** k / sp.factorial(k), (k, 1, sp.oo)),
            t_symbol),
         identity(), note="p -> oo: the series sums to (e^{ihw} + lambda e^{-ihw} - lambda - 1)/h."),
    Step("Tu-difference", "t_operator_is_difference_quotient",
         Eq(t_symbol * e_iwt, (e_iwt.subs(tt, tt + h) - e_iwt) / h - lam * (e_iwt - e_iwt.subs(tt, tt - h)) / h),
         identity(), note="(Tu)(t) = (u(t+h) - u(t))/h - lambda (u(t) - u(t-h))/h on Fourier modes."),
    Step("Tp-truncation", "tp_truncation_error_order_p_plus_1",
         Eq(sp.series(h * t_symbol, h, 0, P_TRUNC + 1).removeO(), sp.expand(h * tp_symbol)),
         identity(), note="h T and h T_p agree up to O(h^{p+1}) (the 'C h^{p+1}' of the slides, for a = 0); "
                          "the constant involves u^{(p+1)}, which is O(h^{-p}) in the initial layer ('C ~ 1/h^{p-1}')."),
    Step("h=0", "h0_velocity_fixed_point", Eq(vstar, -g0 / (1 - lam)),
         follows_from(solve={"FP": vstar}), uses=("FP",),
         note="at h = 0, u_n = u_0 and v_n -> v* = -(1-lambda)^{-1} grad Phi(u0) geometrically (|lambda| < 1)."),
    Step("Inv-O(h)", "invariance_condition_order_h", Eq(lam * g + a * lb * F1 * F0, lb**2 * F1 * F0 + g),
         follows_from(derive=_derive_invariance, how="expanding z_g(p) = lambda w_g + f(p + h a w_g) and "
                      "lambda_bar f(p + h z_g) + h g(p + h z_g) to O(h)"),
         note="the slides' (Tg)(p) = lambda g + a I1 - lambda_bar I2 at leading order: the O(h) match of the "
              "invariance condition v_{n+1} = lambda_bar f(u_{n+1}) + h g(u_{n+1})."),
    Step("g(h=0)", "g_manifold_correction_at_h0", Eq(g, lb**2 * (a - lam) * F1 * F0),
         follows_from(solve={"Inv-O(h)": g}), uses=("Inv-O(h)",), expect=REFUTED, finding="slip",
         note="as converted g = lambda_bar^2 (a - lambda) Df f; the invariance condition gives (a - lambda_bar): "
              "the bar over lambda was dropped in conversion (the seed README lists dropped bars).  Checked "
              "independently on Phi = u^2/2, where the exact invariant line v = m(h) u has m = -lambda_bar + h "
              "lambda_bar^2 (a - lambda_bar) + O(h^2) (tests).",
         correction=Correction(Eq(g, lb**2 * (a - lb) * F1 * F0), follows_from(solve={"Inv-O(h)": g}),
                               note="g = lambda_bar^2 (a - lambda_bar) Df f")),
    Step("g-grad", "g_as_gradient_of_squared_gradient_norm",
         Eq(g, sp.Rational(1, 2) * lb**2 * (a - lam) * sp.Symbol("D|gradPhi|^2", real=True)),
         follows_from(solve={"g(h=0)": g}, subs={sp.Symbol("D|gradPhi|^2", real=True): 2 * F1 * F0}),
         uses=("g(h=0)",), expect=REFUTED, finding="slip",
         note="f = -grad Phi gives Df f = D^2 Phi grad Phi = 1/2 grad|grad Phi|^2 (right); the coefficient carries "
              "the same dropped bar as g(h=0).",
         correction=Correction(Eq(g, sp.Rational(1, 2) * lb**2 * (a - lb) * sp.Symbol("D|gradPhi|^2", real=True)),
                               follows_from(solve={"g(h=0)": g},
                                            subs={sp.Symbol("D|gradPhi|^2", real=True): 2 * F1 * F0}),
                               note="g = 1/2 lambda_bar^2 (a - lambda_bar) grad |grad Phi|^2")),
    Step("c-backward-error", "c_from_backward_error_analysis", Eq(c, c_right),
         follows_from(derive=_derive_c_backward, how="backward error analysis of u_{n+1} = u_n + h z_g(u_n) on the "
                      "(corrected) invariant manifold: u' = F - (h/2) F'F + O(h^2)"),
         uses=("g(h=0)",),
         note="c = lambda_bar (lambda_bar - a - 1/2) = alpha lambda_bar^2; for gradient descent (lambda = a = 0) this "
              "is Phi + (h/4)|grad Phi|^2, the known implicit-regularisation correction."),
    Step("c-slow-root", "c_from_slow_characteristic_root_quadratic", Eq(c, c_right),
         follows_from(derive=_derive_c_slow_root, how="expanding the slow root of (1) for Phi = u^2/2 and matching "
                      "log r = -lambda_bar h (1 + h c) + O(h^3)"),
         note="an independent derivation of c from the exact linear recurrence (no manifold theory)."),
    Step("Thm3-c", "thm3_modified_equation_constant", Eq(c, c_slides),
         follows_from(solve={"c-slow-root": c}), uses=("c-slow-root",), expect=REFUTED, finding="error",
         note="the printed c = lambda_bar (lambda_bar - a + 1) differs from the value both derivations give by "
              "3/2 lambda_bar; it is not a conversion artefact (a sign and a whole term differ, and the dropped-bar "
              "reading lambda -> lambda_bar does not repair it).  With it the modified equation is only order 1 "
              "(Thm3-OOC); with the corrected c it is order 2.",
         correction=Correction(Eq(c, c_right), follows_from(solve={"c-slow-root": c}),
                               note="c = lambda_bar (lambda_bar - a - 1/2)")),
    Step("Thm3-OOC", "thm3_ooc_modified_equation_order2", Le(E(h), C * h**2), trajectory(),
         uses=("Thm3-c",), expect=REFUTED, finding="error",
         note="with the printed c the observed order is 1, not 2 (initial data on the invariant manifold).",
         correction=Correction(Le(E(h), C * h**2), trajectory(f"{ID}:Thm3-OOC/corrected"), expect=HOLDS_NUMERICALLY,
                               note="order 2 with c = lambda_bar (lambda_bar - a - 1/2)")),
)
