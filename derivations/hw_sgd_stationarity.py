"""SGD on a beta-smooth function (seed 003, Part 2, Questions 1-2): iteration bounds for reaching an
(approximately) stationary point, with eta = 1/beta and with eta_t = min{1/(t+1), 1/beta}.

Setting and assumptions
    ``f: R^d -> R`` beta-smooth (gradient beta-Lipschitz), bounded below by ``f*``; SGD
    ``w_{t+1} = w_t - eta_t (grad f(w_t) + xi_t)`` with ``E xi_t = 0``, ``E |xi_t|^2 = sigma^2``,
    ``xi_t`` independent of ``w_t``; deterministic ``w_0``.  Per step the random quantities are
    written as aggregates ``G2 = |grad f(w_t)|^2``, ``GX = <grad f(w_t), xi_t>``, ``X2 = |xi_t|^2``
    (the expansion into them is checked in coordinates, d = 2); ``Ef(k) = E f(w_k)``,
    ``EG2(k) = E|grad f(w_k)|^2``, ``EG1(k) = E|grad f(w_k)|``.

Claim (seed 003, Section 2.1 and 2.2; upper bounds on the number of steps)
    Q1 (eta = 1/beta): if ``E|grad f(w_t)| > eps + sigma`` for t = 0..T-1 then
    ``T <= 2 beta (f(w_0) - f*) / (eps^2 + 2 eps sigma)``.
    Q2 (eta_t = min{1/(t+1), 1/beta}): if ``E|grad f(w_t)| > eps`` for t = 0..T-1 then
    ``T <= exp((f(w_0) + beta/2 pi^2/6 (eps^2 + sigma^2) + ln(beta) eps^2 - f*) / eps^2)``.

Steps
    Q1.subst, Q1.expand, Q1.plug: the descent inequality (Q1.descent, cited) expanded and evaluated at
    eta = 1/beta; Q1.E expectation; Q1.jensen; Q1.perstep, Q1.sum (telescoping), Q1.T the bound.
    Q2.E, Q2.indep, Q2.(*) expectation with the cross term removed; Q2.sign; Q2.pi (pi^2/6);
    Q2.harm (harmonic chain; REFUTED) and Q2.harm.outer (REFUTED for beta < e^-gamma);
    Q2.jensen, Q2.sum, Q2.bound, Q2.lnT, Q2.T (gaps downstream of Q2.harm; corrected to
    ``T + 1 <= ceil(beta) exp((f(w_0) - f* + beta pi^2/12 (eps^2 + sigma^2)) / eps^2)``).

Notation
    ``eta_t = Min(1/(k+1), 1/beta)`` at step k; ``S1 = sum_{k<T} eta_k``, ``S2 = sum_{k<T} eta_k^2 beta/2``;
    ``fw0 = f(w_0)``, ``fs = f*``; ``gamma`` = Euler's constant.

References
    S. Ghadimi, G. Lan, "Stochastic first- and zeroth-order methods for nonconvex stochastic
    programming", SIAM J. Optim. 23 (2013); Y. Nesterov, Introductory Lectures (2004), Lemma 1.2.3
    (the descent lemma).

Example
    >>> import derivations
    >>> print(derivations.get("hw_sgd_stationarity").check("Q2.harm"))  # doctest: +SKIP
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from sympy import Eq, Ge, Le, Lt

from derivations import (
    HOLDS_NUMERICALLY,
    REFUTED,
    Assumption,
    Correction,
    Step,
    Verdict,
    chain,
    cited,
    follows_from,
    identity,
    inequality,
    numeric,
    sum_over,
    trajectory,
)
from derivations._errors import EncodingError

ID = "hw_sgd_stationarity"
TITLE = "SGD on a beta-smooth function: steps to an approximately stationary point (eta = 1/beta; eta_t = min{1/(t+1), 1/beta})"
SOURCE = "003_a66580aa34c3f32a.txt, Section 2 ('Part 2'), Questions 1-2"

eta, beta, eps = sp.symbols("eta beta epsilon", positive=True)
sigma = sp.symbols("sigma", nonnegative=True)
f0, f1, fs, fw0 = sp.symbols("f_t f_t+1 f^* f_w0", real=True)
G2, X2 = sp.symbols("G2 X2", nonnegative=True)
GX = sp.symbols("GX", real=True)
g1, g2, x1, x2 = sp.symbols("g_1 g_2 xi_1 xi_2", real=True)
Eg1, Eg2, Ex1, Ex2 = sp.symbols("Eg_1 Eg_2 Exi_1 Exi_2", real=True)
EGX = sp.symbols("EGX", real=True)
k = sp.symbols("k", integer=True, nonnegative=True)
T = sp.symbols("T", integer=True, positive=True)
Ef = sp.Function("Ef", real=True)
EG2 = sp.Function("EG2", nonnegative=True)
EG1 = sp.Function("EG1", nonnegative=True)

eta_k = sp.Min(1 / (k + 1), 1 / beta)
coef_k = (eta_k**2 * beta - 2 * eta_k) / 2
S1 = sp.Sum(eta_k, (k, 0, T - 1))
S2 = sp.Sum(eta_k**2 * beta / 2, (k, 0, T - 1))
S_tail = sp.Sum(1 / (k + 1), (k, sp.ceiling(beta - 1), T - 1))
PI6 = sp.pi**2 / 6
EULER_GAMMA = float(sp.EulerGamma)

DOMAIN = {beta: (0.05, 200.0), eps: (1e-3, 10.0), sigma: (0.0, 10.0)}

ASSUMPTIONS = (
    Assumption("JENSEN", "jensen_second_moment", "E|g|^2 >= (E|g|)^2 (Jensen / variance >= 0)",
               Ge(EG2(k), EG1(k) ** 2)),
    Assumption("NOTSTAT1", "not_stationary_q1", "E|grad f(w_k)| > eps + sigma for k = 0..T-1", sp.Gt(EG1(k), eps + sigma)),
    Assumption("NOTSTAT2", "not_stationary_q2", "E|grad f(w_k)| > eps for k = 0..T-1", sp.Gt(EG1(k), eps)),
    Assumption("ZEROMEAN", "noise_zero_mean", "E xi_t = 0", sp.And(Eq(Ex1, 0), Eq(Ex2, 0))),
    Assumption("INDEP", "noise_independent_of_iterate",
               "xi_t independent of w_t: E<grad f(w_t), xi_t> = sum_i E grad_i E xi_i", Eq(EGX, Eg1 * Ex1 + Eg2 * Ex2)),
    Assumption("FSTAR", "lower_bound", "f* <= f(w) for all w, so f* <= E f(w_T)", Le(fs, Ef(T))),
    Assumption("INIT", "deterministic_start", "E f(w_0) = f(w_0)", Le(Ef(0), fw0)),
)


# ----------------------------------------------------------------------------- helpers

def _expect(rel, mapping):
    """Apply E to a relation that is affine in the random atoms (keys of ``mapping``) with deterministic
    coefficients: linearity and monotonicity of expectation (each atom -> its expectation)."""
    atoms = list(mapping)
    for side in (rel.lhs, rel.rhs):
        poly = sp.Poly(sp.expand(side), *atoms)
        if poly.total_degree() > 1:
            raise EncodingError(f"E applied to a relation that is not affine in {atoms}: {sp.sstr(side)}")
    return rel.func(rel.lhs.xreplace(mapping), rel.rhs.xreplace(mapping))


def _q1_E(ctx):
    rel = chain(ctx, "Q1.descent", "Q1.expand", "Q1.plug")
    return _expect(rel, {f1: Ef(k + 1), f0: Ef(k), G2: EG2(k), X2: sigma**2, GX: EGX})


def _q2_E(ctx):
    rel = chain(ctx, "Q1.descent", "Q1.expand")
    return _expect(rel, {f1: Ef(k + 1), f0: Ef(k), G2: EG2(k), X2: sigma**2, GX: EGX}).subs(eta, eta_k)


def _monotone_subs(expr, atom, bound, *, upper: bool):
    """Replace ``atom`` in ``expr`` (affine in it) by ``bound``: an upper bound of the atom where its coefficient
    is positive (``upper=True``), a lower bound where it is negative; the coefficient's sign is checked."""
    coeff = sp.expand(expr).coeff(atom)
    if sp.expand(expr - coeff * atom).has(atom):
        raise EncodingError(f"{sp.sstr(expr)} is not affine in {sp.sstr(atom)}")
    sign_ok = coeff.is_positive if upper else coeff.is_negative
    if sign_ok is not True:
        raise EncodingError(f"coefficient {sp.sstr(coeff)} of {sp.sstr(atom)} has the wrong (or unknown) sign")
    return expr.xreplace({atom: bound})


def _q2_bound(ctx):
    """f* <= E f(w_T) <= f(w_0) + eps^2 (S2 - S1) + sigma^2 S2, then S2 <= (Q2.pi), S1 >= (Q2.harm.outer)."""
    summed = ctx.claim("Q2.sum.eps")        # Ef(T) - Ef(0) <= eps^2 (S2 - S1) + sigma^2 S2
    s2_bound = chain(ctx, "Q2.pi")          # S2 <= beta pi^2/12
    s1_bound = ctx.claim("Q2.harm.outer")   # S1 >= lower
    rhs = ctx.claim("INIT").rhs + summed.rhs
    rhs = _monotone_subs(rhs, S1, s1_bound.rhs, upper=False)
    rhs = _monotone_subs(rhs, S2, s2_bound.rhs, upper=True)
    return Le(fs, rhs)


def _exp_both(label):
    def derive(ctx):
        rel = ctx.claim(label)
        return rel.func(sp.exp(rel.lhs), sp.exp(rel.rhs))
    return derive


# --- exact evaluation of the sum chains on a (beta, T) grid (the numeric check of Q2.pi / Q2.harm)

BETAS = (0.05, 0.3, 0.5, 0.55, 0.57, 0.9, 1.0, 1.01, 1.5, 2.0, 2.000001, 2.5, 3.0, 7.3, 10.0, 37.5, 100.0)
TS = (1, 2, 3, 4, 5, 7, 10, 30, 100, 1000, 10**4, 10**5)


def _compile(expr):
    """A float evaluator of an expression of (beta, T) containing Sums: finite Sums by a vectorised (pairwise) sum of
    their lambdified summand, infinite ones in closed form (SymPy), the rest lambdified."""
    sums = sorted(expr.atoms(sp.Sum), key=sp.default_sort_key)
    ph = sp.symbols(f"S0:{len(sums)}")
    outer = sp.lambdify((beta, T, *ph), expr.xreplace(dict(zip(sums, ph))), "math")
    parts = []
    for sm in sums:
        (idx, lo, hi), = sm.limits
        if hi == sp.oo:
            closed = sp.lambdify(beta, sm.doit(), "math")
            parts.append(lambda b, n, c=closed: float(c(b)))
            continue
        f = sp.lambdify((idx, beta), sm.function, "numpy")
        lo_f, hi_f = sp.lambdify((beta, T), lo, "math"), sp.lambdify((beta, T), hi, "math")

        def val(b, n, f=f, lo_f=lo_f, hi_f=hi_f):
            a, z = int(math.ceil(lo_f(b, n) - 1e-12)), int(math.floor(hi_f(b, n) + 1e-12))
            if z < a:
                return 0.0
            ks = np.arange(a, z + 1, dtype=float)
            return float(np.sum(np.broadcast_to(np.asarray(f(ks, b), dtype=float), ks.shape)))  # pairwise summation
        parts.append(val)
    return lambda b, n: float(outer(b, n, *[p(b, n) for p in parts]))


def _links_of(claim):
    return list(claim.args) if isinstance(claim, sp.And) else [claim]


#: points reported whenever they violate a link (the leads: beta just above an integer; beta < 1)
SHOWCASE = ((1.01, 100), (0.5, 10))


def _grid_check(ctx, claim) -> Verdict:
    """Every link of the (chain) claim on the grid BETAS x TS; a violation beyond 1e-9 (relative) refutes."""
    grid = f"beta in {list(BETAS)} x T in {list(TS)} ({len(BETAS) * len(TS)} points; float64 pairwise sums, tol 1e-9 rel.)"
    reports, margins, refuted = [], [], False
    for link in _links_of(claim):
        if isinstance(link, (sp.GreaterThan, sp.StrictGreaterThan)):
            small, big = link.rhs, link.lhs
        else:
            small, big = link.lhs, link.rhs
        fs_, fb_ = _compile(small), _compile(big)
        viol, lo = [], (math.inf, None)
        for b in BETAS:
            for n in TS:
                vs, vb = fs_(b, n), fb_(b, n)
                if vb - vs < lo[0]:
                    lo = (vb - vs, (b, n))
                if vb - vs < -1e-9 * (1 + abs(vs) + abs(vb)):
                    viol.append((b, n, vs, vb))
        name = sp.sstr(link)
        margins.append((name, lo[0], lo[1]))
        if viol:
            refuted = True
            show = [v for v in viol if (v[0], v[1]) in SHOWCASE] or viol[:1]
            pts = "; ".join(f"beta = {b}, T = {n}: smaller side {vs:.4f} > larger side {vb:.4f}" for b, n, vs, vb in show)
            reports.append(f"[{name}] fails at {len(viol)} grid points, e.g. {pts}; worst margin {lo[0]:.4f} at "
                           f"beta, T = {lo[1]}")
    if refuted:
        return Verdict(REFUTED, "numeric", f"on {grid}: " + " | ".join(reports),
                       {"margins": margins}, replay=f"derivcheck show {ID} --step '{ctx.step.label}'")
    return Verdict(HOLDS_NUMERICALLY, "numeric",
                   f"holds on {grid}; smallest margins: " + "; ".join(f"[{n}] {m:.3g} at {p}" for n, m, p in margins),
                   {"margins": margins})


def _descent_sanity(ctx, claim) -> Verdict:
    rng = np.random.default_rng(7)
    worst = -np.inf
    for _ in range(2000):
        d = 3
        bt = rng.uniform(0.1, 10)
        w, v = rng.standard_normal(d) * 3, rng.standard_normal(d) * 3
        fun = lambda z: bt * np.sum(np.logaddexp(z, -z))  # beta * sum log(2 cosh z): beta-smooth
        grad = lambda z: bt * np.tanh(z)
        worst = max(worst, fun(v) - (fun(w) + grad(w) @ (v - w) + bt / 2 * np.sum((v - w) ** 2)))
    ok = worst <= 1e-9
    return Verdict(HOLDS_NUMERICALLY if ok else REFUTED, "numeric",
                   f"f(v) <= f(w) + <grad f(w), v - w> + beta/2 |v - w|^2 for f = beta sum log(2 cosh): 2000 random "
                   f"pairs (d = 3, beta in [0.1, 10]): worst {worst:.2e} (tol 1e-9)", {"worst": float(worst)})


def _dot(a, b):
    return a[0] * b[0] + a[1] * b[1]


gv, xv = (g1, g2), (x1, x2)
delta = (-eta * (g1 + x1), -eta * (g2 + x2))
step_expr = f0 + (eta**2 * beta - 2 * eta) / 2 * G2 + (eta**2 * beta - eta) * GX + eta**2 * beta / 2 * X2
c_q1 = (eps**2 + 2 * eps * sigma) / (2 * beta)

STEPS = (
    # ---------------------------------------------------------------- Q1
    Step("Q1.descent", "q1_descent_lemma_along_sgd_step",
         Le(f1, f0 - eta * (G2 + GX) + beta / 2 * eta**2 * (G2 + 2 * GX + X2)),
         cited("descent lemma for beta-smooth f (Nesterov 2004, Lemma 1.2.3), at w_{t+1} - w_t = -eta (g + xi)",
               check=_descent_sanity), expect="cited"),
    Step("Q1.subst", "q1_substitute_sgd_step_coordinates",
         Eq(_dot(gv, delta) + beta / 2 * _dot(delta, delta),
            -eta * (_dot(gv, gv) + _dot(gv, xv)) + beta / 2 * eta**2 * (_dot(gv, gv) + 2 * _dot(gv, xv) + _dot(xv, xv))),
         identity(), note="<g, Delta> + beta/2 |Delta|^2 with Delta = -eta (g + xi), in coordinates (d = 2); "
                          "defines the aggregates G2, GX, X2 used in Q1.descent"),
    Step("Q1.expand", "q1_expand_to_star",
         Eq(f0 - eta * (G2 + GX) + beta / 2 * eta**2 * (G2 + 2 * GX + X2), step_expr), identity()),
    Step("Q1.plug", "q1_plug_eta_one_over_beta", Eq(step_expr, f0 - G2 / (2 * beta) + X2 / (2 * beta)),
         follows_from(subs={eta: 1 / beta}), note="at eta = 1/beta the cross term's coefficient eta^2 beta - eta vanishes"),
    Step("Q1.E", "q1_expectation", Le(Ef(k + 1), Ef(k) - EG2(k) / (2 * beta) + sigma**2 / (2 * beta)),
         follows_from(derive=_q1_E, how="chain Q1.descent, Q1.expand, Q1.plug, then E (linear, monotone), E X2 = sigma^2"),
         uses=("Q1.descent", "Q1.expand", "Q1.plug")),
    Step("Q1.jensen", "q1_jensen_second_moment", sp.Gt(EG2(k), (eps + sigma) ** 2), inequality(),
         uses=("JENSEN", "NOTSTAT1")),
    Step("Q1.perstep", "q1_per_step_decrease", Lt(Ef(k + 1) - Ef(k), -c_q1),
         inequality(given=("Q1.E", "Q1.jensen")), uses=("Q1.E", "Q1.jensen"),
         note="-(eps + sigma)^2/(2 beta) + sigma^2/(2 beta) = -(eps^2 + 2 eps sigma)/(2 beta)"),
    Step("Q1.sum", "q1_telescoping", Lt(Ef(T) - Ef(0), -c_q1 * T),
         sum_over(of="Q1.perstep", index=k, lower=0, upper=T - 1), uses=("Q1.perstep",)),
    Step("Q1.sim", "q1_bound_on_simulated_sgd", Le(T, 2 * beta * (fw0 - fs) / (eps**2 + 2 * eps * sigma)),
         trajectory(f"{ID}:Q1.T"), expect=HOLDS_NUMERICALLY,
         note="the Q1 bound on simulated SGD (Monte Carlo, numeric_checks/_checks_hw_sgd.py)"),
    Step("Q1.T", "q1_iteration_bound", Le(T, 2 * beta * (fw0 - fs) / (eps**2 + 2 * eps * sigma)),
         inequality(given=("Q1.sum",)), uses=("Q1.sum", "FSTAR", "INIT"), also=trajectory(),
         note="f* <= E f(w_T) < f(w_0) - (eps^2 + 2 eps sigma) T/(2 beta); SGD simulations in numeric_checks"),
    # ---------------------------------------------------------------- Q2
    Step("Q2.E", "q2_expectation_general_step",
         Le(Ef(k + 1), Ef(k) + coef_k * EG2(k) + (eta_k**2 * beta - eta_k) * EGX + eta_k**2 * beta / 2 * sigma**2),
         follows_from(derive=_q2_E, how="chain Q1.descent, Q1.expand, then E, at eta = eta_k"),
         uses=("Q1.descent", "Q1.expand")),
    Step("Q2.indep", "q2_cross_term_vanishes", Eq(EGX, 0), follows_from(subs={EGX: Eg1 * Ex1 + Eg2 * Ex2, Ex1: 0, Ex2: 0}),
         uses=("INDEP", "ZEROMEAN"),
         note="E<grad f(w_t), xi_t> = sum_i E(grad_i) E(xi_i) = 0 (xi_t independent of w_t; the source's "
              "'E(grad_i, xi_i)' is a product, a conversion artefact)"),
    Step("Q2.(*)", "q2_expectation_without_cross_term",
         Le(Ef(k + 1) - Ef(k), coef_k * EG2(k) + eta_k**2 * beta / 2 * sigma**2),
         inequality(given=("Q2.E", "Q2.indep")), uses=("Q2.E", "Q2.indep")),
    Step("Q2.sign", "q2_coefficient_negative", Lt(coef_k, 0), inequality(),
         note="eta_t <= 1/beta gives (eta^2 beta - 2 eta)/2 <= -eta/2 < 0, for every beta > 0 and integer t >= 0"),
    Step("Q2.pi", "q2_pi_squared_over_six_bound",
         sp.And(Le(S2, sp.Sum(beta / (2 * (k + 1) ** 2), (k, 0, T - 1))),
                Le(sp.Sum(beta / (2 * (k + 1) ** 2), (k, 0, T - 1)), sp.Sum(beta / (2 * (k + 1) ** 2), (k, 0, sp.oo))),
                Le(sp.Sum(beta / (2 * (k + 1) ** 2), (k, 0, sp.oo)), beta / 2 * PI6)),
         numeric(_grid_check, what="each link evaluated on a (beta, T) grid"), expect=HOLDS_NUMERICALLY,
         note="link 1 termwise (eta_t <= 1/(t+1), proved in Q2.pi.term), link 2 positive terms, link 3 is an "
              "equality (Basel); checked on the grid"),
    Step("Q2.pi.term", "q2_pi_termwise", Le(eta_k**2 * beta / 2, beta / (2 * (k + 1) ** 2)), inequality()),
    Step("Q2.harm", "q2_harmonic_chain",
         sp.And(Ge(S1, S_tail), Ge(S_tail, sp.log(T) - sp.log(beta))),
         numeric(_grid_check, what="each link evaluated on a (beta, T) grid"), expect=REFUTED, finding="error",
         note="link 1 holds (for t >= ceil(beta - 1), eta_t = 1/(t+1); the dropped terms are positive), but link 2, "
              "sum_{t=ceil(beta-1)}^{T-1} 1/(t+1) >= ln T - ln beta, is false: beta = 1.01, T = 100 gives "
              "H_100 - 1 = 4.187 < ln(100/1.01) = 4.595; and for beta < 1 (ceil(beta - 1) = 0) it fails too "
              "(beta = 0.5, T = 10: H_10 = 2.929 < 2.996). The integral test gives ln(T+1) - ln ceil(beta)",
         correction=Correction(sp.And(Ge(S1, S_tail), Ge(S_tail, sp.log(T + 1) - sp.log(sp.ceiling(beta)))),
                               numeric(_grid_check, what="each link evaluated on a (beta, T) grid"),
                               expect=HOLDS_NUMERICALLY,
                               note="sum_{s=ceil(beta)}^{T} 1/s >= int_{ceil(beta)}^{T+1} dx/x = ln(T+1) - ln ceil(beta) "
                                    "(integral test; empty sum when T < ceil(beta), where the right side is < 0)")),
    Step("Q2.harm.outer", "q2_step_size_sum_lower_bound", Ge(S1, sp.log(T) - sp.log(beta)),
         numeric(_grid_check, what="evaluated on a (beta, T) grid"), expect=REFUTED, finding="error",
         note="the outer claim sum_t eta_t >= ln T - ln beta holds for beta >= e^-gamma = 0.5615 (it keeps the "
              "t < ceil(beta - 1) terms, each 1/beta) but fails for smaller beta, where eta_t = 1/(t+1) and "
              "H_T - ln T -> gamma < -ln beta (beta = 0.5, T = 10: 2.929 < 2.996)",
         correction=Correction(Ge(S1, sp.log(T + 1) - sp.log(sp.ceiling(beta))),
                               numeric(_grid_check, what="evaluated on a (beta, T) grid"), expect=HOLDS_NUMERICALLY,
                               note="from the corrected chain Q2.harm")),
    Step("Q2.jensen", "q2_jensen_second_moment", sp.Gt(EG2(k), eps**2), inequality(), uses=("JENSEN", "NOTSTAT2")),
    Step("Q2.eps", "q2_negative_coefficient_times_bound", Le(coef_k * EG2(k), coef_k * eps**2),
         inequality(given=("Q2.sign", "Q2.jensen")), uses=("Q2.sign", "Q2.jensen")),
    Step("Q2.sum", "q2_telescoping", Le(Ef(T) - Ef(0), sp.Sum(coef_k * EG2(k), (k, 0, T - 1)) + sigma**2 * S2),
         sum_over(of="Q2.(*)", index=k, lower=0, upper=T - 1), uses=("Q2.(*)",),
         note="summing Q2.(*) over t = 0..T-1 (the left side telescopes)"),
    Step("Q2.bound", "q2_bound_before_logs",
         Le(fs, fw0 + (beta / 2 * PI6 - sp.log(T) + sp.log(beta)) * eps**2 + beta / 2 * PI6 * sigma**2),
         follows_from(derive=_q2_bound, how="FSTAR, INIT, Q2.sum.eps with S2 <= beta pi^2/12 (Q2.pi) and S1 >= ... "
                      "(Q2.harm.outer)"),
         uses=("Q2.sum.eps", "Q2.pi", "Q2.harm.outer", "FSTAR", "INIT"), expect="inconclusive", finding="gap",
         note="follows from Q2.harm.outer as written, which is false for beta < e^-gamma; with the corrected "
              "Q2.harm.outer only the bound with ln(T+1) - ln ceil(beta) follows",
         correction=Correction(Le(fs, fw0 + (beta / 2 * PI6 - sp.log(T + 1) + sp.log(sp.ceiling(beta))) * eps**2
                                  + beta / 2 * PI6 * sigma**2),
                               follows_from(derive=_q2_bound, how="as above, with the corrected Q2.harm.outer"),
                               expect=HOLDS_NUMERICALLY,
                               note="with sum eta_t >= ln(T+1) - ln ceil(beta); holds numerically because its "
                                    "premises Q2.pi and the corrected Q2.harm.outer are checked numerically")),
    Step("Q2.lnT", "q2_log_T_bound",
         Le(sp.log(T), (fw0 + beta / 2 * PI6 * (eps**2 + sigma**2) + sp.log(beta) * eps**2 - fs) / eps**2),
         follows_from(derive=lambda ctx: ctx.claim("Q2.bound"), how="rearranging Q2.bound (divide by eps^2)"),
         uses=("Q2.bound",), expect="inconclusive", finding="gap",
         note="a rearrangement of Q2.bound, so it inherits its gap (the prover's 'counterexamples' to it as a bare "
              "inequality, e.g. T = 1, beta = 1/20, f(w_0) - f* = 1, eps = 1, are not realisable: T >= 1 forces "
              "f(w_0) - f* >= |grad f(w_0)|^2/(2 beta) > eps^2/(2 beta) = 10)",
         correction=Correction(Le(sp.log(T + 1), (fw0 + beta / 2 * PI6 * (eps**2 + sigma**2)
                                                  + sp.log(sp.ceiling(beta)) * eps**2 - fs) / eps**2),
                               follows_from(derive=lambda ctx: ctx.claim("Q2.bound"), how="rearranging corrected Q2.bound"),
                               expect=HOLDS_NUMERICALLY, note="inherits the numeric support of corrected Q2.bound")),
    Step("Q2.T", "q2_iteration_bound",
         Le(T, sp.exp((fw0 + beta / 2 * PI6 * (eps**2 + sigma**2) + sp.log(beta) * eps**2 - fs) / eps**2)),
         follows_from(derive=_exp_both("Q2.lnT"), how="exp of both sides of Q2.lnT"), uses=("Q2.lnT",),
         expect=HOLDS_NUMERICALLY, also=trajectory(), finding="gap",
         note="the bound as written follows from the source's argument only for beta >= e^-gamma (where "
              "Q2.harm.outer holds); it is not refuted on simulated SGD runs (numeric_checks). The proved form is "
              "T + 1 <= ceil(beta) exp((f(w_0) - f* + beta pi^2/12 (eps^2 + sigma^2))/eps^2)",
         correction=Correction(Le(T + 1, sp.exp((fw0 + beta / 2 * PI6 * (eps**2 + sigma**2)
                                                 + sp.log(sp.ceiling(beta)) * eps**2 - fs) / eps**2)),
                               follows_from(derive=_exp_both("Q2.lnT"), how="exp of both sides of corrected Q2.lnT"),
                               expect=HOLDS_NUMERICALLY, note="inherits the numeric support of corrected Q2.bound")),
)

# aggregate forms used by Q2.bound (inserted before it: the summed inequality with E|g|^2 > eps^2, and S2 <= beta pi^2/12)
_EXTRA = (
    Step("Q2.sum.eps", "q2_telescoped_with_eps",
         Le(Ef(T) - Ef(0), eps**2 * (S2 - S1) + sigma**2 * S2),
         sum_over(of="Q2.(*)eps", index=k, lower=0, upper=T - 1), uses=("Q2.(*)eps",),
         note="summing Q2.(*) with each (negative-coefficient) E|g|^2 replaced by eps^2 (Q2.eps)"),
)
_PERSTEP_EPS = Step("Q2.(*)eps", "q2_per_step_with_eps", Le(Ef(k + 1) - Ef(k), coef_k * eps**2 + eta_k**2 * beta / 2 * sigma**2),
                    inequality(given=("Q2.(*)", "Q2.eps")), uses=("Q2.(*)", "Q2.eps"))

_i = [s.label for s in STEPS].index("Q2.bound")
STEPS = STEPS[:_i] + (_PERSTEP_EPS,) + _EXTRA + STEPS[_i:]
