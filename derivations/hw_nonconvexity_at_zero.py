"""Non-convexity of deep-network losses (seed 003, Part 1): with sigma(0) = 0 and at least two layers the
gradient at the all-zero weights vanishes, so if some weights beat L(0) the loss is not convex.

Setting and assumptions
    ``h_W(x) = W^(N) sigma(... W^(2) sigma(W^(1) x) ...)`` without biases, ``N >= 2``; ``sigma`` and the
    loss ``l`` continuously differentiable, ``sigma(0) = 0``; ``L(W) = l(h_W(x))`` depends on the weights
    only through the network's outputs on the (finite) training inputs.  Hypothesis: some ``W'`` has
    ``L(W') < L(0)``.  The symbolic checks use explicit small networks with a generic ``sigma`` and a
    generic ``l`` (undefined functions): N = 3 with widths 2-2-2-1, and N = 2 with widths 2-2-1.

Claim (seed 003, Section 1.1; a qualitative statement)
    ``grad L(0) = 0`` (lemma ``d(Ax)/dA_ij = x_j e_i``, then the chain rule), hence by the first-order
    characterisation of convexity ``L(W') >= L(0)``, contradicting ``L(W') < L(0)``: L is not convex.

Steps
    Lemma (identity, A 2x3); conv (cited); grad.n>1 (layers n >= 2: the input sigma(0) = 0 to layer n);
    grad.n=1 (layer 1: the factor W^(2) = 0); grad0.N2 (all layers of a two-layer net); (**) L(W') >= L(0);
    FD (finite differences on random tanh networks); nonconvex (an explicit chord violation).

Notation
    ``A[i, j]`` entries of A; ``W1, W2, W3`` the layer matrices; ``Lp = L(W')``, ``L0 = L(0)``,
    ``G = <grad L(0), W'>``.

References
    I. Goodfellow, Y. Bengio, A. Courville, Deep Learning (2016), Section 8.2 (non-convexity, symmetric saddle at 0);
    S. Boyd, L. Vandenberghe, Convex Optimization (2004), Section 3.1.3 (first-order condition).

Example
    >>> import derivations
    >>> print(derivations.get("hw_nonconvexity_at_zero").check())  # doctest: +SKIP
"""

from __future__ import annotations

import sympy as sp
from sympy import Derivative as D
from sympy import Eq, Ge, Le

from derivations import Assumption, Step, cited, follows_from, identity, trajectory

ID = "hw_nonconvexity_at_zero"
TITLE = "Part 1: grad L(0) = 0 for deep networks with sigma(0) = 0, hence L is not convex if some W' beats L(0)"
SOURCE = "003_a66580aa34c3f32a.txt, Section 1 ('Part 1'), Question 1"

sigma, ell = sp.Function("sigma", real=True), sp.Function("l", real=True)
Lp, L0, G = sp.symbols("L_Wp L_0 G", real=True)

# the lemma: A in R^{2x3}, x in R^3
A = sp.Matrix(2, 3, lambda i, j: sp.Symbol(f"A_{i + 1}{j + 1}", real=True))
xv = sp.Matrix(3, 1, lambda i, j: sp.Symbol(f"x_{i + 1}", real=True))
Ax = A * xv
lemma_residual = sum((D(Ax[kk], A[i, j]) - (xv[j] if kk == i else 0)) ** 2
                     for kk in range(2) for i in range(2) for j in range(3))


def _net(widths, prefix):
    """Weights and the scalar output h of a bias-free net with widths (d0, ..., dN), generic sigma, input x."""
    x = sp.Matrix(widths[0], 1, lambda i, j: sp.Symbol(f"x_{i + 1}", real=True))
    Ws, z = [], x
    for n in range(1, len(widths)):
        W = sp.Matrix(widths[n], widths[n - 1], lambda i, j, n=n: sp.Symbol(f"{prefix}{n}_{i + 1}{j + 1}", real=True))
        Ws.append(W)
        a = W * z
        z = a.applyfunc(sigma) if n < len(widths) - 1 else a
    return Ws, z[0, 0]


W3net, h3 = _net((2, 2, 2, 1), "W")
W2net, h2 = _net((2, 2, 1), "V")
zero3 = {w: 0 for W in W3net for w in W}
zero2 = {w: 0 for W in W2net for w in W}


def _grad_sq_at_zero(h, Ws, zero, layers):
    """sum of squared partial derivatives of l(h) w.r.t. the entries of the given layers, at W = 0 (unevaluated)."""
    return sum(D(ell(h), w).subs(zero) ** 2 for n in layers for w in Ws[n - 1])


ASSUMPTIONS = (
    Assumption("SIGMA0", "activation_vanishes_at_zero", "sigma(0) = 0", Eq(sigma(0), 0)),
    Assumption("CONVEX", "first_order_convexity", "L convex: L(W') >= L(0) + <grad L(0), W' - 0>", Le(L0 + G, Lp)),
    Assumption("BEAT", "some_weights_beat_zero", "L(W') < L(0)", sp.Lt(Lp, L0)),
)

STEPS = (
    Step("Lemma", "lemma_derivative_of_Ax_wrt_A", Eq(lemma_residual, 0), identity(),
         note="d(Ax)/dA_ij = x_j e_i, checked entrywise for A in R^{2x3} (sum of squared differences = 0)"),
    Step("conv", "convex_first_order_condition", Le(L0 + G, Lp),
         cited("first-order characterisation of differentiable convex functions (Boyd & Vandenberghe 2004, eq. 3.2)"),
         expect="cited"),
    Step("grad.n>1", "grad_layers_above_first_vanish_of_sigma0", Eq(_grad_sq_at_zero(h3, W3net, zero3, (2, 3)), 0),
         follows_from(subs={sigma(0): 0}), uses=("SIGMA0", "Lemma"),
         note="layers n >= 2 of a 3-layer net (2-2-2-1), generic sigma and l: by the lemma dL/dW^(n)_ij carries the "
              "factor sigma(...)_j = sigma(0) = 0 (layer 3 also the factor W^(3) = 0 for layer 2)"),
    Step("grad.n=1", "grad_first_layer_vanishes_of_second_layer_zero",
         Eq(_grad_sq_at_zero(h3, W3net, zero3, (1,)), 0), identity(),
         note="layer 1: the chain rule carries the factor W^(2) = 0 (no use of sigma(0)); needs N >= 2"),
    Step("grad0.N2", "grad_at_zero_two_layer_net", Eq(_grad_sq_at_zero(h2, W2net, zero2, (1, 2)), 0),
         follows_from(subs={sigma(0): 0}), uses=("SIGMA0",),
         note="the smallest admissible depth N = 2 (2-2-1), all layers"),
    Step("(**)", "loss_at_Wprime_ge_loss_at_zero", Ge(Lp, L0),
         follows_from(derive=lambda ctx: ctx.claim("CONVEX").subs(G, 0), how="CONVEX with <grad L(0), W'> = 0"),
         uses=("CONVEX", "grad.n>1", "grad.n=1"),
         note="(**) = L(0) + sum_n <0, W^(n)'> = L(0) <= L(W'), contradicting L(W') < L(0)"),
    Step("FD", "grad_at_zero_finite_differences", Eq(sp.Symbol("grad_L_0_norm"), 0), trajectory(),
         expect="holds_numerically", note="central finite differences on random tanh networks (numeric_checks)"),
    Step("nonconvex", "loss_not_convex_explicit_chord", Le(sp.Symbol("L_tWp"), (1 - sp.Symbol("tau")) * L0 + sp.Symbol("tau") * Lp),
         trajectory(), expect="refuted",
         note="the convexity chord inequality L(tau W') <= (1 - tau) L(0) + tau L(W') fails for an explicit W' with "
              "L(W') < L(0): the conclusion 'L is not convex' confirmed on instances (this refutation is the "
              "source's conclusion, not a finding)"),
)
