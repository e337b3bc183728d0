"""Excerpts of the Go runtime's source for the lectures' prose (notebooks 03, 06, 07).

:func:`runtime_excerpt` (a function's lines, optionally only those matching some
patterns) and :func:`struct_fields` (chosen fields of a runtime struct) read the installed
Go's ``src/runtime`` through :mod:`gmpkit.real.toolchain`.  Without Go they return the
excerpt recorded from Go 1.27.3 (``_RECORDED``), labelled as such, never silently.
"""

from __future__ import annotations

import re

from . import toolchain

__all__ = ["runtime_excerpt", "struct_fields"]

_FALLBACK_NOTE = ("(Go is not installed here, so this is the excerpt recorded from Go 1.27.3's "
                  "runtime/proc.go, not your machine's source.)")


def runtime_excerpt(name, keep=None, file="proc.go", context=0, max_lines=40):
    """Lines of runtime function ``name`` from the installed Go source.

    ``keep``: regexes; only matching lines (plus ``context`` lines around
    them) are shown, with ``...`` for gaps.  Returns ``(header, text, live)``
    where ``live`` says whether it came from this machine's Go.  Without Go,
    the recorded excerpt in ``_RECORDED`` is returned, labelled.
    """
    try:
        loc = toolchain.runtime_source_lines(name, file=file)
        version = toolchain.find_go().version
    except Exception:   # GoUnavailable, no source, LookupError: fall back, labelled
        text = _RECORDED.get(name, f"// {name}: no recorded excerpt")
        return f"// runtime/{file}: {name} (recorded from go1.27.3)", \
            text + "\n" + _FALLBACK_NOTE, False
    lines = loc.text.splitlines()
    if keep:
        pats = [re.compile(k) for k in keep]
        want = set()
        for i, ln in enumerate(lines):
            if any(p.search(ln) for p in pats):
                want.update(range(max(0, i - context), min(len(lines), i + context + 1)))
        out, last = [], -2
        for i in sorted(want):
            if i != last + 1:
                out.append("    ...")
            out.append(f"{loc.start + i:5d}  {lines[i]}")
            last = i
        body = "\n".join(out[:max_lines])
    else:
        body = "\n".join(f"{loc.start + i:5d}  {ln}" for i, ln in enumerate(lines[:max_lines]))
    header = f"// runtime/{loc.file.name}:{loc.start}-{loc.end} ({version}, installed)"
    return header, body.replace("\t", "    "), True


def struct_fields(type_name, fields, file="runtime2.go"):
    """Selected fields of a runtime struct (``type p struct`` ...) with line
    numbers, from the installed source; ``(header, text, live)`` as above."""
    try:
        go = toolchain.find_go()
        path = go.goroot / "src" / "runtime" / file
        lines = path.read_text(encoding="utf-8").splitlines()
    except Exception:
        text = _RECORDED.get(f"type {type_name}", f"// type {type_name}: no recorded excerpt")
        return f"// runtime/{file}: type {type_name} (recorded from go1.27.3)", \
            text + "\n" + _FALLBACK_NOTE, False
    start = next(i for i, ln in enumerate(lines) if ln.startswith(f"type {type_name} struct"))
    end = next(i for i in range(start, len(lines)) if lines[i] == "}")
    out = [f"{start + 1:5d}  {lines[start]}"]
    for i in range(start + 1, end):
        tok = lines[i].strip().split()
        if tok and tok[0] in fields:
            out.append(f"{i + 1:5d}  {lines[i]}")
    out.append(f"{end + 1:5d}  }}")
    return (f"// runtime/{file}:{start + 1}-{end + 1} ({go.version}, installed; "
            f"selected fields)", "\n".join(out).replace("\t", "    "), True)


# Recorded from Go 1.27.3's runtime (shown only when no Go toolchain is found).
_RECORDED = {
    "runqput": """\
func runqput(pp *p, gp *g, next bool) {
    ...
    if next {
    retryNext:
        oldnext := pp.runnext
        if !pp.runnext.cas(oldnext, guintptr(unsafe.Pointer(gp))) {
            goto retryNext
        }
    ...
    h := atomic.LoadAcq(&pp.runqhead) // load-acquire, synchronize with consumers
    t := pp.runqtail
    if t-h < uint32(len(pp.runq)) {
        pp.runq[t%uint32(len(pp.runq))].set(gp)
        atomic.StoreRel(&pp.runqtail, t+1) // store-release, makes the item available for consumption
        return
    }
    if runqputslow(pp, gp, h, t) {""",
    "runqgrab": """\
func runqgrab(pp *p, batch *[256]guintptr, batchHead uint32, stealRunNextG bool) uint32 {
    for {
        h := atomic.LoadAcq(&pp.runqhead) // load-acquire, synchronize with other consumers
        t := atomic.LoadAcq(&pp.runqtail) // load-acquire, synchronize with the producer
        n := t - h
        n = n - n/2
    ...
        if atomic.CasRel(&pp.runqhead, h, h+n) { // cas-release, commits consume
            return n
        }
    }""",
    "runqsteal": """\
func runqsteal(pp, p2 *p, stealRunNextG bool) *g {
    t := pp.runqtail
    n := runqgrab(p2, &pp.runq, t, stealRunNextG)
    ...
    atomic.StoreRel(&pp.runqtail, t+n) // store-release, makes the item available for consumption""",
    "type p": """\
type p struct {
    schedtick   uint32     // incremented on every scheduler call
    syscalltick uint32     // incremented on every system call
    m           muintptr   // back-link to associated m (nil if idle)
    mcache      *mcache
    runqhead uint32
    runqtail uint32
    runq     [256]guintptr
    runnext guintptr
}""",
    "main": """\
func main() {
    ...
    // Max stack size is 1 GB on 64-bit, 250 MB on 32-bit.
    if goarch.PtrSize == 8 {
        maxstacksize = 1000000000
    } else {
        maxstacksize = 250000000
    }
    ...""",
    "execute": """\
func execute(gp *g, inheritTime bool) {
    mp := getg().m
    ...
    mp.curg = gp
    gp.m = mp
    ...
    gogo(&gp.sched)
}""",
    "stoplockedm": """\
func stoplockedm() {
    ...
    if gp.m.p != 0 {
        // Schedule another M to run this p.
        pp := releasep()
        handoffp(pp)
    }
    ...
    acquirep(gp.m.nextp.ptr())
    ...
}""",
    "startlockedm": """\
func startlockedm(gp *g) {
    ...
    // directly handoff current P to the locked m
    incidlelocked(-1)
    pp := releasep()
    mp.nextp.set(pp)
    notewakeup(&mp.park)
    stopm()
}""",
    "type gobuf": """\
type gobuf struct {
    sp   uintptr
    pc   uintptr
    g    guintptr
    ctxt unsafe.Pointer
    lr   uintptr
    bp   uintptr // for framepointer-enabled architectures
}""",
    "type m": """\
type m struct {
    g0      *g     // goroutine with scheduling stack
    curg       *g       // current running goroutine
    ...
}""",
    "retake": """\
func retake(now int64) uint32 {
    ...
        } else if pd.schedwhen+forcePreemptNS <= now {
            preemptone(pp)
            sysretake = true
        }
        ...
        thread, ok := setBlockOnExitSyscall(pp)
        ...
        // Retake the P if it's there for more than 1 sysmon tick (at least 20us).
        if syst := int64(pp.syscalltick); !sysretake && int64(pd.syscalltick) != syst {
            pd.syscalltick = uint32(syst)
            pd.syscallwhen = now
            thread.resume()
            goto done
        }
        ...
        if runqempty(pp) && sched.nmspinning.Load()+sched.npidle.Load() > 0 && pd.syscallwhen+10*1000*1000 > now {
            thread.resume()
            goto done
        }
        thread.takeP()
        ...
        handoffp(pp)
    ...
}""",
}
