"""The result of tracing a learner's Go program: :class:`TracedRun`, and how it is
assembled from the raw outputs (the execution trace parsed into a
:class:`~gmpkit.timeline.Timeline`, the schedtrace lines, the counts).

The tracer's own goroutine (and the runtime's: GC workers, the trace reader
...) is filtered out of the timeline and counted apart
(``stats["runtime_goroutines"]``), so ``stats["goroutines"]`` is what the
program created, plus main.

Siblings: :mod:`gmpkit.real.tracego` (``trace_go``, recorded runs),
:mod:`gmpkit.real.userprog` (building and running the program).
"""

from __future__ import annotations

import gzip
import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import language, tr
from ..timeline import Timeline
from .errors import TraceParseError
from .exectrace import SYSTEM_PREFIXES, parse_exectrace
from .schedtrace import SCHED_LINE_START, parse_schedtrace
from .userprog import USER_MAIN

__all__ = ["TracedRun", "make_timeline"]

SHOWN_OUTPUT = 20_000                 # characters shown per stream in a notebook


# ---- the result -------------------------------------------------------------------------

@dataclass
class TracedRun:
    """A real run of a learner's Go program.

    ``timeline`` is a :class:`~gmpkit.timeline.Timeline` like a simulated
    run's (goroutines numbered as the simulator numbers them: main is G1, the
    others in the order they were created; ``timeline.meta["real_goids"]``
    maps back to the runtime's ids); ``schedtrace`` the parsed
    ``GODEBUG=schedtrace`` Timeline (or None); ``stats`` the counts;
    ``partial`` says the program did not finish (``partial_reason``:
    "timeout", "output", "killed", "exit" (os.Exit or a panic in another
    goroutine skipped the trace's stop)).
    """
    source: str
    name: str
    procs: int
    args: tuple
    stdout: str
    stderr: str
    returncode: int | None
    timeline: Timeline | None
    schedtrace: Timeline | None = None
    stats: dict = field(default_factory=dict)
    partial: bool = False
    partial_reason: str = ""
    output_cut: dict = field(default_factory=dict)      # stream -> bytes printed in all
    timeout: float = 30.0
    elapsed_s: float = 0.0
    recorded: bool = False
    provenance: dict = field(default_factory=dict)
    trace_text: str = ""           # go tool trace -d=parsed, stacks stripped
    schedtrace_text: str = ""
    report: dict = field(default_factory=dict)           # what the tracer wrote at the end
    notes: list = field(default_factory=list)
    cached_build: bool = False

    # ---- reading ---------------------------------------------------------
    @property
    def makespan_ns(self):
        return self.timeline.end_time if self.timeline is not None else 0

    @property
    def source_line(self):
        p = self.provenance or {}
        if self.recorded:
            return tr("recorded on {date} with {go} on {cpu} -- not run on your machine",
                      date=str(p.get("date", "?"))[:10], go=p.get("go_version", "?"),
                      cpu=p.get("cpu_model", "?"))
        return tr("run on this machine now with {go}", go=p.get("go_version", "?"))

    @property
    def status_line(self):
        bits = [f"{self.name}: GOMAXPROCS={self.procs}"]
        if self.partial:
            why = {"timeout": tr("ran past its {s:g} s timeout and was stopped", s=self.timeout),
                   "output": tr("printed too much and was stopped"),
                   "killed": tr("did not stop when asked and was killed"),
                   "exit": tr("ended without stopping the trace (os.Exit, log.Fatal or a panic "
                              "outside main)")}.get(self.partial_reason, self.partial_reason)
            bits.append(tr("PARTIAL trace: the program {why}", why=why))
        elif self.returncode not in (0, None):
            bits.append(tr("exit status {code}", code=self.returncode))
        if self.timeline is not None:
            n = self.stats.get("goroutines", 0)
            runtime = self.stats.get("runtime_goroutines", 0)
            bits.append(tr("{n} goroutine ({runtime} of the runtime's not counted)", n=n,
                           runtime=runtime) if n == 1 else
                        tr("{n} goroutines ({runtime} of the runtime's not counted)", n=n,
                           runtime=runtime))
            bits.append(tr("traced for {t}", t=_fmt_ns(self.makespan_ns)))
        return ("，" if language() == "zh" else ", ").join(bits)

    def check(self):
        """The timeline's invariants (see :meth:`Timeline.check_invariants`)."""
        if self.timeline is None:
            raise ValueError("this run has no trace (it stopped before the tracer could write one)")
        return self.timeline.check_invariants()

    # ---- pictures --------------------------------------------------------
    def lanes(self, by="P", **kw):
        """Gantt chart of the real trace per P, per M or per G (:func:`gmpkit.plots.gantt`)."""
        from ..plots import gantt
        if self.timeline is None:
            raise ValueError("this run has no trace to draw")
        kw.setdefault("events", ("preempt", "retake", "syscall-enter", "block"))
        kw.setdefault("title", f"{self.name} (real Go, GOMAXPROCS={self.procs}): "
                               f"what each {'processor (P)' if by == 'P' else 'thread (M)' if by == 'M' else 'goroutine'} did"
                               + (" — PARTIAL" if self.partial else ""))
        return gantt(self.timeline, by=by, **kw)

    # ---- display ---------------------------------------------------------
    def _streams(self):
        out = []
        for label, text in (("stdout", self.stdout), ("stderr", self.stderr)):
            if not text and label not in self.output_cut:
                continue
            shown = text if len(text) <= SHOWN_OUTPUT else text[:SHOWN_OUTPUT]
            note = ""
            if len(text) > SHOWN_OUTPUT:
                note = f"... ({len(text) - SHOWN_OUTPUT:,} more characters kept in run.{label}, not shown)"
            if label in self.output_cut:
                note += (f"\n... OUTPUT CUT: the program printed {self.output_cut[label]:,} bytes "
                         f"on {label}; only the first {len(text.encode()):,} were kept")
            out.append((label, shown, note.strip()))
        return out

    def __repr__(self):
        lines = [self.status_line, self.source_line]
        for label, text, note in self._streams():
            lines.append(f"--- {label} ---")
            lines.append(text.rstrip("\n"))
            if note:
                lines.append(note)
        lines += self.notes
        return "\n".join(lines)

    def _repr_html_(self):
        red = "#b2182b"
        parts = [f"<div class='gmpkit-traced-run'><b style='color:{red if self.partial else '#222'}'>"
                 f"{html.escape(self.status_line)}</b><br>"
                 f"<span style='color:{red if self.recorded else '#555'}'>"
                 f"{html.escape(self.source_line)}</span>"]
        for label, text, note in self._streams():
            parts.append(f"<div><i>{label}</i><pre style='max-height:16em;overflow:auto;"
                         f"margin:2px 0'>{html.escape(text)}</pre>"
                         + (f"<b style='color:{red}'>{html.escape(note)}</b>" if note else "")
                         + "</div>")
        for n in self.notes:
            parts.append(f"<div style='color:{red}'>{html.escape(n)}</div>")
        if self.stats:
            keys = ["goroutines", "goroutines_created", "runtime_goroutines", "threads",
                    "syscalls", "syscalls_kept_p", "syscalls_lost_p", "retakes", "preemptions",
                    "moved_between_ps"]
            rows = "".join(f"<tr><td>{k}</td><td>{html.escape(str(self.stats.get(k)))}</td></tr>"
                           for k in keys if k in self.stats)
            blocked = ", ".join(f"{k}: {v}" for k, v in self.stats.get("blocked", {}).items())
            rows += f"<tr><td>blocked (by reason)</td><td>{html.escape(blocked or 'never')}</td></tr>"
            parts.append(f"<table>{rows}</table>")
        parts.append("</div>")
        return "".join(parts)

    # ---- recording -------------------------------------------------------
    def as_record(self):
        return {"source": self.source, "name": self.name, "procs": self.procs,
                "args": list(self.args), "stdout": self.stdout[:SHOWN_OUTPUT],
                "stderr": self.stderr[:SHOWN_OUTPUT], "returncode": self.returncode,
                "partial": self.partial, "partial_reason": self.partial_reason,
                "output_cut": self.output_cut, "timeout": self.timeout,
                "elapsed_s": self.elapsed_s, "provenance": self.provenance,
                "trace_text": self.trace_text, "schedtrace_text": self.schedtrace_text,
                "report": self.report}

    def save(self, path):
        """Write this run (source, output, stripped trace, schedtrace) as gzipped JSON."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(json.dumps(self.as_record(), sort_keys=True).encode(),
                                       mtime=0))
        return path


def _fmt_ns(ns):
    from ..plots import fmt_time
    return fmt_time(int(ns))


# ---- from the raw outputs to a TracedRun ------------------------------------------------

_SCHED = re.compile(r"SCHED \d+ms: .*|  [PMG]\d+: .*")
_NAMELESS_FRAME = re.compile(r"^\t+ *@ 0x[0-9a-f]+\n", re.M)
TRACER_PREFIXES = SYSTEM_PREFIXES + ("main.gmpkitWatch",)


def _split_stderr(stderr, want_sched):
    """``(program's stderr, schedtrace lines)``.  sysmon writes a line in many pieces, so a
    program that exits while it prints leaves the last line unfinished, without a newline:
    an unfinished last line that begins like a schedtrace line is the runtime's too (the
    parser drops it, :func:`~gmpkit.real.schedtrace.parse_schedtrace`)."""
    if not want_sched:
        return stderr, ""
    keep, sched = [], []
    lines = stderr.splitlines(keepends=True)
    for i, ln in enumerate(lines):
        line = ln.rstrip("\n")
        unfinished = i == len(lines) - 1 and not ln.endswith("\n")
        ours = _SCHED.fullmatch(line) or (unfinished and SCHED_LINE_START.fullmatch(line))
        (sched if ours else keep).append(ln)
    return "".join(keep), "".join(sched)


def _stats(tl, report):
    """Counts read from the (filtered, renumbered) timeline and the tracer's report."""
    spawns = tl.events_of("spawn")
    exits = Counter(e.detail for e in tl.events_of("syscall-exit"))
    blocked = Counter(e.detail or "?" for e in tl.events_of("block"))
    # a G made runnable with P a, next running on P b != a: stolen or via the global queue
    made_on = {}
    moved = 0
    runs = sorted(((s.start, s.g, s.p) for s in tl.spans if s.lane == "G" and s.state == "running"))
    readies = sorted((e.time, e.g, e.p) for e in tl.events if e.kind in ("spawn", "ready", "preempt",
                                                                         "gosched"))
    i = 0
    for t, g, p in runs:
        while i < len(readies) and readies[i][0] <= t:
            made_on[readies[i][1]] = readies[i][2]
            i += 1
        src = made_on.pop(g, None)
        if src is not None and src >= 0 and p >= 0 and src != p:
            moved += 1
    gs = {s.g for s in tl.spans if s.g >= 0} | {e.g for e in spawns}
    return {
        "goroutines": len(gs),
        "goroutines_created": len(spawns),
        "runtime_goroutines": tl.meta.get("filtered", 0),
        "threads": report.get("threads"),
        "threads_in_trace": len(tl.meta.get("m_tids", {})),
        "syscalls": tl.count("syscall-enter"),
        "syscalls_kept_p": exits.get("kept P", 0),
        "syscalls_lost_p": exits.get("lost P", 0),
        "retakes": tl.count("retake"),
        "preemptions": sum(1 for e in tl.events_of("preempt") if e.detail == "preempted"),
        "gosched": tl.count("gosched"),
        "blocked": dict(sorted(blocked.items(), key=lambda kv: (-kv[1], kv[0]))),
        "moved_between_ps": moved,
        "traced_ns": tl.end_time,
    }


def _without(tl, drop):
    """A copy of ``tl`` without the spans and events of goroutines ``drop``."""
    new = Timeline(procs=tl.procs, source=tl.source, max_parallel=tl.max_parallel,
                   meta=dict(tl.meta))
    for s in tl.spans:
        if s.g not in drop:
            new.add_span(s.state, s.start, s.end, lane=s.lane, m=s.m, p=s.p, g=s.g)
    for e in tl.events:
        if e.g in drop:
            continue
        other = -1 if (e.kind in ("spawn", "ready") and e.other in drop) else e.other
        new.add_event(e.kind, e.time, g=e.g, m=e.m, p=e.p, other=other, detail=e.detail)
    for name in tl.counter_names:
        for t, v in zip(*tl.counter(name)):
            new.sample(name, int(t), v.item() if hasattr(v, "item") else v)
    new.g_names = {g: n for g, n in tl.g_names.items() if g not in drop}
    new.end_time = tl.end_time
    return new


def make_timeline(trace_text, meta=None):
    """Parse a learner program's trace: runtime and tracer goroutines filtered, goroutines
    renumbered as the simulator numbers them (main = 1), the tracer's name for main undone."""
    from .goside import renumber_goroutines
    tl = parse_exectrace(trace_text, meta=meta, system_prefixes=TRACER_PREFIXES)
    # The trace starts in the tracer's init, before any code of the program runs, so a
    # goroutine that existed already and is not main (the runtime's id 1) is the runtime's
    # (forcegc, bgsweep, the finalizer goroutine ...): filter it and count it apart.
    spawned = {e.g for e in tl.events_of("spawn")}
    before = sorted(g for g in tl.gs if g not in spawned and g != 1)
    if before:
        tl = _without(tl, set(before))
        tl.meta["filtered_goroutines"] = sorted(tl.meta.get("filtered_goroutines", []) + before)
        tl.meta["filtered"] = len(tl.meta["filtered_goroutines"])
        why = dict(tl.meta.get("filtered_why", {}))
        why.update({g: "existed before the program started" for g in before})
        tl.meta["filtered_why"] = why
    new, mapping = renumber_goroutines(tl)
    new.meta["real_goids"] = {v: k for k, v in mapping.items()}
    new.g_names = {g: n.replace(USER_MAIN, "main") for g, n in new.g_names.items()}
    new.g_names.setdefault(1, "main.main")
    new.source = "exectrace"
    return new


def _assemble(*, source, name, procs, args, timeout, stdout, stderr, returncode, trace_text,
              report, schedtrace_text, partial, partial_reason, output_cut, elapsed_s,
              prov, recorded, every, notes, cached=False):
    tl = None
    notes = list(notes)
    if trace_text:
        try:
            tl = make_timeline(trace_text, meta={"recorded": recorded, "partial": partial,
                                                 "program": name})
        except TraceParseError as e:
            if partial_reason == "killed":
                notes.append("the program was killed before the tracer finished any part of "
                             "its trace (a loop the runtime cannot preempt also keeps the tracer "
                             f"from flushing); no timeline ({e})")
            else:
                notes.append(f"the execution trace could not be read ({e}); no timeline")
    if tl is not None and partial:
        last = {}
        for s in tl.spans:
            if s.lane == "G":
                last[s.g] = s
        tl.partial_gs = {g for g, s in last.items() if s.end >= tl.end_time}
    st = None
    if schedtrace_text.strip():
        try:
            st = parse_schedtrace(schedtrace_text, strict=False,
                                  meta={"every_ms": every, "raw": schedtrace_text})
        except TraceParseError as e:
            notes.append(f"the schedtrace lines could not be read ({e})")
    stats = _stats(tl, report) if tl is not None else {}
    return TracedRun(source=source, name=name, procs=procs, args=tuple(args), stdout=stdout,
                     stderr=stderr, returncode=returncode, timeline=tl, schedtrace=st,
                     stats=stats, partial=partial, partial_reason=partial_reason,
                     output_cut=output_cut, timeout=timeout, elapsed_s=elapsed_s,
                     recorded=recorded, provenance=prov, trace_text=trace_text,
                     schedtrace_text=schedtrace_text, report=report, notes=notes,
                     cached_build=cached)
