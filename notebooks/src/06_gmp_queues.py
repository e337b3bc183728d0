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
# # 06 · The GMP scheduler, part 1: Ps, local queues, stealing, spinning
#
# Notebook 05 showed Go 1.0's scheduler choking on one global lock. This notebook takes apart
# its replacement, the **G-M-P** scheduler that every Go release since **1.1** uses: what a
# **P** is, where a runnable goroutine waits, and who looks for work and when. Notebook 07
# follows what happens when a goroutine blocks in the kernel or refuses to stop.
#
# Every experiment runs `gk.GMP`, a miniature of `runtime/proc.go` whose functions carry the
# runtime's names (`schedule`, `findRunnable`, `runqput`, `stealWork`, `retake` ...). Runs are
# seeded, so the numbers you see are the numbers the assert cells check.

# %% [markdown]
# ## Learning goals
#
# After this notebook you can:
#
# 1. name the three objects **G**, **M** and **P** by their runtime structures (`g`, `m`, `p`
#    in `runtime2.go`) and say what each one owns;
# 2. recite where `findRunnable` looks for work, in order, and explain the **1 in 61** check;
# 3. predict where a new goroutine goes (`runnext`, the 256-slot ring, the global queue) and
#    what `runqputslow` moves when the ring is full (**129** Gs);
# 4. explain **work stealing** (half, rounded up) and why only a few Ms **spin**;
# 5. correct two claims of the source article, with evidence (notebook 07 takes two more).

# %%
from gmpkit import facts, predictions
from gmpkit.checks import Question, answer_boxes, self_check
from gmpkit.models import gmp as gmp_model
from gmpkit.widgets import gmp

tally = predictions.tally("06_gmp_queues")   # your predictions in this notebook

# %% [markdown] slideshow={"slide_type": "slide"}
# ## G, M and P — from the runtime's own structures
#
# The article's "GMP概念" part describes G, M and P. Here they are as the runtime declares them
# (`runtime/runtime2.go`, selected fields, read from the Go installed on this machine).
#
# * **G — `type g struct`**: one goroutine. Its `stack` (a `[lo, hi)` range, 2 KiB to start),
#   `stackguard0` (the stack-overflow check that doubles as the **preemption** flag), `sched`
#   (saved registers, so it can be resumed), `atomicstatus` (runnable, running, syscall,
#   waiting ...), its `m` when running.
# * **M — `type m struct`**: one OS thread. `curg` is the goroutine it runs, `p` the P it holds,
#   `oldp` the P it held before entering a system call, `spinning` whether it is out of work and
#   looking for some. An M runs Go code **only while it holds a P**.
# * **P — `type p struct`**: a *processor* — not a CPU, but a **licence to run Go code** plus the
#   per-processor scheduler state: `runnext` (one slot), `runq` (a 256-slot ring with `runqhead`
#   and `runqtail`), `schedtick`, `syscalltick`, and `mcache` (the memory-allocation cache
#   that Go 1.0 kept per M). There are exactly `GOMAXPROCS` Ps.
#
# **What the article says about G and M, corrected**
#
# > G: goroutine的缩写，每次go func()都代表一个G，无限制。
# > (G: short for goroutine; every `go func()` is a G, "without limit".)
#
# **Not without limit.** Each goroutine's stack may grow (by copying, notebook 03) only up to
# `maxstacksize`, which `runtime.main` sets to **1 GB on 64-bit** (250 MB on 32-bit);
# `debug.SetMaxStack` changes it, and a goroutine that needs more dies with "goroutine stack
# exceeds 1000000000-byte limit". And their *number* is limited by memory: every goroutine
# holds at least its 2 KiB stack and its `g` (notebook 03 measures the total), so a million
# goroutines need gigabytes (computed below). The runtime sets no count limit of its own, but
# memory does.
#
# > M: … 当指定了线程栈，则M.stack->G.stack，M的pc寄存器指向G提供的函数，然后去执行。
# > (M: … when a thread stack is given, M.stack -> G.stack, and the M's pc register points at
# > the function the G provides, which it then executes.)
#
# **An M does not take over the G's stack; it switches to it.** Every M has its own goroutine
# `g0`, whose stack is the thread's *scheduling* stack: `schedule`, `findRunnable` and
# `execute` run on it. To run a G, `execute` sets `m.curg = gp` and calls `gogo(&gp.sched)`,
# an assembly routine that loads the **stack pointer and program counter saved in the G's
# `gobuf`** (plus `g`, `ctxt`, `bp`) into the CPU's registers. From then on the thread runs on
# the G's stack at the G's saved position — the start of its function for a new G, wherever it
# stopped for a resumed one. When the G blocks, `mcall` saves SP and PC back into `gp.sched`
# and switches to `g0`'s stack. The evidence, from this machine's runtime:

# %% tags=["nbval-ignore-output"]
for name, fields in (("g", {"stack", "stackguard0", "sched", "atomicstatus", "m", "preempt"}),
                     ("m", {"curg", "p", "nextp", "oldp", "spinning"}),
                     ("p", {"status", "m", "mcache", "schedtick", "syscalltick", "runqhead",
                            "runqtail", "runq", "runnext"})):
    header, text, live = gmp.struct_fields(name, fields)
    print(header)
    print(text, end="\n\n")
from gmpkit import diagrams
diagrams.gmp_structure()   # the same structures as a picture: where each queue lives

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
header, text, live = gmp.struct_fields("p", {"runq", "runnext"})
assert "[256]guintptr" in text and "runnext" in text
print("p.runq is a 256-slot array; p.runnext is one more slot in front of it")

# %% tags=["nbval-ignore-output"]
for what, (header, text, live) in (
        ("stack limit", gmp.runtime_excerpt("main", keep=[r"Max stack size", r"PtrSize == 8",
                                                           r"maxstacksize = "])),
        ("each M's own stack", gmp.struct_fields("m", {"g0", "curg"})),
        ("what gogo loads", gmp.struct_fields("gobuf", {"sp", "pc", "g", "ctxt", "lr", "bp"})),
        ("the switch", gmp.runtime_excerpt("execute", keep=[r"curg = gp", r"gogo\("]))):
    print(f"--- {what}: {header}")
    print(text, end="\n\n")
from gmpkit.real.measure import load_recorded
_, main_src, _ = gmp.runtime_excerpt("main", keep=[r"maxstacksize = "])
max_stack = int(main_src.split("maxstacksize = ")[1].split()[0])
per_g = load_recorded().median("go.mem.sys_per_g")        # bytes per blocked goroutine
print(f"a goroutine's stack stops at maxstacksize = {max_stack:,} bytes on 64-bit")
print(f"a million blocked goroutines need about {per_g * 1e6 / 2**30:.1f} GiB "
      f"({per_g:.0f} B each, the recorded memblocked measurement): memory limits the count")
print("each M has its own g0 (scheduling stack); execute -> gogo(&gp.sched) loads the G's saved SP and PC")

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
_, m_src, _ = gmp.struct_fields("m", {"g0"})
_, gobuf, _ = gmp.struct_fields("gobuf", {"sp", "pc"})
_, ex, _ = gmp.runtime_excerpt("execute", keep=[r"gogo\("])
assert max_stack == 10**9 and "g0" in m_src and "sp" in gobuf and "pc" in gobuf
assert "gogo(&gp.sched)" in ex and per_g > 2048

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Where an M looks for work: `findRunnable`, in order
#
# `schedule()` calls `findRunnable()` each time an M needs a goroutine. The list below is
# printed **from the model's source**: the comments of `GMP.findRunnable`, in the order its
# code runs them (so it cannot drift from what the experiments execute).
#
# Two details to keep in mind: a G taken from `runnext` **inherits the current time slice**
# (`schedtick` is not incremented), and a G that is preempted or calls `runtime.Gosched` goes
# to the **tail of the global queue**, not back to its P.

# %%
for i, step in enumerate(gmp.find_runnable_order(), 1):
    print(f"{i:2d}. {step}")
print(f"\nconstants: GLOBAL_CHECK_EVERY = {gmp_model.GLOBAL_CHECK_EVERY}, "
      f"RUNQ_SIZE = {gmp_model.RUNQ_SIZE}, STEAL_TRIES = {gmp_model.STEAL_TRIES}, "
      f"FORCE_PREEMPT_NS = {gmp_model.FORCE_PREEMPT_NS:,}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the article says, and what to correct
#
# The article's "GMP调度模型的引入" part says:
#
# > 在这个调度模型中引入了本地队列(local queue)… 每一个M都会在P's local queue，global queue或其他P队列中寻找G来执行 …
# > 这里P的本地队列是一个LockFree的队列，窃取G时使用CAS原子操作来完成。
# > (The model introduces local queues; each M looks for a G in its P's local queue, the global
# > queue or other Ps' queues … the P's local queue is lock-free; stealing uses CAS.)
#
# That is right, and the experiments below show each part. Three other claims need correcting,
# and one deserves stressing (the last two in notebook 07).
#
# **1. "Go1.2之前的调度器实现" (the GM scheduler was used "before Go 1.2").** GMP shipped in
# **Go 1.1** (spring 2013); the last GM releases were the Go 1.0.x point releases (the last,
# 1.0.3, in September 2012). Evidence: the Go wiki's *DesignDocuments* page files Vyukov's
# "Scalable Scheduler" under **Go 1.1**, and files the "Preemptive Scheduler" under Go 1.2 —
# what Go 1.2's release notes call "a better scheduler" is *preemption* (notebook 07), added on
# top of GMP. And the runtime itself still cites the design document by a short link named for
# the release, `golang.org/s/go11sched`: here is the header of `proc.go` from this machine's Go
# installation.

# %% tags=["nbval-ignore-output"]
try:
    from gmpkit.real.toolchain import find_go
    src = (find_go().goroot / "src" / "runtime" / "proc.go").read_text().splitlines()
    for n, line in enumerate(src[:60], 1):
        if line.startswith("// Goroutine scheduler") or "go11sched" in line or line.startswith("// P - "):
            print(f"proc.go:{n:3d}  {line}")
except Exception as e:     # no Go here: say so
    print("Go is not installed here; recorded from go1.27.3's proc.go, line 35:")
    print("proc.go: 35  // Design doc at https://golang.org/s/go11sched.")

# %% [markdown]
# **2. "LockFree的队列" — what lock-free means here.** Only the P's **owner** ever adds to its
# ring (`runqput`), so adding needs no lock and no CAS: write the slot, then publish it with a
# *store-release* of `runqtail`. Anyone may *take* from the head — the owner (`runqget`) or a
# thief (`runqsteal` → `runqgrab`) — so taking is a **CAS on `runqhead`** that commits the
# claim, retried if another taker got there first. `runnext` is changed by CAS too. The lines
# below are the live ones from this machine's `proc.go` (line numbers drift between releases).
# The *global* queue, by contrast, is protected by `sched.lock`: it is the slow path.

# %% tags=["nbval-ignore-output"]
for name, keep in (("runqput", [r"runnext\.cas\(", r"LoadAcq", r"StoreRel", r"runqputslow\(pp"]),
                   ("runqputslow", [r"n = n / 2", r"CasRel", r"globrunqputbatch"]),
                   ("runqgrab", [r"LoadAcq", r"n - n/2", r"CasRel"]),
                   ("runqsteal", [r"runqgrab\(", r"StoreRel"])):
    header, text, live = gmp.runtime_excerpt(name, keep=keep)
    print(header)
    print(text, end="\n\n")

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
_, grab, _ = gmp.runtime_excerpt("runqgrab", keep=[r"n - n/2", r"CasRel"])
assert "n - n/2" in grab and "CasRel" in grab
print("runqgrab takes n - n/2 (half, rounded up) and commits with a CAS on runqhead")
design_doc = "https://golang.org/s/go11sched"
assert "go11" in design_doc
print("the design document the runtime cites is named for Go 1.1:", design_doc)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Experiment 1 · The G-M-P picture, frame by frame
#
# The diagram draws one snapshot of the model: the global queue on top; for each P its M above
# it (state and current G beside it), its `runnext` slot and its ring below it; Ms without a P
# (in a syscall, idle, spinning) in a pool; the netpoller's and the timers' waiting Gs at the
# bottom. Each G is a circle with its id, in the same colour everywhere. A frame is taken every
# time the scheduler did something; the line above the picture says what.
#
# **Predict first:** the default workload (`main` starts 2 Gs that make a 400 µs system call,
# 2 that wait 250 µs on the network and 6 that compute 150 µs) on 2 Ps. Which P runs the
# workers first? How does P1 get any work at all? What happens to P1 when its G enters the
# system call?

# %% tags=["nbval-ignore-output"]
tally.ask("06-animation")

# %% tags=["nbval-ignore-output"]
anim = gmp.animation_panel()
tally.follow("06-animation", anim)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
frames = anim.data
kinds = [k for ks in frames["kinds"] for k in ks]
assert "steal" in kinds and "retake" in kinds and "syscall-enter" in kinds
first_steal = next(i for i, ks in enumerate(frames["kinds"]) if "steal" in ks)
assert "stole" in frames["captions"][first_steal]
anim.set(frame=first_steal)
assert anim.frame.value == first_steal and "stole" in anim.summary
print(f"{len(frames['snapshots'])} frames; frame {first_steal}:", frames["captions"][first_steal])
retake = next(i for i, ks in enumerate(frames["kinds"]) if "retake" in ks)
print(f"frame {retake}:", frames["captions"][retake])
hogs = gmp.build_frames("tight loops (preemption)", 2)
first_preempt = next(t for t, ks in zip(hogs["times"], hogs["kinds"]) if "preempt" in ks)
assert first_preempt >= facts.force_preempt_ns()
print(f"tight loops on 2 Ps: the first preemption frame is at {facts.fmt(first_preempt)}")

# %% [markdown]
# **What to notice:**
#
# * Each `go` statement puts the new G in **`runnext`** and pushes the previous one to the
#   ring: the newest G runs next (it is likely to share data with its creator, still in cache).
# * P1 gets work by **stealing**: the first `go` woke a thread (`wakep`), which arrived ~60 µs
#   later (creating a thread is slow) and took **half** of P0's ring.
# * A G entering a **system call keeps its P**; sysmon notices on its next rounds and
#   **retakes** the P, handing it to another M (`handoffp`) because there is work queued.
#   Threads are created on demand: M2, M3, M4 ... (M1 is sysmon, which never holds a P).
# * Network waits (`netio`) park the G on the **netpoller**; no thread blocks for them.
# * While M2 is still being created, P1 is drawn under it and labelled **spinning**: `wakep`
#   already took P1 off the idle list and handed it to M2 (`m.nextp`). An M spins only while it
#   holds a P. A P handed to a thread that is not running yet (after `handoffp`) reads
#   **handed over**.
# * Try *tight loops (preemption)* with 2 Ps: the ticker gets the CPU back only when sysmon
#   preempts a hog (the cell below prints when).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Experiment 2 · `runnext`, the ring, and overflow to the global queue
#
# `runqput` puts a new G in `runnext`; the old `runnext` goes to the ring's tail. When the ring
# (256 slots) is full, `runqputslow` moves the **first half of the ring (128) plus the G being
# added — 129 Gs** — to the global queue in one batch, under `sched.lock`. One P here, so no
# other P steals meanwhile.
#
# **Predict first:** one G runs 300 `go` statements in a row. How many Gs end up in the global
# queue? And with 600?

# %% tags=["nbval-ignore-output"]
tally.ask("06-overflow")

# %% tags=["nbval-ignore-output"]
overflow = gmp.overflow_panel()
tally.follow("06-overflow", overflow)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
b = overflow.data
assert b["runnext"] + b["ring"] + b["global"] == b["n"]
assert all(x == gmp.OVERFLOW_BATCH == gmp_model.RUNQ_SIZE // 2 + 1 for x in b["batches"])
assert b["global"] == gmp.OVERFLOW_BATCH * b["overflows"] and b["ring"] <= gmp_model.RUNQ_SIZE
print(f"{b['n']} go statements: runnext {b['runnext']}, ring {b['ring']}, "
      f"global {b['global']} = {b['overflows']} x {gmp.OVERFLOW_BATCH}")

# %% [markdown]
# **What to notice:**
#
# * The first 257 Gs fit (256 in the ring + 1 in `runnext`); the 258th `go` statement moves
#   129 at once. After that the ring has room for 128 more before the next overflow, so the
#   ring saw-tooths between 128 and 256 and the global queue climbs in steps of exactly 129.
# * Moving half is what keeps the lock rare: one `sched.lock` per 128 `go` statements, not one
#   per statement (Go 1.0 took the lock for every one).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Experiment 3 · 1 in 61: the global queue is never starved
#
# Local work is checked before global work. So what stops a busy P from ignoring the global
# queue forever? `findRunnable`'s first check: when `schedtick % 61 == 0`, take **one** G from
# the global queue before looking locally. Here one G (the *yielder*) calls `runtime.Gosched`
# four times — each time it goes to the tail of the **global** queue — while P0's local ring
# holds many short Gs.
#
# **Predict first:** with 200 Gs in the local ring ahead of it, how many of them run before
# the yielder runs again?

# %% tags=["nbval-ignore-output"]
tally.ask("06-fairness")

# %% tags=["nbval-ignore-output"]
fair = gmp.fairness_panel()
tally.follow("06-fairness", fair)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
f = fair.data
full = [g for g, left in zip(f["gaps"], f["local_left_at_turn"]) if left > f["every"]]
# the first gap is shorter by the ticks P0 already had (runtime.main's own goroutines,
# STARTUP_SCHEDTICKS); after that, exactly 60 local Gs between the yielder's turns
assert full[0] == gmp_model.GLOBAL_CHECK_EVERY - 1 - gmp_model.STARTUP_SCHEDTICKS
assert len(full) >= 2 and all(g == gmp_model.GLOBAL_CHECK_EVERY - 1 for g in full[1:])
assert f["gaps"][-1] <= gmp_model.GLOBAL_CHECK_EVERY - 1
print("local Gs run between the yielder's turns:", f["gaps"])

# %% [markdown]
# **What to notice:**
#
# * While the ring is long, the yielder runs every **61st** schedtick: 60 local Gs, then it.
#   It does not wait for the 200. (The first gap is one shorter: P0's `schedtick` was already
#   1 when the yielder first ran, because real Go runs its own goroutines before `main`.)
#   61 is prime, so the check does not fall into step with a workload's own period.
# * When the ring runs dry the gap shrinks: an empty ring sends `findRunnable` to the global
#   queue anyway.
# * Only one G is taken per check, so the global queue cannot starve the local one either.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Experiment 4 · Work stealing: half, rounded up
#
# An M whose P has nothing to run becomes **spinning** and calls `stealWork`: up to 4 passes
# over the other Ps in a random order; from the first P with Gs in its ring it takes
# `n - n/2` of them (`runqgrab`), runs the last one, and keeps the rest in its own ring.
# Here `main` fills P0's ring; the other Ps are idle and wake one after another.
#
# **Predict first:** P0's ring holds 9 Gs. How many does the first thief take? The second?

# %% tags=["nbval-ignore-output"]
tally.ask("06-steal")

# %% tags=["nbval-ignore-output"]
steal = gmp.stealing_panel()
tally.follow("06-steal", steal)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
s = steal.data
assert s["steals"], "somebody stole"
for st in s["steals"]:
    assert st["taken"] == st["before"] - st["before"] // 2 or (st["before"] == 0 and st["taken"] == 1)
assert sum(s["ran_per_p"]) == s["queued"] + 1 and min(s["ran_per_p"]) > 0
print("steals (thief <- victim: ring before, taken):",
      [(f"P{x['thief']}<-P{x['victim']}", x["before"], x["taken"]) for x in s["steals"][:4]])

# %% [markdown]
# **What to notice:**
#
# * Each thief takes **half, rounded up**: 9 → 5, then 4 → 2 ... Taking half balances two Ps in
#   one move, and leaves the victim enough to keep busy.
# * The thieves arrive one at a time: each woken M that finds work wakes the next (`wakep` in
#   `resetspinning`), so the wake-ups fan out instead of all firing at once.
# * A steal is a CAS on the victim's `runqhead` (the `runqgrab` lines above): no lock.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Experiment 5 · Spinning Ms: enough to find work, not one per idle P
#
# `wakep` starts a thread only if **no M is spinning**, and an M that runs out of work may start
# spinning only if `2 * nmspinning < GOMAXPROCS - npidle` (fewer spinners than half the busy
# Ps). The alternative `proc.go` rejects — "unpark an additional thread whenever we ready a
# goroutine and there is an idle P" — would wake a thread for every new G.
#
# Waking an idle M is not free: a `futex` system call on the waker's side, a kernel
# wake-up and a context switch on the sleeper's. The panel runs each workload twice: under
# `gk.GMP` as Go does it, and under `GMP(spinning=False)`, the rejected design, with no
# spinning Ms. It counts the **thread wake-ups**, the **wasted** ones (the woken M found no G
# and went back to sleep), and how long a G waits between becoming runnable and running.
#
# **Predict first:** two goroutines bounce a value over channels 200 times on 8 Ps; every
# send makes the partner runnable, and `ready` calls `wakep`. How many more threads does the
# rejected design wake than Go does?

# %% tags=["nbval-ignore-output"]
tally.ask("06-spinning")

# %% tags=["nbval-ignore-output"]
spin = gmp.spinning_panel()
tally.follow("06-spinning", spin)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
sp = spin.data
on, off = sp["on"], sp["off"]
for n_spin, busy in zip(on["spinning"], on["busy"]):
    assert n_spin <= max(1, -(-busy // 2)), (n_spin, busy)
assert off["peak_spinning"] == 0 and off["wakeups"] >= 2 * on["wakeups"] > 0
assert off["futile"] >= off["wakeups"] and on["futile"] >= on["wakeups"] - 1
bursts = gmp.spinning(sp["procs"], "bursts")
assert bursts["on"]["wakeups"] < bursts["off"]["wakeups"]
assert bursts["on"]["latency_us"] > bursts["off"]["latency_us"]
print(f"ping-pong: {on['wakeups']} thread wake-ups with spinning, {off['wakeups']} without; "
      f"bursts: {bursts['on']['wakeups']} vs {bursts['off']['wakeups']}, mean start latency "
      f"{bursts['on']['latency_us']:.1f} vs {bursts['off']['latency_us']:.1f} µs")

# %% [markdown]
# **What to notice:**
#
# * **Ping-pong:** without spinning, every send wakes a thread, and every one of those wake-ups
#   is wasted: the readied G sits in its waker's `runnext` and runs on that P a moment later.
#   With spinning, `wakep` wakes nobody while one M is already on its way (it is counted in
#   `nmspinning`), so fewer than half as many threads are woken for nothing. The start
#   latency is the same either way: `runnext` did the real work.
# * **Bursts** (switch the workload): 8 `go` statements at once. Go wakes one spinner; when it
#   finds work it stops spinning and calls `wakep` again, so thieves join one by one and
#   there are fewer wake-ups than without spinning. The price is visible too: the new Gs
#   start later than when every idle P gets a thread at once.
# * Every spinner burns a CPU while it looks, which is why at most half the busy Ps may have
#   one (`2 * nmspinning < GOMAXPROCS - npidle`).
# * In this model scheduling code takes no time, so an M "spins" only while its wake-up is in
#   flight. Real spinners also search for a few µs before they sleep, and catch work that
#   arrives meanwhile: real Go saves more wake-ups than the model shows.

# %% [markdown]
# ## Summary
#
# * **G** is a goroutine, **M** an OS thread, **P** a licence to run Go code with its own run
#   queue and caches; exactly GOMAXPROCS Ps, as many Ms as needed. GMP shipped in **Go 1.1**.
# * A new or woken G goes to `runnext`; the previous one to the 256-slot ring; a full ring
#   sends **129** Gs (half + 1) to the global queue.
# * `findRunnable`: timers, **1 in 61** global check, runnext, ring, global batch, netpoll,
#   **steal half**, re-check, park.
# * The local ring is lock-free: only the owner adds; takers (owner or thieves) CAS the head.
# * Only a few Ms **spin**: `wakep` wakes one when none spins; spinners stay under half the busy
#   Ps.
# * G is not "without limit" (stack ≤ `maxstacksize`, count ≤ memory); an M runs the scheduler
#   on its own `g0` stack and `gogo` switches to the G's saved SP and PC.
#
# ## Self-check
#
# Replace each `...` with your answer and run the cell. The expected answers are computed
# (by the model, or from this machine's measurements above) only when you check, and each
# comes with the reason. Prefer boxes and buttons? Use the widget under it: its **Show all
# answers** button computes and explains every answer, and it shows how many of this
# notebook's predictions you got right (save them as JSON).

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
q1 = Question(
    "burst-global",
    "One G runs 300 `go` statements in a burst on GOMAXPROCS=1. How many Gs are in the global "
    "queue right after the burst?",
    answer=lambda: gmp.burst(300)["global"],
    explain=lambda exp: (f"257 Gs fit (256 in the ring + runnext); the 258th go statement makes "
                         f"runqputslow move half the ring plus the new G: {exp} = 128 + 1."),
    hint=lambda given, exp: ("you counted every G past 256, but the ring moves in batches of "
                             "129" if given == 300 - 257 else None))
q2 = Question(
    "steal-9",
    "An idle P steals from a P with 9 Gs in its ring. How many Gs does it take?",
    answer=lambda: gmp.stealing(9)["first"]["taken"],
    explain=lambda exp: f"runqgrab takes n - n/2 = 9 - 4 = {exp}: half, rounded up.")
q3 = Question(
    "fairness-61",
    "P0's ring holds 200 Gs; a G that keeps calling runtime.Gosched waits in the global queue "
    "each time. How many local Gs run between two of its turns, once the pattern settles?",
    answer=lambda: gmp.fairness(200)["gaps"][1],
    explain=lambda exp: (f"every 61st schedtick findRunnable takes one G from the global queue "
                         f"first: {exp} local Gs, then it — not all 200. (The very first gap is "
                         f"one shorter: P0's schedtick starts at 1, STARTUP_SCHEDTICKS.)"),
    hint=lambda given, exp: ("that is the first gap, before the pattern settles"
                             if given == exp - 1 else None))
questions = [q1, q2, q3]

# %%
my_answers = {
    "burst-global": ...,
    "steal-9": ...,
    "fairness-61": ...,
}
self_check(questions, my_answers)

# %% tags=["nbval-ignore-output"]
answer_boxes(questions, tally)

# %% [markdown]
# ## Glossary
#
# | English | 中文 | in the runtime |
# |---|---|---|
# | scheduler | 调度器 | `schedule`, `findRunnable` |
# | goroutine (G) | goroutine（通常不译；也称 Go 协程） | `type g` |
# | machine, OS thread (M) | 工作线程 / 系统线程 | `type m` |
# | processor (P) | 处理器 P（逻辑处理器，不是 CPU） | `type p`, GOMAXPROCS of them |
# | local run queue | 本地队列 | `p.runq` (256) + `p.runnext` |
# | global run queue | 全局队列 | `sched.runq` |
# | work stealing | 工作窃取 | `stealWork`, `runqsteal`, `runqgrab` |
# | spinning thread | 自旋线程 | `m.spinning`, `sched.nmspinning` |
# | lock-free | 无锁 | `runqhead` CAS, `runqtail` store-release |
# | fairness | 公平性 | `schedtick % 61` |
#
# ## Further reading
#
# In this order:
#
# 1. Dmitry Vyukov, [Scalable Go Scheduler Design Doc](https://docs.google.com/document/d/1TTj4T2JO42uD5ID9e89oa0sLKhJYD0Y_kqxDv3I3XMw/edit) (2012), sections "Design" and "Spinning threads".
# 2. The runtime source at the release this course's measurements used, [proc.go at go1.27.3](https://github.com/golang/go/blob/go1.27.3/src/runtime/proc.go): the comment at the top ("Goroutine scheduler"), then `schedule`, `findRunnable`, `runqput`, `runqputslow`, `runqsteal` / `runqgrab`, `wakep` and `resetspinning`. `gmpkit.real.toolchain.runtime_source("findRunnable")` prints the installed version.
# 3. The release notes that changed this lecture's story: [Go 1.1](https://go.dev/doc/go1.1) (the release with per-P run queues), [Go 1.2](https://go.dev/doc/go1.2#preemption) (pre-emption at function entry; the 1-in-61 check arrived in this cycle) with its [preemptive scheduler design doc](https://docs.google.com/document/d/1ETuA2IOmnaQ4j81AtTGT40Y4_Jr6_IDASEKg0t0dBR8/edit) and [Go 1.5](https://go.dev/doc/go1.5#runtime) (`GOMAXPROCS` defaults to the number of CPUs).
# 4. Kavya Joshi, "The Scheduler Saga", GopherCon 2018: the same ideas as a talk, with run queues and spinning threads animated.
# 5. William Kennedy, [Scheduling In Go, Part II](https://www.ardanlabs.com/blog/2018/08/scheduling-in-go-part2.html) (2018).
# 6. 中文：《Go 语言设计与实现》[6.5 调度器](https://draveness.me/golang/docs/part3-runtime/ch06-concurrency/golang-goroutine/)；[《Go 语言原本》](https://golang.design/under-the-hood/zh-cn/) 调度器一章。
