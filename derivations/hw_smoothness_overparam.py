"""Smoothness of over-parameterised objectives phi(W_1, ..., W_N) = l(W_N ... W_1) (seed 003, Part 2, Question 3).

Setting and assumptions
    ``W_j in R^{d x d}``, ``W_{1:N} = W_N ... W_1``, ``phi(W) = l(W_{1:N})`` with ``l`` twice continuously
    differentiable (the source assumes grad l is C^1); ``N >= 2`` (for N = 1, phi = l and Claim 2 fails for
    any smooth non-affine l).  Norms are Frobenius.  The symbolic checks use d = 2 with symbolic entries,
    N = 2 or 3, and an explicit non-affine ``l`` where one is needed.

Claim (seed 003, Section 2.3; qualitative)
    Claim 1: grad phi is Lipschitz on every bounded set B x ... x B.  Claim 2: phi is beta-smooth (globally)
    iff l is constant, or l is affine and N = 2 (then with constant |C|, C = grad l).

Steps
    C1.grad gradient formula grad phi_j = W_{j+1:N}^T grad l(W_{1:N}) W_{1:j-1}^T (N = 3); C1.lip Claim 1
    (cited: continuous Hessian on a compact convex set, with a numeric estimate of the constant);
    C2.const; C2.affine.grad, C2.affine.transpose, C2.affine.lip (|C|-Lipschitz for N = 2);
    C2.nonaffine.* scaling (W_2 -> alpha W_2, W_1 -> W_1/alpha) and C2.affineN3.* scaling
    (W_2 -> W_2/alpha, W_3 -> alpha W_3); C2.contra (alpha -> oo); C2.ratio numeric growth of the
    difference quotient.

Notation
    ``Wk_ij`` entries of W_k, ``Tk_ij`` of the second point W~_k; ``alpha > 1`` the scale; ``C``/``B`` the constant
    gradient of an affine l; ``D = grad l(W_{1:N}) - grad l(W~_{1:N})``.

References
    S. Arora, N. Cohen, E. Hazan, "On the optimization of deep networks: implicit acceleration by
    overparameterization", ICML 2018 (gradient of the end-to-end objective).

Example
    >>> import derivations
    >>> print(derivations.get("hw_smoothness_overparam").check("C2.affine.lip"))  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Le

from derivations import (HOLDS_NUMERICALLY, REFUTED, Assumption, Step, Verdict, cited, follows_from, identity,
                         inequality, trajectory)

ID = "hw_smoothness_overparam"
TITLE = "Part 2 Q3: grad of l(W_N...W_1) is locally Lipschitz; globally smooth iff l constant or (l affine and N = 2)"
SOURCE = "003_a66580aa34c3f32a.txt, Section 2.3 ('Question 3'), Claims 1-2"

alpha = sp.symbols("alpha", positive=True)
beta_, n1, m1 = sp.symbols("beta n_1 m", positive=True)
CONDITIONS = (alpha > 1,)


def _M(name):
    return sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"{name}_{i + 1}{j + 1}", real=True))


W1, W2, W3 = _M("W1"), _M("W2"), _M("W3")
T1 = _M("T1")
C = _M("C")
Dm = _M("D")
I2 = sp.eye(2)


def _fro2(M):
    return sum(e**2 for e in M)


def _lin(pairs, tag):
    """sum_e r_e (lhs_e - rhs_e) with fresh symbols r_e: identically 0 iff every entry agrees (no squaring)."""
    terms = []
    for b, (L, R) in enumerate(pairs):
        for e, (x, y) in enumerate(zip(L, R)):
            terms.append(sp.Symbol(f"r_{tag}{b}{e}", real=True) * (x - y))
    return sp.Add(*terms)


def _grad_l(P):
    """Gradient of the explicit non-affine l(A) = A11^2 A22 + sin(A12) + A21^3 + A12 A21 at P."""
    return sp.Matrix([[2 * P[0, 0] * P[1, 1], sp.cos(P[0, 1]) + P[1, 0]],
                      [3 * P[1, 0] ** 2 + P[0, 1], P[0, 0] ** 2]])


def _l(P):
    return P[0, 0] ** 2 * P[1, 1] + sp.sin(P[0, 1]) + P[1, 0] ** 3 + P[0, 1] * P[1, 0]


def _grad_phi_sympy(phi, W):
    return W.applyfunc(lambda w: sp.Derivative(phi, w))


# gradient formula, N = 3
P3 = W3 * W2 * W1
phi3 = _l(P3)
formula = [(W3 * W2).T * _grad_l(P3), W3.T * _grad_l(P3) * W1.T, _grad_l(P3) * (W2 * W1).T]
grad_resid = _lin([(_grad_phi_sympy(phi3, W), F) for W, F in zip((W1, W2, W3), formula)], "g")

# affine l, N = 2: l(A) = <C, A> + c0
c0 = sp.Symbol("c_0", real=True)
phi2_aff = sum((C.multiply_elementwise(W2 * W1))) + c0
aff_resid = _lin([(_grad_phi_sympy(phi2_aff, W1), W2.T * C), (_grad_phi_sympy(phi2_aff, W2), C * W1.T)], "a")

# constant l: grad l = Gc with Gc = 0
Gc = _M("G")
const_resid = _lin([(F, sp.zeros(2)) for F in ((W3 * W2).T * Gc, W3.T * Gc * W1.T, Gc * (W2 * W1).T)], "c")

# N = 2 affine Lipschitz bound with |C| Frobenius: deltas Delta1, Delta2
Dl1, Dl2 = _M("d1"), _M("d2")

# non-affine scaling (N = 3): hat W2 = alpha W2, hat W1 = W1/alpha, bar W1 = T1/alpha
hatW1, barW1, hatW2 = W1 / alpha, T1 / alpha, alpha * W2
prod_resid = _lin([(W3 * hatW2 * hatW1, W3 * W2 * W1), (W3 * hatW2 * barW1, W3 * W2 * T1)], "p")

# affine N = 3 scaling: hat W2 = W2/alpha, hat W3 = alpha W3 (W1, T1 unchanged); block 2 difference
B = _M("B")

ASSUMPTIONS = (
    Assumption("C2L", "l_twice_continuously_differentiable", "grad l is C^1 (the source's assumption for Claim 1)"),
    Assumption("CONST", "l_constant", "l constant: grad l = G = 0"),
    Assumption("NGE2", "depth_at_least_two", "N >= 2 (Claim 2 is false for N = 1)"),
)


def _lipschitz_estimate(ctx, claim) -> Verdict:
    """Estimate sup |grad phi(W) - grad phi(W~)| / |W - W~| over the ball of radius r (N = 3, d = 2, l = 1/2|A - Y|^2)."""
    rng = np.random.default_rng(9)
    Y = rng.standard_normal((2, 2))

    def grad(ws):
        w1, w2, w3 = ws
        G = w3 @ w2 @ w1 - Y
        return np.concatenate([(w3 @ w2).T @ G, w3.T @ G @ w1.T, G @ (w2 @ w1).T], axis=None)
    est = {}
    for r in (0.5, 1.0, 2.0):
        best = 0.0
        for _ in range(3000):
            a = rng.standard_normal((3, 2, 2)); a *= r * rng.uniform() / np.linalg.norm(a)
            b = a + rng.standard_normal((3, 2, 2)) * 1e-3 * rng.uniform(0.1, 1)
            if np.linalg.norm(b) > r:
                continue
            best = max(best, np.linalg.norm(grad(list(a)) - grad(list(b))) / np.linalg.norm(a - b))
        est[r] = best
    ok = all(np.isfinite(v) for v in est.values()) and est[0.5] <= est[1.0] * 1.5 <= est[2.0] * 3
    return Verdict(HOLDS_NUMERICALLY if ok else REFUTED, "numeric",
                   "Lipschitz constant of grad phi on the ball |W| <= r (N = 3, d = 2, l = 1/2|A - Y|^2; 3000 nearby "
                   "pairs each): estimates " + ", ".join(f"r = {r}: {v:.3g}" for r, v in est.items())
                   + " (finite, growing with r, as Claim 1 and Claim 2 predict)", {"estimates": est})


STEPS = (
    Step("C1.grad", "c1_gradient_formula_end_to_end", Eq(grad_resid, 0), identity(),
         note="grad phi_j = W_{j+1:N}^T grad l(W_{1:N}) W_{1:j-1}^T, checked for N = 3, d = 2 with symbolic weights "
              "and the explicit non-affine l(A) = A11^2 A22 + sin A12 + A21^3 + A12 A21 (entrywise, as sum_e r_e (lhs_e - rhs_e) = 0 for free r_e)"),
    Step("C1.lip", "c1_gradient_lipschitz_on_bounded_sets", Le(sp.Symbol("Lip_B"), sp.oo),
         cited("a C^1 map with continuous (hence bounded) derivative on a compact convex set is Lipschitz there "
               "(mean value inequality); Hessian of phi continuous as grad l is C^1 and W -> W_{1:N} is polynomial",
               check=_lipschitz_estimate), uses=("C2L",), expect="cited",
         note="correct given the source's extra assumption that grad l is C^1; 'hyper-sphere' means the ball"),
    Step("C2.const", "c2_constant_l_gradient_zero", Eq(const_resid, 0),
         follows_from(subs={g: 0 for g in Gc}), uses=("CONST",),
         note="grad l = 0 makes every block 0, so grad phi is 0-Lipschitz (the source says 1-smooth; any beta >= 0 works)"),
    Step("C2.affine.grad", "c2_affine_l_gradient_blocks", Eq(aff_resid, 0), identity(),
         note="N = 2, l(A) = <C, A> + c0: grad phi_1 = W_2^T C, grad phi_2 = C W_1^T"),
    Step("C2.affine.transpose", "c2_affine_transpose_inside_norm",
         Eq(_fro2((W2 - T1).T * C), _fro2(C.T * (W2 - T1)), evaluate=False), identity(),
         note="|(W_2 - W~_2)^T C| = |C^T (W_2 - W~_2)| (transpose; T1 plays W~_2 here)"),
    Step("C2.affine.lip", "c2_affine_gradient_C_lipschitz",
         Le(_fro2(C.T * Dl2) + _fro2(C * Dl1), _fro2(C) * (_fro2(Dl1) + _fro2(Dl2))), inequality(),
         expect=HOLDS_NUMERICALLY,
         note="|(C^T D2, C D1)|^2 <= |C|^2 (|D1|^2 + |D2|^2) with Frobenius |C| (Cauchy-Schwarz per entry; true, "
              "also with the smaller spectral norm); a degree-4 polynomial inequality in 12 variables that the prover "
              "confirms only numerically"),
    Step("C2.nonaffine.product", "c2_scaling_keeps_end_to_end_product", Eq(prod_resid, 0), identity(),
         note="N = 3: alpha W_2 and W_1/alpha (and W~_1/alpha) leave W_{1:N} unchanged, so D is unchanged"),
    Step("C2.nonaffine.lower", "c2_lower_bound_scales_with_alpha",
         Eq(_fro2((W3 * hatW2).T * Dm), alpha**2 * _fro2((W3 * W2).T * Dm)), identity(),
         note="|hat W_{2:N}^T D| = alpha |W_{2:N}^T D|. The source does not say why W_{2:N}^T D != 0; choosing "
              "W_j = I (j >= 2), W_1 = A, W~_1 = A~ with grad l(A) != grad l(A~) makes it |D| > 0"),
    Step("C2.nonaffine.upper", "c2_upper_bound_shrinks_with_alpha",
         Eq(_fro2(hatW1 - barW1), _fro2(W1 - T1) / alpha**2, evaluate=False), identity(),
         note="beta |hat W_1 - bar W_1| = (beta/alpha) |W_1 - W~_1|"),
    Step("C2.affineN3.block", "c2_affine_N3_block2_difference",
         Eq(_fro2(W3.T * B * W1.T - W3.T * B * T1.T), _fro2(W3.T * B * (W1 - T1).T), evaluate=False), identity(),
         note="N = 3, grad l = B: grad phi_2 = W_{3:N}^T B W_1^T, so the block-2 difference is W_{3:N}^T B (W_1 - W~_1)^T"),
    Step("C2.affineN3.scale", "c2_affine_N3_lower_bound_scales",
         Eq(_fro2((alpha * W3).T * B * (W1 - T1).T), alpha**2 * _fro2(W3.T * B * (W1 - T1).T), evaluate=False), identity(),
         note="W_2 -> W_2/alpha, W_3 -> alpha W_3 keeps the product and the distance and multiplies the block-2 "
              "difference by alpha (nonzero for W_j = I, B (W_1 - W~_1)^T != 0, possible as B != 0; not argued)"),
    Step("C2.contra", "c2_contradiction_for_large_alpha", sp.Lt(beta_ * n1 / alpha, alpha * m1),
         inequality(conditions=(alpha**2 > beta_ * n1 / m1,)),
         note="beta |W_1 - W~_1|/alpha >= alpha |W_{2:N}^T D| fails once alpha^2 > beta n1/m (n1, m > 0)"),
    Step("C2.ratio", "c2_difference_quotient_unbounded", Le(sp.Symbol("ratio_alpha"), sp.Symbol("beta_phi")),
         trajectory(), expect=REFUTED,
         note="numerically, |grad phi(hat W) - grad phi(bar W)| / |hat W - bar W| grows like alpha^2 (non-affine l, "
              "N = 2) and alpha (affine l, N = 3) and stays <= |C|_2 for affine l, N = 2: no global beta exists in "
              "the first two cases (this refutes global smoothness, as the source claims; not a finding)"),
)
