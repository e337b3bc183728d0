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
# # 04 · The M:N model: many goroutines on a few threads
#
# A Go program may start a million goroutines, yet the kernel sees only a handful of threads.
# Something in between — the Go **runtime** — decides which goroutine runs on which thread.
# This notebook compares the three ways a language can map its units of concurrency onto
# kernel threads, runs the *same* program on all three, and looks closely at the one case
# where Go's runtime cannot keep a thread from blocking: the blocking system call.
#
# Everything here is simulated by `gmpkit`'s models, so every number is deterministic and
# the same on every machine. Notebook 08 checks the models against real Go.

# %% [markdown]
# ## Learning goals
#
# After this notebook you can:
#
# 1. describe the **1:1**, **N:1** and **M:N** threading models and name a real system that
#    uses each;
# 2. predict, from a Gantt chart, what each model does with the same workload: how many threads
#    it needs, how much runs in parallel, and when it finishes;
# 3. explain why a blocking **system call** freezes every goroutine under N:1, and what Go does
#    instead (the thread still blocks; the runtime hands the processor to another thread);
# 4. tell a blocking system call from **network I/O**, which parks only the goroutine;
# 5. explain, with numbers, why switching goroutines in user space is cheaper than switching
#    kernel threads.

# %%
import gmpkit as gk
from gmpkit import predictions
from gmpkit.checks import Question, answer_boxes, self_check
from gmpkit.widgets import mn

tally = predictions.tally("04_mn_model")   # your predictions in this notebook

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the article says
#
# The article's part on the M:N model says, in short:
#
# > Go creates M threads, and the N goroutines created afterwards are attached to those M
# > threads (Go创建M个线程 … 之后创建的N个goroutine都会依附在这个M个线程上执行). There should be far
# > more goroutines than threads.
#
# > A thread runs one goroutine at a time. When a goroutine blocks (on a channel, a mutex, a
# > syscall …), Go moves that goroutine away and runs another one, **instead of letting the
# > thread block and sleep** (而不是让线程阻塞休眠).
#
# The first half is right: many goroutines share few threads. Two things need correcting, and
# the experiments below provide the evidence:
#
# * **M is not a fixed number chosen up front.** The runtime starts with one thread and creates
#   more on demand (`newm`), up to a limit of 10 000 (`maxmcount`). What `GOMAXPROCS` fixes is
#   the number of **P**s — how many threads may run Go code *at the same time* — not the number
#   of threads. A program whose goroutines sit in system calls gets more threads (experiments 1
#   and 2 count them).
# * **"The thread does not block" holds for channels, mutexes, timers and network I/O, but not
#   for a blocking system call.** A `read` of a file, a `fsync`, a cgo call: the kernel puts the
#   *thread* to sleep, with the goroutine on it, and no user-space scheduler can take it back.
#   What Go does is hand the thread's **P** to another thread (`entersyscall` keeps the P;
#   once the syscall has lasted a `sysmon` tick, `retake` takes the P away when other work needs
#   it, and `handoffp` starts a thread for it), so the *other* goroutines keep running.
#   Experiment 3 shows the blocked thread.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Three ways to map goroutines onto threads
#
# | model | a goroutine is … | who schedules | parallel? | a blocking syscall … | examples |
# |---|---|---|---|---|---|
# | **1:1** | a kernel thread | the kernel | yes, up to the number of CPUs | blocks only that thread | C with pthreads, Java's platform threads, Rust `std::thread` |
# | **N:1** | a user-level context on *one* kernel thread | a library / runtime in user space | no: one thread, one CPU | blocks **everything** | Python `asyncio`/gevent, early Java "green threads", Lua coroutines |
# | **M:N** | a user-level context multiplexed onto *several* kernel threads | the runtime, on top of the kernel | yes, up to `GOMAXPROCS` | blocks its thread; the runtime adds another | Go, Erlang's BEAM, Java 21 virtual threads |
#
# N:1 makes switching cheap and the kernel unaware; 1:1 gets parallelism and kernel-managed
# blocking, at the price of a kernel thread (stack, switch, creation) per task. M:N tries to
# have both — at the price of a scheduler inside the runtime, which is what notebooks 05 to 07
# are about.

# %% tags=["nbval-ignore-output"]
from gmpkit import diagrams
diagrams.thread_mappings()

# %% [markdown]
# ### Experiment 1: one workload, three models
#
# Eight goroutines (`w0`…`w7`, goroutines G2–G9; G1 is `main`) each compute 200 µs, some of them
# make a **blocking system call of 1 ms**, then compute 200 µs more. The same program runs on
# `gk.Threads(cpus=2)` (1:1), `gk.GreenThreads()` (N:1) and `gk.GMP(procs=2)` (M:N).
#
# **Predict first:** with 2 of the 8 goroutines making a syscall and 2 CPUs, which model
# finishes first, and which last? How many OS threads does each one use? Then move the syscall
# share to 100 %: which model suffers most, and does M:N still need only 2 threads?

# %% tags=["nbval-ignore-output"]
tally.ask("04-finish")

# %% tags=["nbval-ignore-output"]
panel = mn.three_models_panel()
tally.follow("04-finish", panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
d = panel.data
m = d["models"]
assert m["N:1"]["threads"] == 1                          # N:1: one thread, whatever happens
assert m["1:1"]["threads"] == d["goroutines"] + 1        # 1:1: a thread per goroutine, + main's
# N:1 runs everything one after another, syscalls included
assert m["N:1"]["makespan_ns"] >= d["cpu_work_ns"] + d["syscall_ns_total"]
assert m["M:N"]["makespan_ns"] < m["1:1"]["makespan_ns"] < m["N:1"]["makespan_ns"]
assert m["M:N"]["threads"] > d["cpus"]                   # more threads than Ps: syscalls
print(f"{d['goroutines']} goroutines, {d['syscallers']} make a {d['syscall_us']} µs syscall, "
      f"{d['cpus']} CPUs / Ps")
for k, v in m.items():
    print(f"  {mn.MODEL_LABELS[k]:22s} {v['threads']:2d} threads   done at {v['makespan_ns'] / 1e6:.2f} ms")

# %% [markdown]
# **What to notice:**
#
# * **N:1** draws one row: one thread does everything, one piece at a time. Its run is the sum
#   of all the work *plus every syscall* (the hatched orange bars), because while the thread is
#   in the kernel nobody else can run.
# * **1:1** draws a row per goroutine: each is a thread. Creating a thread costs the creator
#   tens of µs (yellow `spawn` bars on main's row M1, `thread_create_ns` measured on this
#   course's machine), and each thread is an 8 MiB stack reservation. The kernel time-slices
#   them on the 2 CPUs. (Thread numbering: in the 1:1 model M1 is `main`'s thread; in the Go
#   models M0 is `main`'s and M1 is sysmon, as in the real runtime.)
# * **M:N** draws only a few rows, yet finishes first: goroutines are cheap to create, and when
#   a goroutine enters a syscall its thread blocks but the runtime gives the P to another
#   thread (new rows appear). At 100 % syscalls it creates about one thread per blocked
#   goroutine — M grows with the number of *blocked* goroutines, not with GOMAXPROCS.
# * Same colour = same goroutine in all three charts: follow G9 (it runs first under M:N,
#   because the last `go` statement puts its goroutine in the P's `runnext` slot).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Why a runtime schedules at all
#
# Why not let the kernel do it (1:1)? Because the runtime can do the common cases **without
# entering the kernel**:
#
# * **Switching** between goroutines is a user-space operation: save a few registers, load
#   another goroutine's (`gogo`). A kernel thread switch goes through the kernel's scheduler,
#   a futex wake-up, and often a different CPU.
# * **Blocking** on a channel or a mutex **parks the goroutine** (`gopark`), not the thread: the
#   thread immediately runs the next runnable goroutine. Waking it (`goready`) is putting it in
#   a run queue — no system call.
# * **Creating** a goroutine allocates a 2 KiB stack in user space; creating a thread is a
#   `clone` system call plus an 8 MiB stack mapping.
#
# ### Experiment 2: what one hand-off costs
#
# Two goroutines play ping-pong over unbuffered channels (`scenarios.ping_pong`, 200 rounds) on
# one CPU. Under 1:1, each hand-off wakes a sleeping thread; under N:1 and M:N, the runtime
# swaps goroutines on the same thread. The sliders set the two switch costs (defaults: the
# course's measurements, see `gmpkit.costs`).
#
# **Predict first:** how many times more expensive is a hand-off between threads than
# between goroutines? If you make the goroutine switch as expensive as the thread switch, does
# M:N still win?

# %% tags=["nbval-ignore-output"]
tally.ask("04-switch")

# %% tags=["nbval-ignore-output"]
panel = mn.switch_cost_panel()
tally.follow("04-switch", panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
d = panel.data
h = {k: v["handoff_ns"] for k, v in d["models"].items()}
assert all(v["final"] == d["rounds"] for v in d["models"].values())   # the ball came back every time
assert h["1:1"] > 3 * h["M:N"]                # the kernel switch dominates
assert h["N:1"] == h["M:N"]                   # one P: M:N switches goroutines exactly like N:1
assert d["models"]["M:N"]["threads"] <= 2     # main's thread + sysmon: no thread per goroutine
print(f"one hand-off: 1:1 {h['1:1']:.0f} ns, N:1 {h['N:1']:.0f} ns, M:N {h['M:N']:.0f} ns")
print(f"threads: 1:1 {d['models']['1:1']['threads']}, M:N {d['models']['M:N']['threads']} (sysmon included)")

# %% [markdown]
# **What to notice:**
#
# * With the default costs, a hand-off between threads costs several times one between
#   goroutines, and the gap is the kernel's switch. The article's figures (1000–1500 ns vs
#   ~200 ns) are of the same order; notebooks 02 and 03 measure both on your machine.
# * In the model a goroutine hand-off costs exactly the goroutine switch (channel work is
#   free), so N:1 and M:N follow the slider one for one. (In real Go the channel operation and
#   the wake-up add to it; notebook 03 measures the whole hand-off.)
# * Push the goroutine switch up and the kernel switch down until they cross: M:N loses its
#   edge — cheap switches are *the* reason user-level scheduling pays.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Blocking: system calls vs network I/O
#
# Not all waiting is equal.
#
# * **Channel, mutex, `time.Sleep`, network I/O**: the runtime knows the goroutine is waiting
#   and on what. It parks the goroutine and the thread runs someone else. For the network, Go
#   sets sockets non-blocking and registers them with **epoll** (the *netpoller*); when data
#   arrives, `netpoll` hands the ready goroutines back to the scheduler.
# * **A blocking system call** (file I/O, `fsync`, most cgo calls): the thread enters the
#   kernel and the kernel puts it to sleep until the call returns. The runtime cannot take the
#   thread back; the goroutine stays on it. Under N:1 that is the *only* thread.
#
# Go's answer (`entersyscall` / `retake` / `handoffp` / `exitsyscall`): the P stays with the
# thread for a moment (most syscalls are short). `sysmon`, the runtime's monitor thread, looks
# at every P each round; its `retake` takes the P away and `handoffp` starts another thread
# for it under the condition printed below (the full rule from `proc.go`, with the model's
# numbers for this machine; notebook 06 takes it apart). When the syscall returns, the
# goroutine tries to get a P back; if none is free it goes to the global run queue and its
# thread goes to sleep.
#

# %%
from gmpkit import facts
print(facts.retake_rule() + ".")
for sentence in facts.retake_sentences(2):
    print(" *", sentence)

# %% [markdown]
# ### Experiment 3: who runs while one goroutine waits?
#
# A `blocker` goroutine computes 50 µs, then waits 3 ms — in a **syscall** or on the
# **network** — then computes 50 µs. Three other goroutines have 4 × 150 µs of work each. One
# CPU: N:1 vs M:N with `GOMAXPROCS=1`.
#
# **Predict first:** under N:1 with a syscall, how much of the other goroutines' work gets done
# during the 3 ms wait? And with `netio`? Under M:N, how many threads appear in each case?

# %% tags=["nbval-ignore-output"]
tally.ask("04-block")

# %% tags=["nbval-ignore-output"]
panel = mn.blocking_panel()
tally.follow("04-block", panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
d = panel.data
n1, mn_ = d["models"]["N:1"], d["models"]["M:N"]
assert d["kind"] == "syscall"
assert n1["work_during_block_ns"] == 0                 # N:1 froze for the whole syscall
assert n1["makespan_ns"] >= d["block_ns"] + 3 * 4 * 150_000   # ... so the waits add up
assert mn_["work_during_block_ns"] > 0                 # M:N kept running the others
netio = mn.blocking("netio", d["block_ns"] // 1_000_000)
assert netio["models"]["N:1"]["work_during_block_ns"] > 0     # the netpoller parks only the G
assert netio["models"]["M:N"]["threads"] < mn_["threads"]     # ... and needs no extra thread
for kind, dd in (("syscall", d), ("netio", netio)):
    for k in ("N:1", "M:N"):
        v = dd["models"][k]
        print(f"{kind:8s} {k}: {v['threads']} threads, others ran "
              f"{v['work_during_block_ns'] / 1e6:.2f} ms during the wait, done at "
              f"{v['makespan_ns'] / 1e6:.2f} ms")

# %% [markdown]
# **What to notice:**
#
# * **N:1 + syscall**: the single row is one long hatched bar — nothing else runs for 3 ms.
#   That is exactly the case the article's sentence about "not letting the thread block" gets
#   wrong: nobody can unblock a thread the kernel is holding.
# * **M:N + syscall**: the blocked thread is still there (the hatched bar stays on its row), but
#   a **new row** appears: `sysmon` noticed the syscall, retook the P and `handoffp` started a
#   thread, which runs the other goroutines. The gap before it starts is sysmon's tick plus the
#   cost of creating a thread.
# * Switch to **netio**: N:1 no longer freezes (the goroutine is parked, its thread is free), and
#   M:N needs no extra thread. Waiting on the network costs a goroutine, not a thread.
# * With **netio**, M:N finishes 0.15 ms *after* N:1. Not because of the wait: the last `go`
#   statement put `w2` in the P's `runnext`, so under M:N it runs its first 150 µs before the
#   `blocker` even starts (N:1 runs them in creation order). So the blocker's 3 ms wait — which
#   sets the finish time here, since the workers' 1.8 ms fit inside it — starts and ends
#   150 µs later.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# * **1:1** gives parallelism and lets the kernel handle blocking, but every goroutine costs a
#   kernel thread: tens of µs to create, µs per hand-off, 8 MiB of reserved stack.
# * **N:1** makes switches cheap but runs one thing at a time, and one blocking syscall freezes
#   the whole program.
# * **M:N** (Go) multiplexes many goroutines onto a few threads: user-level switches and
#   parking like N:1, parallelism like 1:1. `GOMAXPROCS` bounds the threads *running Go code*,
#   not the number of threads.
# * Channels, mutexes, timers and network I/O park the **goroutine**. A blocking system call
#   blocks the **thread**; Go compensates by handing the P to another thread (sysmon `retake` +
#   `handoffp`), creating threads as needed.
#
# ## Self-check
#
# Replace each `...` with your answer and run the cell. The expected answers are computed
# (by the model, or from this machine's measurements above) only when you check, and each
# comes with the reason. Prefer boxes and buttons? Use the widget under it: its **Show all
# answers** button computes and explains every answer, and it shows how many of this
# notebook's predictions you got right (save them as JSON).

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
q1 = Question("04-n1-threads",
              "Under N:1, how many OS threads run the 8-goroutine program of experiment 1?",
              answer=lambda: mn.three_models(share_pct=25, cpus=2)["models"]["N:1"]["threads"],
              explain=lambda e: f"{e}: N:1 multiplexes every goroutine onto a single kernel thread, "
                                "so there is no parallelism and a syscall stops everyone.")
q2 = Question("04-11-threads",
              "Under 1:1, how many threads does the same program use (count main's)?",
              answer=lambda: mn.three_models(share_pct=25, cpus=2)["models"]["1:1"]["threads"],
              explain=lambda e: f"{e}: one kernel thread per goroutine — the 8 workers plus the "
                                "main thread, each with its own stack.")
q3 = Question("04-mn-threads-all-syscalls",
              "Under M:N with GOMAXPROCS=2, when all 8 workers make a 1 ms syscall, how many "
              "threads does the runtime end up with (sysmon included)?",
              answer=lambda: mn.three_models(share_pct=100, cpus=2)["models"]["M:N"]["threads"],
              explain=lambda e: f"{e}: each goroutine blocked in a syscall holds its thread, so "
                                "the runtime keeps adding threads to run Go code on the 2 Ps — "
                                "M grows with blocked goroutines, not with GOMAXPROCS.")
questions = [q1, q2, q3]

# %%
my_answers = {
    "04-n1-threads": ...,
    "04-11-threads": ...,
    "04-mn-threads-all-syscalls": ...,
}
self_check(questions, my_answers)

# %% tags=["nbval-ignore-output"]
answer_boxes(questions, tally)

# %% [markdown]
# ## What the models simplify
#
# Each model lists what it leaves out. Read these before trusting a number too far.

# %%
for model in (gk.Threads, gk.GreenThreads, gk.GMP):
    print(f"{model.name}:")
    for line in model.SIMPLIFIES:
        print(f"  - {line}")

# %% [markdown]
# ## Glossary
#
# | English | 中文 | meaning here |
# |---|---|---|
# | M:N model | M:N模型 | N goroutines multiplexed onto M kernel threads by the runtime |
# | 1:1 model | 1:1模型 | one kernel thread per task |
# | N:1 model (green threads) | N:1模型（绿色线程） | every task on one kernel thread |
# | user-level thread | 用户态线程 | a thread of execution scheduled in user space (a goroutine) |
# | OS thread (kernel-scheduled) | 系统线程 / OS 线程 | a thread the kernel schedules (an M) |
# | blocking | 阻塞 | waiting until something happens; *what* waits (goroutine or thread) is the point |
# | system call | 系统调用 | a request to the kernel; a blocking one puts the thread to sleep |
# | network poller | 网络轮询器 | epoll-based part of the runtime that parks goroutines on sockets |
# | context switch | 上下文切换 | moving a CPU (or a thread) from one task to another |
# | park / ready | 挂起 / 就绪 | a goroutine stops waiting on something / becomes runnable again |
# | run queue | 运行队列 | runnable goroutines waiting for a thread |
# | scheduler | 调度器 | the code that decides what runs where |
# | processor (P) | 处理器 P | the right to run Go code; there are GOMAXPROCS of them |
#
# ## Further reading
#
# In this order:
#
# 1. **OSTEP**: [Event-based Concurrency](https://pages.cs.wisc.edu/~remzi/OSTEP/threads-events.pdf) (ch. 33): why blocking calls are the hard part of any user-level scheduler.
# 2. Anderson et al., "Scheduler Activations: Effective Kernel Support for the User-Level Management of Parallelism", *ACM TOCS* 10(1), 1992, [doi:10.1145/146941.146944](https://doi.org/10.1145/146941.146944): the classic study of M:N and its blocking problem.
# 3. Dmitry Vyukov, [Scalable Go Scheduler Design Doc](https://docs.google.com/document/d/1TTj4T2JO42uD5ID9e89oa0sLKhJYD0Y_kqxDv3I3XMw/edit) (2012): the section on system calls is where the P, and handing it off, come from.
# 4. William Kennedy, [Scheduling In Go, Part II: Go Scheduler](https://www.ardanlabs.com/blog/2018/08/scheduling-in-go-part2.html) (2018): synchronous and asynchronous system calls, with pictures.
# 5. 中文：《Go 语言设计与实现》[6.5 调度器](https://draveness.me/golang/docs/part3-runtime/ch06-concurrency/golang-goroutine/)。
