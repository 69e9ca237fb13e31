"""Layer-norm imbalance under Nesterov's accelerated gradient flow (seed 000, eqs (1)-(26)).

Setting and assumptions
    A fully connected network without biases, ``f(x) = W_K s(W_{K-1} ... s(W_1 x))``, with a
    positively homogeneous activation ``s`` (linear, ReLU, leaky ReLU: ``s(c u) = c s(u)`` for
    ``c > 0``), trained on a loss ``L(w)`` of its outputs by Nesterov's accelerated gradient
    flow ``W_h'' + (3/t) W_h' + grad_{W_h} L = 0`` (each layer ``h``), with zero initial
    velocity.  ``L* = inf L``, the Hamiltonian ``H = 1/2 |w'|^2 + L - L*`` and ``H_0 = H(0)``.
    The imbalance of the pair ``(h, h+1)`` is ``alpha_h = |W_h|_F^2 - |W_{h+1}|_F^2``.
    Implicit assumptions of the source, made explicit here: homogeneity and no biases (for
    (1)); ``L >= L*``; zero initial velocity (for (26), and for the limit ``t0 -> 0`` in (23),
    which needs ``alpha'`` bounded near 0); the symmetry argument behind the absolute values
    of (25).

Claim (seed 000, eqs (24)-(26); upper bounds, not claimed tight)
    ``alpha_h(t) - alpha_h(0) <= H_0 t^2 / 2`` for every pair, and, summed over the
    ``K - 1`` pairs, ``sum_h |alpha_h(t)| - sum_h |alpha_h(0)| <= H_0 t^2 / 2`` with
    ``H_0 = L(w(0)) - L*``.

Steps
    (N) the Noether identity <W_h, grad_h L> = <W_{h+1}, grad_{h+1} L> from homogeneity;
    (1) conservation law; (2)-(3) multiply by t, recognise a derivative; (4)-(8) integration
    by parts; (9)-(11) recombination; (12)-(13) the imbalance ODE; (14)-(17) the bound by the
    Hamiltonian and its decrease (15); (18)-(22) change of variables and Gronwall; (23)
    t0 -> 0; (24) the per-pair bound; (24')-(24'') symmetry and absolute values; (25)-(26)
    the sum over layers.  Weight matrices are 2x2 matrices of undefined functions of t (the
    calculus is carried out entrywise, not assumed); the rest of the network enters through
    the gradient entries ``G`` and, for the Hamiltonian, the kinetic energy ``K_rest`` of the
    other layers.

Findings (details in notes/nag_layer_balance.md)
    (11) is a slip: it reads ``d^2/dt^2 (t |W_h|^2 - |W_{h+1}|^2)`` where the derivation gives
    ``d^2/dt^2 (t (|W_h|^2 - |W_{h+1}|^2))`` (as (12) then uses).  (25) and (26): summing the
    per-pair bound over the ``K - 1`` pairs gives ``(K - 1) H_0 t^2 / 2``, not ``H_0 t^2 / 2``;
    the stated justification does not establish the claim for ``K >= 3`` (a gap), and the
    trajectory search decides whether the claim itself fails.

Notation
    ``Wh``, ``Wn`` the layers h and h+1; ``Gh``, ``Gn`` their gradients; ``alpha(h, t)``;
    ``Ham(t)`` the Hamiltonian, ``Ham(0) = H_0``; ``Lgap(t) = L(w(t)) - L*``; ``beta`` of (18).

References
    Gluch & Urbanke, "Noether: the more things change, the more they stay the same",
    arXiv:2104.05508; Su, Boyd & Candes (2016) for Nesterov's flow.

Example
    >>> import derivations
    >>> print(derivations.get("nag_layer_balance").check("(13)"))  # doctest: +SKIP
"""

from __future__ import annotations

import sympy as sp
from sympy import Abs, Eq, Integral, Le, Rational, Sum
from sympy import Derivative as D

from derivations import (
    Assumption,
    Correction,
    EncodingError,
    Step,
    by_parts,
    chain,
    comparison,
    definition,
    differentiate,
    follows_from,
    inequality,
    integrate,
    limit,
    scale,
    sum_over,
    trajectory,
)

ID = "nag_layer_balance"
TITLE = "Bound on the layer-norm imbalance under Nesterov's accelerated gradient flow"
SOURCE = "000_9fc833e4b2fd1f4f.txt, equations (1)-(26)"

t, t0, s = sp.symbols("t t_0 s", positive=True)
h = sp.Symbol("h", integer=True, positive=True)
K = sp.Symbol("K", integer=True, positive=True)
CONDITIONS = (sp.Ge(K, 2),)


def _matrix(name: str, rows: int = 2, cols: int = 2) -> sp.Matrix:
    return sp.Matrix(rows, cols, lambda i, j: sp.Function(f"{name}{i + 1}{j + 1}", real=True)(t))


Wh, Wn = _matrix("Wh"), _matrix("Wn")  # layers h and h+1
Gh, Gn = _matrix("Gh"), _matrix("Gn")  # their gradients grad_{W_h} L, grad_{W_{h+1}} L along w(t)
dWh, dWn = Wh.diff(t), Wn.diff(t)
ddWh, ddWn = Wh.diff(t, 2), Wn.diff(t, 2)


def inner(A: sp.Matrix, B: sp.Matrix) -> sp.Expr:
    """Frobenius inner product <A, B> = sum_ij A_ij B_ij."""
    return sum(A[i, j] * B[i, j] for i in range(A.rows) for j in range(A.cols))


def norm2(A: sp.Matrix) -> sp.Expr:
    return inner(A, A)


alpha_expr = norm2(Wh) - norm2(Wn)
kin_h, kin_n = norm2(dWh), norm2(dWn)
alpha = sp.Function("alpha", real=True)
beta = sp.Function("beta", real=True)
Ham = sp.Function("Ham", real=True)
Lgap = sp.Function("Lgap", nonnegative=True)  # L(w(t)) - L*
Krest = sp.Function("K_rest", nonnegative=True)  # kinetic energy |W_k'|^2 summed over the other layers
Prest = sp.Function("P_rest", real=True)  # <grad_{W_k} L, W_k'> summed over the other layers

# --- the Noether identity on a concrete block: layer input z, two layers, generic downstream loss Phi
_a = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"a{i + 1}{j + 1}", real=True))
_b = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"b{i + 1}{j + 1}", real=True))
_z = sp.Matrix(sp.symbols("z1 z2", real=True))
_sigma = sp.Function("sigma", real=True)
_Phi = sp.Function("Phi", real=True)
_pre = _a * _z
_out = _b * _pre.applyfunc(_sigma)
_loss = _Phi(_out[0], _out[1])
_noether_residual = (sum(_a[i, j] * D(_loss, _a[i, j]) for i in range(2) for j in range(2))
                     - sum(_b[i, j] * D(_loss, _b[i, j]) for i in range(2) for j in range(2)))
_xi = sp.Symbol("xi")
#: Euler's relation for a positively homogeneous s: u s'(u) = s(u) (a.e.; at a kink any subgradient)
_EULER = {sp.Subs(D(_sigma(_xi), _xi), _xi, u): _sigma(u) / u for u in _pre}

ASSUMPTIONS = (
    Assumption("HOMOG", "activation_positively_homogeneous_no_biases",
               "the activation is positively homogeneous of degree 1 (s(c u) = c s(u), c > 0: linear, ReLU, "
               "leaky ReLU), hence u s'(u) = s(u) a.e., and the layers have no biases; false for tanh"),
    Assumption("NAG", "nesterov_flow", "W'' + (3/t) W' + grad_W L = 0 for every layer, t > 0",
               sp.Tuple(*[Eq(ddW[i, j] + 3 / t * dW[i, j] + G[i, j], 0)
                          for ddW, dW, G in ((ddWh, dWh, Gh), (ddWn, dWn, Gn)) for i in range(2) for j in range(2)])),
    Assumption("REST", "other_layers_kinetic_energy",
               "K_rest = sum over the other layers of |W_k'|^2 obeys K_rest' = -(6/t) K_rest - 2 P_rest with "
               "P_rest = sum <grad_k L, W_k'> (the flow of the other layers)",
               Eq(D(Krest(t), t), -6 / t * Krest(t) - 2 * Prest(t))),
    Assumption("CHAIN", "chain_rule_for_the_loss", "d/dt (L(w(t)) - L*) = <grad L, w'>",
               Eq(D(Lgap(t), t), inner(Gh, dWh) + inner(Gn, dWn) + Prest(t))),
    Assumption("LSTAR", "loss_above_infimum", "L(w) >= L* (encoded as Lgap >= 0)"),
    Assumption("INIT", "zero_initial_velocity", "w'(0) = 0, and w is C^1 on [0, oo) (so alpha' and beta are "
               "bounded near t = 0)"),
)


def _noether_at_trajectory(ctx) -> sp.Basic:
    """(N) at w = w(t): rename d L / d a_ij -> Gh_ij(t), d L / d b_ij -> Gn_ij(t), a -> Wh(t), b -> Wn(t)."""
    rel = ctx.claim("(N)")
    ren = {D(_loss, _a[i, j]): Gh[i, j] for i in range(2) for j in range(2)}
    ren.update({D(_loss, _b[i, j]): Gn[i, j] for i in range(2) for j in range(2)})
    ren.update({_a[i, j]: Wh[i, j] for i in range(2) for j in range(2)})
    ren.update({_b[i, j]: Wn[i, j] for i in range(2) for j in range(2)})
    out = rel.xreplace(ren)
    if out.has(_Phi) or out.free_symbols & set(_a) | out.free_symbols & set(_b):
        raise EncodingError("(1): (N) did not instantiate cleanly")
    return out


def _swap_layers(expr: sp.Basic) -> sp.Basic:
    sw = {}
    for i in range(2):
        for j in range(2):
            sw[Wh[i, j]], sw[Wn[i, j]] = Wn[i, j], Wh[i, j]
    return expr.xreplace(sw)


def _mirror_of_24(ctx) -> sp.Basic:
    """Exchanging the layers h and h+1 maps alpha to -alpha and leaves (14)'s bound unchanged,
    so the argument (13)-(24) applied to -alpha gives the mirrored bound."""
    bound14 = max(ctx.claim("(14)").args, key=lambda r: sp.count_ops(r.rhs)).rhs
    if sp.simplify(_swap_layers(bound14.doit()) - bound14.doit()) != 0:
        raise EncodingError("(24'): the bound of (14) is not symmetric in the two layers")
    if sp.simplify(_swap_layers(alpha_expr) + alpha_expr) != 0:
        raise EncodingError("(24'): swapping the layers does not negate alpha")
    rel = ctx.claim("(24)")
    neg = {alpha(h, t): -alpha(h, t), alpha(h, 0): -alpha(h, 0)}
    return rel.func(rel.lhs.xreplace(neg), rel.rhs)


def _ham_at_zero(ctx) -> sp.Basic:
    """The definition (H) at t = 0 with zero initial velocities (INIT)."""
    ham = ctx.claim("(H)")
    at0 = {d: 0 for d in list(dWh) + list(dWn)}
    at0[Krest(t)] = 0
    return Eq(Ham(0), ham.rhs.xreplace(at0).subs(t, 0))


_S_ALPHA = (h, 1, K - 1)
_sum_abs_gap = Sum(Abs(alpha(h, t)), _S_ALPHA) - Sum(Abs(alpha(h, 0)), _S_ALPHA)
_NAG_SOLVE = [("NAG", ddW[i, j]) for ddW in (ddWh, ddWn) for i in range(2) for j in range(2)]
_integrand4 = inner(Wh, ddWh) * t
_e5 = Integral(sum((Wh[i, j] * t) * ddWh[i, j] for i in range(2) for j in range(2)), t)
_e6 = sum(Integral((Wh[i, j] * t) * ddWh[i, j], t) for i in range(2) for j in range(2))
_e7 = sum(-Integral((dWh[i, j] * t + Wh[i, j]) * dWh[i, j], t) + Wh[i, j] * dWh[i, j] * t
          for i in range(2) for j in range(2))
_e8 = inner(Wh, dWh) * t - norm2(Wh) / 2 - Integral(norm2(dWh) * t, t)
_lhs13 = D(alpha(h, t), (t, 2)) + 3 / t * D(alpha(h, t), t)
_H_DEF = Rational(1, 2) * (kin_h + kin_n + Krest(t)) + Lgap(t)

STEPS = (
    Step("(N)", "noether_identity_of_homogeneous_activation",
         Eq(_noether_residual, 0), follows_from(subs=_EULER), uses=("HOMOG",),
         note="<W_h, grad_{W_h} L> = <W_{h+1}, grad_{W_{h+1}} L> (Gluch & Urbanke's rescaling symmetry), checked "
              "on a block z -> W_{h+1} s(W_h z) -> Phi with a generic downstream loss Phi; the data sum follows by "
              "linearity.  The numeric checks show it fails for tanh."),
    Step("(1)", "eq1_conservation_law",
         Eq(inner(Wh, ddWh + 3 / t * dWh) - inner(Wn, ddWn + 3 / t * dWn), 0),
         follows_from(solve=_NAG_SOLVE, derive=_noether_at_trajectory, how="(N) at w = w(t)"),
         uses=("(N)", "NAG")),
    Step("(2)", "eq2_multiplied_by_t",
         Eq(t * (inner(Wh, ddWh) - inner(Wn, ddWn)) + 3 * (inner(Wh, dWh) - inner(Wn, dWn)), 0),
         follows_from(derive=lambda ctx: scale(ctx.claim("(1)"), t), how="(1) multiplied by t"), uses=("(1)",)),
    Step("(3)", "eq3_second_term_as_derivative",
         Eq(t * (inner(Wh, ddWh) - inner(Wn, ddWn)) + Rational(3, 2) * D(alpha_expr, t), 0),
         follows_from(derive=lambda ctx: ctx.claim("(2)"), how="(2) with 2<W, W'> = d/dt |W|^2"), uses=("(2)",)),
    Step("(4)", "eq4_first_term_integrated", Eq(sp.Function("I_h")(t), Integral(_integrand4, t)), definition(),
         note="names the integral of the first term of (3) (layer h shown)"),
    Step("(5)", "eq5_entrywise", Eq(Integral(_integrand4, t), _e5), integrate(t)),
    Step("(6)", "eq6_sum_out_of_integral", Eq(_e5, _e6), integrate(t)),
    Step("(7)", "eq7_by_parts_entrywise", Eq(_e6, _e7), by_parts(t)),
    Step("(8)", "eq8_by_parts_result", Eq(_e7, _e8), integrate(t)),
    Step("(9)", "eq9_equation3_rewritten",
         Eq(D(alpha_expr, t) + D(inner(Wh, dWh) * t - inner(Wn, dWn) * t, t), t * (kin_h - kin_n)),
         follows_from(derive=lambda ctx: ctx.claim("(3)"),
                      how="(3) with t<W, W''> = d/dt(<W, W'> t - |W|^2/2) - t|W'|^2, the derivative form of (8)"),
         uses=("(3)", "(8)")),
    Step("(10)", "eq10_product_rule", Eq(inner(Wh, dWh) * t, D(norm2(Wh) * t / 2, t) - norm2(Wh) / 2),
         differentiate()),
    Step("(11)", "eq11_second_order_form",
         Eq(D(t * norm2(Wh) - norm2(Wn), (t, 2)) + D(alpha_expr, t), 2 * t * (kin_h - kin_n)),
         follows_from(derive=lambda ctx: scale(ctx.claim("(9)"), 2), how="(9) with (10) substituted, times 2"),
         uses=("(9)", "(10)"), also=trajectory(),
         expect="refuted", finding="slip",
         correction=Correction(
             Eq(D(t * alpha_expr, (t, 2)) + D(alpha_expr, t), 2 * t * (kin_h - kin_n)),
             follows_from(derive=lambda ctx: scale(ctx.claim("(9)"), 2), how="(9) with (10) substituted, times 2"),
             note="the t multiplies the whole imbalance: d^2/dt^2 (t alpha) + alpha' = 2t(|W_h'|^2 - |W_{h+1}'|^2)"),
         note="As written the t multiplies only |W_h|^2; the derivation (and (12)) has t (|W_h|^2 - |W_{h+1}|^2). "
              "The written form differs by d^2/dt^2 ((t - 1)|W_{h+1}|^2), which is nonzero along real trajectories."),
    Step("(α)", "def_alpha", Eq(alpha(h, t), alpha_expr), definition(),
         note="alpha = |W_h|_F^2 - |W_{h+1}|_F^2 (text before (12))"),
    Step("(12)", "eq12_imbalance_second_order",
         Eq(D(t * alpha(h, t), (t, 2)) + D(alpha(h, t), t), 2 * t * (kin_h - kin_n)),
         follows_from(derive=lambda ctx: ctx.claim("(11)"), how="(11) (corrected) with alpha"), uses=("(11)", "(α)"),
         note="rests on the corrected (11)"),
    Step("(13)", "eq13_imbalance_ode", Eq(_lhs13, 2 * (kin_h - kin_n)),
         follows_from(derive=lambda ctx: ctx.claim("(12)"), how="(12) divided by t"), uses=("(12)",)),
    Step("(14)", "eq14_bound_by_pair_energy",
         sp.And(Le(_lhs13, 2 * (kin_h + kin_n)),
                Le(2 * (kin_h + kin_n), 4 * (Rational(1, 2) * (kin_h + kin_n) + Lgap(t)))),
         follows_from(solve={"(13)": D(alpha(h, t), (t, 2))}), uses=("(13)", "LSTAR")),
    Step("(H)", "def_hamiltonian", Eq(Ham(t), _H_DEF), definition(),
         note="H = 1/2 |w'|^2 + L - L*, with |w'|^2 = |W_h'|^2 + |W_{h+1}'|^2 + K_rest"),
    Step("(14')", "eq14_pair_energy_le_hamiltonian",
         Le(Rational(1, 2) * (kin_h + kin_n) + Lgap(t), Ham(t)),
         follows_from(solve={"(H)": Ham(t)}), uses=("(H)",),
         note="the text says the right side of (14) 'summed across all layers' is the Hamiltonian; what (16) "
              "uses is that the pair quantity is at most H (the literal sum over pairs counts L - L* K - 1 times)"),
    Step("(15)", "eq15_hamiltonian_derivative",
         Eq(D(Ham(t), t), -3 / t * (kin_h + kin_n + Krest(t))),
         follows_from(solve=[("(H)", Ham(t))] + _NAG_SOLVE + [("REST", D(Krest(t), t)), ("CHAIN", D(Lgap(t), t))]),
         uses=("(H)", "NAG", "REST", "CHAIN")),
    Step("(15')", "eq15_hamiltonian_nonincreasing", Le(D(Ham(t), t), 0),
         follows_from(solve={"(15)": D(Ham(t), t)}), uses=("(15)",)),
    Step("(15'')", "eq15_hamiltonian_le_initial", Le(Ham(t), Ham(0)),
         comparison(hypothesis="(15')", u=Ham(t), t=t, t0=t0, limit=0), uses=("(15')", "INIT")),
    Step("(16)", "eq16_bound_by_initial_hamiltonian", Le(_lhs13, 4 * Ham(0)),
         follows_from(derive=lambda ctx: chain(ctx, "(14)", scale(ctx.claim("(14')"), 4),
                                               scale(ctx.claim("(15'')"), 4)),
                      how="chaining (14), 4 x (14') and 4 x (15'')"),
         uses=("(14)", "(14')", "(15'')")),
    Step("(17)", "eq17_rearranged", Le(D(alpha(h, t), (t, 2)), -3 / t * D(alpha(h, t), t) + 4 * Ham(0)),
         follows_from(derive=lambda ctx: ctx.claim("(16)"), how="(16) rearranged"), uses=("(16)",)),
    Step("(18)", "eq18_change_of_variables", Eq(beta(h, t), D(alpha(h, t), t) - Ham(0) * t), definition()),
    Step("(19)", "eq19_derivative_of_beta", Eq(D(beta(h, t), t), D(alpha(h, t), (t, 2)) - Ham(0)),
         follows_from(solve={"(18)": beta(h, t)}), uses=("(18)",)),
    Step("(20)", "eq20_linear_differential_inequality", Le(D(beta(h, t), t), -3 / t * beta(h, t)),
         follows_from(derive=lambda ctx: ctx.claim("(17)"), how="(17) in the variable beta of (18)"),
         uses=("(17)", "(18)", "(19)")),
    Step("(21)", "eq21_gronwall", Le(beta(h, t), beta(h, t0) * sp.exp(Integral(-3 / s, (s, t0, t)))),
         comparison(hypothesis="(20)", u=beta(h, t), t=t, t0=t0), uses=("(20)",),
         note="for t >= t0 > 0; the source writes the integration variable as t"),
    Step("(22)", "eq22_gronwall_evaluated", Le(beta(h, t), beta(h, t0) * (t0 / t) ** 3),
         follows_from(derive=lambda ctx: ctx.claim("(21)"), how="(21) with the integral evaluated"), uses=("(21)",)),
    Step("(23)", "eq23_limit_t0_to_zero", Le(D(alpha(h, t), t) - Ham(0) * t, 0),
         limit(of="(22)", var=t0, to=0, bounded=(beta(h, t0),)), uses=("(22)", "(18)", "INIT"),
         note="needs beta(t0) = alpha'(t0) - H_0 t0 bounded as t0 -> 0 (INIT)"),
    Step("(24)", "eq24_pair_bound", Le(alpha(h, t) - alpha(h, 0), Ham(0) * t**2 / 2),
         comparison(hypothesis="(23)", u=alpha(h, t), t=t, t0=t0, limit=0), uses=("(23)",)),
    Step("(24')", "eq24_mirrored_pair_bound", Le(alpha(h, 0) - alpha(h, t), Ham(0) * t**2 / 2),
         follows_from(derive=_mirror_of_24, how="(13)-(24) for the exchanged pair (h+1, h), i.e. for -alpha"),
         uses=("(24)", "(14)"),
         note="the 'symmetry of the problem' of the text after (26)"),
    Step("(24'')", "eq24_absolute_pair_bound", Le(Abs(alpha(h, t)) - Abs(alpha(h, 0)), Ham(0) * t**2 / 2),
         inequality(given=("(24)", "(24')")), uses=("(24)", "(24')"),
         note="|alpha(t)| - |alpha(0)| <= |alpha(t) - alpha(0)| <= H_0 t^2 / 2"),
    Step("(25)", "eq25_summed_bound", Le(_sum_abs_gap, Ham(0) * t**2 / 2),
         sum_over(of="(24'')", index=h, lower=1, upper=K - 1), uses=("(24'')",), also=trajectory(),
         expect="holds_numerically", finding="gap",
         correction=Correction(Le(_sum_abs_gap, (K - 1) * Ham(0) * t**2 / 2),
                               sum_over(of="(24'')", index=h, lower=1, upper=K - 1),
                               note="summing the per-pair bound over the K - 1 pairs"),
         note="Summing (24'') over the K - 1 pairs gives (K - 1) H_0 t^2 / 2; the bound H_0 t^2 / 2 as written "
              "does not follow for K >= 3.  The trajectory search decides whether the claim itself fails."),
    Step("(26')", "eq26_initial_hamiltonian_zero_velocity", Eq(Ham(0), Lgap(0)),
         follows_from(derive=_ham_at_zero, how="(H) at t = 0 with w'(0) = 0"), uses=("(H)", "INIT")),
    Step("(26)", "eq26_summed_bound_initial_loss", Le(_sum_abs_gap, Lgap(0) * t**2 / 2),
         follows_from(derive=lambda ctx: ctx.claim("(25)").subs(Ham(0), ctx.claim("(26')").rhs),
                      how="(25) with H_0 = L(w(0)) - L* from (26')"),
         uses=("(25)", "(26')"), also=trajectory(),
         expect="holds_numerically", finding="gap",
         correction=Correction(Le(_sum_abs_gap, (K - 1) * Lgap(0) * t**2 / 2),
                               follows_from(derive=lambda ctx: ctx.claim("(25)").subs(Ham(0), ctx.claim("(26')").rhs),
                                            how="corrected (25) with H_0 = L(w(0)) - L*"),
                               note="(K - 1)(L(w(0)) - L*) t^2 / 2"),
         note="inherits the gap of (25)"),
)
