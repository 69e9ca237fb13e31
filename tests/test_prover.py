"""The tiered prover: each tier decides the facts it should, and each can fail."""

from __future__ import annotations

import sympy as sp
import pytest

from derivations import (
    HOLDS_NUMERICALLY,
    INCONCLUSIVE,
    PROVED,
    REFUTED,
    InvalidParameter,
    check_identity,
    check_inequality,
    check_nonnegative,
)

x, a, b = sp.symbols("x a b", real=True)
mu, L, t = sp.symbols("mu L t", positive=True)


def test_square_needs_more_than_sympy_assumptions_and_z3_alone_proves_it():
    expr = x**2 - 2 * x + 1
    assert expr.is_nonnegative is None  # SymPy's assumptions alone cannot decide it
    v = check_nonnegative(expr, tiers=("z3",))
    assert (v.status, v.tier) == (PROVED, "z3")


def test_square_proved_by_full_prover():
    v = check_inequality(x**2 - 2 * x + 1 >= 0)
    assert v.status == PROVED and v.tier in ("sympy", "z3")


def test_am_gm_two_squares_proved():
    v = check_inequality(a**2 + b**2 >= 2 * a * b)
    assert v.status == PROVED


def test_am_gm_two_squares_proved_by_z3_alone():
    assert check_inequality(a**2 + b**2 >= 2 * a * b, tiers=("z3",)).status == PROVED


def test_exp_tangent_line_holds_numerically_with_domain_stated():
    v = check_inequality(sp.exp(x) >= 1 + x)
    assert v.status in (PROVED, HOLDS_NUMERICALLY)
    if v.status == HOLDS_NUMERICALLY:
        assert v.tier == "numeric"
        assert "x" in v.details["searched"]
        assert v.details["points"] > 1000


def test_x_squared_ge_x_refuted_with_counterexample():
    v = check_inequality(x**2 >= x)
    assert v.status == REFUTED
    cx = sp.Rational(v.details["counterexample"]["x"])
    assert cx**2 < cx  # the counterexample really violates the claim


def test_numeric_tier_alone_refutes_x_squared_ge_x():
    v = check_inequality(x**2 >= x, tiers=("numeric",))
    assert v.status == REFUTED and v.tier == "numeric"
    cx = sp.Rational(v.details["counterexample"]["x"])
    assert 0 < cx < 1


def test_sympy_tier_alone_does_not_refute_and_does_not_prove_false_claim():
    v = check_inequality(x**2 >= x, tiers=("sympy",))
    assert v.status == INCONCLUSIVE


def test_side_conditions_are_used():
    assert check_inequality(sp.Le(mu, L), conditions=[sp.Le(mu, L)]).status == PROVED
    v = check_inequality(sp.Le(L, mu), conditions=[sp.Le(mu, L)])
    assert v.status == REFUTED
    cx = {k: sp.Rational(val) for k, val in v.details["counterexample"].items()}
    assert cx["mu"] <= cx["L"] and cx["L"] > cx["mu"]


def test_condition_gamma_gt_3():
    g = sp.Symbol("gamma", positive=True)
    assert check_inequality(sp.Gt(2 * g / 3, 2), conditions=[g > 3]).status == PROVED
    assert check_inequality(sp.Gt(2 * g / 3, 2), conditions=[g > 2]).status == REFUTED


def test_sqrt_am_gm_proved_with_abstraction():
    v = check_inequality(sp.sqrt(mu * L) <= (mu + L) / 2)
    assert v.status == PROVED


def test_strict_inequality_at_equality_point_refuted():
    v = check_inequality(sp.Gt(x**2, 0))
    assert v.status == REFUTED
    assert sp.Rational(v.details["counterexample"]["x"]) == 0


def test_strict_false_claim_numeric_only():
    v = check_inequality(sp.Gt(t * (1 - t), 0), tiers=("numeric",))
    assert v.status == REFUTED


def test_empty_parameter_region_is_an_error():
    with pytest.raises(InvalidParameter, match="conditions"):
        check_inequality(x >= 0, conditions=[x > 5, x < 4], tiers=("numeric",))


def test_bad_tier_name_rejected():
    with pytest.raises(InvalidParameter, match="tiers"):
        check_nonnegative(x**2, tiers=("magic",))


# ----------------------------------------------------------------------------- identities


def test_identity_proved_with_spot_check():
    f = sp.Function("f")
    v = check_identity(sp.diff(f(t) ** 2, t), 2 * f(t) * sp.diff(f(t), t))
    assert v.status == PROVED and v.details["spot_checks"] >= 5


def test_wrong_identity_refuted_by_random_functions():
    f = sp.Function("f")
    v = check_identity(sp.diff(f(t) ** 2, t), f(t) * sp.diff(f(t), t))
    assert v.status == REFUTED


def test_identity_only_on_a_branch_is_refuted():
    v = check_identity(sp.sqrt(x**2), x)
    assert v.status == REFUTED
    assert sp.Rational(v.details["counterexample"]["x"]) < 0


def test_identity_true_on_positive_branch_proved():
    assert check_identity(sp.sqrt(t**2), t).status == PROVED


def test_true_identity_sympy_cannot_reduce_is_inconclusive_not_proved():
    # atan(t) + atan(1/t) = pi/2 for t > 0: true, but SymPy's simplify does not reduce it
    lhs = sp.atan(t) + sp.atan(1 / t)
    assert sp.simplify(lhs - sp.pi / 2) != 0
    v = check_identity(lhs, sp.pi / 2)
    assert v.status == INCONCLUSIVE
    assert v.details["spot_checks"] >= 5 and v.details["max_relative_difference"] < 1e-30


def test_branch_dependent_arctan_identity_refuted_for_real_argument():
    # the same identity is false for negative arguments (it is -pi/2 there)
    v = check_identity(sp.atan(x) + sp.atan(1 / x), sp.pi / 2)
    assert v.status == REFUTED


def test_polynomial_identity_proved_by_z3_when_sympy_tier_is_off():
    v = check_identity((a + b) ** 2, a**2 + 2 * a * b + b**2, tiers=("z3",))
    assert (v.status, v.tier) == (PROVED, "z3")


def test_polynomial_non_identity_refuted_by_z3():
    v = check_identity((a + b) ** 2, a**2 + b**2, tiers=("z3",))
    assert v.status == REFUTED


def test_equal_function_arguments_written_differently_get_equal_values():
    # regression: the random-jet spot check must depend on the value of the argument, not its form
    u, a, b = sp.symbols("u a b", real=True)
    g = sp.Function("g")
    assert check_identity(g(u + a * (u - b)), g(a * u - a * b + u)).status == PROVED
    assert check_identity(g(u + a * (u - b)), g(a * u - a * b + 2 * u)).status == REFUTED


def test_chain_rule_through_composite_argument():
    f = sp.Function("f")
    xi = sp.Symbol("xi")
    lhs = sp.diff(f(2 * t) ** 2, t)
    assert check_identity(lhs, 4 * f(2 * t) * sp.Subs(sp.Derivative(f(xi), xi), xi, 2 * t)).status == PROVED
    assert check_identity(lhs, 2 * f(2 * t) * sp.Subs(sp.Derivative(f(xi), xi), xi, 2 * t)).status == REFUTED


def test_identity_with_conditions_on_other_symbols_is_still_checked():
    g = sp.Symbol("gamma", positive=True)
    v = check_identity(x**2, x**3, conditions=[g > 3])
    assert v.status == REFUTED
    assert check_identity((x + 1) ** 2, x**2 + 2 * x + 1, conditions=[g > 3]).status == PROVED


def test_text_is_refused_not_parsed():
    with pytest.raises(InvalidParameter, match="text is not parsed"):
        check_nonnegative("__import__('os').system('true')")
    with pytest.raises(InvalidParameter, match="text is not parsed"):
        check_identity("x", x)
    assert check_nonnegative(sp.Integer(0) + 2).status == PROVED
