"""Steps, derivations and their reports (the vocabulary of DESIGN.md)."""

from __future__ import annotations

import html
import json
import zlib
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import sympy as sp

from ._errors import EncodingError, UnknownName
from ._verdict import CITED, HOLDS_NUMERICALLY, INCONCLUSIVE, PROVED, REFUTED, STATUSES, Verdict

if TYPE_CHECKING:  # pragma: no cover
    from ._rules import Rule

#: findings a step can record about the source
FINDINGS = ("slip", "error", "gap")


@dataclass(frozen=True)
class Assumption:
    """An assumption the source makes (often implicitly), made explicit as data.

    ``expr`` is its SymPy form where it has one (a side condition such as ``mu <= L`` or an
    identity such as Euler's relation for a homogeneous activation); steps name it in ``uses``.
    """

    label: str
    name: str
    statement: str
    expr: sp.Basic | None = None


@dataclass(frozen=True)
class Correction:
    """The corrected claim for a step that is wrong as written; it is checked too."""

    claim: sp.Basic
    rule: "Rule"
    expect: str = PROVED
    note: str = ""
    uses: tuple[str, ...] | None = None  # premises of the corrected argument (default: the step's)

    def __post_init__(self) -> None:
        if self.expect not in STATUSES:
            raise EncodingError(f"correction expect={self.expect!r}: must be one of {STATUSES}")


@dataclass(frozen=True)
class Step:
    """One step of a derivation, encoded **as the source writes it**.

    ``label`` is the source's own number (``"(13)"``, ``"Lemma 3.3"``); ``name`` states the
    conclusion (``eq13_imbalance_ode``); ``claim`` is a SymPy relation (or a chain
    ``And(a <= b, b <= c)``); ``uses`` lists the labels of the steps and assumptions it rests
    on; ``rule`` is how it is checked; ``expect`` is the audit's recorded verdict (tests
    assert the computed verdict equals it); ``correction`` is the corrected claim where the
    source is wrong; ``finding`` classifies what is wrong (``slip``: a transcription or
    notation mistake with an evident intended claim; ``error``: a real mathematical error;
    ``gap``: a true or unrefuted claim whose stated justification does not establish it);
    ``note`` explains, in a sentence or two, for the reader; ``also`` is an extra check
    (typically trajectory evidence) consulted when ``rule`` does not prove the claim.
    """

    label: str
    name: str
    claim: sp.Basic
    rule: "Rule"
    uses: tuple[str, ...] = ()
    expect: str = PROVED
    correction: Correction | None = None
    finding: str | None = None
    note: str = ""
    also: "Rule | None" = None
    written: str = ""

    def __post_init__(self) -> None:
        if self.expect not in STATUSES:
            raise EncodingError(f"step {self.label}: expect={self.expect!r} must be one of {STATUSES}")
        if self.finding is not None and self.finding not in FINDINGS:
            raise EncodingError(f"step {self.label}: finding={self.finding!r} must be one of {FINDINGS}")
        if isinstance(self.uses, str):
            raise EncodingError(f"step {self.label}: uses must be a tuple of labels, not a string")


def stable_seed(*parts: str) -> int:
    """A seed that depends only on the given strings (stable across runs and machines)."""
    return zlib.crc32("\x1f".join(parts).encode()) & 0x7FFFFFFF


@dataclass
class CheckContext:
    """What a rule may look at while checking one claim of one step."""

    derivation: "Derivation"
    step: Step
    seed: int
    corrected: bool = False

    def claim(self, label: str, *, corrected: bool = True) -> sp.Basic:
        """The claim of step ``label`` (its correction if it has one and ``corrected``), or an assumption's expr."""
        d = self.derivation
        if label in d._assumptions:
            a = d._assumptions[label]
            if a.expr is None:
                raise EncodingError(f"{d.id}:{self.step.label} uses assumption {label}, which has no expression")
            return a.expr
        s = d.step(label)
        if corrected and s.correction is not None:
            return s.correction.claim
        return s.claim

    @property
    def conditions(self) -> tuple[sp.Basic, ...]:
        return self.derivation.conditions

    @property
    def domain(self) -> Mapping[sp.Symbol, tuple[float, float]] | None:
        return self.derivation.domain


@dataclass(frozen=True)
class StepResult:
    step: Step
    verdict: Verdict
    correction: Verdict | None = None

    @property
    def status(self) -> str:
        return self.verdict.status

    @property
    def matches_expected(self) -> bool:
        ok = self.verdict.status == self.step.expect
        if self.step.correction is not None:
            ok = ok and self.correction is not None and self.correction.status == self.step.correction.expect
        return ok

    def mismatch_text(self) -> str:
        parts = []
        if self.verdict.status != self.step.expect:
            parts.append(f"computed {self.verdict.status}, recorded {self.step.expect}")
        c = self.step.correction
        if c is not None and (self.correction is None or self.correction.status != c.expect):
            got = self.correction.status if self.correction else "not checked"
            parts.append(f"correction computed {got}, recorded {c.expect}")
        return "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        s = self.step
        out: dict[str, Any] = {
            "label": s.label,
            "name": s.name,
            "claim": sp.sstr(s.claim),
            "status": self.verdict.status,
            "tier": self.verdict.tier,
            "evidence": self.verdict.evidence,
            "correction": None,
            "rule": s.rule.describe(),
            "uses": list(s.uses),
            "expected": s.expect,
            "finding": s.finding,
            "note": s.note,
            "details": self.verdict.to_json()["details"],
            "replay": self.verdict.replay,
            "latex": sp.latex(s.claim),
        }
        if s.correction is not None and self.correction is not None:
            out["correction"] = {
                "claim": sp.sstr(s.correction.claim),
                "status": self.correction.status,
                "tier": self.correction.tier,
                "evidence": self.correction.evidence,
                "expected": s.correction.expect,
                "note": s.correction.note,
                "rule": s.correction.rule.describe(),
                "latex": sp.latex(s.correction.claim),
            }
        return out


class Derivation:
    """One derivation module: ``ID``, ``TITLE``, ``SOURCE``, ``STEPS`` (+ ``ASSUMPTIONS``, ``CONDITIONS``, ``DOMAIN``)."""

    def __init__(self, module: ModuleType):
        for attr in ("ID", "TITLE", "SOURCE", "STEPS"):
            if not hasattr(module, attr):
                raise EncodingError(f"derivation module {module.__name__} lacks {attr}")
        self.module = module
        self.id: str = module.ID
        self.title: str = module.TITLE
        self.source: str = module.SOURCE
        self.steps: tuple[Step, ...] = tuple(module.STEPS)
        self.assumptions: tuple[Assumption, ...] = tuple(getattr(module, "ASSUMPTIONS", ()))
        self.conditions: tuple[sp.Basic, ...] = tuple(getattr(module, "CONDITIONS", ()))
        self.domain = getattr(module, "DOMAIN", None)
        self.doc: str = (module.__doc__ or "").strip()
        self._assumptions = {a.label: a for a in self.assumptions}
        self._results: dict[str, StepResult | None] = {}
        self._steps = {}
        for s in self.steps:
            if s.label in self._steps or s.label in self._assumptions:
                raise EncodingError(f"{self.id}: duplicate label {s.label}")
            self._steps[s.label] = s
        known = set(self._steps) | set(self._assumptions)
        for s in self.steps:
            missing = [u for u in s.uses + ((s.correction.uses or ()) if s.correction else ()) if u not in known]
            if missing:
                raise EncodingError(f"{self.id}:{s.label} uses unknown labels {missing}")

    def __repr__(self) -> str:
        return f"<Derivation {self.id}: {len(self.steps)} steps>"

    @property
    def summary(self) -> str:
        """First paragraph of the module docstring."""
        return self.doc.split("\n\n")[0].replace("\n", " ") if self.doc else self.title

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(s.label for s in self.steps)

    def step(self, label: str) -> Step:
        try:
            return self._steps[label]
        except KeyError:
            raise UnknownName(f"step label of {self.id}", label, self.labels) from None

    def check_step(self, label: str) -> StepResult:
        """Check one step (its premises are checked too; results are cached per derivation).

        A step that its rule proves from premises of which some are only supported
        numerically (or not decided) is not ``proved``: it gets the weakest status of those
        premises, and the evidence says which premise limits it.  A premise with a
        correction contributes the status of its corrected claim (that is what is used).
        """
        if label in self._results:
            return self._results[label]
        from ._rules import run_rule

        s = self.step(label)
        self._results[label] = None  # guards against cycles in `uses`
        seed = stable_seed(self.id, s.label)
        ctx = CheckContext(self, s, seed)
        verdict = run_rule(s.rule, ctx, s.claim)
        if s.also is not None and verdict.status not in (PROVED, REFUTED):
            extra = run_rule(s.also, ctx, s.claim)
            verdict = _combine(verdict, extra)
        premises = self._premise_statuses(s)
        verdict = _limit_by_premises(verdict, premises)
        verdict = verdict.with_replay(verdict.replay or f"derivcheck show {self.id} --step '{s.label}'")
        corr = None
        if s.correction is not None:
            cctx = CheckContext(self, s, seed, corrected=True)
            cprem = premises if s.correction.uses is None else self._premise_statuses(s, s.correction.uses)
            corr = _limit_by_premises(run_rule(s.correction.rule, cctx, s.correction.claim), cprem)
        result = StepResult(s, verdict, corr)
        self._results[label] = result
        return result

    def _premise_statuses(self, s: Step, uses: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
        out = []
        for u in (s.uses if uses is None else uses):
            if u not in self._steps:
                continue  # an assumption
            pr = self.check_step(u)
            if pr is None:
                raise EncodingError(f"{self.id}: the uses of {s.label} form a cycle through {u}")
            status = pr.correction.status if pr.correction is not None else pr.verdict.status
            out.append((u, status))
        return out

    def check(self, label: str | None = None) -> "DerivationReport":
        """Check every step (or one step) and return the report."""
        labels = [label] if label is not None else list(self.labels)
        if label is not None:
            self.step(label)
        return DerivationReport(self, [self.check_step(lab) for lab in labels])


def _limit_by_premises(verdict: Verdict, premises: list[tuple[str, str]]) -> Verdict:
    """A proof is only as strong as its premises: demote ``proved`` when a premise is weaker."""
    if verdict.status != PROVED:
        return verdict
    weak = [(u, st) for u, st in premises if st in (HOLDS_NUMERICALLY, INCONCLUSIVE, REFUTED)]
    if not weak:
        return verdict
    status = INCONCLUSIVE if any(st != HOLDS_NUMERICALLY for _, st in weak) else HOLDS_NUMERICALLY
    which = ", ".join(f"{u} ({st})" for u, st in weak)
    return Verdict(status, verdict.tier, f"follows by its rule, but rests on {which}: {verdict.evidence}",
                   {**verdict.details, "limited_by": [u for u, _ in weak]}, verdict.replay)


def _combine(main: Verdict, extra: Verdict) -> Verdict:
    """Combine a non-deciding main verdict with extra (e.g. trajectory) evidence."""
    if extra.status in (REFUTED, HOLDS_NUMERICALLY, PROVED, CITED):
        return Verdict(extra.status, extra.tier, f"{extra.evidence} [stated justification: {main.evidence}]",
                       {**extra.details, "justification": main.to_json()}, extra.replay)
    return Verdict(main.status, main.tier, f"{main.evidence} [further check: {extra.evidence}]",
                   {**main.details, "further": extra.to_json()}, main.replay)


_SYMBOL = {PROVED: "proved", HOLDS_NUMERICALLY: "holds_num", REFUTED: "REFUTED", INCONCLUSIVE: "inconclusive", CITED: "cited"}


class DerivationReport:
    """The checked steps of one derivation: text table, JSON, HTML and LaTeX forms."""

    def __init__(self, derivation: Derivation, results: Iterable[StepResult]):
        self.derivation = derivation
        self.results = list(results)

    def __iter__(self):
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, label: str) -> StepResult:
        for r in self.results:
            if r.step.label == label:
                return r
        raise UnknownName(f"step label of {self.derivation.id}", label, [r.step.label for r in self.results])

    @property
    def mismatches(self) -> list[StepResult]:
        return [r for r in self.results if not r.matches_expected]

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATUSES}
        for r in self.results:
            out[r.status] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        d = self.derivation
        return {
            "id": d.id,
            "title": d.title,
            "source": d.source,
            "summary": d.summary,
            "assumptions": [{"label": a.label, "name": a.name, "statement": a.statement,
                             "expr": sp.sstr(a.expr) if a.expr is not None else None} for a in d.assumptions],
            "conditions": [sp.sstr(c) for c in d.conditions],
            "steps": [r.to_json() for r in self.results],
        }

    def to_json_text(self) -> str:
        return json.dumps(self.to_json(), indent=2)

    def __str__(self) -> str:
        d = self.derivation
        lines = [f"{d.id}: {d.title}", f"source: {d.source}", ""]
        rows = [("label", "name", "status", "tier", "evidence")]
        for r in self.results:
            flag = "" if r.matches_expected else "  <-- differs from recorded: " + r.mismatch_text()
            rows.append((r.step.label, r.step.name, _SYMBOL[r.status], r.verdict.tier or "-",
                         _one_line(r.verdict.evidence) + flag))
            if r.correction is not None:
                rows.append(("", "  corrected", _SYMBOL[r.correction.status], r.correction.tier or "-",
                             _one_line(f"{sp.sstr(r.step.correction.claim)} -- {r.correction.evidence}")))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            lines.append("  ".join(c.ljust(w) for c, w in zip(row[:4], widths)) + "  " + row[4])
        c = self.counts()
        lines.append("")
        lines.append("  ".join(f"{k}: {v}" for k, v in c.items() if v))
        if self.mismatches:
            lines.append(f"{len(self.mismatches)} step(s) differ from the recorded verdicts")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        d = self.derivation
        rows = []
        for r in self.results:
            claim = sp.latex(r.step.claim)
            corr = ""
            if r.correction is not None:
                corr = (f"<br><i>corrected</i>: ${sp.latex(r.step.correction.claim)}$ "
                        f"&rarr; <b>{r.correction.status}</b> ({r.correction.tier})")
            rows.append(
                f"<tr><td>{html.escape(r.step.label)}</td><td><code>{html.escape(r.step.name)}</code></td>"
                f"<td>${claim}$</td><td><b>{r.status}</b></td><td>{r.verdict.tier or '-'}</td>"
                f"<td>{html.escape(r.verdict.evidence)}{corr}</td></tr>")
        return (f"<h4>{html.escape(d.id)}: {html.escape(d.title)}</h4><p>{html.escape(d.source)}</p>"
                "<table><tr><th>label</th><th>name</th><th>claim</th><th>status</th><th>tier</th><th>evidence</th></tr>"
                + "".join(rows) + "</table>")

    def _repr_latex_(self) -> str:
        lines = [r"\begin{array}{llll}", r"\text{label} & \text{claim} & \text{status} & \text{tier}\\ \hline"]
        for r in self.results:
            lines.append(rf"\text{{{r.step.label}}} & {sp.latex(r.step.claim)} & \text{{{r.status}}} & "
                         rf"\text{{{r.verdict.tier or '-'}}}\\")
        lines.append(r"\end{array}")
        return "$$" + "\n".join(lines) + "$$"


def _one_line(text: str, width: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."
