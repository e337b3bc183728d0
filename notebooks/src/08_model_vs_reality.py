# ---
# jupyter:
#   jupytext:
#     comment_magics: false
#     formats: py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # 08 · Model vs reality: the simulator checked against real Go
#
# Notebooks 04–07 taught the scheduler with a simulator, `gk.GMP`, a miniature of
# `runtime/proc.go`. A model is only worth learning from if it behaves like the thing it
# models. This notebook checks it: each of the course's scenarios has a **Go twin** — a real
# Go program doing the same work (`gmpkit/real/programs/scn_*.go`) — and we run both, read the
# real program's **scheduler trace** (`GODEBUG=schedtrace=1`) and **execution trace**
# (`runtime/trace`), turn them into the same `Timeline` the simulator produces, and compare
# numbers side by side, each against a band around the real value stated in advance.
#
# The real side runs on your machine when a Go toolchain is found. Without one, the panels
# show runs recorded on the course's machine, and say so in red.

# %% [markdown]
# ## Learning goals
#
# After this notebook you can:
#
# 1. run a scenario in the simulator and as real Go, and read both as Gantt charts per P and
#    as `schedtrace` lines;
# 2. say which numbers the model reproduces (who runs where, queue overflow, threads made by
#    blocking system calls, preemption) and within what band;
# 3. name what the model leaves out on purpose — the garbage collector, the operating
#    system, real system-call and timer costs, the runtime's own goroutines — and predict in
#    which *direction* each one moves a real measurement;
# 4. judge a model-vs-measurement comparison: medians of several runs, ratios rather than
#    raw times, two-sided bands written down before looking, and a model broken on purpose
#    to check that a band can fail;
# 5. explain why a model must be calibrated to the machine: sysmon asks for a 20 µs sleep,
#    and the kernel delivers about 85 µs.

# %%
import gmpkit as gk
from gmpkit import predictions
from gmpkit.checks import Question, within, answer_boxes, self_check
from gmpkit.real import compare as cmp
from gmpkit.widgets import reality

tally = predictions.tally("08_model_vs_reality")   # your predictions in this notebook

# %% [markdown]
# Which Go runs the real side? (Programs are built once and cached in `~/.cache/gmpkit`.)

# %% tags=["nbval-ignore-output"]
go = cmp.find_go_or_none()
print(f"Go {go.version} at {go.goroot}: real runs are measured here" if go else
      "no Go toolchain: the real side is the runs recorded in data/compare, "
      "not measured on your machine")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The mirrors
#
# Each mirror takes the scenario's parameters as flags and prints one JSON line: the
# makespan measured by its own clock around the workload, the number of threads the runtime
# made (`runtime/pprof`'s `threadcreate` profile), and scenario-specific numbers. "Compute"
# in Go is a calibrated loop: real CPU work, so it takes longer when the OS gives the program
# less CPU. The blocking system call is a real `nanosleep(2)`; the network wait is a real
# loopback TCP connection whose server answers after the given time.

# %%
for name, m in cmp.MIRRORS.items():
    args = " ".join(f"-{k}={str(v).lower()}" for k, v in m.params.items())
    print(f"{name:14} {m.program}.go {args}")
    print(f"{'':14} {m.note}")

# %% [markdown]
# `cmp.compare(scenario, procs=…, runs=5)` runs the GMP model once (it is deterministic)
# and the Go program five times with `GOMAXPROCS=procs`, and compares medians. Each metric
# has a **band** around the real value, written down in `gmpkit/real/compare.py` with the
# reason for its width (for thread counts and makespans: the simulator within ×1.5 of the
# real median). The verdict is **within**, **outside**, or **not modelled** — the real value
# is dominated by something the model leaves out on purpose, which never counts as agreeing.
#
# The simulator is **calibrated** to the machine the real runs come from, with three
# figures measured alongside them:
#
# * what sysmon's sleep really lasts. `sysmon` calls `usleep(20)`, one `nanosleep` system
#   call; the kernel wakes the thread up to its *timer slack* (50 µs by default on Linux)
#   late, and then it must get a CPU again. The simulator's sysmon sleeps the request plus
#   that measured overshoot (and a mirror's `nanosleep` syscalls last that much longer too);
# * one goroutine hand-off (the median of short channel ping-pong runs);
# * the threads real Go had already started, and parked, before `main`'s workload began
#   (the simulator starts with them idle, instead of with M0 and sysmon only).
#
# Every comparison also measures how much CPU time **other programs** took from the real
# runs (Linux's per-thread scheduler statistics). On a loaded machine that share is large,
# and a real *time* then measures the load more than the scheduler: such times are marked
# "not modelled (os)" with the measured share, never "within".

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Experiment: what each P ran
#
# The execution trace records every goroutine state change with the thread (M) and
# processor (P) it happened on. Below, the simulator's Gantt chart per P sits above the real
# one. Real goroutines are renumbered in the order they were created, as the simulator
# numbers them (main is G1, the first `go` statement makes G2 …), so the same goroutine has
# the same colour in both.
#
# The default is `cpu_hog` on one P: a 50 ms loop without function calls (G3, the hog) next
# to a ticker (G2) that wants to wake every millisecond. ✖ marks a preemption.
#
# **Predict first:** on one P, how many times will the hog be preempted in 50 ms — about
# 2, 5 or 50? Will the simulator and real Go agree? Then switch to `cpu_fanout` with 2 Ps,
# and to `syscall_storm`.

# %% tags=["nbval-ignore-output"]
tally.ask("08-hog")

# %% tags=["nbval-ignore-output"]
gantt_panel = reality.gantt_panel(scenario="cpu_hog", procs=1)
tally.follow("08-hog", gantt_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
hog = gantt_panel.data["comparison"]
pre = hog.metric("preemptions")
# a 50 ms hog in 10 ms slices: a few preemptions in the model; at least two in real Go
# (more when a busy machine stretches the hog's wall-clock time)
assert 2 <= pre.sim <= 6 and pre.real >= 2, (pre.sim, pre.real)
assert 3 in gantt_panel.data["sim_gs"] and 3 in gantt_panel.data["real_gs"]   # the hog is G3 in both
print("the hog is preempted a few times (one 10 ms slice each), in the model and in real Go: True")

assert 40 <= (20_000 + hog.costs["usleep_overhead_ns"]) / 1000 <= 250   # sysmon's round, calibrated

# %% tags=["nbval-ignore-output"]
# What the simulator was calibrated with, measured on the real side's machine:
print(hog.calibration_line)
tick_us = (20_000 + hog.costs["usleep_overhead_ns"]) / 1000
print(f"so sysmon's shortest round lasts {tick_us:.0f} µs, not 20 µs")

# %% [markdown]
# **What to notice:**
#
# * Both show the hog cut into slices of 10 ms or more (`forcePreemptNS` = 10 ms): sysmon's
#   `retake` sees a P whose `schedtick` has not moved for 10 ms and calls `preemptone`,
#   which, since the loop has no function call, must send the SIGURG signal (asynchronous
#   preemption).
# * The slices are longer than 10 ms and irregular: with nothing to retake, sysmon backs
#   off, asking to sleep 20 µs, then 40, 80 … up to 10 ms between looks (every sleep lasting
#   the overshoot printed above longer), so it notices a finished slice only at its next
#   look; and the OS may stop the whole thread for a while on a busy machine.
# * Look at *when the ticker gets in*: right after the first preemption, in both. This very
#   comparison once caught the model getting it wrong. The model started P0's `schedtick` at
#   0, because `main` comes from `runnext` (which does not count a tick); at the first
#   preemption `schedtick % 61 == 0` still held, so the fairness check took the
#   just-preempted hog straight back from the global queue, and the ticker waited a second
#   slice. Real Go runs its own goroutines (`forcegchelper`, `bgsweep`, `bgscavenge`) before
#   `main`, so its `schedtick` has moved. The model now starts P0 at `STARTUP_SCHEDTICKS = 1`.
# * With `cpu_fanout` and 2 Ps, both split the eight workers four and four (or close); with
#   `syscall_storm`, the real P rows have gaps where a thread sat in `nanosleep` before sysmon
#   took its P away.
#
# ## 3. Experiment: the scheduler trace, real and simulated
#
# `GODEBUG=schedtrace=1` makes sysmon print one `SCHED` line per millisecond: `runqueue=` is
# the global queue, `[ … ]` the local rings, `threads=` every M (sysmon too). The simulator
# prints the same format from its own counters (`run.schedtrace(1)`).
#
# The default is `spawn_burst`: main runs 1000 `go` statements in a row on GOMAXPROCS=2.

# %% [markdown]
# **Predict first:** main's P has a 256-slot ring. After 1000 `go` statements, about how many
# goroutines are in the global queue at the peak: 0, 129, 500 or 1000?

# %% tags=["nbval-ignore-output"]
tally.ask("08-spawn")

# %% tags=["nbval-ignore-output"]
sched_panel = reality.schedtrace_panel(scenario="spawn_burst", procs=2)
tally.follow("08-spawn", sched_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
sd = sched_panel.data
assert sd["sim_peak_runqueue"] >= 129, "each overflow moves half the ring plus one (129)"
assert sd["real_peak_runqueue"] > 0, "the real schedtrace shows a non-empty global queue"
assert sd["real_peak_runqueue"] <= 1.5 * sd["sim_peak_runqueue"]
print("a burst of go statements overflows into the global queue, in the model and in real Go: True")
lines = reality.schedtrace_side_by_side(sched_panel.data["comparison"], lines=6).splitlines()
assert sum(ln.startswith("SCHED") for ln in lines) == 12
assert all("gomaxprocs=2" in ln for ln in lines if ln.startswith("SCHED"))
print("both traces speak the same SCHED format: True")

# %% tags=["nbval-ignore-output"]
# The first lines of both traces, as printed (real Go's are on standard error):
print(reality.schedtrace_side_by_side(sched_panel.data["comparison"], lines=6))

# %% [markdown]
# **What to notice:**
#
# * Both queues jump by hundreds at once and then drain: `runqputslow` moves 128 + 1 Gs
#   whenever the ring is full, and the other P takes batches from the global queue
#   (`globrunqget`: at most `len / GOMAXPROCS + 1`, at most 128).
# * The real peak is a *sample*: sysmon prints at its own rounds, once at least 1 ms has
#   passed — every ms while it is busy, but every ~10 ms once it has backed off (look at
#   the gaps in the timestamps; the model's sysmon prints the same way) — so a sampled peak
#   can only be at most the true peak.
# * One real P's `schedticks` may stand still for several ms while the global queue keeps
#   growing: that P is running `main` in its spawn loop, and `schedtick` counts only scheduling
#   decisions. (On a loaded machine the OS descheduling that thread looks the same.) The model
#   spawns faster, so its `main` is done by 1 ms.
# * Real Go starts with more threads (`threads=3` to `5` at 0 ms) than the model (M0 and
#   sysmon): the runtime has started threads for its own goroutines before `main`.
#
# ## 4. Experiment: every metric against its band
#
# The panel shows simulated / real for each metric of a comparison (1 = perfect agreement,
# log scale), the band it must fall in (shaded) and its verdict. The table below lists the
# values and says why a metric is outside its band or not modelled. Try
# `cpu_hog` on one P with asynchronous preemption on and off, and on two Ps.

# %% [markdown]
# **Predict first:** in `syscall_storm` (32 goroutines each blocking 1 ms in `nanosleep`), will
# real Go create more threads than the simulator, or fewer? And will its makespan be longer or
# shorter?

# %% tags=["nbval-ignore-output"]
tally.ask("08-storm")

# %% tags=["nbval-ignore-output"]
compare_panel = reality.compare_panel(scenario="syscall_storm", procs=2)
tally.follow("08-storm", compare_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
# Live runs on a busy machine can put a metric outside its band (the panel says which, and
# why); what must hold every time is the direction of each effect, and that every metric
# has a verdict.
storm = compare_panel.data["comparison"]
assert storm.metric("threads").real > 2 * storm.procs      # blocking syscalls add threads...
assert storm.metric("threads").sim > 2 * storm.procs       # ...in the model too
assert set(compare_panel.data["verdicts"].values()) <= set(cmp.VERDICTS)
assert all(m.label in " ".join(compare_panel.data["why"]) for m in storm.outside)
print("syscall_storm: threads beyond GOMAXPROCS in real Go and in the model: True")
print("every metric has a verdict, and every one outside its band is explained: True")

# %% tags=["nbval-ignore-output"]
# The comparison as a table (`Comparison` displays itself as HTML):
storm

# %% [markdown]
# **What to notice:**
#
# * Both make threads beyond GOMAXPROCS: a goroutine in a blocking system call keeps its M;
#   sysmon's `retake` takes the P and `handoffp` starts another M for the runnable goroutines.
# * How many threads depends on *when sysmon looks*. Each look that finds a syscall that has
#   lasted a round takes its P away, and every P taken away needs another M; a syscall that
#   returns before sysmon's second look keeps its P (`exitsyscall`'s fast path).
# * The real makespan is longer: the OS shares the CPUs among several programs (the row
#   "CPU lost to other programs" measures it, from Linux's per-thread scheduler statistics),
#   and the Go runtime runs work of its own. Both are left out of the model, so the band for
#   makespan says what is allowed either way (×1.5), and the row tells you how loaded the
#   machine was.
#
# ### A band that cannot fail is no band: break the model on purpose
#
# Before this model was calibrated, its sysmon woke *exactly* every 20 µs — the number in
# `proc.go` — and each `nanosleep` lasted exactly what it asked for. Run the same comparison
# with that model (`sim_costs` replaces costs on the simulator's side only):

# %% tags=["nbval-ignore-output"]
fixed = reality.comparison("syscall_storm", 2)
broken = cmp.compare("syscall_storm", procs=2, real=fixed.mode,
                     sim_costs=cmp.uncalibrated_costs())
for name, c in (("calibrated", fixed), ("20 µs tick", broken)):
    m = c.metric("threads")
    print(f"{name:>10}: threads simulated {m.sim}, real {m.real} -> {m.verdict}")

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
assert broken.metric("threads").sim > fixed.metric("threads").sim
print("the uncalibrated tick makes more threads than the calibrated one: True")

# %% [markdown]
# **What to notice:** a sysmon that looks four times as often sees more syscalls on two
# rounds, takes more Ps away and starts more threads. The recorded comparison (the tests run
# it on every change) puts that model **outside** the ×1.5 band for threads; the calibrated
# one is within. This is how the gap was found: a band around the real value, and a model
# that is sometimes wrong on purpose to prove the band can catch it.
#
# ## 5. All scenarios at once
#
# Each scenario on GOMAXPROCS=2, plus `cpu_hog` on one P with and without asynchronous
# preemption (`GODEBUG=asyncpreemptoff=1`).

# %% tags=["nbval-ignore-output"]
configs = [(s, 2, True) for s in cmp.MIRRORS] + [("cpu_hog", 1, True), ("cpu_hog", 1, False)]
results = {cfg: reality.comparison(*cfg) for cfg in configs}
print(next(iter(results.values())).source_line, "\n")
for c in results.values():
    print(c.summary())
    for row in c.rows():
        print(f"    {row[0]:30} sim {row[1]:>16}   real {row[2]:>16}   {row[4]:28} {row[5]}")

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
th = {s: results[(s, 2, True)].metric("threads") for s in ("syscall_storm", "netio_server")}
assert th["syscall_storm"].real > th["netio_server"].real
assert th["syscall_storm"].sim > th["netio_server"].sim
on, off = results[("cpu_hog", 1, True)], results[("cpu_hog", 1, False)]
assert off.metric("worst_delay_ns").real > on.metric("worst_delay_ns").real
assert off.metric("worst_delay_ns").sim > on.metric("worst_delay_ns").sim
print("blocking syscalls make threads, network waits do not (model and real): True")
print("without async preemption the ticker waits longer (model and real): True")
assert any("garbage collector" in item.lower() for item in gk.GMP.SIMPLIFIES)
assert all(len(model.SIMPLIFIES) >= 3 for model in (gk.GMP, gk.GM))
print("each model lists what it leaves out, the GC first among them for GMP: True")

# %% [markdown]
# **What to notice:** agreement is best on *counts and structure* — how many Gs overflow to
# the global queue, which P ran how many goroutines, how many preemptions, whether threads
# multiply — and weakest on *absolute time*, which the model gets from cost figures measured
# on a quiet machine. That is the right way round for a teaching model: it explains the
# mechanism, and the real run shows the size of what the mechanism leaves out.
#
# Three metrics are **not modelled** by design, and say so instead of passing: the ticker's
# worst delay and the preemptions when the hog has a P to itself (the ticker then waits only
# for the kernel's timers and a CPU; the real preemptions come from the tracer stopping the
# world), and the CPU lost to other programs. When a live run puts a metric **outside** its
# band, the lines under its table say why (often: how much CPU other programs took).

# %% tags=["nbval-ignore-output"]
for c in results.values():
    for line in c.explain():
        print(f"{c.title}: {line}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. A workload the model was not tuned on
#
# Calibrating a model on the very scenarios it is then judged on proves little. The
# `short_syscalls` scenario was added *after* the calibration: 32 goroutines each make four
# short blocking calls (`nanosleep` of 100 µs, which this machine delivers in about 165 µs),
# with 20 µs of compute before each. A call that outlives one sysmon round but not two keeps
# its P; so the thread count depends directly on sysmon's real tick.
#
# **Predict first:** with GOMAXPROCS=2, will the model make no more threads than GOMAXPROCS
# and sysmon need, a few more, or one per goroutine (as with `syscall_storm`'s 1 ms calls)?

# %% tags=["nbval-ignore-output"]
tally.ask("08-short")

# %% tags=["nbval-ignore-output"]
short_panel = reality.compare_panel(scenario="short_syscalls", procs=2)
tally.follow("08-short", short_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
short = {p: reality.comparison("short_syscalls", p) for p in (1, 2)}
for c in short.values():
    m = c.metric("threads")
    assert m.sim > 2 * c.procs and m.real > 2 * c.procs      # short calls still cost threads
print("short syscalls make threads beyond GOMAXPROCS, in the model and in real Go: True")

# %% tags=["nbval-ignore-output"]
for c in short.values():
    m = c.metric("threads")
    print(f"{c.title}: threads simulated {m.sim}, real {m.real} "
          f"(runs: {m.samples}) -> {m.verdict} ({m.band.describe()})")
for line in short_panel.data["why"]:
    print("  ", line)
from gmpkit import facts
print(f"the model's sysmon tick on this machine: {facts.fmt(facts.sysmon_tick_ns(2))}")

# %% [markdown]
# **What to notice:** even 100 µs calls make the runtime start extra threads: a call that
# sysmon sees on two of its rounds (the tick is printed above) loses its P. The band for this
# scenario is narrower (×1.33) than for the others. On two Ps the recorded runs are within it;
# on one P the model makes 3 threads where real Go's median is 4, just outside: a gap this
# course has not closed (its test is marked as a known failure, and will say so when the gap
# goes). Thread counts alone do not tell the calibrated and the uncalibrated model apart
# here; its makespan does, on two Ps, when the real runs are quiet enough to judge times.
#
# ## 7. What the model leaves out, and where it shows
#
# Every model lists its simplifications in one place, `SIMPLIFIES`:

# %% tags=["nbval-ignore-output"]
for model in (gk.GMP, gk.GM):
    print(f"{model.__name__} leaves out:")
    for item in model.SIMPLIFIES:
        print("  -", item)
print()
# The expected differences each metric of a comparison is exposed to:
for key, why in cmp.EXPECTED.items():
    print(f"{key:18} {why}")

# %% [markdown]
# | left out | direction it moves reality | seen above |
# |---|---|---|
# | garbage collector (GC workers, stop-the-world) | real makespan ≥ model | makespan ratios above 1 |
# | the operating system's scheduler, other programs | real makespan ≥ model, irregular slices | gaps in the real Gantt chart; a P whose `schedticks` stand still |
# | real cost of system calls and timers | real syscall and sleep durations longer | `syscall_storm` and `netio_server` makespans; ticker latencies |
# | the runtime's own goroutines and threads | real `threads` a few above the model's | `threads=` at 0 ms in the real schedtrace |
# | sampling (schedtrace at sysmon's rounds, ≥ 1 ms apart) | real peaks ≤ true peaks | global queue peak in `spawn_burst` |
# | sysmon's sleep lasting longer than asked (timer slack, wake-up) | *calibrated*: measured with the real runs (`usleep_overhead_ns`); with the uncalibrated 20 µs tick the model made more threads than real Go in `syscall_storm`, outside the ×1.5 band | section 4's broken model |
# | the CPU taken by other programs | every real time stretches | "CPU lost to other programs" (not modelled) |
# | `schedtick` history before `main` | fixed (`STARTUP_SCHEDTICKS = 1`); before the fix the ticker got in one slice later in the model | `cpu_hog` on one P |
#
# ## Summary
#
# * A scenario can run in the simulator and as a real Go program; both produce the same
#   `Timeline`, so the same Gantt charts, queue plots and `SCHED` lines compare directly.
# * The GMP model reproduces the mechanisms: ring overflow into the global queue, preemption
#   every ~10 ms, extra threads for blocking system calls and none for network waits, the
#   effect of `asyncpreemptoff`.
# * It does not reproduce absolute times on a busy machine, and is not meant to: GC, the OS
#   and real syscall costs are left out, so their effects appear as differences with a known
#   direction.
# * A model of a runtime must be calibrated to the machine where it matters: sysmon asks for
#   20 µs and gets about 85 µs, and with the requested figure the model made up to twice the
#   threads real Go makes.
# * A fair comparison uses medians of several runs, counts and ratios, and two-sided bands
#   written down before looking; "not modelled" is said out loud, never counted as agreement;
#   and a model broken on purpose shows that a band can fail. A disagreement outside a band
#   is a finding (like the `schedtick` one and the sysmon tick above).
#
# ## Self-check
#
# Replace each `...` with your answer and run the cell. The expected answers are computed
# (by the model, or from this machine's measurements above) only when you check, and each
# comes with the reason. Prefer boxes and buttons? Use the widget under it: its **Show all
# answers** button computes and explains every answer, and it shows how many of this
# notebook's predictions you got right (save them as JSON).

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
burst_sim = gk.scenarios.spawn_burst(**cmp.MIRRORS["spawn_burst"].params).run(gk.GMP(procs=1))

questions = [
    Question("overflow-peak", "spawn_burst with 1000 go statements on GOMAXPROCS=1: how many "
             "goroutines does the simulator's global queue hold at its peak?",
             answer=lambda: burst_sim.stats["global_queue_peak"],
             explain=lambda e: f"{e}: each time the 256-slot ring is full, runqputslow moves "
                               "128 + 1 Gs to the global queue; on one P nobody drains it until "
                               "main blocks, and runnext holds the newest G.",
             compare=within(rel=0.05)),
    Question("more-threads", "Which makes more threads in real Go: 'syscall_storm' or "
             "'netio_server'?",
             answer=lambda: "syscall_storm",
             explain=lambda e: f"{e}: a blocking system call holds its thread, so sysmon hands "
                               "the P to a new M; a goroutine waiting on a socket parks on the "
                               "netpoller and its thread runs other goroutines."),
    Question("direction-gc", "The model has no garbage collector. Can that make a real "
             "makespan shorter than the model's? (yes/no)",
             answer=lambda: "no",
             explain=lambda e: f"{e}: GC work runs on the same Ps and stop-the-world pauses stop "
                               "everyone, so leaving it out can only make the model faster."),
    Question("hog-wait", "cpu_hog on one P, GODEBUG=asyncpreemptoff=1: about how many ms does "
             "the ticker wait at worst, according to the model (hog_ms = 50)?",
             answer=lambda: round(results[("cpu_hog", 1, False)].metric("worst_delay_ns").sim / 1e6),
             explain=lambda e: f"about {e} ms: without the signal the loop has no preemption "
                               "point, so the ticker runs only when the hog ends.",
             compare=within(rel=0.2)),
]

# %%
my_answers = {
    "overflow-peak": ...,
    "more-threads": ...,
    "direction-gc": ...,
    "hog-wait": ...,
}
self_check(questions, my_answers)

# %% tags=["nbval-ignore-output"]
answer_boxes(questions, tally)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Glossary
#
# | English | 中文 | meaning here |
# |---|---|---|
# | model | 模型 | the simulator `gk.GMP`: a miniature of `runtime/proc.go` |
# | measurement | 测量 | a number from a real Go run on this machine |
# | band / tolerance | 容差带 | how far the model may be from the real value and still agree |
# | timer slack | 定时器松弛量 | how late (up to 50 µs by default) Linux may wake a sleeping thread, to merge wake-ups |
# | calibration | 校准 | measuring a cost on this machine and giving it to the model |
# | execution trace | 执行追踪 | `runtime/trace`: every goroutine state change, with its M and P |
# | scheduler trace | 调度追踪 | `GODEBUG=schedtrace=1`: a `SCHED` line from sysmon at most once per ms |
# | garbage collection | 垃圾回收 | the GC, left out of the model |
# | preemption | 抢占 | stopping a goroutine after its 10 ms time slice |
# | asynchronous preemption | 异步抢占 | preemption by a signal (SIGURG), Go 1.14+ |
# | system call | 系统调用 | an entry into the kernel; a blocking one holds its thread |
# | netpoller | 网络轮询器 | epoll: network waits park goroutines, not threads |
# | local run queue | 本地队列 | a P's 256-slot ring (plus `runnext`) |
# | global run queue | 全局队列 | `sched.runq`: overflow, preempted Gs |
# | operating system scheduler | 操作系统调度器 | the kernel deciding which thread runs on a CPU |
# | makespan | 总完工时间（makespan） | time from the start of the workload to its end |
# | median | 中位数 | the middle of several runs: robust against one slow run |
#
# ## Further reading
#
# In this order:
#
# 1. The tools used here, from their own documentation: [`GODEBUG` settings](https://pkg.go.dev/runtime#hdr-Environment_Variables) (`schedtrace`, `scheddetail`, `asyncpreemptoff`), [runtime/trace](https://pkg.go.dev/runtime/trace) and [cmd/trace](https://pkg.go.dev/cmd/trace).
# 2. William Kennedy, [Scheduler Tracing In Go](https://www.ardanlabs.com/blog/2015/02/scheduler-tracing-in-go.html) (2015): reading `schedtrace` lines field by field.
# 3. Michael Knyszek, [More powerful Go execution traces](https://go.dev/blog/execution-traces-2024) (the Go blog, 2024): the tracer that `go tool trace` reads today.
# 4. **OSTEP**, [Multiprocessor Scheduling](https://pages.cs.wisc.edu/~remzi/OSTEP/cpu-sched-multi.pdf) (ch. 10): why real machines add noise a model leaves out (caches, affinity, other processes).
# 5. 中文：[《Go 语言原本》](https://golang.design/under-the-hood/zh-cn/) 中关于运行时追踪的章节。
