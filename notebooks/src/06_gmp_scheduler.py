# ---
# jupyter:
#   jupytext:
#     comment_magics: false
#     formats: ipynb,src//py:percent
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
# # 06 · The GMP scheduler: Ps, local queues, stealing, sysmon
#
# Notebook 05 showed Go 1.0's scheduler choking on one global lock. This notebook takes apart
# its replacement, the **G-M-P** scheduler that every Go release since **1.1** uses: what a
# **P** is, where a runnable goroutine waits, who looks for work and when, and what happens
# when a goroutine blocks in the kernel or refuses to stop.
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
# 5. say when **sysmon** takes a P away from a goroutine stuck in a system call, why network
#    waits need no thread, and how the time slice (`forcePreemptNS`) is enforced (cooperative
#    vs asynchronous preemption);
# 6. show, on one workload, how far GMP reduces the four problems of Go 1.0's GM scheduler,
#    and which of them it only shrinks;
# 7. correct the source article's claims about G, M, P and the scheduler's history, with
#    evidence from the runtime source.

# %%
from gmpkit import facts
from gmpkit.checks import Question
from gmpkit.models import gmp as gmp_model
from gmpkit.widgets import gmp

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

# %% tags=["nbval-ignore-output"]
for name, fields in (("g", {"stack", "stackguard0", "sched", "atomicstatus", "m", "preempt"}),
                     ("m", {"curg", "p", "nextp", "oldp", "spinning"}),
                     ("p", {"status", "m", "mcache", "schedtick", "syscalltick", "runqhead",
                            "runqtail", "runq", "runnext"})):
    header, text, live = gmp.struct_fields(name, fields)
    print(header)
    print(text, end="\n\n")

# %%
header, text, live = gmp.struct_fields("p", {"runq", "runnext"})
assert "[256]guintptr" in text and "runnext" in text
print("p.runq is a 256-slot array; p.runnext is one more slot in front of it")

# %% [markdown]
# ### What the article says about G and M, corrected
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
for what, (header, text, live) in (
        ("stack limit", gmp.runtime_excerpt("main", keep=[r"Max stack size", r"PtrSize == 8",
                                                           r"maxstacksize = "])),
        ("each M's own stack", gmp.struct_fields("m", {"g0", "curg"})),
        ("what gogo loads", gmp.struct_fields("gobuf", {"sp", "pc", "g", "ctxt", "lr", "bp"})),
        ("the switch", gmp.runtime_excerpt("execute", keep=[r"curg = gp", r"gogo\("]))):
    print(f"--- {what}: {header}")
    print(text, end="\n\n")

# %%
_, main_src, _ = gmp.runtime_excerpt("main", keep=[r"maxstacksize = "])
_, m_src, _ = gmp.struct_fields("m", {"g0"})
_, gobuf, _ = gmp.struct_fields("gobuf", {"sp", "pc"})
_, ex, _ = gmp.runtime_excerpt("execute", keep=[r"gogo\("])
max_stack = int(main_src.split("maxstacksize = ")[1].split()[0])
assert max_stack == 10**9 and "g0" in m_src and "sp" in gobuf and "pc" in gobuf
assert "gogo(&gp.sched)" in ex
print(f"a goroutine's stack stops at maxstacksize = {max_stack:,} bytes on 64-bit")
from gmpkit.real.measure import load_recorded
per_g = load_recorded().median("go.mem.sys_per_g")        # bytes per blocked goroutine
assert per_g > 2048
print(f"a million blocked goroutines need about {per_g * 1e6 / 2**30:.1f} GiB "
      f"({per_g:.0f} B each, the recorded memblocked measurement): memory limits the count")
print("each M has its own g0 (scheduling stack); execute -> gogo(&gp.sched) loads the G's saved SP and PC")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Where an M looks for work: `findRunnable`, in order
#
# `schedule()` calls `findRunnable()` each time an M needs a goroutine. The list below is
# printed **from the model's source**: the comments of `GMP.findRunnable`, in the order its
# code runs them (so it cannot drift from what the experiments execute).

# %%
for i, step in enumerate(gmp.find_runnable_order(), 1):
    print(f"{i:2d}. {step}")
print(f"\nconstants: GLOBAL_CHECK_EVERY = {gmp_model.GLOBAL_CHECK_EVERY}, "
      f"RUNQ_SIZE = {gmp_model.RUNQ_SIZE}, STEAL_TRIES = {gmp_model.STEAL_TRIES}, "
      f"FORCE_PREEMPT_NS = {gmp_model.FORCE_PREEMPT_NS:,}")

# %% [markdown]
# Two details to keep in mind: a G taken from `runnext` **inherits the current time slice**
# (`schedtick` is not incremented), and a G that is preempted or calls `runtime.Gosched` goes
# to the **tail of the global queue**, not back to its P.

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
# and one deserves stressing.
#
# **1. "Go1.2之前的调度器实现" (the GM scheduler was used "before Go 1.2").** GMP shipped in
# **Go 1.1** (spring 2013); the last GM releases were the Go 1.0.x point releases (the last,
# 1.0.3, in September 2012). Evidence: the Go wiki's *DesignDocuments* page files Vyukov's
# "Scalable Scheduler" under **Go 1.1**, and files the "Preemptive Scheduler" under Go 1.2 —
# what Go 1.2's release notes call "a better scheduler" is *preemption* (experiment 7), added on
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

# %%
design_doc = "https://golang.org/s/go11sched"
assert "go11" in design_doc
print("the design document the runtime cites is named for Go 1.1:", design_doc)

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

# %%
_, grab, _ = gmp.runtime_excerpt("runqgrab", keep=[r"n - n/2", r"CasRel"])
assert "n - n/2" in grab and "CasRel" in grab
print("runqgrab takes n - n/2 (half, rounded up) and commits with a CAS on runqhead")

# %% [markdown]
# **3. "在Go1.5之后GOMAXPROCS被默认设置可用的核数" — half right.** Since **Go 1.5** the default is
# the number of CPUs the process may use (`runtime.NumCPU`, which on Linux already honours the
# affinity mask; before 1.5 the default was 1: see notebook 05). Since **Go 1.25**, on Linux it
# is also capped by the **cgroup CPU limit** (a container given 2 CPUs on a 64-core host gets
# GOMAXPROCS=2), and the runtime updates it when the limit or the affinity changes — for
# programs whose `go.mod` says `go 1.25` or later. See the doc comment of `runtime.GOMAXPROCS`
# in `debug.go`.
#
# **4. "P … 并不是真正的物理cpu" (P is not a physical CPU) — right, and worth stressing.** A P is
# a *token*: whoever holds it may run Go code, and it carries a run queue and caches. The kernel
# still decides which CPU a thread runs on; GOMAXPROCS Ps may run on fewer CPUs (other programs
# compete), and the number of **threads** is not bounded by GOMAXPROCS at all: Ms blocked in
# system calls hold no P (experiment 6).

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
anim = gmp.animation_panel()
anim

# %%
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
overflow = gmp.overflow_panel()
overflow

# %%
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
fair = gmp.fairness_panel()
fair

# %%
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
steal = gmp.stealing_panel()
steal

# %%
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
# **Predict first:** a producer starts a short G every 15 µs on 8 Ps. How many Ms spin at the
# same time, at most?

# %% tags=["nbval-ignore-output"]
spin = gmp.spinning_panel()
spin

# %%
sp = spin.data
for n_spin, busy in zip(sp["spinning"], sp["busy"]):
    assert n_spin <= max(1, -(-busy // 2)), (n_spin, busy)
assert sp["thread_starts"] <= sp["submissions"] and sp["peak_spinning"] < sp["procs"] - 1
print(f"peak spinning Ms: {sp['peak_spinning']} (GOMAXPROCS={sp['procs']}); thread wake-ups "
      f"{sp['thread_starts']} vs {sp['submissions']} for one per new G")

# %% [markdown]
# **What to notice:**
#
# * The spinning line stays far below the 7 idle Ps: one spinner at a time is enough to pick up
#   a trickle of work, and every spinner burns a CPU.
# * Note that the wake-up count barely drops with a G every 15 µs: the saving is in concurrent
#   spinners, one instead of seven, each of which would burn a CPU.
# * A spinner that finds work stops spinning and calls `wakep` again, so if more work keeps
#   arriving, more threads join one by one.
# * In this model scheduling code takes no time, so two Ms are rarely caught spinning at the
#   same instant; the cap matters most when many Ps run dry together (the model still applies
#   it, see `findRunnable` step 6 above).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Experiment 6 · System calls: sysmon's retake, and the netpoller
#
# Since Go 1.1 a G entering a blocking system call **keeps its P** (`entersyscall`): most
# system calls are short, and handing the P off at once would cost a thread wake-up each time.
# **sysmon** is a thread with no P. Between rounds it calls `usleep(delay)`, starting from the
# shortest delay `proc.go` asks for (`usleep(20)`); like any short sleep on Linux it wakes
# somewhat later than asked (timer slack plus the wake-up), and it backs off when its rounds
# find nothing to retake. The model's tick is printed below. Each round runs `retake`. Its
# rule for a P whose G is in a system call (in Go 1.27 such a P stays `_Prunning`; older
# releases marked it `_Psyscall`), from this machine's `proc.go`:
#
# * sysmon must already have seen **the same** syscall in an earlier round (`pd.syscalltick`
#   equals `pp.syscalltick`), i.e. it has lasted at least one sysmon tick — or the P's
#   `schedtick` has not moved for `forcePreemptNS`;
# * **and** the P has work in its own run queue, **or** no P is idle and no M is spinning,
#   **or** `10*1000*1000` ns have passed since sysmon first saw the syscall (`pd.syscallwhen`).
#
# Then `takeP` and `handoffp` give the P to another M.

# %% tags=["nbval-ignore-output"]
header, text, live = gmp.runtime_excerpt("retake", keep=[
    r"schedwhen\+forcePreemptNS", r"sysretake = true", r"1 sysmon tick", r"syscalltick\) != syst",
    r"runqempty\(pp\) &&", r"takeP\(\)", r"handoffp\(pp\)"])
print(header)
print(text)

# %%
_, rt, _ = gmp.runtime_excerpt("retake", keep=[r"runqempty\(pp\) &&"])
assert "nmspinning" in rt and "npidle" in rt and "10*1000*1000" in rt
print("the model, on this machine:", facts.retake_rule() + ".")

# %% [markdown]
#
# **Predict first:** `main` makes one blocking syscall on P0, with two Gs queued behind it or
# with nothing queued; P1 is idle. For which durations is P0 taken away, and how soon?

# %% tags=["nbval-ignore-output"]
sysc = gmp.syscall_panel()
sysc

# %%
sweep = gmp._syscall_sweep(2)
work = dict(sweep[True])
idle = dict(sweep[False])
tick = facts.sysmon_tick_ns(2)           # the model's delivered sysmon tick
assert all(r is None or r >= tick for r in work.values())
assert all(r is not None for d, r in work.items() if d * 1000 >= 3 * tick)
assert all(r is None for d, r in idle.items() if d * 1000 < gmp_model.SYSCALL_RETAKE_NS)
assert all(r >= gmp_model.SYSCALL_RETAKE_NS for r in idle.values() if r is not None)
print("work queued:", {d: r for d, r in work.items()})
print("nothing queued:", {d: r for d, r in idle.items()})
for sentence in facts.retake_sentences(2):
    print(sentence)

# %% [markdown]
# **What to notice:**
#
# * With work queued, the P is retaken after **one to two sysmon ticks** (the first sentence
#   printed above: where the syscall starts in sysmon's cycle decides which); a syscall
#   shorter than that never loses its P (the `fast` exit path).
# * With nothing queued and an idle P around, a lost P would gain nothing: sysmon leaves it
#   until `retake`'s limit has passed (and, having backed off, notices a little later).
# * With GOMAXPROCS=1 there is no other P to be idle, so even with nothing queued the P goes
#   after a tick or two (the third sentence).
# * When the P is gone, the returning G tries to get it back or grab an idle one
#   (`exitsyscall`); failing both, it goes to the global queue and its M parks.
#
# Network I/O is different: the G parks on the **netpoller** (epoll) and its thread goes back to
# work. Nothing blocks in the kernel except, at most, one M waiting in `netpoll`.
#
# **Predict first:** 16 goroutines each wait 1 ms at the same time, first in a blocking
# syscall, then on the network (GOMAXPROCS=2). How many threads in each case?

# %% tags=["nbval-ignore-output"]
net = gmp.netio_panel()
net

# %%
nv = net.data
assert nv["netio"]["peak"] <= nv["procs"] + 2             # Ps' Ms + sysmon, whatever n
assert nv["syscall"]["peak"] > nv["netio"]["peak"]
peaks = gmp._netio_sweep(2)
assert [p[2] for p in peaks] == sorted(p[2] for p in peaks) and peaks[-1][2] <= 4
assert peaks[-1][1] > peaks[0][1]
print(f"{nv['n']} waiting: {nv['syscall']['peak']} threads (syscall) vs "
      f"{nv['netio']['peak']} (netio)")

# %% [markdown]
# **What to notice:**
#
# * Blocking syscalls cost one thread each while they block (up to `SetMaxThreads`,
#   10 000), because the kernel holds the thread.
# * Network waits stay flat at GOMAXPROCS + sysmon: the netpoller turns 16 (or 64, or 10 000)
#   waiting connections into one `epoll_wait`.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Experiment 7 · The time slice: cooperative vs asynchronous preemption
#
# sysmon's `retake` also watches each P's `schedtick`: if it has not moved for
# `forcePreemptNS` (printed below), the G has had its slice and `preemptone` asks it to stop.
# *Cooperatively*, by poisoning `stackguard0` so the next function call enters the scheduler —
# useless for a tight loop without calls. Since **Go 1.14** also *asynchronously*: a **SIGURG**
# signal interrupts the thread wherever it is. A preempted G goes to the global queue's tail.
#
# **Predict first:** on one P, a 30 ms tight loop and a goroutine that sleeps 1 ms in a loop.
# How late does the sleeper wake up, with async preemption on, and with
# `GODEBUG=asyncpreemptoff=1`?

# %% tags=["nbval-ignore-output"]
pre = gmp.preemption_panel()
pre

# %%
on = gmp.preemption(30, True, True)
off = gmp.preemption(30, False, True)
calls = gmp.preemption(30, False, False)
slice_ns = gmp_model.FORCE_PREEMPT_NS
assert slice_ns <= on["first_latency_ns"] < 30_000_000 and on["preemptions"] >= 1
assert off["first_latency_ns"] >= 30_000_000 - 2_000_000     # the whole hog, less the 1 ms sleep
assert calls["first_latency_ns"] == on["first_latency_ns"]
print(f"first wake-up late by: async {on['first_latency_ns'] / 1e6:.1f} ms, "
      f"asyncpreemptoff {off['first_latency_ns'] / 1e6:.1f} ms, "
      f"loop with calls {calls['first_latency_ns'] / 1e6:.1f} ms")
print(f"forcePreemptNS = {facts.fmt(facts.force_preempt_ns())}; in the model, "
      f"{facts.preempt_sentence()}")

# %% [markdown]
# **What to notice:**
#
# * With async preemption the sleeper is late by about one time slice plus however long
#   sysmon, backing off, takes to look (the last line above), not by the whole hog.
# * With `asyncpreemptoff=1` a tight loop keeps the P until it ends — before Go 1.14 such a
#   loop could even block the garbage collector forever. A loop that makes function calls is
#   stopped cooperatively just as fast as by the signal.
# * The second tick can be later than the first: the preempted hog is taken back from the
#   global queue, and sysmon, idle for a while, checks only every few ms.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Experiment 8 · One workload, two schedulers: GM (Go 1.0) vs GMP (Go 1.1)
#
# Vyukov's 2012 design doc named four problems of GM (notebook 05). The same workload — 8
# client/server pairs over unbuffered channels, the server making a short (10 µs) blocking
# syscall every second request — runs under both models, and each problem is measured the same
# way for both:
#
# 1. **lock**: time Ms spent waiting for the one scheduler lock;
# 2. **hand-off**: wake-ups after which the woken G ran on *another thread* than its waker (its
#    data is in the other core's cache);
# 3. **mcache**: 2 MiB per M under GM, per P under GMP;
# 4. **thread churn**: how many times a thread went to sleep on the idle list.
#
# **Predict first:** which of the four does GMP reduce to (almost) zero, and which only
# shrink?

# %% tags=["nbval-ignore-output"]
both = gmp.gm_vs_gmp_panel()
both

# %%
both.set(model="GM")
gm_, gmp_ = both.data["GM"], both.data["GMP"]
assert both.summary.startswith("showing GM")
assert gmp_["lock_wait_ns"] == 0 < gm_["lock_wait_ns"]
assert gmp_["remote_wakeups"] * 10 < gm_["remote_wakeups"]
assert gmp_["mcache_bytes"] == both.data["procs"] * 2**21 < gm_["mcache_bytes"]
assert gmp_["thread_sleeps"] < gm_["thread_sleeps"]
for key in ("lock_wait_ns", "remote_wakeups", "mcache_bytes", "thread_sleeps", "makespan_ns"):
    print(f"{key:15s} GM {gm_[key]:>10,}   GMP {gmp_[key]:>10,}")
from gmpkit.widgets import gm as gm_widgets
ch = gm_widgets.churn(10, 4)
worst, worst_us = max(zip(ch["GMP"]["parks_per_100"], ch["sweep"]))
assert worst > 5 * max(ch["GMP"]["parks_per_100"][0], 1)   # long syscalls: GMP still parks threads
print(f"notebook 05's churn panel, GMP: {ch['GMP']['parks_per_100'][0]:g} parks per 100 syscalls "
      f"of {ch['sweep'][0]} µs, but {worst:g} per 100 syscalls of {worst_us} µs")

# %% [markdown]
# **What to notice:**
#
# * **Lock**: GMP's `go` statements and wake-ups touch only the P's own queue: no global lock
#   (the global queue still has one, but it is the rare path).
# * **Hand-off**: `ready` puts the woken G in the waker's **`runnext`**: it runs on the same
#   thread, right after, with its data still in cache. GM handed it to whichever M was idle.
# * **mcache**: GOMAXPROCS caches, however many threads sit in system calls.
# * **Churn**: short syscalls keep their P, and idle Ms spin a little before sleeping, so
#   threads sleep and wake less — fewer, not none. GMP does not remove problem 4: the last
#   line above shows that for longer syscalls it still parks a thread on a large share of them
#   (the P was retaken, so the returning thread finds none). It moves the churn to syscalls
#   long enough for a wake-up to be small beside them.
# * So, on this workload, GMP *removes* problem 1 (no time waiting for a scheduler lock),
#   *bounds* problem 3 (GOMAXPROCS caches), *nearly removes* problem 2, and only *shrinks*
#   problem 4. Toggle the model and compare the Gantt charts: GM's pink `lock-wait` bars are
#   the first problem made visible.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the model leaves out
#
# A model is a simplification; here is what `gk.GMP` does not do (its `SIMPLIFIES` list):

# %%
for item in gmp_model.GMP.SIMPLIFIES:
    print("-", item)

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
# * A syscall keeps its P until **sysmon** retakes it: after one to two sysmon ticks if the P
#   has work or no other P is idle or spinning, otherwise only after `retake`'s long limit;
#   network waits park only the G, on the netpoller.
# * A G running a whole time slice (`forcePreemptNS`) without yielding is preempted:
#   cooperatively at a function call, or by **SIGURG** (Go 1.14+) anywhere.
# * G is not "without limit" (stack ≤ `maxstacksize`, count ≤ memory); an M runs the scheduler
#   on its own `g0` stack and `gogo` switches to the G's saved SP and PC.

# %% [markdown]
# ## Self-check
#
# Replace `...` with your answer and run the cell; the model computes the expected answer.

# %%
q1 = Question(
    "burst-global",
    "One G runs 300 `go` statements in a burst on GOMAXPROCS=1. How many Gs are in the global "
    "queue right after the burst?",
    answer=lambda: gmp.burst(300)["global"],
    explain=lambda exp: (f"257 Gs fit (256 in the ring + runnext); the 258th go statement makes "
                         f"runqputslow move half the ring plus the new G: {exp} = 128 + 1."),
    hint=lambda given, exp: ("you counted every G past 256, but the ring moves in batches of "
                             "129" if given == 300 - 257 else None))
print(q1.check(..., strict=False))

# %%
q2 = Question(
    "steal-9",
    "An idle P steals from a P with 9 Gs in its ring. How many Gs does it take?",
    answer=lambda: gmp.stealing(9)["first"]["taken"],
    explain=lambda exp: f"runqgrab takes n - n/2 = 9 - 4 = {exp}: half, rounded up.")
print(q2.check(..., strict=False))

# %%
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
print(q3.check(..., strict=False))

# %%
q4 = Question(
    "retake-idle",
    "A G makes a 5 ms blocking syscall; its P has nothing queued and another P is idle. Does "
    "sysmon retake the P (True/False)?",
    answer=lambda: gmp.syscall_retake(5000, False)["retaken"],
    explain=lambda exp: ("retake leaves a syscall's P alone when its queue is empty and some "
                         "P is idle or spinning, until sysmon first saw the syscall "
                         f"{facts.fmt(facts.syscall_retake_ns())} ago."))
print(q4.check(..., strict=False))

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
# | system monitor | 系统监控 (sysmon) | `sysmon`, `retake` |
# | hand-off of a P | 移交 P / 解绑 | `handoffp` |
# | system call | 系统调用 | `entersyscall`, `exitsyscall` |
# | network poller | 网络轮询器 | `netpoll`, `injectglist` |
# | preemption | 抢占 | `preemptone`, `forcePreemptNS` |
# | cooperative / asynchronous preemption | 协作式抢占 / 异步抢占（信号 SIGURG） | `stackguard0`, `preemptM` |
# | lock-free | 无锁 | `runqhead` CAS, `runqtail` store-release |
# | time slice | 时间片 | `forcePreemptNS` (sysmon watches `schedtick`) |
# | fairness | 公平性 | `schedtick % 61` |
