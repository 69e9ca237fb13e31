"""The tiered prover: SymPy normalisation -> z3 -> numeric falsification.

``check_nonnegative(expr)`` decides ``expr >= 0`` (or ``> 0``) for all admissible values of
its free symbols, where "admissible" means: the symbols' SymPy assumptions (``positive``,
``nonnegative``, ``integer`` ...) and the explicit side conditions (``mu <= L``, ``gamma > 3``).

Tiers, in order, each allowed to decide:

``sympy``
    Normal forms (expand, factor, together/cancel, simplify), side conditions of the form
    ``s >= g`` turned into ``s = g + d`` with ``d >= 0``, recursive completion of squares,
    then SymPy's assumption system (``is_nonnegative``).  Only ever proves.
``z3``
    The residual is translated to nonlinear real arithmetic.  Polynomials and rational
    functions are translated exactly; ``sqrt``, ``Abs``, ``exp``, ``Max``/``Min`` and other
    atoms are abstracted by fresh variables with sound facts (``sqrt(y)**2 = y``,
    ``exp(x) > 0`` ...).  ``unsat`` of ``expr < 0`` proves the claim; a model of an exact
    translation is a counterexample (re-checked at 50 digits before it is reported); a model
    of an abstracted translation may be spurious, so it only seeds the numeric tier.
``numeric``
    Random and adversarial sampling over the stated domain plus local optimisation
    (Nelder-Mead from the worst points).  A violation is re-evaluated at 50 digits at a
    simplified (rationalised) point before it is reported as a counterexample; otherwise
    the answer is ``holds_numerically`` and states what was searched.

``check_identity(lhs, rhs)`` decides ``lhs == rhs``: symbolic zero (then a randomised
numeric spot-check at high precision, with undefined functions replaced by random analytic
functions), else z3 for polynomial differences, else numeric falsification; a difference that
SymPy cannot reduce but that agrees numerically is ``inconclusive``, never ``proved``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Mapping, Sequence

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef

from ._errors import InvalidParameter
from ._verdict import HOLDS_NUMERICALLY, INCONCLUSIVE, PROVED, REFUTED, Verdict

ALL_TIERS = ("sympy", "z3", "numeric")
#: digits used to confirm a numeric counterexample or a symbolic zero
HP_DIGITS = 50
#: relative tolerance for numeric equality of two sides of an identity
IDENTITY_RTOL = 1e-12
#: a numeric violation must exceed this, relative to the size of the terms
VIOLATION_RTOL = 1e-9
#: size limit above which ``simplify`` is not attempted (it can take minutes)
SIMPLIFY_MAX_OPS = 400


@dataclass(frozen=True)
class SearchSettings:
    """How hard the numeric tier searches (stated in every ``holds_numerically`` verdict)."""

    samples: int = 3000
    local_searches: int = 6
    local_evals: int = 300
    identity_points: int = 12
    z3_timeout_ms: int = 4000


DEFAULT_SEARCH = SearchSettings()


# ----------------------------------------------------------------------------- helpers


def _rel_to_residual(rel: sp.Basic) -> tuple[sp.Expr, bool]:
    """``a <= b`` -> (b - a, strict=False); ``a > b`` -> (a - b, strict=True)."""
    if isinstance(rel, (sp.GreaterThan, sp.StrictGreaterThan)):
        return rel.lhs - rel.rhs, isinstance(rel, sp.StrictGreaterThan)
    if isinstance(rel, (sp.LessThan, sp.StrictLessThan)):
        return rel.rhs - rel.lhs, isinstance(rel, sp.StrictLessThan)
    raise InvalidParameter("relation", rel, "must be an inequality (<=, <, >=, >)")


def _as_expr(value, name: str) -> sp.Expr:
    """A SymPy expression or a number; text is refused (it is never parsed: parsing executes code)."""
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return sp.Float(value) if isinstance(value, float) else sp.Integer(value)
    raise InvalidParameter(name, value, "must be a SymPy expression or a number (text is not parsed)")


def _conditions(conditions: Iterable[sp.Basic]) -> tuple[sp.Basic, ...]:
    out = []
    for c in conditions:
        if c is sp.true or c is True:
            continue
        if isinstance(c, sp.And):
            out.extend(c.args)
        else:
            out.append(c)
    return tuple(out)


def _free_symbols(expr: sp.Basic, conditions: Sequence[sp.Basic]) -> list[sp.Symbol]:
    syms = set(expr.free_symbols)
    for c in conditions:
        syms |= c.free_symbols
    return sorted(syms, key=lambda s: s.name)


def _has_undefined_functions(expr: sp.Basic) -> bool:
    return bool(expr.atoms(AppliedUndef))


def _size(expr: sp.Basic) -> int:
    return int(sp.count_ops(expr, visual=False))


def _normal_forms(expr: sp.Expr) -> Iterable[sp.Expr]:
    """Cheap-to-expensive rewritings of ``expr`` that preserve its value everywhere."""
    yield expr
    seen = {expr}
    for fn in (sp.expand, lambda e: sp.factor(sp.together(e)), sp.cancel):
        try:
            cand = fn(expr)
        except (sp.PolynomialError, NotImplementedError, TypeError, ValueError):
            continue
        if cand not in seen:
            seen.add(cand)
            yield cand
    if _size(expr) <= SIMPLIFY_MAX_OPS:
        try:
            cand = sp.simplify(expr)
        except (NotImplementedError, TypeError, ValueError, RecursionError):
            return
        if cand not in seen:
            seen.add(cand)
            yield cand
            yield sp.factor(cand) if cand.is_polynomial() else cand


def _slack_substitution(conditions: Sequence[sp.Basic]) -> dict[sp.Symbol, sp.Expr]:
    """Turn side conditions ``s >= g`` (``s`` a symbol not in ``g``) into ``s = g + d``."""
    subs: dict[sp.Symbol, sp.Expr] = {}
    for c in conditions:
        if not isinstance(c, (sp.GreaterThan, sp.StrictGreaterThan, sp.LessThan, sp.StrictLessThan)):
            continue
        big, small = (c.lhs, c.rhs) if isinstance(c, (sp.GreaterThan, sp.StrictGreaterThan)) else (c.rhs, c.lhs)
        strict = isinstance(c, (sp.StrictGreaterThan, sp.StrictLessThan))
        for s, g, sign in ((big, small, 1), (small, big, -1)):
            if isinstance(s, sp.Symbol) and s not in subs and s not in g.free_symbols:
                if any(s in v.free_symbols for v in subs.values()):
                    continue
                d = sp.Dummy(f"d_{s.name}", positive=True) if strict else sp.Dummy(f"d_{s.name}", nonnegative=True)
                subs[s] = g + sign * d
                break
    return subs


def _complete_squares(expr: sp.Expr, strict: bool, depth: int = 0) -> bool:
    """Prove ``expr >= 0`` for a polynomial by completing the square in one variable at a time.

    ``a x^2 + b x + c >= 0`` for all real x follows from ``a > 0`` and ``4ac - b^2 >= 0``
    (or ``a = b = 0`` and ``c >= 0``).  Recurses into the discriminant condition.
    """
    if depth > 6:
        return False
    expr = sp.expand(expr)
    sign = expr.is_positive if strict else expr.is_nonnegative
    if sign:
        return True
    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    for x in syms:
        try:
            poly = sp.Poly(expr, x)
        except sp.PolynomialError:
            continue
        if poly.degree() != 2:
            continue
        a, b, c = (poly.coeff_monomial(x**k) for k in (2, 1, 0))
        if not a.is_positive:
            continue
        if x.is_real is not True:
            continue
        disc = sp.expand(4 * a * c - b**2)
        if _complete_squares(disc, strict, depth + 1):
            return True
    return False


def _sympy_tier(expr: sp.Expr, strict: bool, conditions: Sequence[sp.Basic]) -> tuple[bool, str]:
    subs = _slack_substitution(conditions)
    base = expr.subs(subs) if subs else expr
    for cand in _normal_forms(base):
        val = cand.is_positive if strict else cand.is_nonnegative
        if val:
            how = "with side conditions as slack variables" if subs else "by SymPy's assumptions"
            return True, f"{sp.sstr(cand)} {'> 0' if strict else '>= 0'} {how}"
    try:
        if base.is_polynomial() and _complete_squares(base, strict):
            return True, f"{sp.sstr(sp.expand(base))} >= 0 by completing squares"
    except (sp.PolynomialError, TypeError):
        pass
    return False, ""


# ----------------------------------------------------------------------------- z3 tier


class _NotTranslatable(Exception):
    pass


class _Z3Translator:
    """SymPy -> z3 real arithmetic; abstracts non-polynomial atoms with sound facts."""

    def __init__(self) -> None:
        import z3

        self.z3 = z3
        self.vars: dict[sp.Symbol, object] = {}
        self.atoms: dict[sp.Basic, object] = {}
        self.facts: list[object] = []
        self.abstracted: list[str] = []

    def var(self, s: sp.Symbol):
        z3 = self.z3
        if s not in self.vars:
            v = z3.Int(s.name) if s.is_integer else z3.Real(s.name)
            self.vars[s] = v
            if s.is_positive:
                self.facts.append(v > 0)
            elif s.is_nonnegative:
                self.facts.append(v >= 0)
            if s.is_negative:
                self.facts.append(v < 0)
            elif s.is_nonpositive:
                self.facts.append(v <= 0)
        return self.vars[s]

    def _fresh(self, e: sp.Basic, label: str):
        if e not in self.atoms:
            self.atoms[e] = self.z3.Real(f"atom{len(self.atoms)}")
            self.abstracted.append(label)
        return self.atoms[e]

    def expr(self, e: sp.Basic):
        z3 = self.z3
        if isinstance(e, sp.Symbol):
            return self.var(e)
        if e.is_Integer:
            return z3.RealVal(int(e))
        if e.is_Rational:
            return z3.RealVal(int(e.p)) / z3.RealVal(int(e.q))
        if e.is_Float:
            fr = Fraction(str(e))
            return z3.RealVal(fr.numerator) / z3.RealVal(fr.denominator)
        if e is sp.pi or e is sp.E:
            raise _NotTranslatable(str(e))
        if isinstance(e, sp.Add):
            return z3.Sum([self.expr(a) for a in e.args])
        if isinstance(e, sp.Mul):
            out = self.expr(e.args[0])
            for a in e.args[1:]:
                out = out * self.expr(a)
            return out
        if isinstance(e, sp.Pow):
            base, ex = e.args
            if ex.is_Integer:
                n = int(ex)
                if abs(n) > 40:
                    raise _NotTranslatable("large power")
                zb = self.expr(base)
                if n == 0:
                    return z3.RealVal(1)
                out = zb
                for _ in range(abs(n) - 1):
                    out = out * zb
                if n < 0:
                    self.facts.append(zb != 0)
                    return 1 / out
                return out
            if ex == sp.Rational(1, 2) or ex == sp.Rational(-1, 2):
                zb = self.expr(base)
                s = self._fresh(sp.sqrt(base), f"sqrt({sp.sstr(base)})")
                self.facts += [s >= 0, s * s == zb, zb >= 0]
                if ex < 0:
                    self.facts.append(s != 0)
                    return 1 / s
                return s
            a = self._fresh(e, sp.sstr(e))
            if base.is_positive:
                self.facts.append(a > 0)
            elif base.is_nonnegative:
                self.facts.append(a >= 0)
            return a
        if isinstance(e, sp.Abs):
            za = self.expr(e.args[0])
            a = self._fresh(e, f"Abs({sp.sstr(e.args[0])})")
            self.facts += [a >= 0, z3.Or(a == za, a == -za)]
            return a
        if isinstance(e, (sp.Max, sp.Min)):
            zs = [self.expr(x) for x in e.args]
            a = self._fresh(e, sp.sstr(e))
            if isinstance(e, sp.Max):
                self.facts += [a >= x for x in zs]
            else:
                self.facts += [a <= x for x in zs]
            self.facts.append(z3.Or(*[a == x for x in zs]))
            return a
        if isinstance(e, sp.exp):
            self.expr(e.args[0])
            a = self._fresh(e, sp.sstr(e))
            self.facts.append(a > 0)
            return a
        if isinstance(e, (sp.sin, sp.cos)):
            a = self._fresh(e, sp.sstr(e))
            self.facts += [a >= -1, a <= 1]
            return a
        if e.is_Function or isinstance(e, (sp.Derivative, sp.Integral)):
            a = self._fresh(e, sp.sstr(e))
            if e.is_positive:
                self.facts.append(a > 0)
            elif e.is_nonnegative:
                self.facts.append(a >= 0)
            return a
        raise _NotTranslatable(type(e).__name__)

    def relation(self, c: sp.Basic):
        z3 = self.z3
        ops = {
            sp.GreaterThan: lambda a, b: a >= b,
            sp.StrictGreaterThan: lambda a, b: a > b,
            sp.LessThan: lambda a, b: a <= b,
            sp.StrictLessThan: lambda a, b: a < b,
            sp.Equality: lambda a, b: a == b,
            sp.Unequality: lambda a, b: a != b,
        }
        for cls, op in ops.items():
            if isinstance(c, cls):
                return op(self.expr(c.lhs), self.expr(c.rhs))
        if isinstance(c, sp.And):
            return z3.And(*[self.relation(a) for a in c.args])
        if isinstance(c, sp.Or):
            return z3.Or(*[self.relation(a) for a in c.args])
        raise _NotTranslatable(f"condition {c}")

    def model_point(self, model) -> dict[sp.Symbol, sp.Rational]:
        z3 = self.z3
        point = {}
        for s, v in self.vars.items():
            val = model.eval(v, model_completion=True)
            if z3.is_int_value(val):
                point[s] = sp.Integer(val.as_long())
            elif z3.is_rational_value(val):
                point[s] = sp.Rational(val.numerator_as_long(), val.denominator_as_long())
            else:  # algebraic number: a close rational, re-checked afterwards
                point[s] = sp.Rational(val.approx(40).as_fraction().numerator, 1) / val.approx(40).as_fraction().denominator
        return point


def _z3_query(negated_goal_builder, expr_parts: Sequence[sp.Basic], conditions, timeout_ms: int):
    """Run z3 on ``conditions and not goal``; returns (result, translator, model or None)."""
    import z3

    tr = _Z3Translator()
    try:
        zparts = [tr.expr(p) for p in expr_parts]
        zconds = [tr.relation(c) for c in conditions]
    except _NotTranslatable:
        return None, tr, None
    solver = z3.Solver()
    solver.set("timeout", int(timeout_ms))
    solver.add(*tr.facts)
    solver.add(*zconds)
    solver.add(negated_goal_builder(*zparts))
    res = solver.check()
    if res == z3.unsat:
        return "unsat", tr, None
    if res == z3.sat:
        return "sat", tr, solver.model()
    return "unknown", tr, None


# ----------------------------------------------------------------------------- numeric tier


def _default_range(s: sp.Symbol) -> tuple[float, float, str]:
    """(lo, hi, kind) where kind is 'log' (positive), 'slog' (signed log) or 'int'."""
    if s.is_integer:
        lo = 1 if s.is_positive else (0 if s.is_nonnegative else -20)
        return float(lo), 40.0, "int"
    if s.is_positive:
        return 1e-3, 1e3, "log"
    if s.is_nonnegative:
        return 0.0, 1e3, "log0"
    if s.is_negative:
        return -1e3, -1e-3, "nlog"
    return -1e3, 1e3, "slog"


@dataclass(frozen=True)
class _Sampler:
    syms: tuple[sp.Symbol, ...]
    ranges: tuple[tuple[float, float, str], ...]

    @classmethod
    def build(cls, syms: Sequence[sp.Symbol], domain: Mapping[sp.Symbol, tuple[float, float]] | None) -> "_Sampler":
        ranges = []
        for s in syms:
            if domain and s in domain:
                lo, hi = (float(v) for v in domain[s])
                if not lo <= hi:
                    raise InvalidParameter(f"domain[{s}]", (lo, hi), "needs lo <= hi")
                if s.is_integer:
                    kind = "int"
                elif lo > 0 and hi / lo > 100:
                    kind = "log"
                else:
                    kind = "lin"
                ranges.append((lo, hi, kind))
            else:
                ranges.append(_default_range(s))
        return cls(tuple(syms), tuple(ranges))

    def describe(self) -> dict[str, str]:
        names = {"log": "log-uniform", "log0": "log-uniform with 0", "nlog": "log-uniform, negative",
                 "slog": "signed log-uniform with 0", "int": "integers", "lin": "uniform"}
        return {s.name: f"[{lo:g}, {hi:g}] {names[k]}" for s, (lo, hi, k) in zip(self.syms, self.ranges)}

    def random(self, rng: np.random.Generator, n: int) -> np.ndarray:
        cols = []
        for lo, hi, kind in self.ranges:
            if kind == "int":
                cols.append(rng.integers(int(lo), int(hi) + 1, size=n).astype(float))
            elif kind == "lin":
                cols.append(rng.uniform(lo, hi, size=n))
            elif kind == "log":
                cols.append(np.exp(rng.uniform(math.log(lo), math.log(hi), size=n)))
            elif kind == "log0":
                v = np.exp(rng.uniform(math.log(1e-3), math.log(hi), size=n))
                v[rng.random(n) < 0.05] = 0.0
                cols.append(v)
            elif kind == "nlog":
                cols.append(-np.exp(rng.uniform(math.log(-hi), math.log(-lo), size=n)))
            else:  # slog
                mag = np.exp(rng.uniform(math.log(1e-3), math.log(hi), size=n))
                sign = np.where(rng.random(n) < 0.5, -1.0, 1.0)
                v = sign * mag
                v[rng.random(n) < 0.03] = 0.0
                cols.append(v)
        return np.column_stack(cols) if cols else np.zeros((n, 0))

    def special(self) -> np.ndarray:
        """Boundary and unit points of every range, combined (capped)."""
        vals = []
        for lo, hi, kind in self.ranges:
            cand = {lo, hi}
            if lo <= 1 <= hi:
                cand.add(1.0)
            if lo <= 0 <= hi:
                cand.add(0.0)
            if lo <= -1 <= hi:
                cand.add(-1.0)
            if lo <= 0.5 <= hi:
                cand.add(0.5)
            vals.append(sorted(cand))
        if not vals:
            return np.zeros((1, 0))
        combos = list(itertools.islice(itertools.product(*vals), 2000))
        return np.array(combos, dtype=float)

    def clip(self, x: np.ndarray) -> np.ndarray:
        lo = np.array([r[0] for r in self.ranges])
        hi = np.array([r[1] for r in self.ranges])
        return np.clip(x, lo, hi)


def _lambdify(syms: Sequence[sp.Symbol], expr: sp.Expr):
    return sp.lambdify(list(syms), expr, modules=["numpy"])


def _scale_expr(expr: sp.Expr) -> sp.Expr:
    """Size of the terms of ``expr`` (sum of absolute values) for relative margins."""
    return 1 + sum(sp.Abs(t) for t in sp.Add.make_args(expr))


def _eval_batch(fn, pts: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        try:
            out = fn(*pts.T)
        except (ZeroDivisionError, OverflowError, ValueError, TypeError):
            out = np.array([_eval_point(fn, p) for p in pts])
    out = np.broadcast_to(np.asarray(out, dtype=complex), (pts.shape[0],))
    real = np.where(np.abs(out.imag) <= 1e-12 * (1 + np.abs(out.real)), out.real, np.nan)
    return real


def _eval_point(fn, p: np.ndarray) -> complex:
    try:
        with np.errstate(all="ignore"):
            return complex(fn(*p))
    except (ZeroDivisionError, OverflowError, ValueError, TypeError):
        return complex("nan")


def _conditions_ok(cond_fns, pts: np.ndarray) -> np.ndarray:
    ok = np.ones(pts.shape[0], dtype=bool)
    for fn in cond_fns:
        with np.errstate(all="ignore"):
            try:
                v = fn(*pts.T)
            except (ZeroDivisionError, OverflowError, ValueError, TypeError):
                v = np.array([bool(fn(*p)) for p in pts])
        ok &= np.broadcast_to(np.asarray(v, dtype=bool), ok.shape)
    return ok


def _simple_rational(x: float) -> sp.Rational:
    """A short rational close to ``x`` (so a counterexample reads like ``x = 1/2``)."""
    if x == 0:
        return sp.Integer(0)
    fr = Fraction(x).limit_denominator(1000)
    if abs(float(fr) - x) <= 1e-9 * max(1.0, abs(x)):
        return sp.Rational(fr.numerator, fr.denominator)
    return sp.Rational(Fraction(x))


def _hp_value(expr: sp.Expr, point: Mapping[sp.Symbol, sp.Basic]) -> sp.Float | None:
    try:
        v = sp.N(expr.subs(point), HP_DIGITS)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not v.is_number or v.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return None
    re, im = v.as_real_imag()
    if abs(im) > sp.Float(10) ** (-HP_DIGITS + 10) * (1 + abs(re)):
        return None
    return sp.Float(re, HP_DIGITS)


def _hp_conditions_hold(conditions: Sequence[sp.Basic], point: Mapping[sp.Symbol, sp.Basic]) -> bool:
    for c in conditions:
        v = c.subs(point)
        if v is sp.true:
            continue
        if v is sp.false:
            return False
        # fall back to numeric evaluation of lhs - rhs
        return False
    return True


def _confirm_violation(expr, strict, conditions, syms, x: np.ndarray):
    """Re-check a float violation at 50 digits at a simple rational point near ``x``."""
    for point_vals in ([_simple_rational(v) for v in x], [sp.Rational(Fraction(float(v))) for v in x]):
        point = dict(zip(syms, point_vals))
        if any(s.is_integer and not pv.is_integer for s, pv in point.items()):
            point = {s: (sp.Integer(round(float(pv))) if s.is_integer else pv) for s, pv in point.items()}
        if not _hp_conditions_hold(conditions, point):
            continue
        if not _assumptions_hold(point):
            continue
        val = _hp_value(expr, point)
        if val is None:
            continue
        scale = _hp_value(_scale_expr(expr), point) or sp.Float(1)
        bad = val <= 0 if strict else val < -sp.Float(10) ** (-HP_DIGITS + 15) * scale
        if bad:
            return point, val
    return None


def _assumptions_hold(point: Mapping[sp.Symbol, sp.Basic]) -> bool:
    for s, v in point.items():
        if s.is_positive and not v > 0:
            return False
        if s.is_nonnegative and not v >= 0:
            return False
        if s.is_negative and not v < 0:
            return False
    return True


def _fmt_point(point: Mapping[sp.Symbol, sp.Basic]) -> str:
    return ", ".join(f"{s} = {sp.sstr(v) if isinstance(v, sp.Rational) and v.q < 10**6 else sp.N(v, 8)}"
                     for s, v in sorted(point.items(), key=lambda kv: kv[0].name))


def _numeric_tier(expr, strict, conditions, syms, domain, seed, settings: SearchSettings, seeds=()):
    from scipy.optimize import minimize

    sampler = _Sampler.build(syms, domain)
    rng = np.random.default_rng(seed)
    fn = _lambdify(syms, expr)
    scale_fn = _lambdify(syms, _scale_expr(expr))
    cond_fns = [_lambdify(syms, c) for c in conditions]
    pts = np.vstack([sampler.special(), sampler.random(rng, settings.samples)] + [np.atleast_2d(s) for s in seeds])
    ok = _conditions_ok(cond_fns, pts) if cond_fns else np.ones(len(pts), bool)
    pts = pts[ok]
    if len(pts) < max(10, settings.samples // 100):
        raise InvalidParameter("conditions", [sp.sstr(c) for c in conditions],
                               f"only {len(pts)} of {settings.samples} sampled points satisfy them",
                               fix="give a domain= that lies inside the conditions")
    vals = _eval_batch(fn, pts)
    scales = np.abs(_eval_batch(scale_fn, pts))
    rel = vals / np.where(np.isfinite(scales) & (scales > 0), scales, 1.0)
    finite = np.isfinite(rel)
    n_eval = int(finite.sum())
    order = np.argsort(np.where(finite, rel, np.inf))
    best_rel, best_x = (float(rel[order[0]]), pts[order[0]]) if n_eval else (float("nan"), None)

    # local optimisation from the worst points
    kinds = [r[2] for r in sampler.ranges]

    def to_u(x):
        return np.array([math.log(v) if k == "log" and v > 0 else (-math.log(-v) if k == "nlog" else v)
                         for v, k in zip(x, kinds)])

    def from_u(u):
        x = np.array([math.exp(min(v, 700)) if k == "log" else (-math.exp(min(-v, 700)) if k == "nlog" else v)
                      for v, k in zip(u, kinds)])
        return sampler.clip(x)

    def objective(u):
        x = from_u(u)
        if cond_fns and not _conditions_ok(cond_fns, x[None, :])[0]:
            return 1e6
        v = _eval_point(fn, x)
        sc = abs(_eval_point(scale_fn, x))
        if not np.isfinite(v) or abs(v.imag) > 1e-12 * (1 + abs(v.real)):
            return 1e6
        return v.real / (sc if np.isfinite(sc) and sc > 0 else 1.0)

    def polish(x0):
        res = minimize(objective, to_u(x0), method="Nelder-Mead",
                       options={"maxfev": settings.local_evals, "xatol": 1e-10, "fatol": 1e-14})
        return from_u(res.x), float(res.fun)

    # sampled violations: polish each toward the worst nearby point, then confirm at 50 digits
    violating = [pts[i] for i in order[: settings.local_searches] if finite[i] and rel[i] < 0]
    for x in violating:
        polished, _ = polish(x) if syms else (x, 0.0)
        for cand in (polished, x):
            hit = _confirm_violation(expr, strict, conditions, syms, cand)
            if hit:
                return _refuted_numeric(expr, hit, sampler, n_eval, 1)

    n_local = 0
    starts = [pts[i] for i in order[: settings.local_searches] if finite[i]]
    for x0 in starts:
        if not syms:
            break
        n_local += 1
        x, fun = polish(x0)
        if fun < best_rel:
            best_rel, best_x = fun, x
        if fun < 0 or (strict and fun <= 0):
            hit = _confirm_violation(expr, strict, conditions, syms, x)
            if hit:
                return _refuted_numeric(expr, hit, sampler, n_eval, n_local)
    if n_eval < max(10, settings.samples // 100):
        return Verdict(INCONCLUSIVE, None,
                       f"the residual could be evaluated at only {n_eval} of {len(pts)} sampled points; "
                       "no numeric verdict", {"points": n_eval, "searched": sampler.describe()})
    details = {
        "searched": sampler.describe(),
        "conditions": [sp.sstr(c) for c in conditions],
        "points": n_eval,
        "local_searches": n_local,
        "min_relative_margin": best_rel,
        "at": {s.name: float(v) for s, v in zip(syms, best_x)} if best_x is not None else {},
        "seed": seed,
    }
    where = "; ".join(f"{k} in {v}" for k, v in details["searched"].items()) or "no free symbols"
    ev = (f"no violation at {n_eval} sampled points + {n_local} local searches over {where}; "
          f"min relative margin {best_rel:.3g}")
    return Verdict(HOLDS_NUMERICALLY, "numeric", ev, details)


def _refuted_numeric(expr, hit, sampler, n_eval, n_local):
    point, val = hit
    details = {
        "counterexample": {s.name: sp.sstr(v) for s, v in point.items()},
        "value": float(val),
        "searched": sampler.describe(),
        "points": n_eval,
        "local_searches": n_local,
    }
    return Verdict(REFUTED, "numeric",
                   f"counterexample {_fmt_point(point)}: residual = {sp.N(val, 6)} (confirmed at {HP_DIGITS} digits)",
                   details)


# ----------------------------------------------------------------------------- public


def check_nonnegative(
    expr: sp.Expr,
    *,
    strict: bool = False,
    conditions: Iterable[sp.Basic] = (),
    domain: Mapping[sp.Symbol, tuple[float, float]] | None = None,
    tiers: Sequence[str] = ALL_TIERS,
    seed: int = 0,
    settings: SearchSettings = DEFAULT_SEARCH,
) -> Verdict:
    """Decide ``expr >= 0`` (``> 0`` if ``strict``) for all admissible values of its symbols."""
    bad = [t for t in tiers if t not in ALL_TIERS]
    if bad or not tiers:
        raise InvalidParameter("tiers", tuple(tiers), f"each tier must be one of {ALL_TIERS}")
    expr = _as_expr(expr, "expr")
    conds = _conditions(conditions)
    goal = f"{sp.sstr(expr)} {'> 0' if strict else '>= 0'}"
    if _has_undefined_functions(expr):
        return Verdict(INCONCLUSIVE, None,
                       f"{goal}: contains undefined functions; encode the quantities as symbols to use the prover",
                       {"goal": goal})
    z3_seed = []
    if "sympy" in tiers:
        ok, how = _sympy_tier(expr, strict, conds)
        if ok:
            return Verdict(PROVED, "sympy", how, {"goal": goal, "conditions": [sp.sstr(c) for c in conds]})
    if "z3" in tiers:
        res, tr, model = _z3_query((lambda e: e <= 0) if strict else (lambda e: e < 0), [expr], conds,
                                   settings.z3_timeout_ms)
        if res == "unsat":
            extra = f" (atoms abstracted: {', '.join(tr.abstracted)})" if tr.abstracted else ""
            return Verdict(PROVED, "z3", f"z3: no admissible point with {sp.sstr(expr)} {'<= 0' if strict else '< 0'}{extra}",
                           {"goal": goal, "conditions": [sp.sstr(c) for c in conds], "abstracted": tr.abstracted})
        if res == "sat":
            point = tr.model_point(model)
            if not tr.abstracted:
                val = _hp_value(expr, point)
                if val is not None and ((val <= 0) if strict else (val < 0)) and _hp_conditions_hold(conds, point):
                    return Verdict(REFUTED, "z3", f"z3 model {_fmt_point(point)}: residual = {sp.N(val, 6)}",
                                   {"goal": goal, "counterexample": {s.name: sp.sstr(v) for s, v in point.items()},
                                    "value": float(val)})
            syms_here = _free_symbols(expr, conds)
            z3_seed = [np.array([float(point.get(s, 1)) for s in syms_here])]
    syms = _free_symbols(expr, conds)
    if "numeric" in tiers:
        v = _numeric_tier(expr, strict, conds, syms, domain, seed, settings, seeds=z3_seed)
        return Verdict(v.status, v.tier, v.evidence, {"goal": goal, **v.details})
    return Verdict(INCONCLUSIVE, None, f"{goal}: not decided by tiers {', '.join(tiers)}", {"goal": goal})


def check_inequality(rel: sp.Basic, **kwargs) -> Verdict:
    """Decide an inequality (``<=, <, >=, >``) or a chain ``And(a <= b, b <= c)``."""
    if isinstance(rel, sp.And):
        verdicts = [check_inequality(r, **kwargs) for r in rel.args]
        return _weakest(verdicts)
    if rel is sp.true:
        return Verdict(PROVED, "sympy", "SymPy evaluates the relation to True under the symbols' assumptions", {})
    if rel is sp.false:
        return Verdict(REFUTED, "sympy", "SymPy evaluates the relation to False under the symbols' assumptions", {})
    residual, strict = _rel_to_residual(rel)
    return check_nonnegative(residual, strict=strict, **kwargs)


def _weakest(verdicts: Sequence[Verdict]) -> Verdict:
    rank = {REFUTED: 0, INCONCLUSIVE: 1, HOLDS_NUMERICALLY: 2, PROVED: 3}
    worst = min(verdicts, key=lambda v: rank.get(v.status, 1))
    if len(verdicts) == 1:
        return worst
    parts = [f"link {i + 1}: {v.status} ({v.tier})" for i, v in enumerate(verdicts)]
    return Verdict(worst.status, worst.tier, f"{worst.evidence} [chain: {'; '.join(parts)}]",
                   {**worst.details, "links": [v.to_json() for v in verdicts]})


# ----------------------------------------------------------------------------- identities


def concretize(expr: sp.Basic, rng: np.random.Generator) -> sp.Basic:
    """Replace every undefined function ``f(t, ...)`` by a random analytic function and evaluate derivatives."""
    funcs = sorted({a.func for a in expr.atoms(AppliedUndef)}, key=lambda f: str(f))
    out = expr
    for f in funcs:
        def make(*args, _c=[sp.Rational(int(v), 8) for v in rng.integers(-12, 13, size=6)]):
            s = sum(args)
            return _c[0] + _c[1] * s + _c[2] * s**2 / 2 + (_c[3] / 2) * sp.sin(_c[4] * s / 2 + _c[5]) + sp.exp(_c[5] * s / 8) / 3
        out = out.replace(lambda e, f=f: isinstance(e, AppliedUndef) and e.func == f, lambda e, make=make: make(*e.args))
    return out.doit() if funcs or out.has(sp.Derivative) else out


def _random_point(syms, rng, domain) -> dict[sp.Symbol, sp.Rational]:
    sampler = _Sampler.build(syms, domain)
    x = sampler.random(rng, 1)[0]
    pt = {}
    for s, v in zip(syms, x):
        pt[s] = sp.Integer(int(v)) if s.is_integer else sp.Rational(f"{float(v):.3g}")
        if s.is_positive and pt[s] <= 0:
            pt[s] = sp.Rational(1, 7)
    return pt


class _NotJet(Exception):
    pass


class _JetOracle:
    """A random smooth function, queried only at finitely many jets.

    The value of ``d^k f / dx^k`` at a point depends only on (f, k, the exact numeric
    point), so equal arguments written differently get the same value, while values at
    distinct points or of distinct derivative orders are independent: any finite set of
    jets at distinct points is realised by some smooth function.
    """

    def __init__(self, rng: np.random.Generator, sym_point: Mapping[sp.Symbol, sp.Basic]):
        self.rng = rng
        self.sym_point = sym_point
        self.values: dict = {}

    def _value(self, f, orders: tuple, args: tuple) -> sp.Rational:
        key = (f, orders, args)
        if key not in self.values:
            v = sp.Rational(int(self.rng.integers(-24, 25)), int(self.rng.integers(1, 9)))
            probe = f(*[sp.Dummy() for _ in args]) if not orders else None
            if probe is not None and ((probe.is_positive and v <= 0) or (probe.is_nonnegative and v < 0)):
                v = abs(v) + sp.Rational(1, 3)
            self.values[key] = v
        return self.values[key]

    def ev(self, e: sp.Basic) -> sp.Basic:
        if e in self.sym_point:
            return self.sym_point[e]
        if e.is_Number or e.is_NumberSymbol:
            return e
        if isinstance(e, AppliedUndef):
            return self._value(e.func, (), tuple(self.ev(a) for a in e.args))
        if isinstance(e, sp.Derivative):
            f = e.expr
            if not isinstance(f, AppliedUndef) or not all(isinstance(a, sp.Symbol) for a in f.args):
                raise _NotJet(e)
            counts = dict(e.variable_count)
            if any(v not in f.args for v in counts):
                raise _NotJet(e)
            orders = tuple(counts.get(a, 0) for a in f.args)
            return self._value(f.func, orders, tuple(self.ev(a) for a in f.args))
        if isinstance(e, sp.Subs):
            d = e.expr
            f = d.expr if isinstance(d, sp.Derivative) else d
            if not isinstance(f, AppliedUndef) or not all(isinstance(a, sp.Symbol) for a in f.args):
                raise _NotJet(e)
            point = dict(zip(e.variables, (self.ev(p) for p in e.point)))
            counts = dict(d.variable_count) if isinstance(d, sp.Derivative) else {}
            orders = tuple(counts.get(a, 0) for a in f.args)
            args = tuple(point.get(a, self.ev(a)) for a in f.args)
            return self._value(f.func, orders, args)
        if isinstance(e, (sp.Integral, sp.Sum, sp.Product, sp.Limit)):
            raise _NotJet(e)
        if not e.args:
            return e
        return e.func(*[self.ev(a) for a in e.args])


def _numeric_disagreement(lhs, rhs, conditions, domain, rng, n_points):
    """Evaluate both sides at random points.

    Values and derivatives of undefined functions come from a :class:`_JetOracle`: an
    identity that holds for all smooth functions holds for arbitrary jets at finitely many
    points, and equal points (however written) get equal values.  Exact rational arithmetic.
    Expressions with integrals or sums of unknown functions fall back to random analytic
    functions (:func:`concretize`).

    Returns (max relative difference, point of max, number of points compared, mismatch or None).
    """
    worst = (0.0, None)
    compared = 0
    pair = sp.Tuple(lhs, rhs)
    pair = pair.doit() if pair.has(sp.Derivative) else pair
    use_jets = not pair.has(sp.Integral, sp.Sum, sp.Product, sp.Limit)
    cond_syms = set().union(*(c.free_symbols for c in conditions)) if conditions else set()
    # symbols of the side conditions are sampled too, so that the conditions can be evaluated
    syms = sorted(pair.free_symbols | cond_syms, key=lambda s: s.name)
    for _ in range(n_points * 4):
        if compared >= n_points:
            break
        lv = rv = None
        if use_jets:
            sym_pt = _random_point(syms, rng, domain)
            if conditions and not _hp_conditions_hold(conditions, sym_pt):
                continue
            oracle = _JetOracle(rng, sym_pt)
            try:
                l_v, r_v = oracle.ev(pair[0]), oracle.ev(pair[1])
            except _NotJet:
                use_jets = False
            except (ZeroDivisionError, TypeError, ValueError):
                continue
            else:
                lv, rv = _hp_value(l_v, {}), _hp_value(r_v, {})
                shown = sym_pt
        if not use_jets:
            l_c, r_c = concretize(pair, rng)
            csyms = sorted((l_c.free_symbols | r_c.free_symbols | cond_syms), key=lambda s: s.name)
            pt = _random_point(csyms, rng, domain)
            if conditions and not _hp_conditions_hold(conditions, pt):
                continue
            lv, rv = _hp_value(l_c, pt), _hp_value(r_c, pt)
            shown = pt
        if lv is None or rv is None:
            continue
        compared += 1
        diff = abs(lv - rv) / (1 + abs(lv) + abs(rv))
        if diff > worst[0] or worst[1] is None:
            worst = (float(diff), shown)
        if diff > IDENTITY_RTOL:
            return worst[0], shown, compared, (lv, rv)
    return worst[0], worst[1] or {}, compared, None


def check_identity(
    lhs: sp.Expr,
    rhs: sp.Expr,
    *,
    conditions: Iterable[sp.Basic] = (),
    domain: Mapping[sp.Symbol, tuple[float, float]] | None = None,
    seed: int = 0,
    tiers: Sequence[str] = ALL_TIERS,
    settings: SearchSettings = DEFAULT_SEARCH,
) -> Verdict:
    """Decide ``lhs == rhs`` for all admissible values (undefined functions: for all smooth functions)."""
    lhs, rhs = _as_expr(lhs, "lhs"), _as_expr(rhs, "rhs")
    conds = _conditions(conditions)
    rng = np.random.default_rng(seed)
    diff = lhs - rhs
    goal = f"{sp.sstr(lhs)} == {sp.sstr(rhs)}"
    # a cheap exact numeric comparison first: a mismatch refutes without costly simplification
    worst, pt, n, mismatch = _numeric_disagreement(lhs, rhs, conds, domain, rng, settings.identity_points)
    if mismatch and ("numeric" in tiers or "sympy" in tiers):
        jets = " (values of undefined functions and their derivatives taken as free random jets)" if \
            _has_undefined_functions(diff) else ""
        return Verdict(REFUTED, "numeric",
                       f"at {_fmt_point(pt)} lhs = {sp.N(mismatch[0], 8)} but rhs = {sp.N(mismatch[1], 8)}{jets}",
                       {"goal": goal, "counterexample": {str(k): sp.sstr(v) for k, v in pt.items()},
                        "lhs": float(mismatch[0]), "rhs": float(mismatch[1])})
    if "sympy" in tiers:
        subs = _slack_substitution(conds)
        for cand in _normal_forms(diff.subs(subs) if subs else diff):
            if cand == 0:
                checked = (f"spot-checked at {n} random points (max rel. diff {worst:.1e})" if n
                           else "no numeric spot-check was possible")
                return Verdict(PROVED, "sympy", f"difference simplifies to 0; {checked}",
                               {"goal": goal, "spot_checks": n, "max_relative_difference": worst})
    if "z3" in tiers and not _has_undefined_functions(diff):
        res, tr, model = _z3_query(lambda e: e != 0, [diff], conds, settings.z3_timeout_ms)
        if res == "unsat":
            extra = f" (atoms abstracted: {', '.join(tr.abstracted)})" if tr.abstracted else ""
            return Verdict(PROVED, "z3", f"z3: lhs - rhs != 0 is unsatisfiable{extra}", {"goal": goal})
        if res == "sat" and not tr.abstracted:
            point = tr.model_point(model)
            val = _hp_value(diff, point)
            if val is not None and val != 0:
                return Verdict(REFUTED, "z3", f"z3 model {_fmt_point(point)}: lhs - rhs = {sp.N(val, 8)}",
                               {"goal": goal, "counterexample": {s.name: sp.sstr(v) for s, v in point.items()}})
    if "numeric" in tiers:
        return Verdict(INCONCLUSIVE, None,
                       f"SymPy does not reduce lhs - rhs to 0; the sides agree at {n} random points "
                       f"(max rel. diff {worst:.1e} at {HP_DIGITS} digits), which is not a proof",
                       {"goal": goal, "spot_checks": n, "max_relative_difference": worst,
                        "residual": sp.sstr(diff)})
    return Verdict(INCONCLUSIVE, None, f"{goal}: not decided by tiers {', '.join(tiers)}", {"goal": goal})
