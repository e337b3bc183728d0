"""The course's predictions: one per experiment, answered by the experiment's panel.

Each lecture notebook opens with ``tally = predictions.tally("01_processes")``;
before each experiment, ``pred = tally.ask("01-stack")`` shows the prediction
widget, and the experiment's cell ends with ``pred.follow(panel)``.  The answers
are computed here from the panel's data (a measurement or the model), so the
notebook's visible code never states them.

>>> t = tally("06_gmp_queues")
>>> t.ask("06-steal").kind
'number'
>>> t.ask("06-nope")
Traceback (most recent call last):
  ...
KeyError: "06_gmp_queues has no prediction '06-nope'; it has 06-animation, 06-overflow, 06-fairness, 06-steal, 06-spinning"
"""

from __future__ import annotations

import math
import re

from .i18n import N_, tr
from .predict import Prediction, Tally

__all__ = ["tally", "CATALOG", "nearest"]


def nearest(value, options, parse=None):
    """The option nearest to ``value`` on a log scale (options name numbers).

    >>> nearest(730, ["10", "100", "1,000", "10,000"])
    '1,000'
    """
    parse = parse or (lambda s: float(s.replace(",", "").split()[0]))
    value = max(float(value), 1e-12)
    return min(options, key=lambda o: abs(math.log10(value) - math.log10(parse(o))))


def _times(o):
    """ "about 5×" -> 5, "about the same" -> 1."""
    m = re.search(r"([\d.]+)×", o)
    return float(m.group(1)) if m else 1.0


def _kib(o):
    n = float(o.split()[1])
    return n * (1024 if "KiB" in o else 1024 * 1024)


# ---- 01 processes -----------------------------------------------------------------------
def _stack_place(d):
    reg = {r[3]: r for r in d["regions"]}
    stack, heap = reg["stack"][0], reg["heap"][0]
    if stack > d["highest_user_address"] / 2:
        return N_("near the top of user space")
    return N_("just above the heap") if stack > heap else N_("below the heap")


def _fork_growth(d):
    r = d["fork_ns"][-1] / d["fork_ns"][0]
    return FORK_GROWTH[0 if r < 1.2 else 1 if r < 2 else 2]


POWERS = ["10", "100", "1,000", "10,000", "100,000"]
FORK_GROWTH = [N_("hardly (under 1.2×)"), N_("a little (1.2× to 2×)"), N_("a lot (2× or more)")]

_01 = {
    "01-stack": lambda: Prediction(
        "01-stack", N_("Where is the main thread's stack in this process's address space?"),
        "choice",
        options=[N_("below the heap"), N_("just above the heap"), N_("near the top of user space")],
        answer=_stack_place,
        explain=lambda d: tr("the heap starts just above the program's data and grows up; the "
                             "main thread's stack is placed near the top of user space and grows "
                             "down, with terabytes of unmapped addresses between them.")),
    "01-fork-syscalls": lambda: Prediction(
        "01-fork-syscalls", N_("How many getppid() system calls cost as much as one fork "
                               "(nearest power of ten)?"), "choice", options=POWERS,
        answer=lambda d: nearest(d["ratio_fork_syscall"], POWERS),
        explain=lambda d: tr("measured here, one fork + exit = {ratio:,.0f} getppid() calls: a "
                             "system call is one trip into kernel mode, a fork builds a new task "
                             "and copies the parent's page tables.",
                             ratio=d["ratio_fork_syscall"])),
    "01-fork-memory": lambda: Prediction(
        "01-fork-memory", N_("The parent touches 256 MiB more. How much slower does fork get?"),
        "choice", options=FORK_GROWTH,
        answer=_fork_growth,
        explain=lambda d: tr("fork went from {before:.2f} to {after:.2f} ms: it copies one "
                             "page-table entry per touched page, while posix_spawn copies none.",
                             before=d["fork_ns"][0] / 1e6, after=d["fork_ns"][-1] / 1e6)),
}

# ---- 02 threads -------------------------------------------------------------------------
STACK_SIZES = [N_("about 2 KiB"), N_("about 1 MiB"), N_("about 8 MiB")]
HANDOFF_BUCKETS = [N_("about 10× dearer"), N_("about 2× dearer"), N_("about the same, or cheaper")]


def _handoff_bucket(ratio):
    return HANDOFF_BUCKETS[2 if ratio < 1.5 else 1 if ratio < 5 else 0]


_02 = {
    "02-stack": lambda: Prediction(
        "02-stack", N_("How much virtual memory does one idle thread's stack take?"), "choice",
        options=STACK_SIZES,
        answer=lambda d: nearest(d["stacks"][0]["mapping_size"], STACK_SIZES, _kib),
        explain=lambda d: tr("each stack is one mapping of `ulimit -s` bytes ({kib:,} KiB here) "
                             "plus a 4 KiB guard page; only the few pages the thread touched are "
                             "resident.", kib=d["stacks"][0]["mapping_size"] // 1024)),
    "02-handoff": lambda: Prediction(
        "02-handoff", N_("How much dearer is a hand-off between processes than between "
                         "threads?"),
        "choice", options=HANDOFF_BUCKETS,
        answer=lambda d: _handoff_bucket(d["ratio"]),
        explain=lambda d: tr("measured ratio {ratio:.2f}: both hand-offs are a kernel context "
                             "switch; a process switch also changes page tables, which modern "
                             "CPUs make cheap (PCID), and Python threads also queue on the GIL.",
                             ratio=d["ratio"])),
    "02-slice": lambda: Prediction(
        "02-slice", N_("At what time slice (µs) does the CPU lose 10% to switching?"), "number",
        unit="µs", tolerance=0.15,
        answer=lambda d: round(9 * d["switch_ns"] / 1000, 1),
        explain=lambda d: tr("useful share = S / (S + C); 90% means S = 9 C = 9 × {c:g} µs. "
                             "Linux's slices of 1–3 ms are far above that, so switching costs "
                             "well under 1%.", c=d["switch_ns"] / 1000)),
}

# ---- 03 goroutines ----------------------------------------------------------------------
G_SIZES = [N_("about 2 KiB"), N_("about 3 KiB"), N_("about 8 KiB")]
RATIO_BUCKETS = [N_("smaller than 5×"), N_("5× to 7×"), N_("larger than 7×")]


def _g_handoff(d):
    import gmpkit.widgets.goroutines as goroutines
    g, locked, _ = (d["ns"][k] for k in goroutines.HANDOFF_OPS)
    return locked / g


def _g_create(d):
    import gmpkit.widgets.goroutines as goroutines
    g, t, _, _ = (d["ns"][k] for k in goroutines.CREATE_OPS)
    return t / g


def _ratio_bucket(r):
    return RATIO_BUCKETS[0 if r < 5 else 1 if r <= 7 else 2]


_03 = {
    "03-memory": lambda: Prediction(
        "03-memory", N_("How much memory does one blocked goroutine cost in all?"), "choice",
        options=G_SIZES, answer=lambda d: nearest(d["goroutine"]["sys"], G_SIZES, _kib),
        explain=lambda d: tr("{sys:,.0f} bytes each: a {stack:,} byte stack plus the runtime's "
                             "g struct and bookkeeping.", sys=d["goroutine"]["sys"],
                             stack=d["goroutine"]["stack"])),
    "03-create": lambda: Prediction(
        "03-create", N_("How many goroutines cost as much as one OS thread (nearest power of "
                        "ten)?"),
        "choice", options=["10", "100", "1,000", "10,000"],
        answer=lambda d: nearest(_g_create(d), ["10", "100", "1,000", "10,000"]),
        explain=lambda d: tr("measured ratio {ratio:,.0f}: a goroutine is a small struct and a "
                             "2 KiB stack from the runtime's own memory; a thread needs clone, a "
                             "stack mapping and the kernel's bookkeeping.", ratio=_g_create(d))),
    "03-handoff": lambda: Prediction(
        "03-handoff", N_("A thread hand-off costs how many goroutine hand-offs?"), "choice",
        options=RATIO_BUCKETS,
        answer=lambda d: _ratio_bucket(_g_handoff(d)),
        explain=lambda d: tr("measured ratio {ratio:.1f}: a goroutine hand-off stays in user "
                             "space; a thread hand-off needs the kernel to sleep one thread and "
                             "wake another (futex).", ratio=_g_handoff(d))),
    "03-growth": lambda: Prediction(
        "03-growth", N_("How many times is the stack copied on the way to depth 2000?"),
        "number",
        answer=lambda d: len(d["moves"]),
        explain=lambda d: tr("the stack starts at 2 KiB and doubles on every copy, ending at "
                             "{final} KiB: {copies} copies cover {depth} frames of ~150 bytes.",
                             final=d["final_stack"] // 1024, copies=len(d["moves"]),
                             depth=d["depth"])),
}

# ---- 04 M:N -----------------------------------------------------------------------------
MODELS = ["N:1", "1:1", "M:N"]
SWITCH_TIMES = [N_("about 2×"), N_("about 10×"), N_("about 100×")]


def _mn_ratio(d):
    h = {k: v["handoff_ns"] for k, v in d["models"].items()}
    return h["1:1"] / h["M:N"]


_04 = {
    "04-finish": lambda: Prediction(
        "04-finish", N_("Order the three models from first to finish to last."), "order",
        options=MODELS,
        answer=lambda d: sorted(MODELS, key=lambda k: d["models"][k]["makespan_ns"]),
        explain=lambda d: tr("M:N runs Go code on every CPU and adds a thread only for a "
                             "blocked syscall; 1:1 pays a kernel switch per hand-off and a stack "
                             "per goroutine; N:1 runs everything, waits included, one after "
                             "another.")),
    "04-switch": lambda: Prediction(
        "04-switch", N_("A hand-off between threads is how many times dearer than between "
                        "goroutines?"), "choice", options=SWITCH_TIMES,
        answer=lambda d: nearest(_mn_ratio(d), SWITCH_TIMES, _times),
        explain=lambda d: tr("{ratio:.1f}× in the model: the kernel's switch (saving registers, "
                             "the scheduler, maybe other caches) against a few hundred "
                             "nanoseconds of user-space work.", ratio=_mn_ratio(d))),
    "04-block": lambda: Prediction(
        "04-block", N_("Under N:1, how many ms of the other goroutines' work runs during the "
                       "3 ms syscall?"), "number", unit="ms",
        answer=lambda d: d["models"]["N:1"]["work_during_block_ns"] / 1e6,
        explain=lambda d: tr("none: the one kernel thread is asleep in the syscall, and every "
                             "goroutine lives on it. Under M:N the runtime gives the P to another "
                             "thread.")),
}

# ---- 05 GM ------------------------------------------------------------------------------
def _gm_16_vs_4(d):
    g = d["GM"]["makespan_ns"]
    i4, i16 = d["procs"].index(4), d["procs"].index(16)
    r = g[i16] / g[i4]
    return SCALING[0] if r < 0.95 else (SCALING[2] if r > 1.05 else SCALING[1])


SCALING = [N_("faster"), N_("about the same"), N_("slower")]
SHARES = [N_("almost none"), N_("some"), N_("almost all")]


def _share(pct):
    return SHARES[0] if pct < 10 else (SHARES[2] if pct > 90 else SHARES[1])


_05 = {
    "05-scaling": lambda: Prediction(
        "05-scaling", N_("GM at GOMAXPROCS 16 compared with 4:"), "choice",
        options=SCALING, answer=_gm_16_vs_4,
        explain=lambda d: tr("every go statement, wake-up and search for work takes the one "
                             "schedlock: more Ms means more of them queue for it, and thread "
                             "creation happens under it too.")),
    "05-remote": lambda: Prediction(
        "05-remote", N_("Under GM, what share of the ping-pong's wake-ups run the woken G on "
                        "another thread?"), "choice", options=SHARES,
        answer=lambda d: _share(d["GM"]["remote_pct"]),
        explain=lambda d: tr("GM: {gm:.0f}% (GMP: {gmp:.0f}%). GM hands a woken G to the global "
                             "queue and any idle M; GMP puts it in the waker's runnext.",
                             gm=d["GM"]["remote_pct"], gmp=d["GMP"]["remote_pct"])),
    "05-mcache": lambda: Prediction(
        "05-mcache", N_("With 16 goroutines in syscalls, how many MiB of mcache does GM hold?"),
        "number", unit="MiB", tolerance=0.1,
        answer=lambda d: d["here"]["gm_mcache"] / 2**20,
        explain=lambda d: tr("GM gives every M an mcache: {ms} Ms × {each:g} MiB. GMP gives one "
                             "per P: {gmp:g} MiB.", ms=d["here"]["gm_ms"],
                             each=d["mcache_bytes"] / 2**20,
                             gmp=d["here"]["gmp_mcache"] / 2**20)),
    "05-churn": lambda: Prediction(
        "05-churn", N_("With 10 µs syscalls, how many times does GM put a thread to sleep "
                       "during the 80 syscalls?"), "number", tolerance=0.2,
        answer=lambda d: d["GM"]["parks"],
        explain=lambda d: tr("GM parks a thread on most syscalls ({gm}); GMP {gmp}: a short "
                             "syscall keeps its P, so nobody needs waking.",
                             gm=d["GM"]["parks"], gmp=d["GMP"]["parks"])),
}

# ---- 06 queues, stealing, spinning ------------------------------------------------------
FIRST_WORK = [N_("main starts one directly on P1"), N_("P1 takes it from the global queue"),
              N_("P1's M steals half of P0's ring")]
WAKEUP_TIMES = [N_("about the same"), N_("about 2×"), N_("about 5×"), N_("about 10×")]

_06 = {
    "06-animation": lambda: Prediction(
        "06-animation", N_("How does P1 get its first goroutine?"), "choice",
        options=FIRST_WORK,
        answer=_first_work_p1,
        explain=lambda d: tr("a go statement only touches its own P (runnext and the ring); the "
                             "first one wakes a thread (wakep), which finds P0's ring full and "
                             "steals half of it.")),
    "06-overflow": lambda: Prediction(
        "06-overflow", N_("After 300 go statements in a row, how many Gs are in the global "
                          "queue?"),
        "number", answer=lambda d: d["global"],
        explain=lambda d: tr("257 fit (256 in the ring + runnext); the 258th makes runqputslow "
                             "move half the ring plus the new G: {n} = 128 + 1.", n=d["global"])),
    "06-fairness": lambda: Prediction(
        "06-fairness", N_("How many local Gs run between two turns of the yielder, once the "
                          "pattern settles?"), "number", answer=lambda d: d["gaps"][1],
        explain=lambda d: tr("every 61st schedtick findRunnable takes one G from the global queue "
                             "first: 60 local Gs, then the yielder, not all 200.")),
    "06-steal": lambda: Prediction(
        "06-steal", N_("P0's ring holds 9 Gs. How many does the first thief take?"), "number",
        answer=lambda d: d["steals"][0]["taken"],
        explain=lambda d: tr("half, rounded up: runqgrab takes n - n/2, so 9 - 4 = 5.")),
    "06-spinning": lambda: Prediction(
        "06-spinning", N_("Without spinning Ms, how many times as many thread wake-ups does the "
                          "ping-pong need as with them?"), "choice",
        options=WAKEUP_TIMES,
        answer=lambda d: nearest(d["off"]["wakeups"] / max(1, d["on"]["wakeups"]),
                                 WAKEUP_TIMES, _times),
        explain=lambda d: tr("with spinning: {on} wake-ups; without: {off}. Each send readies "
                             "the partner and calls wakep. Without spinning that always wakes a "
                             "thread, which finds nothing: the G runs from its waker's runnext. "
                             "With spinning, wakep wakes nobody while one M is already on its "
                             "way.", on=d["on"]["wakeups"], off=d["off"]["wakeups"])),
}


def _first_work_p1(d):
    # the captions are read in English (the panel's data keeps them so), whatever the language
    for caption in d["captions"]:
        if "P1" in caption and "stole" in caption:
            return FIRST_WORK[2]
        if "P1" in caption and "global" in caption:
            return FIRST_WORK[1]
    return FIRST_WORK[0]


# ---- 07 syscalls, netpoller, sysmon, preemption -----------------------------------------
RETAKE_FATES = [N_("it ends first and keeps its P"), N_("retaken after one to two sysmon ticks"),
                N_("retaken only after 10 ms")]


def _retake_fate(d):
    if not d["retaken"]:
        return RETAKE_FATES[0]
    from .models.gmp import SYSCALL_RETAKE_NS
    return RETAKE_FATES[2] if d["retake_after_ns"] >= SYSCALL_RETAKE_NS else RETAKE_FATES[1]


def _fmt_tick():
    from . import facts
    return facts.fmt(facts.sysmon_tick_ns(2))


def _force_preempt_ns():
    from .models.gmp import FORCE_PREEMPT_NS
    return FORCE_PREEMPT_NS


def _fmt_ns(ns):
    from . import facts
    return facts.fmt(ns)


_PROBLEM_KEYS = {N_("lock"): "lock_wait_ns", N_("hand-off"): "remote_wakeups",
                 N_("mcache"): "mcache_bytes", N_("thread churn"): "thread_sleeps"}

_07 = {
    "07-retake": lambda: Prediction(
        "07-retake", N_("With 2 Gs queued behind it, what happens to the P of a 100 µs "
                        "syscall?"),
        "choice", options=RETAKE_FATES, answer=_retake_fate,
        explain=lambda d: tr("sysmon's tick here is {tick}: it takes the P at its first look "
                             "that finds the same syscall it saw on its previous look, with work "
                             "queued. A call shorter than about two ticks can end first and keep "
                             "its P (exitsyscall's fast path); a longer one is retaken after one "
                             "to two ticks.", tick=_fmt_tick())),
    "07-netio": lambda: Prediction(
        "07-netio", N_("16 goroutines block 1 ms in a syscall at once (GOMAXPROCS=2). How many "
                       "threads at the peak?"), "number", tolerance=0.1,
        answer=lambda d: d["syscall"]["peak"],
        explain=lambda d: tr("each blocking syscall holds its thread, so the runtime adds threads "
                             "to keep the Ps busy ({syscall}); on the network the netpoller needs "
                             "none: {netio}.", syscall=d["syscall"]["peak"],
                             netio=d["netio"]["peak"])),
    "07-preempt": lambda: Prediction(
        "07-preempt", N_("With async preemption on, how many ms late does the sleeper wake up?"),
        "number", unit="ms", tolerance=0.25,
        answer=lambda d: round(d["first_latency_ns"] / 1e6, 1),
        explain=lambda d: tr("the hog keeps the P for one time slice (forcePreemptNS, {slice}) "
                             "and until sysmon next looks, then is preempted with SIGURG; with "
                             "asyncpreemptoff=1 it keeps the P for the whole 30 ms.",
                             slice=_fmt_ns(_force_preempt_ns()))),
    "07-gm-vs-gmp": lambda: Prediction(
        "07-gm-vs-gmp", N_("Order the four problems by how much GMP reduces them, most first."),
        "order", options=list(_PROBLEM_KEYS),
        answer=_gm_gmp_order,
        explain=lambda d: tr("the lock is gone (no global lock on the fast path); runnext keeps "
                             "woken Gs on their waker's thread; mcache is per P instead of per M; "
                             "threads still sleep and wake, only less often.")),
}



def _gm_gmp_order(d):
    share = {k: d["GMP"][v] / max(1, d["GM"][v]) for k, v in _PROBLEM_KEYS.items()}
    return sorted(share, key=lambda k: (share[k], list(_PROBLEM_KEYS).index(k)))


# ---- 08 model vs reality ----------------------------------------------------------------
def _threads_vs(d):
    m = d["comparison"].metric("threads")
    r = m.real / max(1, m.sim)
    return STORM_THREADS[1 if 0.9 <= r <= 1.1 else 2 if r > 1 else 0]


STORM_THREADS = [N_("fewer than the simulator"), N_("about the same (±10%)"),
                 N_("more than the simulator")]
HOG_TIMES = [N_("about 2"), N_("about 5"), N_("about 50")]
SHORT_THREADS = [N_("no more than GOMAXPROCS + sysmon"), N_("a few more than that"),
                 N_("one per goroutine")]


_08 = {
    "08-hog": lambda: Prediction(
        "08-hog", N_("In the model, how many times is the 50 ms hog preempted on one P?"),
        "choice", options=HOG_TIMES,
        answer=lambda d: nearest(d["comparison"].metric("preemptions").sim,
                                 HOG_TIMES, lambda o: float(o.split()[1])),
        explain=lambda d: tr("{sim} in the model, {real} in real Go here. sysmon preempts the "
                             "hog only after it has held the P for a whole 10 ms slice and only "
                             "while another G waits for the P, so a 50 ms hog is stopped a few "
                             "times at most; a busy machine stretches the real hog's time and "
                             "gives sysmon more chances.",
                             sim=d["comparison"].metric("preemptions").sim,
                             real=d["comparison"].metric("preemptions").real)),
    "08-spawn": lambda: Prediction(
        "08-spawn", N_("After 1000 go statements on 2 Ps, how many Gs does the model's global "
                       "queue hold at its peak?"), "number", tolerance=0.25,
        answer=lambda d: d["sim_peak_runqueue"],
        explain=lambda d: tr("{sim} in the model, {real} in real Go: every time main's 256-slot "
                             "ring fills, runqputslow moves 129 Gs to the global queue, and main "
                             "keeps going faster than the second P can drain them.",
                             sim=d["sim_peak_runqueue"], real=d["real_peak_runqueue"])),
    "08-storm": lambda: Prediction(
        "08-storm", N_("In syscall_storm, how many threads does real Go create?"), "choice",
        options=STORM_THREADS,
        answer=_threads_vs,
        explain=lambda d: tr("real Go made {real} threads, the model {sim}. Both add a thread for "
                             "each goroutine blocked in nanosleep while work waits; how many are "
                             "blocked at once depends on real timing (how late each nanosleep "
                             "returns, when sysmon looks), which the model only approximates.",
                             real=d["comparison"].metric("threads").real,
                             sim=d["comparison"].metric("threads").sim)),
    "08-short": lambda: Prediction(
        "08-short", N_("short_syscalls (100 µs calls) on 2 Ps: how many threads does the model "
                       "make, compared with GOMAXPROCS?"), "choice",
        options=SHORT_THREADS,
        answer=lambda d: _short_threads(d["comparison"]),
        explain=lambda d: tr("{sim} in the model, {real} in real Go here: a call that sysmon sees "
                             "on two of its rounds loses its P and a new thread takes it, so even "
                             "short calls cost threads, though far fewer than 1 ms ones.",
                             sim=d["comparison"].metric("threads").sim,
                             real=d["comparison"].metric("threads").real)),
}


def _short_threads(c):
    n = c.metric("threads").sim
    return SHORT_THREADS[0 if n <= c.procs + 1 else 2 if n >= 32 else 1]

# ---- 09 real tools (the panels' data: a schedtrace Timeline; (Timeline, trace file)) ------------
QUEUE_SHAPES = [N_("stays at 0"), N_("rises and falls as goroutines are preempted"),
                N_("only grows")]


def _runqueue_shape(tl):
    values = [s.fields["runqueue"] for s in tl.meta["snapshots"]]
    if max(values) == 0:
        return QUEUE_SHAPES[0]
    return QUEUE_SHAPES[2] if values == sorted(values) else QUEUE_SHAPES[1]


_09 = {
    "09-schedtrace": lambda: Prediction(
        "09-schedtrace", N_("Six CPU-bound goroutines on GOMAXPROCS=2: what does the global "
                            "`runqueue` do over the run?"), "choice", options=QUEUE_SHAPES,
        answer=_runqueue_shape,
        explain=lambda tl: tr("it read {values}: a goroutine preempted at the end of its time "
                              "slice goes to the global queue, and a P that runs dry (or every "
                              "61st schedule) takes from it.",
                              values=[s.fields["runqueue"] for s in tl.meta["snapshots"]])),
    "09-trace": lambda: Prediction(
        "09-trace", N_("tracedemo, GOMAXPROCS=2: how many times is a goroutine preempted in the "
                       "whole trace?"), "number", tolerance=0.5,
        answer=lambda data: data[0].count("preempt"),
        explain=lambda data: tr("{n} in this run: three goroutines of 25 ms CPU each share two "
                                "Ps, and sysmon preempts one that has run for a 10 ms slice; how "
                                "many slices end by preemption depends on timing.",
                                n=data[0].count("preempt"))),
}

# ---- 10 your program (the panels' data: real_frames of a traced run, gmpkit.widgets.yourprog) ----
def _running_at_most(d):
    return max(sum(1 for g in s["gs"].values() if g["status"] == "running")
               for s in d["snapshots"])


BLOCKED_ON = [N_("on the channel only"), N_("on the mutex only"),
              N_("on both the channel and the mutex"), N_("neither: they never wait")]


def _consumer_waits(d):
    return sorted({g["wait"] for s in d["snapshots"] for g in s["gs"].values()
                   if g["name"] == "main.main.func2" and g["status"] == "waiting"})


def _consumers_blocked_on(d):
    why = _consumer_waits(d)
    chan, mutex = any(w.startswith("chan") for w in why), "sync" in why
    return BLOCKED_ON[2 if chan and mutex else 1 if mutex else 0 if chan else 3]


def _ms_in_trace(d):
    return len({m["id"] for s in d["snapshots"] for m in s["ms"]})


SERVER_THREADS = [N_("a handful, as for the worker pool"),
                  N_("about 12: one per goroutine on a socket")]

_10 = {
    "10-pool": lambda: Prediction(
        "10-pool", N_("Worker pool on --procs 2: at most how many of its goroutines run at the "
                      "same moment?"), "number",
        answer=_running_at_most,
        explain=lambda d: tr("the replay never shows more than {n} running: GOMAXPROCS={procs} "
                             "Ps, and only an M holding a P runs Go code. The other workers wait, "
                             "runnable or blocked on a channel, however many goroutines the "
                             "program starts.", n=_running_at_most(d), procs=d["procs"])),
    "10-prodcons": lambda: Prediction(
        "10-prodcons", N_("Producers and consumers: on what does the trace show the consumers "
                          "blocked?"), "choice", options=BLOCKED_ON,
        answer=_consumers_blocked_on,
        explain=lambda d: tr("the consumers waited on {waits} in this trace. A consumer that "
                             "finds the mutex held parks (`sync`) after a short spin; one that "
                             "finds the buffer empty parks on `chan receive`. With the work "
                             "inside the lock, the mutex is the usual wait.",
                             waits=", ".join(_consumer_waits(d)) or tr("nothing"))),
    "10-server": lambda: Prediction(
        "10-server", N_("Network server: how many threads (Ms) run its 14 goroutines?"),
        "choice", options=SERVER_THREADS,
        answer=lambda d: SERVER_THREADS[0 if _ms_in_trace(d) <= 6 else 1],
        explain=lambda d: tr("{n} threads ran goroutines in this trace: a goroutine waiting for "
                             "a socket parks on the netpoller and gives its thread back; epoll "
                             "wakes it when data arrives.", n=_ms_in_trace(d))),
}

CATALOG = {
    "01_processes": _01, "02_threads": _02, "03_goroutines": _03, "04_mn_model": _04,
    "05_gm_scheduler": _05, "06_gmp_queues": _06, "07_gmp_syscalls": _07,
    "08_model_vs_reality": _08, "09_real_tools": _09, "10_your_program": _10,
}


class CourseTally(Tally):
    """A :class:`Tally` that builds its notebook's predictions from :data:`CATALOG`."""

    def __init__(self, notebook):
        if notebook not in CATALOG:
            raise KeyError(tr("no predictions for notebook {notebook!r}; known: {known}",
                              notebook=notebook, known=", ".join(sorted(CATALOG))))
        self.catalog = CATALOG[notebook]
        super().__init__(notebook, expected_total=len(self.catalog))

    def ask(self, qid) -> Prediction:
        """The prediction ``qid`` (the same object if it was asked before: a locked
        prediction stays locked when its cell is run again)."""
        if qid not in self.catalog:
            raise KeyError(tr("{notebook} has no prediction {qid!r}; it has {qids}",
                              notebook=self.notebook, qid=qid, qids=", ".join(self.catalog)))
        if qid in self.predictions:
            return self.predictions[qid]
        return self.add(self.catalog[qid]())

    def follow(self, qid, panel):
        """The experiment ``panel`` has run: lock and resolve prediction ``qid`` and
        return the panel with the prediction's result under it."""
        return self.ask(qid).follow(panel)


def tally(notebook) -> CourseTally:
    """The prediction tally of a lecture notebook (by its file stem)."""
    return CourseTally(notebook)
