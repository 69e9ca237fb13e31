"""``derivcheck report --out DIR [--no-figures]``: the audit as an HTML page and its Markdown twin.

Exit codes as ``derivcheck audit``: 0 when every computed verdict equals the recorded one, 1 when
some differ (the report is written anyway and lists them at the top), 2 on bad arguments (a
missing ``--out``, ``--out`` naming an existing file, a directory that cannot be created or
written), with a one-line message.
"""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="write the audit as a self-contained HTML page (MathML, PNG figures) "
                                      "and a Markdown twin")
    p.add_argument("--out", required=True, metavar="DIR",
                   help="output directory (created if missing): DIR/report.html, DIR/report.md, DIR/figures/*.png")
    p.add_argument("--no-figures", action="store_true", help="skip the figures (no numeric_checks simulations)")
    p.set_defaults(handler=_cmd_report)


def _cmd_report(args, out) -> int:
    from ._report import build, prepare_out_dir

    prepare_out_dir(args.out)  # bad --out fails before the audit runs
    res = build(args.out, figures=not args.no_figures)
    made = sum(1 for f in res.figures if f.path)
    missing = [f for f in res.figures if not f.path]
    out.write(f"wrote {res.html_path} and {res.md_path} with {made} figure(s) in {res.seconds:.1f} s "
              f"(audit {res.audit_seconds:.1f} s, figures {res.figure_seconds:.1f} s)\n")
    for f in missing:
        out.write(f"  figure {f.key}: {f.unavailable}\n")
    if res.mismatches:
        out.write(f"{len(res.mismatches)} computed verdict(s) differ from the recorded ones:\n")
        for i, lab, t in res.mismatches:
            out.write(f"  {i}:{lab} {t}\n")
        return 1
    return 0
