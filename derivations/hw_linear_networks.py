"""Linear neural networks (seed 003, Part 3): balancedness of partial products, the dynamics of W = U U^T, and
the end-to-end dynamics for a row-vector output.

Setting and assumptions
    Deep linear network ``W_{1:N} = W_N ... W_1`` trained by gradient flow on ``phi(W_1..W_N) = l(W_{1:N})``
    from a balanced initialisation (``W_{j+1}^T W_{j+1} = W_j W_j^T``), so that (proof sketch from class,
    Arora-Cohen-Hazan 2018) ``W_j(t) = V_{j+1} D_j Sigma V_j^T`` with orthogonal ``V_j``, diagonal sign
    matrices ``D_j`` and a common diagonal ``Sigma >= 0``.  Q2: ``phi(U) = l(U U^T)``, ``U' = -grad phi(U)``.
    Q3: output dimension 1, so ``W_{1:N}`` is a row vector.  Symbolic checks: d = 2 with rational (Cayley)
    rotations for Q1, d = 2 matrices for Q2, a row vector in R^3 for Q3.

Claim (seed 003, Section 3.1-3.3; identities)
    Q1 ``W_{1:j}^T W_{1:j} = (W_{1:N}^T W_{1:N})^{j/N}``.  Q2 ``W' = -(grad l^T + grad l) W - W (grad l^T + grad l)^T``
    with ``grad l = grad l(W)``.  Q3 ``W' = -|W|^{2 - 2/N} grad l - (N - 1) |W|^{-2/N} <grad l, W> W`` (= Arora-Cohen-Hazan).

Steps
    Q1.(*) partial product, Q1.(**) Gram form, Q1.(***) D^2 = I, Q1.pow (V S V^T)^2j, Q1.root spectral power,
    Q1.traj along simulated gradient flow; Q2.product, Q2.inner (the trace computation), Q2.gradphi, Q2.final,
    Q2.fd finite differences along simulated flow; Q3.cited (class formula), Q3.scalar, Q3.eig, Q3.pow, Q3.sum,
    Q3.inner, Q3.ach (agreement with ACH), Q3.traj simulated deep linear network.

Notation
    ``a_k`` Cayley parameters of V_k; ``s_1, s_2`` singular values; ``e_kj`` diagonal of D_k; ``r = |W|``.

References
    S. Arora, N. Cohen, E. Hazan, "On the optimization of deep networks: implicit acceleration by
    overparameterization", ICML 2018 (Theorem 1 and its row-vector corollary).

Example
    >>> import derivations
    >>> print(derivations.get("hw_linear_networks").check("Q3.ach"))  # doctest: +SKIP
"""

from __future__ import annotations

import sympy as sp
from sympy import Derivative as D
from sympy import Eq

from derivations import Assumption, Step, cited, identity, trajectory

ID = "hw_linear_networks"
TITLE = "Part 3: linear networks - balancedness W_{1:j}^T W_{1:j} = (W^T W)^{j/N}, dynamics of U U^T, row-vector end-to-end dynamics"
SOURCE = "003_a66580aa34c3f32a.txt, Section 3 ('Part 3 - Linear Neural Networks'), Questions 1-3"

t = sp.symbols("t", real=True)
s1, s2, r = sp.symbols("s_1 s_2 r", positive=True)
Nn, jj = sp.symbols("N j", positive=True, integer=True)
p = sp.symbols("p", positive=True)
I2 = sp.eye(2)


def _lin(pairs, tag):
    """sum_e r_e (lhs_e - rhs_e) with free symbols r_e: identically 0 iff every entry agrees."""
    out = []
    for b, (L, R) in enumerate(pairs):
        for e, (x, y) in enumerate(zip(L, R)):
            out.append(sp.Symbol(f"c_{tag}{b}{e}", real=True) * (x - y))
    return sp.Add(*out)


def _cayley(a):
    S = sp.Matrix([[0, a], [-a, 0]])
    return (I2 - S) * (I2 + S).inv()


a_ = sp.symbols("a_1:5", real=True)
V = [None] + [_cayley(a) for a in a_]  # V[1..4]
Sig = sp.diag(s1, s2)
Dsym = [None] + [sp.diag(sp.Symbol(f"e_{k}1", real=True), sp.Symbol(f"e_{k}2", real=True)) for k in (1, 2, 3)]
Dsign = [None, sp.diag(1, -1), sp.diag(-1, 1), sp.diag(-1, -1)]


def _layers(Dm, Vm):
    return [None] + [Vm[k + 1] * Dm[k] * Sig * Vm[k].T for k in (1, 2, 3)]


def _rot(c, s_):
    return sp.Matrix([[c, -s_], [s_, c]])


#: exact rational rotations (Pythagorean triples) for the larger Gram checks
Vc = [None, _rot(sp.Rational(3, 5), sp.Rational(4, 5)), _rot(sp.Rational(5, 13), sp.Rational(12, 13)),
      _rot(sp.Rational(8, 17), sp.Rational(-15, 17)), _rot(sp.Rational(7, 25), sp.Rational(24, 25))]
Wsym = _layers(Dsym, V)
Wc, Wsgn = _layers(Dsym, Vc), _layers(Dsign, Vc)
P3sym = Wsym[3] * Wsym[2] * Wsym[1]
P3sgn = Wsgn[3] * Wsgn[2] * Wsgn[1]
P2sym = Wc[2] * Wc[1]
P2sgn = Wsgn[2] * Wsgn[1]

# Q2
U = sp.Matrix(2, 2, lambda i, j: sp.Function(f"U{i + 1}{j + 1}", real=True)(t))
Us = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"u_{i + 1}{j + 1}", real=True))
G = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"g_{i + 1}{j + 1}", real=True))
Dl = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"delta_{i + 1}{j + 1}", real=True))


def _inner(A, B):
    return sum(x * y for x, y in zip(A, B))


def _l(A):
    """An explicit l with a non-symmetric gradient."""
    return A[0, 1] * A[1, 0] ** 2 + A[0, 0] * A[0, 1] + sp.sin(A[1, 1])


def _grad_l(A):
    return sp.Matrix([[A[0, 1], A[1, 0] ** 2 + A[0, 0]], [2 * A[0, 1] * A[1, 0], sp.cos(A[1, 1])]])


# Q3: row vector w in R^3, gradient g
w = sp.Matrix(1, 3, lambda i, j: sp.Symbol(f"w_{j + 1}", real=True))
g = sp.Matrix(1, 3, lambda i, j: sp.Symbol(f"gl_{j + 1}", real=True))
nw = sp.sqrt(sum(x**2 for x in w))
gw = _inner(g, w)

ASSUMPTIONS = (
    Assumption("BAL", "balanced_svd_form", "W_j(t) = V_{j+1} D_j Sigma V_j^T, V orthogonal, D_j = diag(+-1), Sigma >= 0 "
               "diagonal (proof sketch from class; preserved by gradient flow from a balanced start)"),
    Assumption("FLOW", "gradient_flow_on_U", "U' = -grad phi(U), phi(U) = l(U U^T)"),
)

j_ = sp.Dummy("j", integer=True, positive=True)

STEPS = (
    Step("Q1.(*)", "q1_partial_product_form", Eq(_lin([(P3sym, V[4] * Sig**3 * Dsym[3] * Dsym[2] * Dsym[1] * V[1].T)], "a"), 0),
         identity(), uses=("BAL",),
         note="W_{1:3} = V_4 Sigma^3 D_3 D_2 D_1 V_1^T (d = 2, rational rotations, symbolic diagonal D_k): "
              "V_k^T V_k = I and diagonal matrices commute"),
    Step("Q1.(**)", "q1_gram_of_partial_product",
         Eq(_lin([(P2sym.T * P2sym, Vc[1] * Dsym[1] * Dsym[2] * Sig**4 * Dsym[2] * Dsym[1] * Vc[1].T)], "b"), 0),
         identity(), uses=("Q1.(*)",), note="checked for j = 2 with exact rational rotations V_k and symbolic Sigma, D_k (expression size)"),
    Step("Q1.(***)", "q1_gram_signs_cancel", Eq(_lin([(P2sgn.T * P2sgn, Vc[1] * Sig**4 * Vc[1].T)], "c"), 0), identity(),
         uses=("Q1.(**)",), note="D_k^2 = I (checked for j = 2 with the sign matrices diag(1,-1), diag(-1,1))"),
    Step("Q1.pow", "q1_power_of_V_sigma_VT",
         Eq(_lin([((V[1] * Sig * V[1].T) ** 6, V[1] * Sig**6 * V[1].T)], "d"), 0), identity(),
         note="(V_1 Sigma V_1^T)^{2j} = V_1 Sigma^{2j} V_1^T, here 2j = 6"),
    Step("Q1.root", "q1_spectral_power_of_end_to_end_gram", Eq(((s1 ** (2 * Nn)) ** (jj / Nn)), s1 ** (2 * jj), evaluate=False), identity(),
         note="(W_{1:N}^T W_{1:N})^{j/N} = (V_1 Sigma^{2N} V_1^T)^{j/N} = V_1 Sigma^{2j} V_1^T: the PSD power acts on each "
              "eigenvalue s^{2N} >= 0 (principal root)"),
    Step("Q1.traj", "q1_balancedness_along_gradient_flow", Eq(sp.Symbol("W1j_gram"), sp.Symbol("end_to_end_gram_power")),
         trajectory(), expect="holds_numerically", uses=("BAL",),
         note="checked along simulated gradient flow from a balanced start (the decomposition holds for all t)"),
    Step("Q2.product", "q2_product_rule",
         Eq(_lin([((U * U.T).applyfunc(lambda e: D(e, t)), U.applyfunc(lambda e: D(e, t)) * U.T + U * U.applyfunc(lambda e: D(e, t)).T)], "e"), 0),
         identity(), note="d/dt (U U^T) = U' U^T + U U'^T; the source's first line '(U(t) U'(t)^T)' is a conversion "
                          "artefact for (U(t) U(t)^T)'"),
    Step("Q2.inner", "q2_trace_computation",
         Eq(_inner(G, Us * Dl.T) + _inner(G, Dl * Us.T), _inner(G.T * Us + G * Us, Dl)), identity(),
         note="<grad l, U D^T> + <grad l, D U^T> = <grad l^T U + grad l U, D> (cyclic trace)"),
    Step("Q2.gradphi", "q2_gradient_of_phi",
         Eq(_lin([(Us.applyfunc(lambda u: D(_l(Us * Us.T), u)), (_grad_l(Us * Us.T).T + _grad_l(Us * Us.T)) * Us)], "f"), 0),
         identity(), uses=("Q2.inner",),
         note="grad phi(U) = (grad l^T + grad l)(U U^T) U, checked with an explicit l whose gradient is not symmetric"),
    Step("Q2.final", "q2_dynamics_of_W",
         Eq(_lin([(-(G.T + G) * Us * Us.T - Us * Us.T * (G.T + G).T, -((G.T + G) * Us) * Us.T - Us * ((G.T + G) * Us).T)], "h"), 0),
         identity(), uses=("Q2.product", "Q2.gradphi", "FLOW")),
    Step("Q2.fd", "q2_dynamics_match_finite_differences", Eq(sp.Symbol("W_dot_fd"), sp.Symbol("W_dot_formula")),
         trajectory(), expect="holds_numerically", uses=("FLOW",)),
    Step("Q3.cited", "q3_end_to_end_dynamics_from_class",
         Eq(sp.Symbol("W_dot"), sp.Symbol("minus_sum_j_WWT_pow_grad_WTW_pow")),
         cited("Arora, Cohen & Hazan (ICML 2018), Theorem 1: W' = -sum_j (W W^T)^{(j-1)/N} grad l (W^T W)^{(N-j)/N} "
               "for balanced initialisation"), expect="cited",
         note="the simulation Q3.traj checks this formula and the simplified one against a deep linear network"),
    Step("Q3.scalar", "q3_row_vector_gram_is_scalar", Eq((r**2) ** ((jj - 1) / Nn), r ** ((2 * jj - 2) / Nn), evaluate=False), identity(),
         note="W W^T = |W|^2 for a row vector"),
    Step("Q3.eig", "q3_eigenvector_of_rank_one_gram",
         Eq(_lin([(w.T * w * w.T, nw**2 * w.T)], "i"), 0), identity()),
    Step("Q3.pow", "q3_power_of_rank_one_gram", Eq((r**2) ** p / r**2, r ** (2 * p - 2), evaluate=False), identity(),
         note="(W^T W)^p = |W|^{2p} u u^T with u = W^T/|W|, i.e. |W|^{2p-2} W^T W, for p > 0 (p = 0 gives I: the "
              "source treats j = N separately)"),
    Step("Q3.sum", "q3_sum_of_exponents",
         Eq(sp.Sum(r ** ((2 * j_ - 2) / Nn) * r ** (2 * (Nn - j_) / Nn - 2), (j_, 1, Nn - 1)), (Nn - 1) * r ** (-2 / Nn), evaluate=False),
         identity(), note="each term is |W|^{(2j-2)/N + 2(N-j)/N - 2} = |W|^{-2/N}"),
    Step("Q3.inner", "q3_grad_WT_W_is_inner_product_times_W", Eq(_lin([(g * w.T * w, gw * w)], "k"), 0, evaluate=False), identity()),
    Step("Q3.ach", "q3_agrees_with_arora_cohen_hazan",
         Eq(_lin([(-nw ** (2 - sp.Rational(2, 3)) * g - 2 * nw ** sp.Rational(-2, 3) * gw * w,
                   -nw ** (2 - sp.Rational(2, 3)) * (g + 2 * _inner(g, w / nw) * w / nw))], "m"), 0), identity(),
         note="the source's final formula equals ACH's -|W|^{2-2/N} (grad l + (N-1) <grad l, W/|W|> W/|W|) (shown for N = 3, "
              "d = 3; the exponent algebra for general N is Q3.sum)"),
    Step("Q3.traj", "q3_matches_simulated_deep_linear_network", Eq(sp.Symbol("W_e2e_sim"), sp.Symbol("W_e2e_formula")),
         trajectory(), expect="holds_numerically",
         note="a deep linear network (N = 2, 3, 4) under gradient flow from a balanced start vs the end-to-end ODE"),
)
