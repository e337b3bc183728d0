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
# # 05 · Go 1.0's GM scheduler, and why it did not scale
#
# Go's first scheduler had only two kinds of objects: **G**s (goroutines) and **M**s (OS
# threads). It was simple and correct — and on a multi-core server it spent a large share of
# its time fighting over one lock. In 2012 Dmitry Vyukov wrote the *Scalable Go Scheduler
# Design Doc*, which named four problems and proposed the fix: a third object, **P**.
#
# This notebook rebuilds Go 1.0's design in `gk.GM` (a miniature of `src/pkg/runtime/proc.c`
# from Go 1.0, with the C function names), runs it next to today's scheduler `gk.GMP`, and
# gives each of the four problems its own experiment.

# %% [markdown]
# ## Learning goals
#
# After this notebook you can:
#
# 1. describe Go 1.0's scheduler: one global run queue, one lock (`schedlock`), `mcpu` and
#    `mcpumax`, `matchmg`'s hand-off, and what `entersyscall`/`exitsyscall` did;
# 2. explain each of the four problems from the 2012 design doc and point to the number in a
#    simulation that shows it;
# 3. say when the GM → GMP change shipped (Go 1.1, 2013) and how to check such a claim;
# 4. explain which part of the GMP design answers which problem.

# %%
import gmpkit as gk
from gmpkit import facts, plots, predictions, scenarios
from gmpkit.checks import Question, answer_boxes, self_check
from gmpkit.widgets import gm

tally = predictions.tally("05_gm_scheduler")   # your predictions in this notebook

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the article says, and what to correct
#
# The article's parts 2 and 3 of "GMP模型的演进历程" say, in short:
#
# * GM is "the scheduler before Go 1.2" (Go1.2之前的调度器实现); it limited the scalability of
#   concurrent programs. A goroutine is a `G`, and "thread作为物理cpu的存在被抽象为一个结构体M" (the
#   thread, standing for a physical CPU, is abstracted as a struct M). When a goroutine makes a blocking
#   system call its thread blocks, so another thread must be created or woken; threads are
#   created on demand, and the maximum number of *active* (not blocked) threads is GOMAXPROCS.
# * Its four problems: (1) a single global mutex and centralised state: creating, finishing and
#   rescheduling goroutines all take the lock; (2) goroutines are passed between Ms, adding
#   latency and overhead; (3) every M holds a memory cache (`M.mcache`, up to 2 MB) even while
#   it sits in a system call, and Ms in syscalls can outnumber those running Go code 100 : 1;
#   the cache's locality is poor as well; (4) heavy thread blocking and unblocking around
#   system calls — the article adds that an M that finds no G keeps blocking and waking to
#   check for new work.
#
# Most of this matches the design doc. Four corrections:
#
# * **An M is a thread, not a CPU.** `struct M` (Go 1.0) and `type m struct` (today) describe one
#   **OS thread**: its own stack (`g0`), its signal state, the G it runs (`curg`). Nothing in it
#   stands for a physical CPU, and the runtime may have far more Ms than CPUs (one per
#   goroutine blocked in a syscall). Which CPU a thread runs on is the kernel's choice. What
#   limits how many threads run Go code at once is a *licence*: in Go 1.0 the counter pair
#   `mcpu`/`mcpumax` (below), since Go 1.1 holding one of the GOMAXPROCS **P**s. The runtime's
#   own header says so (printed below from this machine's `proc.go`).
# * **The version.** The P-based scheduler shipped in **Go 1.1** (May 2013), not 1.2. Evidence:
#   the Go wiki's *DesignDocuments* page lists "Scalable Scheduler" under **Go 1.1**; Vyukov's
#   change "runtime: improved scheduler" landed in the development tree in March 2013, before
#   the 1.1 release; Go 1.1's release notes describe a release focused on performance, and
#   contemporary write-ups (e.g. Morsing's "The Go scheduler", June 2013) call the new scheduler
#   one of Go 1.1's big features. What came in **Go 1.2** was *preemption* at function entry
#   (the "Preemptive Scheduler" design doc is listed under 1.2) — probably the source of the
#   mix-up. So GM was the scheduler of Go 1.0.x only.
# * **Idle threads did not poll.** In Go 1.0 an M with nothing to do went to sleep on its note
#   (`nextgandunlock` → `mput` → `notesleep`) and stayed asleep until `matchmg` handed it a G.
#   The churn of problem 4 comes from the *syscall and hand-off paths*, not from a polling loop:
#   experiment 4 counts where the parks come from.
# * **Not every syscall took the lock.** `entersyscall` and `exitsyscall` first tried a single
#   atomic update of the word holding `mcpu` and `mcpumax`; they took `schedlock` only when
#   goroutines were waiting (to hand one to another M) or when the returning goroutine found
#   every slot taken. Everything else — `go`, every wake-up, every block, yield and exit — did
#   take it.

# %% tags=["nbval-ignore-output"]
try:
    from gmpkit.real.toolchain import find_go
    src = (find_go().goroot / "src" / "runtime" / "proc.go").read_text().splitlines()
    concepts = [f"proc.go:{n:3d}  {line}" for n, line in enumerate(src[:60], 1)
                if line.startswith(("// G - ", "// M - ", "// P - ", "//     M must have"))]
except Exception:          # no Go here: say so
    concepts = ["(Go is not installed here; recorded from go1.27.3's proc.go)",
                "proc.go: 29  // G - goroutine.",
                "proc.go: 30  // M - worker thread, or machine.",
                "proc.go: 31  // P - processor, a resource that is required to execute Go code.",
                "proc.go: 32  //     M must have an associated P to execute Go code, however it can be"]
print("\n".join(concepts))

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
assert any("M - worker thread" in c for c in concepts)
assert any("required to execute Go code" in c for c in concepts)

# %%
print("proc.go: an M is a worker thread; a P is what a thread needs to execute Go code")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Go 1.0's design in one picture
#
# * **`sched`**: one struct for the whole program, guarded by **`schedlock`**: the run queue
#   (`ghead`…`gtail`, first in first out), the idle M list (`mhead`), the G free list, and the
#   counters **`mcpu`** (Ms running Go code) and **`mcpumax`** (= GOMAXPROCS, default **1** in
#   Go 1.0).
# * **`schedule`** (on the M's g0 stack, under the lock): `mcpu--` for the G that stopped,
#   requeue it (`Gosched`) or drop it (exit/blocked), then **`nextgandunlock`**: run a G handed
#   over in `m->nextg`, or pop the queue if `mcpu < mcpumax` (`canaddmcpu`), else park the M.
# * **`ready`** → `readylocked` → `gput` + **`matchmg`**: while Gs wait and a slot is free, pair
#   the queue's head with an idle M (`mget`) — or a **new** one (`newm`, created *while holding
#   the lock*) — and hand it over in `m->nextg` (`mnextg`), waking that thread.
# * **System calls**: `entersyscall` does `mcpu--` (and `matchmg` if Gs wait, which may start a
#   thread); `exitsyscall` does `mcpu++` and, if that exceeds `mcpumax`, puts the G on the
#   global queue and sends the M through `schedule` to sleep.
# * No preemption, no sysmon; memory caches (`mcache`, the stack cache) belong to each M.
#
# Below: the model 120 µs into a burst of 12 goroutines that each compute, make a 200 µs
# syscall and compute again, with GOMAXPROCS = 2.

# %%
sim = scenarios.syscall_storm(goroutines=12, syscall_us=200, compute_us=50).simulation(
    gk.GM(procs=2), seed=1)
sim.run(until=120_000)
snap = sim.snapshot()
print("global run queue:", snap["global"])
print(f"mcpu = {snap['mcpu']} of mcpumax = {snap['mcpumax']}; schedlock held by M{snap['schedlock']['owner']}, "
      f"{len(snap['schedlock']['sleeping'])} M asleep in futex waiting for it")
for m in snap["ms"]:
    print(f"  M{m['id']}: {m['state']:9s} G{m['g']}" + (f" (handed G{m['nextg']} in m->nextg)" if m["nextg"] else ""))
fig = plots.gmp_diagram(snap)

# %%
fig

# %% [markdown]
# One queue, one padlock: every M that wants to schedule anything must take it. Here M1 holds
# `schedlock`, M0 waits for it asleep in `futex` (hatched, "lock-wait"), and M2 has just been
# handed G4 by `matchmg` and is being woken.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Problem 1: one global lock
#
# Every `go` statement, every wake-up from a channel, every block and exit takes `schedlock`.
# With one or two Ms the lock is usually free. With more, Ms queue for it: each spins a little
# (`runtime·lock` in Go 1.0's `lock_futex.c`: a few rounds of `PAUSE`, one `sched_yield`), then
# sleeps in `futex`, and each release wakes a sleeper — kernel round trips in the middle of
# scheduling. The design doc reports a server at **70 % CPU on 8 cores with 14 % of the profile
# in `runtime.futex`**.
#
# ### Experiment 1: throughput vs GOMAXPROCS
#
# `scenarios.lock_heavy`: `main` hands 16 workers small jobs (20 µs of work each) over a buffered
# channel, 4 rounds; every job is a send, a wake-up, a block and a reply — all scheduling
# operations. GOMAXPROCS 1, 2, 4, 8, 16. The slider sets how long each scheduling operation
# holds `schedlock` (the model's `schedlock_hold_ns`). The checkbox: Go 1.0 created new
# threads (`newm` → `clone`) inside `matchmg`, *under the lock*; untick it to make thread
# creation free and see the lock alone.
#
# **Predict first:** GM at GOMAXPROCS 16 vs GOMAXPROCS 4: faster, the same, or slower? And GMP?
# Then untick the checkbox: how much of GM's cost was starting new threads?

# %% tags=["nbval-ignore-output"]
tally.ask("05-scaling")

# %% tags=["nbval-ignore-output"]
panel = gm.lock_scaling_panel()
tally.follow("05-scaling", panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
d = panel.data
g, p = d["GM"], d["GMP"]
i4, i8, i16 = (d["procs"].index(n) for n in (4, 8, 16))
assert set(g["total"] + p["total"]) == {g["total"][0]}             # every job done, in both
assert g["cpu_busy_pct"] == sorted(g["cpu_busy_pct"], reverse=True)  # GM: each proc buys less
assert p["makespan_ns"][i16] <= p["makespan_ns"][i4]               # GMP: not slower
assert g["lock_wait_pct"][i16] > g["lock_wait_pct"][i4] > g["lock_wait_pct"][0]
free = gm.lock_scaling(d["hold_ns"], thread_create=False)
assert free["GM"]["jobs_per_ms"][i16] > g["jobs_per_ms"][i16]      # starting threads cost GM
assert free["GMP"]["jobs_per_ms"][i16] > 2 * p["jobs_per_ms"][i16]  # GMP's plateau: starting threads
slow = gm.lock_scaling(2000)                                        # a 2 µs hold
assert slow["GM"]["jobs_per_ms"][i16] <= 1.01 * slow["GM"]["jobs_per_ms"][i8]   # stops scaling
assert slow["GM"]["lock_wait_pct"][i8] >= 10                       # a double-digit share waits
print("GOMAXPROCS            ", d["procs"])
print("GM   jobs/ms          ", g["jobs_per_ms"])
print("GMP  jobs/ms          ", p["jobs_per_ms"])
print("GM   threads created  ", g["threads"])
print("GM, thread creation free:", free["GM"]["jobs_per_ms"])
print("GMP, thread creation free:", free["GMP"]["jobs_per_ms"])
print(f"at GOMAXPROCS=8, GM: {g['cpu_busy_pct'][i8]}% of the processors' time runs goroutine code, "
      f"{g['lock_wait_pct'][i8]}% is spent waiting for schedlock (GMP: {p['cpu_busy_pct'][i8]}% running)")
print("GM, 2 µs hold, jobs/ms  ", slow["GM"]["jobs_per_ms"])
print("GM, 2 µs hold, % waiting for schedlock", slow["GM"]["lock_wait_pct"])

# %% [markdown]
# **What to notice:**
#
# * At the default hold GM still gets faster up to 16 processors, but each added processor buys
#   less: the share of the processors' time running goroutine code falls steadily, as more of it
#   goes to hand-offs (idle threads being woken) and, at 16, to waiting for `schedlock`. GMP's
#   curve flattens in this short run because starting its threads (tens of µs each) is a large
#   part of a sub-millisecond workload; untick the checkbox and GMP keeps rising too.
# * **Drag the hold to 2 µs.** Now GM stops scaling past GOMAXPROCS = 8, and waiting for
#   `schedlock` takes a double-digit share of the processors' time, growing with cores: the
#   mechanism behind the design doc's server (70 % CPU on 8 cores, 14 % of the profile in
#   `runtime.futex`). The doc's workload and hardware differ, so the numbers are not comparable
#   one for one. Both are problem 1: *centralised state under one lock*.
# * **Untick the checkbox.** Go 1.0 created new threads inside `matchmg`, under the lock, but only
#   the `clone()` call itself (a few µs) holds it; the new thread starts on its own tens of µs
#   later and then queues for the lock like everyone else. With thread creation free, GM scales
#   further: in this short run, starting threads is a real part of its cost.
# * The model's GM even beats GMP at 16 on this workload. Do not read too much into
#   that: the model charges nothing for the cold caches of problem 2, and its lock waiters spin
#   without taking CPU from anyone (see "What the models simplify" below).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Problem 2: goroutines handed from thread to thread
#
# When a goroutine wakes another (a channel send, an unlock), Go 1.0 puts the woken G on the
# global queue and `matchmg` hands it to an **idle** M — not to the M that woke it, whose
# cache holds the data just sent. That costs a thread wake-up (latency) and the data has to
# travel to another core (locality). The design doc's fix: the waker's P keeps the woken G;
# today it goes to the P's **`runnext`** slot (since Go 1.5) and runs next on the same thread.
#
# ### Experiment 2: where does a woken goroutine run?
#
# Two goroutines play ping-pong (100 rounds, 2 µs of work per round); or a worker pool
# (`lock_heavy`). The chart counts a **remote wake-up** when a woken or new G runs on a
# different thread than the G that readied it, and a **migration** when a G resumes on a
# different thread than its last run. GM counts these itself; for GMP the same counters are
# added from outside (`gm.tracked`), at the same places.
#
# **Predict first:** in the ping-pong with GOMAXPROCS = 4, what share of wake-ups are remote
# under GM? Under GMP? Which one wakes sleeping threads more often?

# %% tags=["nbval-ignore-output"]
tally.ask("05-remote")

# %% tags=["nbval-ignore-output"]
panel = gm.handoff_panel()
tally.follow("05-remote", panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
d = panel.data
g, p = d["GM"], d["GMP"]
assert g["wakeups"] > 100 and p["wakeups"] > 100
assert g["remote_pct"] > 90                          # GM: nearly every wake-up crosses threads
assert p["remote_pct"] < 5                           # GMP: runnext keeps it on the waker's P
assert g["thread_wakeups"] > p["thread_wakeups"]     # ... and GM wakes a thread per hand-off
assert g["handoff_ns"] > p["handoff_ns"]
print(f"{d['workload']}, GOMAXPROCS={d['procs']}")
for name, v in (("GM ", g), ("GMP", p)):
    print(f"  {name}: remote wake-ups {v['remote_wakeups']}/{v['wakeups']}, thread wake-ups "
          f"{v['thread_wakeups']}, one hand-off {v['handoff_ns']:.0f} ns")

# %% [markdown]
# **What to notice:**
#
# * Under GM every hand-off goes through `matchmg`: the woken goroutine is given to the *other*
#   thread, which must be woken from `futex` first — the ping-pong pays a thread wake-up per
#   message and the data always changes cores.
# * Under GMP the woken goroutine lands in `runnext` of the waker's P and runs on the same
#   thread as soon as the waker blocks: the pair ping-pongs on one P. GMP still wakes idle
#   threads now and then (`wakep` starts a spinning M when a goroutine becomes runnable while a
#   P is idle; it finds nothing to steal and parks again), but the goroutine itself stays put.
# * Switch to the **worker pool**: GMP's share is not zero — idle Ps *steal* work, which also
#   moves goroutines between threads. Stealing happens only when a P has nothing to do; GM
#   moved goroutines on every wake-up.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Problem 3: a memory cache on every thread
#
# Go's allocator gives each thread a cache of free memory blocks (`mcache`), so small
# allocations need no lock. In Go 1.0 it belonged to the **M**, and Ms never went away. An M
# blocked in a system call allocates nothing, yet keeps its cache (up to 2 MB by the design
# doc's count); and since each blocked syscall needs its own M, programs with many blocking
# calls had far more Ms in syscalls than running Go code — the doc mentions 100 : 1. Go 1.1 moved
# the mcache to the **P**: GOMAXPROCS caches, however many threads exist.
#
# ### Experiment 3: caches held by threads in syscalls
#
# `scenarios.syscall_storm`: N goroutines each compute 50 µs, make a 1 ms blocking syscall,
# and compute 50 µs; GOMAXPROCS = 4.
#
# **Predict first:** with 16 goroutines in syscalls at once, how many MiB of mcache does GM hold?
# How many does GMP hold — and how many threads does GMP create?

# %% tags=["nbval-ignore-output"]
tally.ask("05-mcache")

# %% tags=["nbval-ignore-output"]
panel = gm.mcache_panel()
tally.follow("05-mcache", panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
d = panel.data
h = d["here"]
mib = 1024 * 1024
assert h["gm_syscall_ms"] == d["in_syscalls"]                      # one M per blocked goroutine
assert h["gm_mcache"] == h["gm_ms"] * d["mcache_bytes"]            # one mcache per M
assert h["gmp_mcache"] == d["procs"] * d["mcache_bytes"]           # one mcache per P
assert h["gmp_threads"] > d["in_syscalls"]                         # GMP needs the threads too ...
assert h["gm_mcache"] > 3 * h["gmp_mcache"]                        # ... but not their caches
print(f"{d['in_syscalls']} goroutines in syscalls, GOMAXPROCS={d['procs']}:")
print(f"  GM : {h['gm_ms']} Ms, {h['gm_mcache'] / mib:g} MiB of mcache, "
      f"{h['gm_in_syscall'] / mib:g} MiB of it on Ms blocked in syscalls")
print(f"  GMP: {h['gmp_threads']} threads (sysmon included), {h['gmp_mcache'] / mib:g} MiB of mcache")

# %% [markdown]
# **What to notice:**
#
# * GM's line grows by one cache per blocked goroutine, and almost all of it sits on threads that
#   are doing nothing but wait for the kernel.
# * GMP creates **as many threads** (a blocked syscall needs its thread in both designs) — but the
#   caches belong to the Ps, so the memory stays at GOMAXPROCS × 2 MiB.
# * The doc's other point, locality, is problem 2 again: a G that keeps changing Ms keeps
#   finding a cold cache.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Problem 4: threads parked and woken around system calls
#
# In Go 1.0, every syscall gave up its slot (`entersyscall`: `mcpu--`) and, if goroutines were
# waiting, `matchmg` woke (or created) another M to run one. When the syscall returned and all
# slots were taken again (`exitsyscall`: `mcpu++ > mcpumax`), the goroutine went back to the
# global queue and its M went to sleep. A short syscall thus cost two thread state changes, each
# a `futex` call and a kernel switch. GMP's `entersyscall` **keeps the P**: if the syscall
# returns within a `sysmon` tick nothing is handed off at all; only longer syscalls get their P
# retaken (`retake` → `handoffp`, when the P has work or nobody else is free; notebook 06 has
# the whole rule). The assert cell prints the model's tick on this machine.
#
# ### Experiment 4: parks and wake-ups per syscall
#
# 8 goroutines each loop 10 times: compute 20 µs, blocking syscall. GOMAXPROCS = 4. Left: counts
# at the chosen syscall length. Right: parks per 100 syscalls across syscall lengths.
#
# **Predict first:** with 10 µs syscalls, how many times does GM put a thread to sleep during
# the 80 syscalls? GMP? Then slide to 100 µs: does GMP still avoid parking threads?

# %% tags=["nbval-ignore-output"]
tally.ask("05-churn")

# %% tags=["nbval-ignore-output"]
panel = gm.churn_panel()
tally.follow("05-churn", panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
d = panel.data
g, p = d["GM"], d["GMP"]
assert d["syscall_us"] * 1000 < facts.sysmon_tick_ns(d["procs"])   # shorter than sysmon's tick
assert g["parks"] > 5 * max(p["parks"], 1)        # GM parks a thread on most syscalls
assert g["requeues"] > 0                          # GM's exitsyscall found no slot
# sysmon retakes nothing from a short syscall -- except, at most, a P's very first one, which
# matches sysmon's zero-initialised record of that P (the runtime does the same)
assert p["retakes"] <= d["procs"]
long = gm.churn(200, d["procs"])
assert long["GMP"]["retakes"] > 0                 # long syscalls: GMP hands the P off too
print(f"{d['syscalls']} syscalls of {d['syscall_us']} µs, GOMAXPROCS={d['procs']}:")
print(f"  GM : {g['parks']} parks, {g['unparks']} wake-ups, {g['requeues']} exitsyscall requeues")
print(f"  GMP: {p['parks']} parks, {p['unparks']} wake-ups, {p['retakes']} retakes")
print("parks per 100 syscalls at", d["sweep"], "µs:")
print("  GM :", g["parks_per_100"])
print("  GMP:", p["parks_per_100"])
print(f"sysmon's tick in the model (the dotted line): {facts.fmt(facts.sysmon_tick_ns(d['procs']))}")
worst, worst_us = max(zip(p["parks_per_100"], d["sweep"]))
assert worst > max(p["parks_per_100"][0], 1) * 5        # long syscalls: GMP churns too
assert p["parks_per_100"][-1] > g["parks_per_100"][-1]  # ... more than GM at the long end
print(f"GMP's worst point: {worst:g} parks per 100 syscalls of {worst_us} µs")

# %% [markdown]
# **What to notice:**
#
# * With short syscalls GM parks a thread for most of them: nearly every return finds the slots
#   taken (`exitsyscall_requeues`) and its thread goes to sleep, while another was woken to
#   fill the slot. GMP parks almost none: the P waits for its thread.
# * Past sysmon's tick (the dotted line) the picture changes: GMP retakes the P of a long
#   syscall when there is other work, and the returning thread often finds no P and parks.
#   For syscalls several ticks long the model's GMP parks *more* often than GM (the assert cell
#   prints GMP's worst point). So GMP does not remove problem 4: it trades churn
#   on long syscalls for never leaving a P idle. That churn is paid once per *long* syscall,
#   where a few µs of wake-up are small next to the call itself.
# * GM's curve falls for long syscalls because so many goroutines are in the kernel at once
#   that a returning one usually finds a free slot.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How GMP answered the four problems (Go 1.1, refined through 1.5)
#
# | problem | GMP's answer | where to see it |
# |---|---|---|
# | 1. one global lock | per-P run queues (Go 1.1: one small lock per P; a lock-free 256-slot ring since Go 1.3); the global queue is a fallback, checked every 61st tick since Go 1.2 | notebook 06 |
# | 2. G hand-off | the woken G goes to the waker's P (in its `runnext` slot, Go 1.5); idle Ps *steal* half a queue | experiment 2, notebook 06 |
# | 3. per-M mcache | the mcache moved to the P | experiment 3 |
# | 4. thread churn | `entersyscall` keeps the P; `sysmon` retakes it only after a tick; spinning Ms limit wake-ups. This fixes churn for short syscalls; long ones still park and wake threads | experiment 4, notebooks 06 and 07 |

# %% [markdown]
# ## Summary
#
# * Go 1.0's scheduler (GM) kept everything in one `sched` struct under one lock: a global FIFO
#   run queue, idle Ms, and `mcpu`/`mcpumax` limiting how many Ms run Go code.
# * It was the scheduler of **Go 1.0.x only**: GMP shipped in **Go 1.1** (2013); Go 1.2 added
#   preemption.
# * Vyukov's four problems, as the model shows them: (1) each added processor buys less, and
#   with a longer lock hold throughput stops growing, as a growing share of time goes to
#   waiting for `schedlock`;
#   (2) woken goroutines run on another thread, which must be woken first; (3) every thread
#   in a syscall keeps its mcache (up to 2 MB by the design doc's count; the model charges 2 MiB); (4) short syscalls park and wake threads.
# * GMP's P owns what GM kept globally or per thread: run queue, mcache, the right to run Go
#   code.
#
# ## Self-check
#
# Replace each `...` with your answer and run the cell. The expected answers are computed
# (by the model, or from this machine's measurements above) only when you check, and each
# comes with the reason. Prefer boxes and buttons? Use the widget under it: its **Show all
# answers** button computes and explains every answer, and it shows how many of this
# notebook's predictions you got right (save them as JSON).

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
q1 = Question("05-gm-ms-syscalls",
              "With GM and GOMAXPROCS=4, how many Ms does Go 1.0 create for "
              "`scenarios.syscall_storm(goroutines=8)` (8 goroutines, each one 1 ms syscall)?",
              answer=lambda: scenarios.syscall_storm(goroutines=8).run(gk.GM(procs=4), seed=1)
                             .stats["ms"],
              explain=lambda e: f"{e}: one M per goroutine blocked in a syscall (each holds its "
                                "thread), plus one running main — Ms are created by matchmg "
                                "whenever a slot frees up and no idle M exists.")
q2 = Question("05-gm-mcache-mib",
              "In experiment 3 with 32 goroutines in syscalls (GOMAXPROCS=4), how many MiB of "
              "mcache do GM's Ms hold in total?",
              answer=lambda: gm.mcache(32, 4)["here"]["gm_mcache"] // (1024 * 1024),
              explain=lambda e: f"{e} MiB = {e // 2} Ms x 2 MiB. GM creates an M whenever a "
                                "goroutine blocks and no idle M is left, and never frees it. Not "
                                "all 32 are in the kernel at the same moment (the first return "
                                "before the last enter), so fewer than 33 Ms are needed. GMP "
                                "holds 4 x 2 = 8 MiB.")
q3 = Question("05-gmp-version",
              "Which Go release first shipped the P-based (GMP) scheduler? Answer like \"1.1\".",
              answer=lambda: "1.1",
              explain=lambda e: f"Go {e} (May 2013). The Go wiki lists the Scalable Scheduler design "
                                "under Go 1.1; Go 1.2 added preemption, not the P.")
questions = [q1, q2, q3]

# %%
my_answers = {
    "05-gm-ms-syscalls": ...,
    "05-gm-mcache-mib": ...,
    "05-gmp-version": ...,
}
self_check(questions, my_answers)

# %% tags=["nbval-ignore-output"]
answer_boxes(questions, tally)

# %% [markdown]
# ## What the models simplify
#
# Not a simplification, but easy to miss: Go 1.0's timers were run by an ordinary goroutine,
# `timerproc`, which needs a free CPU slot like any other. Goroutines that never block hold back
# every `time.Sleep` in the program: a sleeper is woken only once `timerproc` gets a slot, behind
# everything queued meanwhile. The model has that goroutine too (it shows up as `timerproc`).

# %%
for model in (gk.GM, gk.GMP):
    print(f"{model.name}:")
    for line in model.SIMPLIFIES:
        print(f"  - {line}")

# %% [markdown]
# ## Glossary
#
# | English | 中文 | meaning here |
# |---|---|---|
# | scheduler | 调度器 | the runtime code that decides which goroutine runs on which thread |
# | GM scheduler | GM调度器 | Go 1.0's scheduler: goroutines (G) and threads (M), nothing else |
# | global run queue | 全局队列 | the one FIFO queue of runnable goroutines (`sched.ghead`) |
# | global lock | 全局锁 | `schedlock`, taken by every scheduling operation in Go 1.0 |
# | mutex | 互斥锁 | a lock that lets one thread in at a time |
# | lock contention | 锁竞争 | threads waiting for a lock another thread holds |
# | hand-off | 交接（文章称 "Goroutine传递"） | `matchmg` giving a goroutine to another thread in `m->nextg` |
# | locality | 局部性 | running where the data already is (in that core's cache) |
# | memory cache (mcache) | 内存缓存 (mcache) | a per-M (Go 1.0) or per-P (Go 1.1+) cache of free memory |
# | system call | 系统调用 | a request to the kernel; a blocking one takes its thread with it |
# | thread block / wake-up | 线程阻塞 / 唤醒 | a thread put to sleep in `futex` / woken by another thread |
# | context switch | 上下文切换 | the kernel moving a CPU from one thread to another |
# | blocking | 阻塞 | waiting, with the thread (syscall) or without it (channel, network) |
# | processor (P) | 处理器 P | Go 1.1's fix: the right to run Go code, with its own run queue and mcache |
# | local run queue | 本地队列 | a P's own queue of runnable goroutines |
#
# ## Further reading
#
# In this order:
#
# 1. Dmitry Vyukov, [Scalable Go Scheduler Design Doc](https://docs.google.com/document/d/1TTj4T2JO42uD5ID9e89oa0sLKhJYD0Y_kqxDv3I3XMw/edit) (2012), section "Current Problems": the four problems of Go 1.0's scheduler this lecture measured, in the words of the man who fixed them.
# 2. Go 1.0's scheduler itself: [src/pkg/runtime/proc.c at go1.0.3](https://github.com/golang/go/blob/go1.0.3/src/pkg/runtime/proc.c) (`schedule`, `nextgandunlock`, `matchmg`, `entersyscall`); short and readable.
# 3. The [Go 1.1 release notes](https://go.dev/doc/go1.1): the release that shipped the new scheduler ("the focus is on performance").
# 4. Daniel Morsing, [The Go scheduler](https://morsmachine.dk/go-scheduler) (2013): the G, M and P introduced just after the change.
# 5. 中文：[《Go 语言原本》](https://golang.design/under-the-hood/zh-cn/) 调度器一章讲了从 GM 到 GMP 的演变。
