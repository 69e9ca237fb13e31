"""Wall and CPU time of the two whole-registry commands, measured in one run.

    python benchmarks/audit_and_report.py

DESIGN.md budgets on 2 cores: ``derivcheck audit`` under 60 s, ``derivcheck report`` under
2 minutes.  Each command runs in a fresh interpreter (no shared caches).  The last line
printed is one JSON object.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def _timed(argv: list[str]) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "derivations", *argv], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"exit": proc.returncode, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1)}


def main() -> None:
    audit = _timed(["audit"])
    print(f"derivcheck audit: {audit}", flush=True)
    with tempfile.TemporaryDirectory() as out:
        report = _timed(["report", "--out", os.path.join(out, "report")])
    print(f"derivcheck report: {report}", flush=True)
    load = os.getloadavg()[0]
    print(json.dumps({"audit_wall_s": audit["wall_s"], "audit_cpu_s": audit["cpu_s"],
                      "report_wall_s": report["wall_s"], "report_cpu_s": report["cpu_s"],
                      "load_average": round(load, 2)}))


if __name__ == "__main__":
    main()
