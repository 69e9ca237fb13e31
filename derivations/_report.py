"""The audit as a page a researcher can read: ``derivcheck report --out DIR``.

Writes ``DIR/report.html`` (self-contained: inline CSS, math as presentation MathML printed by
SymPy, figures as PNG files under ``DIR/figures/``; nothing is fetched from the network) and
``DIR/report.md``, its Markdown twin (math as ``$LaTeX$``), from the same registry and the same
verdicts as ``derivcheck audit``:

* at the top, per derivation, the counts of proved / holds_numerically / refuted /
  inconclusive / cited steps, and the list of findings (slips, errors, gaps) with links;
* per derivation, its docstring summary and a table of steps (label, claim as rendered math,
  verdict, tier, evidence, correction, and links to the steps it uses and that use it);
* the figures of :mod:`numeric_checks._figures` (imported lazily: the engine does not depend
  on ``numeric_checks``) and the PEPit comparison table of ``notes/partitioned_nesterov.md``.

>>> from derivations._report import build
>>> result = build("out")           # doctest: +SKIP  (runs the audit: about a minute)
>>> result.html_path, result.seconds  # doctest: +SKIP
"""

from __future__ import annotations

import html
import os
import re
import time
from dataclasses import dataclass, field
from html.entities import html5 as _HTML5_ENTITIES
from typing import Any, Iterable

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.mathml import MathMLPresentationPrinter

from ._errors import InvalidParameter
from ._verdict import STATUSES

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
HTML_NAME, MD_NAME, FIG_DIR = "report.html", "report.md", "figures"
NOTES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "notes")
#: the notes file that holds the PEPit comparison, and the heading word that finds its section
PEPIT_NOTES = ("partitioned_nesterov", "PEPit")


# ----------------------------------------------------------------------------- math


class _Printer(MathMLPresentationPrinter):
    """SymPy's presentation printer, except that an undefined function keeps its own name
    (SymPy 1.14 prints ``Function('E')(t)`` as ``e(t)``, Euler's number) and gets the
    symbol treatment of its name (subscripts, Greek letters)."""

    def _print_Function(self, e):
        if not isinstance(e, AppliedUndef):
            return super()._print_Function(e)
        mrow = self.dom.createElement("mrow")
        mrow.appendChild(self._print(sp.Symbol(e.func.__name__)))
        mrow.appendChild(self._paren_comma_separated(*e.args))
        return mrow


_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")


def _numeric_entities(text: str) -> str:
    """Named entities (``&dd;``) as numeric character references, valid in HTML and XML alike."""

    def repl(m: re.Match) -> str:
        if m.group(1) in ("amp", "lt", "gt", "quot", "apos"):
            return m.group(0)
        chars = _HTML5_ENTITIES.get(m.group(1) + ";")
        return "".join(f"&#x{ord(c):x};" for c in chars) if chars else m.group(0)

    return _ENTITY.sub(repl, text)


def mathml(expr: sp.Basic) -> str:
    """``<math>`` element (presentation MathML) for a SymPy expression; its text form inside
    ``<mtext>`` if the printer fails on it (still MathML, and says so in a title)."""
    try:
        body = _numeric_entities(_Printer().doprint(expr))
        title = ""
    except Exception as exc:  # noqa: BLE001 - a printer gap must not break the page
        body = f"<mtext>{html.escape(sp.sstr(expr))}</mtext>"
        title = f' title="MathML printer failed ({html.escape(type(exc).__name__)}): plain text"'
    return f'<math xmlns="{MATHML_NS}" display="inline"{title}>{body}</math>'


# ----------------------------------------------------------------------------- data


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-") or "x"


@dataclass
class _StepRow:
    json: dict[str, Any]
    claim: sp.Basic
    correction_claim: sp.Basic | None
    anchor: str
    matches: bool
    mismatch: str
    used_by: list[str] = field(default_factory=list)


@dataclass
class _Section:
    id: str
    title: str
    source: str
    summary: str
    doc: str
    counts: dict[str, int]
    rows: list[_StepRow]
    assumptions: list[dict[str, Any]]
    conditions: list[str]
    anchors: dict[str, str]  # label (step or assumption) -> anchor id

    def findings(self) -> list[_StepRow]:
        return [r for r in self.rows if r.json["finding"]]


def _sections(reports: Iterable[Any]) -> list[_Section]:
    out = []
    for rep in reports:
        d = rep.derivation
        data = rep.to_json()
        anchors: dict[str, str] = {}
        taken: set[str] = {d.id}

        def anchor(kind: str, label: str) -> str:
            base = f"{d.id}--{kind}{_slug(label)}"
            a, k = base, 2
            while a in taken:
                a, k = f"{base}-{k}", k + 1
            taken.add(a)
            return a

        for a in data["assumptions"]:
            anchors[a["label"]] = anchor("a-", a["label"])
        rows = []
        for r, js in zip(rep.results, data["steps"]):
            a = anchor("", js["label"])
            anchors[js["label"]] = a
            corr = r.step.correction.claim if r.step.correction is not None else None
            rows.append(_StepRow(js, r.step.claim, corr, a, r.matches_expected,
                                 "" if r.matches_expected else r.mismatch_text()))
        for row in rows:
            for u in row.json["uses"]:
                for other in rows:
                    if other.json["label"] == u:
                        other.used_by.append(row.json["label"])
        out.append(_Section(d.id, d.title, d.source, d.summary, d.doc, rep.counts(), rows, data["assumptions"],
                            data["conditions"], anchors))
    return out


# ----------------------------------------------------------------------------- notes sections


def notes_section(notes_id: str, heading_word: str, notes_dir: str = NOTES_DIR) -> str | None:
    """The Markdown section of ``notes/<notes_id>.md`` whose ``##`` heading contains
    ``heading_word`` (up to the next ``##`` heading), or None."""
    path = os.path.join(notes_dir, f"{notes_id}.md")
    if not os.path.isfile(path):
        return None
    lines = open(path, encoding="utf-8").read().splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.startswith("## ") and heading_word in ln), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "\n".join(lines[start:end]).strip()


def _inline_md(text: str) -> str:
    """Escaped text with Markdown's `code`, **bold** and \\| handled (enough for the notes' tables)."""
    parts = re.split(r"(`[^`]*`)", text.replace("\\|", "|"))
    out = []
    for p in parts:
        if p.startswith("`") and p.endswith("`") and len(p) >= 2:
            out.append(f"<code>{html.escape(p[1:-1])}</code>")
        else:
            e = html.escape(p)
            out.append(re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", e))
    return "".join(out)


def _split_row(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip().strip("|") if not line.strip().endswith("\\|") else line.strip()[1:])
    return [c.strip() for c in cells]


def markdown_to_html(md: str) -> str:
    """A small Markdown subset to HTML: headings, pipe tables, bullet lists, paragraphs."""
    out: list[str] = []
    lines = md.splitlines()
    i = 0
    para: list[str] = []

    def flush():
        if para:
            out.append("<p>" + _inline_md(" ".join(para)) + "</p>")
            para.clear()

    while i < len(lines):
        ln = lines[i]
        if ln.startswith("#"):
            flush()
            level = min(6, len(ln) - len(ln.lstrip("#")) + 1)
            out.append(f"<h{level}>{_inline_md(ln.lstrip('#').strip())}</h{level}>")
        elif ln.strip().startswith("|"):
            flush()
            block = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                block.append(lines[i])
                i += 1
            rows = [_split_row(b) for b in block if not re.fullmatch(r"\s*\|[\s|:-]+\|?\s*", b)]
            if rows:
                head, body = rows[0], rows[1:]
                out.append("<table><thead><tr>" + "".join(f"<th>{_inline_md(c)}</th>" for c in head)
                           + "</tr></thead><tbody>"
                           + "".join("<tr>" + "".join(f"<td>{_inline_md(c)}</td>" for c in r) + "</tr>" for r in body)
                           + "</tbody></table>")
            continue
        elif ln.lstrip().startswith(("- ", "* ")):
            flush()
            items = []
            while i < len(lines) and lines[i].lstrip().startswith(("- ", "* ")):
                items.append(lines[i].lstrip()[2:])
                i += 1
            out.append("<ul>" + "".join(f"<li>{_inline_md(x)}</li>" for x in items) + "</ul>")
            continue
        elif not ln.strip():
            flush()
        else:
            para.append(ln.strip())
        i += 1
    flush()
    return "\n".join(out)


# ----------------------------------------------------------------------------- HTML

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:1.5em auto;max-width:1400px;
color:#222;line-height:1.4;padding:0 1em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ccc;padding:.25em .45em;vertical-align:top;text-align:left}
th{background:#f2f2f2}
td.claim{min-width:14em}
td.evidence{max-width:34em;font-size:.92em}
.proved{background:#e3f4e3}.holds_numerically{background:#eef6ff}.refuted{background:#fde2e2}
.inconclusive{background:#fff4d6}.cited{background:#eee}
.finding{font-weight:bold;color:#a00}.mismatch{color:#a00;font-weight:bold}
.unavailable{color:#a00;font-style:italic}
code,pre{font-size:.9em;background:#f7f7f7}
pre{padding:.5em;overflow-x:auto;white-space:pre-wrap}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #ddd}
figcaption{font-size:.88em;color:#444;max-width:60em}
.small{font-size:.85em;color:#555}
"""


def _status_cell(status: str, tier: str | None) -> str:
    return f'<span class="status">{html.escape(status)}</span>', html.escape(tier or "-")


def _html_links(labels: Iterable[str], anchors: dict[str, str]) -> str:
    out = []
    for lab in labels:
        if lab in anchors:
            out.append(f'<a href="#{anchors[lab]}">{html.escape(lab)}</a>')
        else:
            out.append(html.escape(lab))
    return ", ".join(out)


def _html_step_row(sec: _Section, row: _StepRow) -> str:
    js = row.json
    status, tier = _status_cell(js["status"], js["tier"])
    ev = html.escape(js["evidence"])
    if js["finding"]:
        ev = f'<span class="finding">finding: {html.escape(js["finding"])}</span> {html.escape(js["note"])}<br>{ev}'
    elif js["note"]:
        ev = f'<i>{html.escape(js["note"])}</i><br>{ev}'
    if not row.matches:
        ev += f'<br><span class="mismatch">differs from the recorded verdict: {html.escape(row.mismatch)}</span>'
    corr = "-"
    c = js["correction"]
    if c is not None:
        corr = (f'{mathml(row.correction_claim)}<br><span class="{html.escape(c["status"])}">'
                f'<b>{html.escape(c["status"])}</b></span> ({html.escape(c["tier"] or "-")}): '
                f'{html.escape(c["evidence"])}')
        if c["note"]:
            corr += f'<br><i>{html.escape(c["note"])}</i>'
    uses = _html_links(js["uses"], sec.anchors) or "-"
    used_by = _html_links(row.used_by, sec.anchors)
    if used_by:
        uses += f'<br><span class="small">used by: {used_by}</span>'
    return (f'<tr id="{row.anchor}" data-label="{html.escape(js["label"], quote=True)}" '
            f'data-status="{html.escape(js["status"])}" data-tier="{html.escape(js["tier"] or "")}" '
            f'data-correction-status="{html.escape(c["status"]) if c else ""}">'
            f'<td>{html.escape(js["label"])}</td><td><code>{html.escape(js["name"])}</code></td>'
            f'<td class="claim">{mathml(row.claim)}</td>'
            f'<td class="{html.escape(js["status"])}"><b>{status}</b></td><td>{tier}</td>'
            f'<td class="evidence">{ev}</td><td class="evidence">{corr}</td><td>{uses}</td></tr>')


def _html_figures(figs: list[Any], rel_dir: str) -> str:
    out = []
    for f in figs:
        if f.path:
            src = html.escape(f"{rel_dir}/{f.path}", quote=True)
            out.append(f'<figure id="fig-{_slug(f.key)}"><img src="{src}" alt="{html.escape(f.title, quote=True)}">'
                       f"<figcaption><b>{html.escape(f.title)}.</b> {html.escape(f.caption)}</figcaption></figure>")
        else:
            out.append(f'<p class="unavailable">Figure {html.escape(f.key)}: {html.escape(f.unavailable)}</p>')
    return "\n".join(out)


def _notes_link(sid: str, out_dir: str, notes_dir: str) -> str | None:
    path = os.path.join(notes_dir, f"{sid}.md")
    if not os.path.isfile(path):
        return None
    return os.path.relpath(path, os.path.abspath(out_dir)).replace(os.sep, "/")


@dataclass
class ReportResult:
    """What :func:`build` wrote, and how long it took."""

    out_dir: str
    html_path: str
    md_path: str
    figures: list[Any]
    audit_seconds: float
    figure_seconds: float
    seconds: float
    mismatches: list[tuple[str, str, str]]
    sections: list[_Section] = field(repr=False, default_factory=list)


def _summary_rows(sections: list[_Section]):
    total = {s: 0 for s in STATUSES}
    nfind = 0
    rows = []
    for sec in sections:
        f = len(sec.findings())
        nfind += f
        for s in STATUSES:
            total[s] += sec.counts[s]
        rows.append((sec, [sec.counts[s] for s in STATUSES], f))
    return rows, total, nfind


def _render_html(sections, figs_by_id, other_figs, pepit_md, *, out_dir, notes_dir, audit_seconds, fig_seconds,
                 figures_made: bool, mismatches) -> str:
    p: list[str] = []
    p.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
             "<title>derivcheck audit report</title>"
             f"<style>{_CSS}</style></head><body>")
    p.append("<h1>derivcheck audit report</h1>")
    n_steps = sum(len(s.rows) for s in sections)
    p.append(f'<p class="small">Generated {html.escape(time.strftime("%Y-%m-%d %H:%M:%S"))} by '
             f"<code>derivcheck report</code>: {n_steps} steps in {len(sections)} derivations, checked in "
             f"{audit_seconds:.1f} s (the same registry and verdicts as <code>derivcheck audit</code>); figures "
             f"{'drawn in %.1f s' % fig_seconds if figures_made else 'skipped (--no-figures)'}. "
             f"Verdicts: <b>proved</b> (checked mechanically from the stated uses), <b>holds_numerically</b> "
             f"(no violation found; the evidence says what was searched), <b>refuted</b> (counterexample), "
             f"<b>inconclusive</b> (not decided; the evidence says why), <b>cited</b> (outside result).</p>")
    if mismatches:
        p.append(f'<p class="mismatch">{len(mismatches)} computed verdict(s) differ from the recorded ones: '
                 + "; ".join(f'<a href="#{html.escape(a)}">{html.escape(i)}:{html.escape(lab)}</a> '
                             f"({html.escape(t)})" for i, lab, t, a in mismatches) + "</p>")
    # summary
    p.append('<h2 id="summary">Summary</h2><table id="summary-table"><thead><tr><th>derivation</th><th>title</th>'
             "<th>steps</th>" + "".join(f"<th>{s}</th>" for s in STATUSES) + "<th>findings</th></tr></thead><tbody>")
    rows, total, nfind = _summary_rows(sections)
    for sec, counts, f in rows:
        p.append(f'<tr data-id="{sec.id}"><td><a href="#{sec.id}">{sec.id}</a></td><td>{html.escape(sec.title)}</td>'
                 f"<td>{len(sec.rows)}</td>" + "".join(f"<td>{c}</td>" for c in counts) + f"<td>{f}</td></tr>")
    p.append(f"<tr><th>total</th><th></th><th>{n_steps}</th>" + "".join(f"<th>{total[s]}</th>" for s in STATUSES)
             + f"<th>{nfind}</th></tr></tbody></table>")
    # findings
    p.append('<h2 id="findings">Findings</h2><p class="small">Steps wrong as written (<b>slip</b>: transcription or '
             "notation; <b>error</b>: a real mathematical error) or whose stated justification does not establish "
             "them (<b>gap</b>), with the verdict of the claim as written and of its correction.</p><ul>")
    for sec in sections:
        for row in sec.findings():
            js = row.json
            corr = f"; corrected claim <b>{html.escape(js['correction']['status'])}</b>" if js["correction"] else ""
            p.append(f'<li><a href="#{row.anchor}">{html.escape(sec.id)}:{html.escape(js["label"])}</a> '
                     f'<span class="finding">[{html.escape(js["finding"])}]</span> <b>{html.escape(js["status"])}</b>'
                     f"{corr}: {html.escape(js['note'] or js['evidence'])}</li>")
    p.append("</ul>")
    # contents
    p.append("<h2>Contents</h2><ul>" + "".join(
        f'<li><a href="#{s.id}">{s.id}</a>: {html.escape(s.title)}</li>' for s in sections) + "</ul>")
    for sec in sections:
        p.append(f'<section><h2 id="{sec.id}">{sec.id}: {html.escape(sec.title)}</h2>')
        p.append(f"<p><b>Source:</b> {html.escape(sec.source)}</p><p>{html.escape(sec.summary)}</p>")
        link = _notes_link(sec.id, out_dir, notes_dir)
        if link:
            p.append(f'<p>Notes: <a href="{html.escape(link, quote=True)}">notes/{sec.id}.md</a></p>')
        p.append(f"<details><summary>Module docstring</summary><pre>{html.escape(sec.doc)}</pre></details>")
        if sec.assumptions:
            p.append("<p><b>Assumptions</b></p><ul>" + "".join(
                f'<li id="{sec.anchors[a["label"]]}"><b>{html.escape(a["label"])}</b> '
                f'(<code>{html.escape(a["name"])}</code>): {html.escape(a["statement"])}</li>'
                for a in sec.assumptions) + "</ul>")
        if sec.conditions:
            p.append("<p><b>Side conditions</b>: " + ", ".join(f"<code>{html.escape(c)}</code>"
                                                                for c in sec.conditions) + "</p>")
        p.append(f'<table class="steps" data-derivation="{sec.id}"><thead><tr><th>label</th><th>name</th>'
                 "<th>claim as written</th><th>verdict</th><th>tier</th><th>evidence</th><th>correction</th>"
                 "<th>uses</th></tr></thead><tbody>")
        for row in sec.rows:
            p.append(_html_step_row(sec, row))
        p.append("</tbody></table>")
        c = sec.counts
        p.append('<p class="small">' + ", ".join(f"{k}: {v}" for k, v in c.items() if v) + "</p>")
        figs = figs_by_id.get(sec.id, [])
        if figs:
            p.append("<h3>Figures</h3>" + _html_figures(figs, FIG_DIR))
        if sec.id == PEPIT_NOTES[0]:
            p.append("<h3>PEPit comparison (from the notes)</h3>")
            p.append(markdown_to_html(pepit_md) if pepit_md else
                     f'<p class="unavailable">PEPit table not available: no "## ...{PEPIT_NOTES[1]}..." section in '
                     f"notes/{PEPIT_NOTES[0]}.md</p>")
        p.append("</section>")
    if other_figs:
        p.append('<section><h2 id="other-figures">Other figures</h2>' + _html_figures(other_figs, FIG_DIR)
                 + "</section>")
    p.append("</body></html>\n")
    return "\n".join(p)


# ----------------------------------------------------------------------------- Markdown


def _md_cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _md_math(latex: str) -> str:
    return "$" + " ".join(latex.split()).replace("|", "\\vert ") + "$"


def _md_links(labels: Iterable[str], anchors: dict[str, str]) -> str:
    return ", ".join(f"[{_md_cell(lab)}](#{anchors[lab]})" if lab in anchors else _md_cell(lab) for lab in labels)


def _md_figures(figs) -> list[str]:
    out = []
    for f in figs:
        if f.path:
            out.append(f"![{f.title}]({FIG_DIR}/{f.path})\n\n*{f.title}.* {f.caption}\n")
        else:
            out.append(f"*Figure {f.key}: {f.unavailable}*\n")
    return out


def _render_md(sections, figs_by_id, other_figs, pepit_md, *, out_dir, notes_dir, audit_seconds, fig_seconds,
               figures_made, mismatches) -> str:
    p: list[str] = ["# derivcheck audit report", ""]
    n_steps = sum(len(s.rows) for s in sections)
    p.append(f"Generated {time.strftime('%Y-%m-%d %H:%M:%S')} by `derivcheck report`: {n_steps} steps in "
             f"{len(sections)} derivations, checked in {audit_seconds:.1f} s (the same registry and verdicts as "
             f"`derivcheck audit`); figures "
             f"{'drawn in %.1f s' % fig_seconds if figures_made else 'skipped (--no-figures)'}. "
             f"The HTML twin (`{HTML_NAME}`) renders the claims as MathML.")
    p.append("")
    if mismatches:
        p.append(f"**{len(mismatches)} computed verdict(s) differ from the recorded ones:** "
                 + "; ".join(f"[{i}:{lab}](#{a}) ({t})" for i, lab, t, a in mismatches))
        p.append("")
    p += ['<a id="summary"></a>', "## Summary", "",
          "| derivation | title | steps | " + " | ".join(STATUSES) + " | findings |",
          "|---|---|---|" + "---|" * len(STATUSES) + "---|"]
    rows, total, nfind = _summary_rows(sections)
    for sec, counts, f in rows:
        p.append(f"| [{sec.id}](#{sec.id}) | {_md_cell(sec.title)} | {len(sec.rows)} | "
                 + " | ".join(str(c) for c in counts) + f" | {f} |")
    p.append(f"| **total** | | {n_steps} | " + " | ".join(str(total[s]) for s in STATUSES) + f" | {nfind} |")
    p += ["", '<a id="findings"></a>', "## Findings", ""]
    for sec in sections:
        for row in sec.findings():
            js = row.json
            corr = f"; corrected claim **{js['correction']['status']}**" if js["correction"] else ""
            p.append(f"- [{sec.id}:{js['label']}](#{row.anchor}) [{js['finding']}] **{js['status']}**{corr}: "
                     f"{' '.join((js['note'] or js['evidence']).split())}")
    p.append("")
    for sec in sections:
        p += [f'<a id="{sec.id}"></a>', "", f"## {sec.id}: {sec.title}", "", f"**Source:** {sec.source}", "",
              sec.summary, ""]
        link = _notes_link(sec.id, out_dir, notes_dir)
        if link:
            p += [f"Notes: [notes/{sec.id}.md]({link})", ""]
        if sec.assumptions:
            p.append("Assumptions:")
            p += [f'- <a id="{sec.anchors[a["label"]]}"></a>**{a["label"]}** (`{a["name"]}`): '
                  f'{" ".join(a["statement"].split())}' for a in sec.assumptions]
            p.append("")
        p += ["| label | name | claim as written | verdict | tier | evidence | correction | uses |",
              "|---|---|---|---|---|---|---|---|"]
        for row in sec.rows:
            js = row.json
            ev = _md_cell(js["evidence"])
            if js["finding"]:
                ev = f"**finding: {js['finding']}** {_md_cell(js['note'])}<br>{ev}"
            elif js["note"]:
                ev = f"*{_md_cell(js['note'])}*<br>{ev}"
            if not row.matches:
                ev += f"<br>**differs from the recorded verdict: {_md_cell(row.mismatch)}**"
            c = js["correction"]
            corr = "-"
            if c is not None:
                corr = f"{_md_math(c['latex'])}<br>**{c['status']}** ({c['tier'] or '-'}): {_md_cell(c['evidence'])}"
            uses = _md_links(js["uses"], sec.anchors) or "-"
            if row.used_by:
                uses += f"<br>used by: {_md_links(row.used_by, sec.anchors)}"
            p.append(f'| <a id="{row.anchor}"></a>{_md_cell(js["label"])} | `{js["name"]}` | {_md_math(js["latex"])} '
                     f"| **{js['status']}** | {js['tier'] or '-'} | {ev} | {corr} | {uses} |")
        p.append("")
        figs = figs_by_id.get(sec.id, [])
        if figs:
            p += ["### Figures", ""] + _md_figures(figs)
        if sec.id == PEPIT_NOTES[0]:
            p += ["### PEPit comparison (from the notes)", ""]
            if pepit_md:
                p += [re.sub(r"^## ", "#### ", pepit_md, count=1), ""]
            else:
                p += [f"*PEPit table not available: no PEPit section in notes/{PEPIT_NOTES[0]}.md*", ""]
    if other_figs:
        p += ['<a id="other-figures"></a>', "## Other figures", ""] + _md_figures(other_figs)
    return "\n".join(p) + "\n"


# ----------------------------------------------------------------------------- entry point


def prepare_out_dir(out_dir: str) -> str:
    """Validate ``--out`` before any work: a directory (created if missing) that can be written."""
    if not out_dir or not str(out_dir).strip():
        raise InvalidParameter("--out", out_dir, "must name a directory", fix="e.g. --out report")
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise InvalidParameter("--out", out_dir, "is an existing file, not a directory",
                               fix="give a directory path (it is created if missing)")
    try:
        os.makedirs(os.path.join(out_dir, FIG_DIR), exist_ok=True)
        probe = os.path.join(out_dir, ".derivcheck-write-test")
        with open(probe, "w", encoding="utf-8") as fh:
            fh.write("")
        os.remove(probe)
    except OSError as exc:
        raise InvalidParameter("--out", out_dir, f"cannot be created or written ({exc.strerror or exc})",
                               fix="choose a writable directory") from None
    return out_dir


def build(out_dir: str, *, figures: bool = True, quick: bool = True, reports: list | None = None,
          audit_seconds: float | None = None, notes_dir: str = NOTES_DIR) -> ReportResult:
    """Run the audit (unless ``reports`` are given), draw the figures and write the two pages."""
    t0 = time.perf_counter()
    prepare_out_dir(out_dir)
    if reports is None:
        from . import _cli  # looked up at call time: the audit is the CLI's audit_all

        reports, audit_seconds = _cli.audit_all()
    sections = _sections(reports)
    mismatches = [(s.id, r.json["label"], r.mismatch, r.anchor) for s in sections for r in s.rows if not r.matches]
    figs: list[Any] = []
    t1 = time.perf_counter()
    if figures:
        from numeric_checks._figures import make_all  # lazy: the engine does not import numeric_checks

        figs = make_all(os.path.join(out_dir, FIG_DIR), quick=quick)
    fig_seconds = time.perf_counter() - t1
    ids = {s.id for s in sections}
    figs_by_id: dict[str, list] = {}
    other = []
    for f in figs:
        (figs_by_id.setdefault(f.derivation, []) if f.derivation in ids else other).append(f)
    pepit = notes_section(*PEPIT_NOTES, notes_dir=notes_dir)
    kw = dict(out_dir=out_dir, notes_dir=notes_dir, audit_seconds=audit_seconds or 0.0, fig_seconds=fig_seconds,
              figures_made=figures, mismatches=mismatches)
    html_text = _render_html(sections, figs_by_id, other, pepit, **kw)
    md_text = _render_md(sections, figs_by_id, other, pepit, **kw)
    html_path, md_path = os.path.join(out_dir, HTML_NAME), os.path.join(out_dir, MD_NAME)
    with open(html_path, "w", encoding="utf-8") as fh:
        fh.write(html_text)
    with open(md_path, "w", encoding="utf-8") as fh:
        fh.write(md_text)
    return ReportResult(out_dir, html_path, md_path, figs, audit_seconds or 0.0, fig_seconds,
                        time.perf_counter() - t0, [(i, lab, t) for i, lab, t, _ in mismatches], sections)
