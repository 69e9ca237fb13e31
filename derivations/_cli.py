"""The ``derivcheck`` command line.

    derivcheck list
    derivcheck show ID [--step LABEL] [--json]
    derivcheck audit [--json]

Exit codes: 0 ok, 1 an audit mismatch (a computed verdict differs from the recorded one),
2 bad input (a one-line message on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Sequence

from ._errors import DerivcheckError

EXIT_OK, EXIT_FINDING, EXIT_USAGE = 0, 1, 2


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line and exit code 2."""

    def error(self, message: str):  # noqa: D401 - argparse API
        raise _UsageError(message)


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="derivcheck", description="Step-by-step audit of derivations in optimisation and deep-learning theory.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    sub.add_parser("list", help="list the encoded derivations")

    show = sub.add_parser("show", help="check one derivation and show its steps")
    show.add_argument("id", help="derivation id (see 'derivcheck list')")
    show.add_argument("--step", metavar="LABEL", help="only this step, by its label as in the source, e.g. '(13)'")
    show.add_argument("--json", action="store_true", help="print JSON (the DESIGN.md shape)")

    audit = sub.add_parser("audit", help="check every derivation against its recorded verdicts")
    audit.add_argument("--json", action="store_true", help="print JSON")

    for extra in _EXTRA_COMMANDS:
        extra(sub)
    return p


def _extra_bound(sub) -> None:
    """``derivcheck bound`` lives in numeric_checks (imported lazily, when used)."""
    try:
        from numeric_checks._bound_cli import add_parser
    except ImportError:
        return
    add_parser(sub)


def _extra_report(sub) -> None:
    try:
        from ._report_cli import add_parser
    except ImportError:
        return
    add_parser(sub)


_EXTRA_COMMANDS = (_extra_bound, _extra_report)


def _cmd_list(args, out) -> int:
    from ._registry import all_derivations

    rows = [(d.id, str(len(d.steps)), d.title) for d in all_derivations()]
    w0 = max([len(r[0]) for r in rows] + [2])
    out.write(f"{'id'.ljust(w0)}  steps  title\n")
    for r in rows:
        out.write(f"{r[0].ljust(w0)}  {r[1].rjust(5)}  {r[2]}\n")
    return EXIT_OK


def sp_str(expr) -> str:
    import sympy as sp

    return sp.sstr(expr)


def _cmd_show(args, out) -> int:
    from ._registry import get

    d = get(args.id)
    if args.step is not None:
        d.step(args.step)  # raises UnknownName before any work
    report = d.check(args.step)
    if args.json:
        out.write(report.to_json_text() + "\n")
    else:
        out.write(str(report) + "\n")
        for r in report:
            if r.step.note and args.step is not None:
                out.write(f"\nnote: {r.step.note}\n")
            if args.step is not None:
                out.write(f"\nclaim: {sp_str(r.step.claim)}\nrule: {r.step.rule.describe()}\n"
                          f"uses: {', '.join(r.step.uses) or '-'}\nevidence: {r.verdict.evidence}\n")
                if r.correction is not None:
                    out.write(f"correction: {sp_str(r.step.correction.claim)}\n  {r.correction.status} "
                              f"({r.correction.tier}): {r.correction.evidence}\n")
                if r.verdict.replay:
                    out.write(f"replay: {r.verdict.replay}\n")
    return EXIT_OK


def audit_all():
    """Check every derivation; returns (reports, seconds)."""
    from ._registry import all_derivations

    t0 = time.perf_counter()
    reports = [d.check() for d in all_derivations()]
    return reports, time.perf_counter() - t0


def _cmd_audit(args, out) -> int:
    from ._verdict import STATUSES

    reports, seconds = audit_all()
    mismatches = [(rep.derivation.id, r) for rep in reports for r in rep.mismatches]
    if args.json:
        payload = {
            "derivations": [rep.to_json() for rep in reports],
            "summary": {rep.derivation.id: rep.counts() for rep in reports},
            "mismatches": [{"id": i, "label": r.step.label, "detail": r.mismatch_text()} for i, r in mismatches],
            "seconds": round(seconds, 2),
        }
        out.write(json.dumps(payload, indent=2) + "\n")
    else:
        head = ["derivation", "steps", *STATUSES, "findings"]
        rows = []
        for rep in reports:
            c = rep.counts()
            findings = sum(1 for r in rep if r.step.finding)
            rows.append([rep.derivation.id, str(len(rep)), *(str(c[s]) for s in STATUSES), str(findings)])
        widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
        out.write("  ".join(h.ljust(w) for h, w in zip(head, widths)) + "\n")
        for r in rows:
            out.write("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "\n")
        out.write("\nfindings (steps wrong as written, or whose justification does not establish them):\n")
        for rep in reports:
            for r in rep:
                if r.step.finding:
                    corr = f"; corrected claim {r.correction.status}" if r.correction is not None else ""
                    out.write(f"  {rep.derivation.id}:{r.step.label} [{r.step.finding}] {r.status}{corr}: "
                              f"{r.step.note or r.verdict.evidence}\n")
        out.write(f"\nchecked {sum(len(r) for r in reports)} steps in {len(reports)} derivations in {seconds:.1f} s\n")
        if mismatches:
            out.write(f"{len(mismatches)} computed verdict(s) differ from the recorded ones:\n")
            for i, r in mismatches:
                out.write(f"  {i}:{r.step.label} {r.mismatch_text()}\n")
        else:
            out.write("every computed verdict equals the recorded one\n")
    return EXIT_FINDING if mismatches else EXIT_OK


_COMMANDS = {"list": _cmd_list, "show": _cmd_show, "audit": _cmd_audit}


def main(argv: Sequence[str] | None = None, *, out=None, err=None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        handler = _COMMANDS.get(args.command) or getattr(args, "handler", None)
        return handler(args, out)
    except _UsageError as exc:
        err.write(f"derivcheck: error: {exc}\n")
        return EXIT_USAGE
    except DerivcheckError as exc:
        err.write(f"derivcheck: error: {exc}\n")
        return EXIT_USAGE
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        return EXIT_OK
