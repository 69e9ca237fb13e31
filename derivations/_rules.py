"""Rules: how a step's claim is checked mechanically (DESIGN.md, "Rule").

Every rule is a small object built by a function of the same name (``identity()``,
``follows_from(...)``, ``comparison(...)`` ...).  ``rule.check(ctx, claim)`` returns a
:class:`~derivations.Verdict`; ``rule.describe()`` says in one line what the rule does.

Rules that derive a conclusion from the ``uses`` (``follows_from(derive=...)``,
``comparison``, ``limit``, ``sum_over``) compare the derived relation with the claim:
the claim is established only if it is implied by what was derived.  When it is not, the
verdict records the gap (what the justification gives instead) and is never ``proved``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import sympy as sp
from sympy.core.function import AppliedUndef

from . import _prover
from ._core import CheckContext
from ._errors import DerivcheckError, EncodingError, InvalidParameter
from ._verdict import CITED, HOLDS_NUMERICALLY, INCONCLUSIVE, PROVED, REFUTED, Verdict


class Rule:
    """Base class: a mechanical justification of a claim."""

    name = "rule"

    def check(self, ctx: CheckContext, claim: sp.Basic) -> Verdict:  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> str:
        return self.name


def run_rule(rule: Rule, ctx: CheckContext, claim: sp.Basic) -> Verdict:
    """Run ``rule``; encoding errors propagate, a checker failure becomes an explicit inconclusive verdict."""
    try:
        return rule.check(ctx, claim)
    except (EncodingError, DerivcheckError):
        raise
    except (NotImplementedError, TypeError, ValueError, AttributeError, ZeroDivisionError, RecursionError,
            sp.PolynomialError) as exc:
        return Verdict(INCONCLUSIVE, None, f"the {rule.name} check could not be carried out: "
                       f"{type(exc).__name__}: {exc}", {"error": repr(exc)})


# ----------------------------------------------------------------------------- helpers


def _side_conditions(ctx: CheckContext, extra: Sequence[sp.Basic] = ()) -> tuple[sp.Basic, ...]:
    """Derivation-wide conditions + relational assumptions named in the step's ``uses`` + ``extra``."""
    conds = list(ctx.conditions) + list(extra)
    for u in ctx.step.uses:
        a = ctx.derivation._assumptions.get(u)
        if a is not None and isinstance(a.expr, (sp.Rel, sp.And)) and not isinstance(a.expr, sp.Equality):
            conds.append(a.expr)
    return tuple(conds)


def _abstract_functions(expr: sp.Basic) -> tuple[sp.Basic, dict[sp.Symbol, sp.Basic]]:
    """Replace derivatives, integrals and undefined-function values by fresh real symbols.

    Sound for proofs: a claim proved for arbitrary real values of these atoms holds for the
    actual functions.  A counterexample found this way may not be realisable, so callers do
    not report it as a refutation.
    """
    atoms: set[sp.Basic] = set()
    atoms |= expr.atoms(sp.Sum)
    atoms |= expr.atoms(sp.Derivative)
    atoms |= {i for i in expr.atoms(sp.Integral)}
    atoms |= {a for a in expr.atoms(AppliedUndef)}
    # replace outermost first: derivatives and integrals before the function values inside them
    ordered = sorted(atoms, key=lambda a: -sp.count_ops(a))
    mapping: dict[sp.Basic, sp.Symbol] = {}
    out = expr
    for i, a in enumerate(ordered):
        if a not in mapping:
            pos = a.is_positive
            nonneg = a.is_nonnegative
            sym = sp.Dummy(f"v{i}", positive=True) if pos else (
                sp.Dummy(f"v{i}", nonnegative=True) if nonneg else sp.Dummy(f"v{i}", real=True))
            mapping[a] = sym
            out = out.xreplace({a: sym})
    return out, {v: k for k, v in mapping.items()}


def _check_inequality_claim(ctx: CheckContext, claim: sp.Basic, conditions=(), domain=None,
                            tiers=_prover.ALL_TIERS) -> Verdict:
    """Tiered prover on an inequality claim, abstracting function atoms soundly.

    The claim and the side conditions are abstracted together, so a condition such as
    convexity ``F(t) - f* <= <g(t), X(t) - x*>`` constrains the same atoms as the claim.
    """
    claim = claim.doit() if claim.has(sp.Derivative) else claim
    conds = tuple(c.doit() if c.has(sp.Derivative) else c for c in _side_conditions(ctx, conditions))
    joint, back = _abstract_functions(sp.Tuple(claim, *conds))
    abstracted, aconds = joint[0], tuple(joint[1:])
    dom = dict(ctx.domain or {})
    dom.update(domain or {})
    try:
        v = _prover.check_inequality(abstracted, conditions=aconds, domain=dom or None, seed=ctx.seed, tiers=tiers)
    except InvalidParameter as exc:  # e.g. the side conditions leave too few sample points
        return Verdict(INCONCLUSIVE, None, f"not decided: {exc}", {"error": str(exc)})
    if back and v.status == REFUTED:
        names = ", ".join(f"{k} = {sp.sstr(b)}" for k, b in list(back.items())[:6])
        return Verdict(INCONCLUSIVE, v.tier,
                       f"negative when the function values are treated as free reals ({v.evidence}); "
                       f"such a point need not be realisable [{names}]", v.details)
    if back and v.status == HOLDS_NUMERICALLY:
        return Verdict(v.status, v.tier, v.evidence + " (function values treated as free reals)", v.details)
    return v


def _residual(rel: sp.Basic) -> tuple[sp.Expr, str]:
    """(expression, kind) with kind 'eq' (expression == 0), 'ge' (>= 0) or 'gt' (> 0)."""
    if isinstance(rel, sp.Equality):
        return rel.lhs - rel.rhs, "eq"
    if isinstance(rel, (sp.GreaterThan, sp.StrictGreaterThan)):
        return rel.lhs - rel.rhs, "gt" if isinstance(rel, sp.StrictGreaterThan) else "ge"
    if isinstance(rel, (sp.LessThan, sp.StrictLessThan)):
        return rel.rhs - rel.lhs, "gt" if isinstance(rel, sp.StrictLessThan) else "ge"
    raise EncodingError(f"expected a relation (==, <=, <, >=, >), got {sp.sstr(rel)}")


def compare_relations(ctx: CheckContext, claim: sp.Basic, derived: sp.Basic, how: str) -> Verdict:
    """Does ``derived`` (what the stated justification gives) imply ``claim``?

    Equalities: the two residuals must be identical.  Inequalities: the claim's slack must
    dominate the derived slack (``slack(claim) - slack(derived) >= 0`` for all admissible
    values), so that ``slack(derived) >= 0`` implies ``slack(claim) >= 0``.  A failed
    comparison is a gap in the justification (status ``inconclusive``), not a refutation.
    """
    if isinstance(claim, sp.And):
        verdicts = [compare_relations(ctx, c, derived, how) for c in claim.args]
        return _prover._weakest(verdicts)
    claim, derived = expand_definitions(ctx, claim), expand_definitions(ctx, derived)
    if claim is sp.true:
        return Verdict(PROVED, "sympy", f"{how}; with the definitions expanded SymPy evaluates the claim to True", {})
    if claim is sp.false:
        return Verdict(REFUTED, "sympy", f"with the definitions expanded SymPy evaluates the claim to False", {})
    if derived in (sp.true, sp.false):
        return Verdict(INCONCLUSIVE, None, f"{how} gives {derived} after expanding definitions, which says nothing "
                       "about the claim", {})
    rc, kc = _residual(claim)
    rd, kd = _residual(derived)
    shown = f"{how} gives {sp.sstr(derived)}"
    if kc == "eq":
        if kd != "eq":
            return Verdict(INCONCLUSIVE, None, f"{shown}: an inequality cannot establish the equality claimed",
                           {"derived": sp.sstr(derived)})
        v = _prover.check_identity(_doit(rc), _doit(rd), conditions=_side_conditions(ctx), seed=ctx.seed,
                                   domain=ctx.domain)
        if v.status != PROVED and rd != 0:
            ratio = sp.simplify(sp.cancel(sp.together(_doit(rc) / _doit(rd))))
            if not (ratio.has(sp.Derivative, sp.Integral) or ratio.atoms(AppliedUndef)) and ratio.is_nonzero:
                return Verdict(PROVED, "sympy", f"{shown}; the claim is that equality multiplied by the nonzero "
                               f"factor {sp.sstr(ratio)}", {"derived": sp.sstr(derived), "factor": sp.sstr(ratio)})
        return _relabel(v, shown, "the claim is that relation rearranged")
    ratio = _positive_ratio(ctx, rc, rd)
    if ratio is not None and (kd == kc or kd == "gt" or (kd == "eq" and kc != "gt")):
        return Verdict(PROVED, "sympy", f"{shown}; the claim is that relation multiplied by the positive "
                       f"factor {sp.sstr(ratio)}", {"derived": sp.sstr(derived), "factor": sp.sstr(ratio)})
    gap = _doit(rc - rd)
    # strict claim from a non-strict (or equality) premise needs a strictly positive gap
    target = sp.Gt(gap, 0) if (kc == "gt" and kd != "gt") else sp.Ge(gap, 0)
    v = _check_inequality_claim(ctx, target)
    if v.status == PROVED:
        return Verdict(PROVED, v.tier, f"{shown}, which implies the claim: slack(claim) - slack(derived) "
                       f"= {sp.sstr(sp.simplify(gap)) if sp.count_ops(gap) < 60 else '...'} >= 0 ({v.evidence})",
                       {"derived": sp.sstr(derived), **v.details})
    if v.status == HOLDS_NUMERICALLY:
        return Verdict(HOLDS_NUMERICALLY, v.tier, f"{shown}; that it implies the claim holds numerically: {v.evidence}",
                       {"derived": sp.sstr(derived), **v.details})
    return Verdict(INCONCLUSIVE, v.tier,
                   f"{shown}, which does not imply the claim: slack(claim) - slack(derived) = "
                   f"{sp.sstr(sp.factor(gap)) if sp.count_ops(gap) < 80 else '...'} can be negative ({v.evidence})",
                   {"derived": sp.sstr(derived), "gap": sp.sstr(gap), **v.details})


def expand_definitions(ctx: CheckContext, expr: sp.Basic) -> sp.Basic:
    """Substitute the definitions among the step's ``uses`` (steps checked by ``definition()``).

    A definition ``f(t) = rhs`` replaces ``f`` at every symbolic argument (``f(t0)`` too, but
    not ``f(0)``: a value at a point is left to continuity arguments), so a
    claim and a derived relation written with and without the defined name can be compared.
    """
    out = expr
    for label in ctx.step.uses:
        if label not in ctx.derivation._steps:
            continue
        st = ctx.derivation.step(label)
        if not isinstance(st.rule, _Definition):
            continue
        lhs, rhs = st.claim.lhs, st.claim.rhs
        if isinstance(lhs, AppliedUndef) and all(isinstance(a, sp.Symbol) for a in lhs.args):
            lam = sp.Lambda(lhs.args, rhs)
            out = out.replace(lambda e, f=lhs.func: (isinstance(e, AppliedUndef) and e.func == f
                                                      and all(isinstance(a, sp.Symbol) for a in e.args)),
                              lambda e, lam=lam: lam(*e.args))
        else:
            out = out.subs(lhs, rhs)
    return _doit(out) if out != expr else out


def _positive_ratio(ctx: CheckContext, rc: sp.Expr, rd: sp.Expr) -> sp.Expr | None:
    """``rc / rd`` if it is free of function atoms and provably positive, else None."""
    rc, rd = _doit(rc), _doit(rd)
    if rd == 0:
        return None
    ratio = sp.simplify(sp.cancel(sp.together(rc / rd)))
    if ratio.has(sp.Derivative, sp.Integral) or ratio.atoms(AppliedUndef):
        return None
    v = _prover.check_nonnegative(ratio, strict=True, conditions=_side_conditions(ctx), tiers=("sympy", "z3"),
                                  seed=ctx.seed)
    return ratio if v.status == PROVED else None


def _doit(e: sp.Basic) -> sp.Basic:
    """Carry out derivatives, sums and definite integrals (indefinite integrals of unknown functions stay)."""
    return e.doit() if e.has(sp.Derivative, sp.Sum, sp.Integral) else e


def _relabel(v: Verdict, prefix: str, suffix: str = "") -> Verdict:
    if v.status == PROVED:
        return Verdict(PROVED, v.tier, f"{prefix}; {suffix}: {v.evidence}", v.details, v.replay)
    if v.status == REFUTED:
        return Verdict(INCONCLUSIVE, v.tier, f"{prefix}, which is not the claim: {v.evidence}", v.details, v.replay)
    return Verdict(v.status, v.tier, f"{prefix}: {v.evidence}", v.details, v.replay)


# ----------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class _Identity(Rule):
    name: str = "identity"
    doit: bool = True
    domain: Mapping | None = None

    def check(self, ctx, claim):
        if claim is sp.true:
            return Verdict(PROVED, "sympy", "SymPy evaluates the equality to True as it is built", {})
        if not isinstance(claim, sp.Equality):
            raise EncodingError(f"{ctx.derivation.id}:{ctx.step.label}: {self.name} needs an equality claim")
        lhs, rhs = claim.lhs, claim.rhs
        if self.doit:
            lhs, rhs = _doit(lhs), _doit(rhs)
        dom = dict(ctx.domain or {})
        dom.update(self.domain or {})
        return _prover.check_identity(lhs, rhs, conditions=_side_conditions(ctx), domain=dom or None, seed=ctx.seed)

    def describe(self):
        return {"identity": "identity: lhs - rhs simplifies to 0, spot-checked at random points",
                "differentiate": "differentiate: carry out the derivatives, then check the identity"}[self.name]


def identity(*, domain: Mapping | None = None) -> Rule:
    """The two sides are equal: the difference simplifies to 0, then a numeric spot-check."""
    return _Identity(domain=domain)


def differentiate() -> Rule:
    """A calculus step about derivatives: carry out the differentiation, then check the identity."""
    return _Identity(name="differentiate")


@dataclass(frozen=True)
class _Antiderivative(Rule):
    var: sp.Symbol
    lower: sp.Basic | None = None
    name: str = "integrate"

    def check(self, ctx, claim):
        if not isinstance(claim, sp.Equality):
            raise EncodingError(f"{ctx.derivation.id}:{ctx.step.label}: {self.name} needs an equality claim")
        dl = sp.diff(claim.lhs, self.var)
        dr = sp.diff(claim.rhs, self.var)
        v = _prover.check_identity(_doit(dl), _doit(dr), conditions=_side_conditions(ctx), seed=ctx.seed,
                                   domain=ctx.domain)
        what = f"d/d{self.var} of both sides agree"
        if v.status != PROVED:
            if v.status == REFUTED:
                return Verdict(REFUTED, v.tier, f"the derivatives of the two sides differ: {v.evidence}", v.details)
            return Verdict(v.status, v.tier, f"{what}? {v.evidence}", v.details)
        if self.lower is None:
            return Verdict(PROVED, v.tier, f"{what}, so the sides are equal up to a constant of integration "
                           f"(indefinite integrals): {v.evidence}", v.details)
        at = _prover.check_identity(claim.lhs.subs(self.var, self.lower).doit(),
                                    claim.rhs.subs(self.var, self.lower).doit(),
                                    conditions=_side_conditions(ctx), seed=ctx.seed + 1)
        if at.status == PROVED:
            return Verdict(PROVED, v.tier, f"{what} and the sides agree at {self.var} = {self.lower}: {v.evidence}",
                           v.details)
        return Verdict(at.status if at.status != PROVED else INCONCLUSIVE, at.tier,
                       f"{what}, but at {self.var} = {self.lower}: {at.evidence}", at.details)

    def describe(self):
        return f"{self.name}: differentiate both sides in {self.var} (equal up to a constant)" + (
            f" and compare at {self.var} = {self.lower}" if self.lower is not None else "")


def integrate(var: sp.Symbol, *, lower: sp.Basic | None = None) -> Rule:
    """An integration step, checked by differentiating both sides (and comparing at ``lower``)."""
    return _Antiderivative(var, lower, "integrate")


def by_parts(var: sp.Symbol) -> Rule:
    """Integration by parts of indefinite integrals, checked by differentiating both sides."""
    return _Antiderivative(var, None, "by_parts")


@dataclass(frozen=True)
class _Inequality(Rule):
    conditions: tuple = ()
    domain: Mapping | None = None
    tiers: tuple = _prover.ALL_TIERS
    given: tuple = ()
    name: str = "inequality"

    def check(self, ctx, claim):
        premises = []
        for label in self.given:
            if label not in ctx.step.uses:
                raise EncodingError(f"{ctx.step.label}: given={label!r} must also be listed in uses")
            premises.extend(_links(ctx.claim(label)))
        return _check_inequality_claim(ctx, claim, tuple(self.conditions) + tuple(premises), self.domain, self.tiers)

    def describe(self):
        extra = f" with {', '.join(sp.sstr(c) for c in self.conditions)}" if self.conditions else ""
        given = f" given {', '.join(self.given)}" if self.given else ""
        return f"inequality: tiered prover (SymPy -> z3 -> numeric){extra}{given}"


def inequality(*, conditions: Sequence[sp.Basic] = (), domain: Mapping | None = None,
               tiers: Sequence[str] = _prover.ALL_TIERS, given: Sequence[str] = ()) -> Rule:
    """RHS - LHS >= 0 under the derivation's and the step's side conditions, by the tiered prover.

    ``given`` names used steps whose claims are premises (added to the side conditions)."""
    return _Inequality(tuple(conditions), domain, tuple(tiers), tuple(given))


@dataclass(frozen=True)
class _FollowsFrom(Rule):
    solve: tuple = ()
    subs: tuple = ()
    derive: Callable | None = None
    how: str = ""
    name: str = "follows_from"

    def _substitution(self, ctx) -> dict:
        mapping: dict = {}
        for label, target in self.solve:
            eq = ctx.claim(label)
            if isinstance(eq, sp.Tuple):  # a system: use the equation that contains the target
                hits = [e for e in eq if isinstance(e, sp.Equality) and e.has(target)]
                if len(hits) != 1:
                    raise EncodingError(f"{ctx.step.label}: {label} has {len(hits)} equations containing {target}")
                eq = hits[0]
            if not isinstance(eq, sp.Equality):
                raise EncodingError(f"{ctx.step.label}: cannot solve {label} (not an equality) for {target}")
            dummy = sp.Dummy("target")
            e = (eq.lhs - eq.rhs).doit().subs(target, dummy)
            sol = sp.solve(e, dummy, dict=False)
            if len(sol) != 1:
                raise EncodingError(f"{ctx.step.label}: solving {label} for {target} gave {sol}")
            mapping[target] = sol[0]
        for a, b in self.subs:
            mapping[a] = b
        return mapping

    def check(self, ctx, claim):
        mapping = self._substitution(ctx)
        if self.derive is not None:
            derived = self.derive(ctx)
            if mapping:
                claim = _substitute(claim, mapping)
            return compare_relations(ctx, claim, derived, self.how or f"from {', '.join(ctx.step.uses)}")
        c = _substitute(claim, mapping)
        sources = [f"{sp.sstr(target)} from {label}" for label, target in self.solve] + [
            f"{sp.sstr(a)} -> {sp.sstr(b)}" for a, b in self.subs]
        what = "substituting " + ", ".join(sources)
        if isinstance(c, sp.Equality):
            v = _prover.check_identity(_doit(c.lhs), _doit(c.rhs), conditions=_side_conditions(ctx), seed=ctx.seed,
                                       domain=ctx.domain)
        elif c in (sp.true, sp.false):
            v = Verdict(PROVED if c is sp.true else REFUTED, "sympy", f"evaluates to {c}", {})
        else:
            v = _check_inequality_claim(ctx, c)
        return Verdict(v.status, v.tier, f"{what}: {v.evidence}", v.details)

    def describe(self):
        if self.derive is not None:
            return f"follows_from: {self.how or 'derive from the uses'}, then compare with the claim"
        parts = [f"solve {lab} for {sp.sstr(t)}" for lab, t in self.solve] + [
            f"{sp.sstr(a)} -> {sp.sstr(b)}" for a, b in self.subs]
        return "follows_from: substitute (" + "; ".join(parts) + ") and simplify"


def _substitute(claim: sp.Basic, mapping: Mapping) -> sp.Basic:
    c = claim
    for _ in range(6):  # substitute, carry out derivatives, repeat until nothing changes
        nxt = c.doit() if c.has(sp.Derivative) else c
        nxt = nxt.xreplace(mapping).subs(mapping)
        if nxt == c:
            break
        c = nxt
    return c


def scale(rel: sp.Basic, factor: sp.Expr) -> sp.Basic:
    """Multiply both sides of a relation by a factor that SymPy knows to be positive."""
    factor = _prover._as_expr(factor, "factor")
    if factor.is_positive is not True:
        raise EncodingError(f"scale: factor {sp.sstr(factor)} is not known to be positive")
    return rel.func(factor * rel.lhs, factor * rel.rhs)


def _links(rel: sp.Basic) -> list[sp.Basic]:
    """The links of a relation or of a chain ``And(a <= b, b <= c)``, as ``<=``/``<``/``==``, in chain order."""
    parts = list(rel.args) if isinstance(rel, sp.And) else [rel]
    out = []
    for r in parts:
        if isinstance(r, (sp.GreaterThan, sp.StrictGreaterThan)):
            r = (sp.Lt if isinstance(r, sp.StrictGreaterThan) else sp.Le)(r.rhs, r.lhs)
        out.append(r)
    if len(out) <= 1:
        return out
    # SymPy sorts the arguments of And: restore the chain order by matching middle terms
    for start in out:
        order, rest = [start], [r for r in out if r is not start]
        while rest:
            nxt = [r for r in rest if sp.simplify(r.lhs - order[-1].rhs) == 0]
            if not nxt:
                break
            order.append(nxt[0])
            rest.remove(nxt[0])
        if not rest:
            return order
    raise EncodingError(f"the links of {sp.sstr(rel)} do not form a chain")


def chain(ctx: CheckContext, *items) -> sp.Basic:
    """Transitivity: from ``a R1 b``, ``b R2 c``, ... derive ``a R c``.

    Items are step labels (their claims; a chain ``And(...)`` contributes its links) or
    relations built from them (e.g. with :func:`scale`).  Consecutive relations must share
    their middle term (checked symbolically); the result is ``<`` if any link is strict,
    ``<=`` if any link is an inequality, else ``==``.
    """
    rels, names = [], []
    for it in items:
        rel = ctx.claim(it) if isinstance(it, str) else it
        for r in _links(rel):
            rels.append(r)
            names.append(it if isinstance(it, str) else sp.sstr(r))
    labels = names
    """Transitivity: from ``a R1 b``, ``b R2 c``, ... (steps ``labels``) derive ``a R c``.

    Consecutive relations must share their middle term (checked symbolically); the result
    is ``<`` if any link is strict, ``<=`` if any link is an inequality, else ``==``.
    """
    for a, b, la, lb in zip(rels, rels[1:], labels, labels[1:]):
        if sp.simplify(_doit(a.rhs) - _doit(b.lhs)) != 0:
            raise EncodingError(f"{ctx.step.label}: cannot chain {la} and {lb}: "
                                f"{sp.sstr(a.rhs)} is not {sp.sstr(b.lhs)}")
    if any(isinstance(r, sp.StrictLessThan) for r in rels):
        op = sp.Lt
    elif any(isinstance(r, sp.LessThan) for r in rels):
        op = sp.Le
    else:
        op = sp.Eq
    return op(rels[0].lhs, rels[-1].rhs)


def follows_from(*, solve: Mapping | Sequence = (), subs: Mapping | Sequence = (),
                 derive: Callable[[CheckContext], sp.Basic] | None = None, how: str = "") -> Rule:
    """The claim follows from the ``uses`` by substitution, or by a mechanical derivation.

    ``solve={"(13)": Derivative(a(t), (t, 2))}`` solves the used equality for that term and
    substitutes it; ``subs`` adds definitions.  Alternatively ``derive(ctx)`` returns the
    relation that the uses give (built only from ``ctx.claim(label)`` and SymPy operations),
    and the claim must be implied by it (see :func:`compare_relations`).
    """
    solve_t = tuple(solve.items()) if isinstance(solve, Mapping) else tuple(solve)
    subs_t = tuple(subs.items()) if isinstance(subs, Mapping) else tuple(subs)
    return _FollowsFrom(solve_t, subs_t, derive, how)


substitution = follows_from


@dataclass(frozen=True)
class _Definition(Rule):
    name: str = "definition"

    def check(self, ctx, claim):
        if not isinstance(claim, sp.Equality):
            raise EncodingError(f"{ctx.step.label}: a definition must be an equality")
        return Verdict(PROVED, "sympy", f"definition of {sp.sstr(claim.lhs)} (true by definition)", {})

    def describe(self):
        return "definition: introduces a name"


def definition() -> Rule:
    """The step introduces a name (true by definition)."""
    return _Definition()


@dataclass(frozen=True)
class _Comparison(Rule):
    hypothesis: str
    u: sp.Basic
    t: sp.Symbol
    t0: sp.Basic
    limit: sp.Basic | None = None
    name: str = "comparison"

    def derived(self, ctx) -> tuple[sp.Basic, str]:
        hyp = ctx.claim(self.hypothesis)
        if not isinstance(hyp, (sp.GreaterThan, sp.StrictGreaterThan, sp.LessThan, sp.StrictLessThan)):
            raise EncodingError(f"{ctx.step.label}: hypothesis {self.hypothesis} is not an inequality")
        du = sp.Derivative(self.u, self.t)
        # residual r >= 0; solve it for u' (it must enter linearly with a negative coefficient)
        r, _ = _residual(hyp)
        P, U = sp.Dummy("P"), sp.Dummy("U")
        rp = sp.expand(_doit(r).subs(du, P))
        c = sp.diff(rp, P)
        if c.has(P) or c.is_negative is not True:
            raise EncodingError(f"{ctx.step.label}: hypothesis {self.hypothesis} is not of the form "
                                f"d/dt {self.u} <= a(t) {self.u} + b(t)")
        rhs = sp.expand(-(rp - c * P) / c).subs(self.u, U)
        a = sp.diff(rhs, U)
        b = sp.expand(rhs - a * U)
        if a.has(U) or b.has(U) or a.has(du) or b.has(du):
            raise EncodingError(f"{ctx.step.label}: hypothesis is not linear in {self.u}")
        s, r = sp.Dummy("s", positive=True), sp.Dummy("r", positive=True)
        t, t0 = self.t, self.t0
        int_a = sp.integrate(a.subs(t, r), (r, s, t))
        u0 = self.u.subs(t, t0)
        bound = u0 * sp.exp(int_a.subs(s, t0)) + sp.integrate(b.subs(t, s) * sp.exp(int_a), (s, t0, t))
        bound = sp.simplify(bound)
        how = f"Gronwall on {self.hypothesis} ({sp.sstr(du)} <= a u + b with a = {sp.sstr(a)}, b = {sp.sstr(b)})"
        if self.limit is not None:
            bnd = sp.Dummy("u0", real=True)
            lim = sp.limit(bound.subs(u0, bnd), t0, self.limit, "+")
            if lim.has(sp.Limit):
                raise EncodingError(f"{ctx.step.label}: SymPy cannot take {t0} -> {self.limit} in {sp.sstr(bound)}")
            # u(t0) stays bounded; where it survives in the limit, u is taken continuous at the limit point
            bound = lim.subs(bnd, self.u.subs(t, self.limit))
            how += f", then {t0} -> {self.limit}+ with {sp.sstr(u0)} bounded (and {sp.sstr(self.u)} continuous there)"
        return sp.Le(self.u, bound), how

    def check(self, ctx, claim):
        derived, how = self.derived(ctx)
        return compare_relations(ctx, claim, derived, how)

    def describe(self):
        lim = f", limit {self.t0} -> {self.limit}" if self.limit is not None else ""
        return f"comparison (Gronwall) from {self.hypothesis} for {sp.sstr(self.u)} on [{self.t0}, {self.t}]{lim}"


def comparison(*, hypothesis: str, u: sp.Basic, t: sp.Symbol, t0: sp.Basic, limit: sp.Basic | None = None) -> Rule:
    """Gronwall / integrating factor: from ``u' <= a(t) u + b(t)`` (step ``hypothesis``) on
    ``[t0, t]`` conclude ``u(t) <= u(t0) e^{int a} + int b e^{int a}``; optionally ``t0 -> limit``
    with ``u(t0)`` bounded.  The claim must be implied by that bound."""
    return _Comparison(hypothesis, u, t, t0, limit)


@dataclass(frozen=True)
class _Limit(Rule):
    of: str
    var: sp.Symbol
    to: sp.Basic
    bounded: tuple = ()
    name: str = "limit"

    def check(self, ctx, claim):
        rel = ctx.claim(self.of)
        derived, cont = _limit_relation(rel, self.var, self.to, self.bounded)
        bnd = f" with {', '.join(sp.sstr(b) for b in self.bounded)} bounded" if self.bounded else ""
        cont_txt = f", {', '.join(cont)} continuous at {self.var} = {self.to}" if cont else ""
        return compare_relations(ctx, claim, derived, f"{self.var} -> {self.to}+ in {self.of}{bnd}{cont_txt}")

    def describe(self):
        return f"limit {self.var} -> {self.to} in {self.of}"


def _limit_of(expr: sp.Basic, var: sp.Symbol, to: sp.Basic, bounded: Sequence[sp.Basic]) -> tuple[sp.Basic, list[str]]:
    """One-sided limit ``var -> to+`` of ``expr``.

    The expressions in ``bounded`` are replaced by free symbols (bounded, not necessarily
    convergent: a term ``var * bounded`` still tends to 0, a lone bounded term is an error);
    the values ``f(var)`` of undefined functions are taken continuous (``f(var) -> f(to)``).
    """
    reps = {b: sp.Dummy(f"bounded{i}", real=True) for i, b in enumerate(bounded)}
    e = expr.xreplace(reps) if reps else expr
    cont = sorted({str(a.func) for a in e.atoms(AppliedUndef) if var in a.free_symbols})
    e = e.replace(lambda a: isinstance(a, AppliedUndef) and var in a.free_symbols, lambda a: a.subs(var, to))
    lim = sp.limit(e, var, to, "+")
    if any(d in lim.free_symbols for d in reps.values()):
        raise EncodingError(f"the limit {var} -> {to} of {sp.sstr(expr)} depends on the bounded terms "
                            f"{[sp.sstr(b) for b in bounded]}; boundedness is not enough")
    return lim, cont


def _limit_relation(rel: sp.Basic, var, to, bounded) -> tuple[sp.Basic, list[str]]:
    lhs, c1 = _limit_of(rel.lhs, var, to, bounded)
    rhs, c2 = _limit_of(rel.rhs, var, to, bounded)
    return rel.func(lhs, rhs, evaluate=False), sorted(set(c1) | set(c2))


def limit(*, of: str, var: sp.Symbol, to: sp.Basic, bounded: Sequence[sp.Basic] = ()) -> Rule:
    """Pass to the limit ``var -> to`` (from above) in the relation of step ``of``;
    the expressions in ``bounded`` are assumed bounded along the way (recorded)."""
    return _Limit(of, var, to, tuple(bounded))


@dataclass(frozen=True)
class _SumOver(Rule):
    of: str
    index: sp.Symbol
    lower: sp.Basic
    upper: sp.Basic
    name: str = "sum_over"

    def check(self, ctx, claim):
        rel = ctx.claim(self.of)
        lim = (self.index, self.lower, self.upper)
        derived = rel.func(sp.Sum(rel.lhs, lim).doit(), sp.Sum(rel.rhs, lim).doit())
        return compare_relations(ctx, _expand_sums(claim), _expand_sums(derived),
                                 f"summing {self.of} over {self.index} = {self.lower}..{self.upper}")

    def describe(self):
        return f"sum_over: sum {self.of} over {self.index} = {self.lower}..{self.upper}"


def _expand_sums(rel: sp.Basic) -> sp.Basic:
    """Linearity of sums: split sums of sums and pull out factors free of the index,
    so that equal sums cancel (``Sum(a - b) = Sum(a) - Sum(b)``)."""
    def split_one(x: sp.Sum) -> sp.Expr:
        idx = {lim[0] for lim in x.limits}
        out = []
        for term in sp.Add.make_args(sp.expand(x.function)):
            const, dep = term.as_independent(*idx, as_Add=False)
            out.append(const * sp.Sum(dep, *x.limits).doit() if dep != 1 else const * sp.Sum(1, *x.limits).doit())
        return sp.Add(*out)

    def split(e):
        return e.replace(lambda x: isinstance(x, sp.Sum), split_one)
    return rel.func(split(rel.lhs), split(rel.rhs))


def sum_over(*, of: str, index: sp.Symbol, lower: sp.Basic, upper: sp.Basic) -> Rule:
    """Sum the relation of step ``of`` over ``index`` and compare with the claim."""
    return _SumOver(of, index, lower, upper)


sum_over_layers = sum_over


@dataclass(frozen=True)
class _Cited(Rule):
    reference: str
    sanity: Callable | None = None
    name: str = "cited"

    def check(self, ctx, claim):
        base = f"rests on {self.reference}"
        if self.sanity is None:
            return Verdict(CITED, "citation", f"{base} (no numeric sanity check possible)", {"reference": self.reference})
        v = self.sanity(ctx, claim)
        if v.status == REFUTED:
            return Verdict(REFUTED, v.tier, f"{base}, but the numeric sanity check fails: {v.evidence}",
                           {"reference": self.reference, **v.details}, v.replay)
        return Verdict(CITED, "citation", f"{base}; numeric sanity check: {v.status}: {v.evidence}",
                       {"reference": self.reference, "sanity": v.to_json()}, v.replay)

    def describe(self):
        return f"cited: {self.reference}" + (" (with a numeric sanity check)" if self.sanity else "")


def cited(reference: str, *, check: Callable[[CheckContext, sp.Basic], Verdict] | None = None) -> Rule:
    """Rests on an outside result; ``check(ctx, claim)`` is an optional numeric sanity check."""
    return _Cited(reference, check)


@dataclass(frozen=True)
class _Numeric(Rule):
    fn: Callable
    what: str
    name: str = "numeric"

    def check(self, ctx, claim):
        return self.fn(ctx, claim)

    def describe(self):
        return f"numeric: {self.what}"


def numeric(fn: Callable[[CheckContext, sp.Basic], Verdict], *, what: str) -> Rule:
    """A numeric check of a claim that is not about trajectories (Monte Carlo, sampling ...)."""
    return _Numeric(fn, what)


@dataclass(frozen=True)
class _Trajectory(Rule):
    key: str | None = None
    name: str = "trajectory"

    def check(self, ctx, claim):
        from ._evidence import trajectory_verdict

        key = self.key or f"{ctx.derivation.id}:{ctx.step.label}"
        return trajectory_verdict(key)

    def describe(self):
        return f"trajectory: simulated trajectories ({self.key or 'registered check for this step'})"


def trajectory(key: str | None = None) -> Rule:
    """Evidence from simulated trajectories, registered by ``numeric_checks`` under ``derivation:label``."""
    return _Trajectory(key)
