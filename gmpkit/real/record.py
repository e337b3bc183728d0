"""Record small real traces into ``gmpkit/data/traces`` (run on the course machine, in a checkout).

``python -m gmpkit.real.record`` writes, each with a ``.json`` provenance file:

* ``schedtrace_demo.txt``  -- ``GODEBUG=schedtrace=50`` of ``schedload``;
* ``scheddetail_demo.txt`` -- ``schedtrace=100,scheddetail=1`` of ``schedload``;
* ``exectrace_demo.txt``   -- ``go tool trace -d=parsed`` of ``tracedemo``
  (stack blocks removed, goroutine start functions kept: see
  :func:`~gmpkit.real.exectrace.strip_stacks`).
"""

from __future__ import annotations

from .exectrace import exectrace_text, parse_exectrace, strip_stacks
from .recorded import provenance, write_trace
from .schedtrace import parse_schedtrace, schedtrace_snapshots
from .toolchain import find_go


def record_schedtrace(name, every_ms, detail, args=("-d", "300ms"), gomaxprocs=2):
    tc = find_go()
    godebug = f"schedtrace={every_ms}" + (",scheddetail=1" if detail else "")
    res = tc.run("schedload", list(args), gomaxprocs=gomaxprocs, godebug=godebug)
    # keep only the runtime's lines (the program prints nothing else, but be safe)
    snaps = schedtrace_snapshots(res.stderr, strict=False)
    keep = [ln for ln in res.stderr.splitlines()
            if ln.startswith("SCHED ") or ln.startswith("  P") or ln.startswith("  M")
            or ln.startswith("  G")]
    text = "\n".join(keep) + "\n"
    parse_schedtrace(text)   # must parse strictly
    meta = provenance(res.command_line, tc)
    meta.update(program="schedload", gomaxprocs=gomaxprocs, every_ms=every_ms,
                detail=detail, blocks=len(snaps))
    return write_trace(name, text, meta)


def record_exectrace(name="exectrace_demo", gomaxprocs=2):
    text, meta = exectrace_text("tracedemo", gomaxprocs=gomaxprocs)
    small = strip_stacks(text)
    tl = parse_exectrace(small)
    tl.check_invariants()
    meta.update(note="Stack= blocks removed; goroutine-creation TransitionStack= blocks cut to "
                     "their first frame (gmpkit.real.exectrace.strip_stacks)",
                lines_before=text.count("\n"), lines_after=small.count("\n"),
                filtered_goroutines=tl.meta["filtered_goroutines"])
    return write_trace(name, small, meta)


def main():
    for path in (record_schedtrace("schedtrace_demo", 50, False),
                 record_schedtrace("scheddetail_demo", 100, True, args=("-d", "250ms")),
                 record_exectrace()):
        print("wrote", path)


if __name__ == "__main__":
    main()
