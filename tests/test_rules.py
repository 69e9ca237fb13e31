"""Every rule proves a true step and refutes (or leaves inconclusive) a deliberately wrong one."""

from __future__ import annotations

import types

import pytest
import sympy as sp
from sympy import Derivative as D
from sympy import Eq, Integral, Le

from derivations import (
    CITED,
    HOLDS_NUMERICALLY,
    INCONCLUSIVE,
    PROVED,
    REFUTED,
    Assumption,
    Derivation,
    EncodingError,
    Step,
    Verdict,
    by_parts,
    chain,
    cited,
    comparison,
    definition,
    differentiate,
    follows_from,
    identity,
    inequality,
    integrate,
    limit,
    numeric,
    sum_over,
    trajectory,
)

t, t0, s = sp.symbols("t t_0 s", positive=True)
H0 = sp.Symbol("H_0", positive=True)
x = sp.Symbol("x", real=True)
f, g, u, w = (sp.Function(n, real=True) for n in "fguw")
h, K = sp.symbols("h K", integer=True, positive=True)
alpha = sp.Function("alpha", real=True)


def _derivation(*steps, assumptions=(), conditions=()):
    mod = types.ModuleType("fake")
    mod.ID, mod.TITLE, mod.SOURCE = "fake", "fake", "tests"
    mod.STEPS, mod.ASSUMPTIONS, mod.CONDITIONS = tuple(steps), tuple(assumptions), tuple(conditions)
    return Derivation(mod)


def given(label, claim):
    """A hypothesis of a unit test: an assumption with an expression (not a checked step)."""
    return Assumption(label, f"hyp_{label}", "hypothesis of the test", claim)


def status(*steps, label=None, **kw):
    d = _derivation(*steps, **kw)
    res = d.check(label or steps[-1].label)[label or steps[-1].label]
    return res.verdict


def test_identity_rule():
    assert status(Step("a", "a", Eq(D(f(t) * g(t), t), D(f(t), t) * g(t) + f(t) * D(g(t), t)), identity())).status == PROVED
    assert status(Step("a", "a", Eq(D(f(t) * g(t), t), D(f(t), t) * D(g(t), t)), identity())).status == REFUTED


def test_identity_rule_rejects_inequality_claim():
    with pytest.raises(EncodingError):
        status(Step("a", "a", Le(x, x**2), identity()))


def test_differentiate_rule():
    assert status(Step("a", "a", Eq(D(t**3 * f(t), t), 3 * t**2 * f(t) + t**3 * D(f(t), t)), differentiate())).status == PROVED
    assert status(Step("a", "a", Eq(D(t**3 * f(t), t), 3 * t**2 * f(t)), differentiate())).status == REFUTED


def test_by_parts_rule():
    good = Eq(Integral(t * D(f(t), (t, 2)), t), t * D(f(t), t) - f(t))
    assert status(Step("a", "a", good, by_parts(t))).status == PROVED
    bad = Eq(Integral(t * D(f(t), (t, 2)), t), t * D(f(t), t) + f(t))
    assert status(Step("a", "a", bad, by_parts(t))).status == REFUTED


def test_integrate_rule_checks_the_lower_limit():
    good = Eq(f(t) - f(0), Integral(D(f(s), s), (s, 0, t)))
    assert status(Step("a", "a", good, integrate(t, lower=0))).status == PROVED
    off_by_constant = Eq(f(t), Integral(D(f(s), s), (s, 0, t)))
    assert status(Step("a", "a", off_by_constant, integrate(t, lower=0))).status != PROVED


def test_inequality_rule_with_conditions():
    mu, L = sp.symbols("mu L", positive=True)
    assert status(Step("a", "a", Le(1 - L / mu, 0), inequality()), conditions=(Le(mu, L),)).status == PROVED
    assert status(Step("a", "a", Le(1 - mu / L, 0), inequality()), conditions=(Le(mu, L),)).status == REFUTED


def test_inequality_with_function_values_is_never_refuted_by_abstraction():
    # f(t)^2 >= f(t) is false for some functions, but a point of free reals is not a trajectory
    v = status(Step("a", "a", sp.Ge(f(t) ** 2, f(t)), inequality()))
    assert v.status == INCONCLUSIVE
    assert status(Step("a", "a", sp.Ge(f(t) ** 2 + D(f(t), t) ** 2, 0), inequality())).status == PROVED


def test_follows_from_by_solving_a_used_equation():
    ode = given("ode", Eq(D(u(t), (t, 2)) + 3 / t * D(u(t), t), 2 * w(t)))
    good = Step("c", "c", Eq(t * D(u(t), (t, 2)) + 3 * D(u(t), t), 2 * t * w(t)),
                follows_from(solve={"ode": D(u(t), (t, 2))}), uses=("ode",))
    bad = Step("c", "c", Eq(t * D(u(t), (t, 2)) + 2 * D(u(t), t), 2 * t * w(t)),
               follows_from(solve={"ode": D(u(t), (t, 2))}), uses=("ode",))
    assert status(good, assumptions=(ode,)).status == PROVED
    assert status(bad, assumptions=(ode,)).status == REFUTED


def test_follows_from_derive_detects_a_gap():
    per = given("p", Le(alpha(h, t) - alpha(h, 0), H0 * t**2 / 2))
    Sum = sp.Sum
    lim = (h, 1, K - 1)
    claim_ok = Le(Sum(alpha(h, t), lim) - Sum(alpha(h, 0), lim), (K - 1) * H0 * t**2 / 2)
    claim_gap = Le(Sum(alpha(h, t), lim) - Sum(alpha(h, 0), lim), H0 * t**2 / 2)
    ok = Step("s", "s", claim_ok, sum_over(of="p", index=h, lower=1, upper=K - 1), uses=("p",))
    gap = Step("s", "s", claim_gap, sum_over(of="p", index=h, lower=1, upper=K - 1), uses=("p",))
    assert status(ok, assumptions=(per,)).status == PROVED
    v = status(gap, assumptions=(per,))
    assert v.status == INCONCLUSIVE and "does not imply" in v.evidence


def test_comparison_gronwall_with_limit():
    hyp = given("h", Le(D(u(t), t), -3 / t * u(t)))
    good = Step("g", "g", Le(u(t), u(t0) * (t0 / t) ** 3), comparison(hypothesis="h", u=u(t), t=t, t0=t0), uses=("h",))
    too_strong = Step("g", "g", Le(u(t), u(t0) * (t0 / t) ** 4), comparison(hypothesis="h", u=u(t), t=t, t0=t0), uses=("h",))
    at_zero = Step("g", "g", Le(u(t), 0), comparison(hypothesis="h", u=u(t), t=t, t0=t0, limit=0), uses=("h",))
    assert status(good, assumptions=(hyp,)).status == PROVED
    assert status(too_strong, assumptions=(hyp,)).status == INCONCLUSIVE
    assert status(at_zero, assumptions=(hyp,)).status == PROVED


def test_comparison_with_forcing_term():
    hyp = given("h", Le(D(u(t), t), -u(t) + 1))
    good = Step("g", "g", Le(u(t), 1 + (u(t0) - 1) * sp.exp(t0 - t)), comparison(hypothesis="h", u=u(t), t=t, t0=t0),
                uses=("h",))
    wrong = Step("g", "g", Le(u(t), (u(t0) - 1) * sp.exp(t0 - t)), comparison(hypothesis="h", u=u(t), t=t, t0=t0),
                 uses=("h",))
    assert status(good, assumptions=(hyp,)).status == PROVED
    assert status(wrong, assumptions=(hyp,)).status == INCONCLUSIVE


def test_limit_rule():
    base = given("b", Le(u(t) - H0 * t, u(t0) * (t0 / t) ** 3))
    good = Step("l", "l", Le(u(t) - H0 * t, 0), limit(of="b", var=t0, to=0, bounded=(u(t0),)), uses=("b",))
    wrong = Step("l", "l", Le(u(t) - H0 * t, -1), limit(of="b", var=t0, to=0, bounded=(u(t0),)), uses=("b",))
    assert status(good, assumptions=(base,)).status == PROVED
    assert status(wrong, assumptions=(base,)).status == INCONCLUSIVE


def test_limit_of_lone_bounded_term_is_an_encoding_error():
    base = given("b", Le(u(t), u(t0)))
    bad = Step("l", "l", Le(u(t), 0), limit(of="b", var=t0, to=0, bounded=(u(t0),)), uses=("b",))
    with pytest.raises(EncodingError, match="boundedness is not enough"):
        status(bad, assumptions=(base,))


def test_chain_rule_of_transitivity():
    a1 = given("1", Le(f(t), g(t)))
    a2 = given("2", Le(g(t), H0))
    good = Step("3", "3", Le(f(t), H0), follows_from(derive=lambda ctx: chain(ctx, "1", "2")), uses=("1", "2"))
    wrong = Step("3", "3", Le(f(t), H0 / 2), follows_from(derive=lambda ctx: chain(ctx, "1", "2")), uses=("1", "2"))
    assert status(good, assumptions=(a1, a2)).status == PROVED
    assert status(wrong, assumptions=(a1, a2)).status == INCONCLUSIVE
    mismatched = Step("3", "3", Le(f(t), H0), follows_from(derive=lambda ctx: chain(ctx, "2", "1")), uses=("1", "2"))
    with pytest.raises(EncodingError, match="cannot chain"):
        status(mismatched, assumptions=(a1, a2))


def test_cited_rule_with_and_without_sanity_check():
    claim = Eq(x, x)
    assert status(Step("c", "c", claim, cited("Lemma 1 in [1]"))).status == CITED
    ok = cited("Lemma 1", check=lambda ctx, c: Verdict(HOLDS_NUMERICALLY, "numeric", "fine"))
    bad = cited("Lemma 1", check=lambda ctx, c: Verdict(REFUTED, "numeric", "Monte Carlo disagrees"))
    assert status(Step("c", "c", claim, ok)).status == CITED
    assert status(Step("c", "c", claim, bad)).status == REFUTED


def test_numeric_rule_passes_verdict_through():
    r = numeric(lambda ctx, c: Verdict(REFUTED, "numeric", "x"), what="demo")
    assert status(Step("n", "n", Eq(x, x), r)).status == REFUTED


def test_trajectory_rule_without_registered_check_is_inconclusive():
    v = status(Step("(99)", "n", Eq(x, x), trajectory()))
    assert v.status == INCONCLUSIVE and "no trajectory check" in v.evidence


def test_assumption_conditions_used_by_inequality():
    a = Assumption("A", "mu_le_L", "mu <= L", Le(sp.Symbol("mu", positive=True), sp.Symbol("L", positive=True)))
    mu, L = sp.symbols("mu L", positive=True)
    step_with = Step("s", "s", Le(mu / L, 1), inequality(), uses=("A",))
    step_without = Step("s", "s", Le(mu / L, 1), inequality())
    assert status(step_with, assumptions=(a,)).status == PROVED
    assert status(step_without, assumptions=(a,)).status == REFUTED


def test_unknown_use_label_is_an_encoding_error():
    with pytest.raises(EncodingError, match="unknown labels"):
        _derivation(Step("a", "a", Eq(x, x), identity(), uses=("nope",)))


def test_duplicate_label_is_an_encoding_error():
    with pytest.raises(EncodingError, match="duplicate"):
        _derivation(Step("a", "a", Eq(x, x), identity()), Step("a", "b", Eq(x, x), identity()))


def test_proof_from_a_numerically_supported_premise_is_not_proved():
    premise = Step("p", "p", Le(x, x**2 + 1), numeric(lambda ctx, c: Verdict(HOLDS_NUMERICALLY, "numeric", "sampled"),
                                                      what="demo"))
    step = Step("c", "c", Le(2 * x, 2 * x**2 + 2), follows_from(derive=lambda ctx: ctx.claim("p"), how="p times 2"),
                uses=("p",))
    v = status(premise, step)
    assert v.status == HOLDS_NUMERICALLY and "rests on p (holds_numerically)" in v.evidence
    proved_premise = Step("p", "p", Le(x, x**2 + 1), inequality())
    assert status(proved_premise, step).status == PROVED
