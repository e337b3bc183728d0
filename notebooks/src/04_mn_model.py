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

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# # 04 · M:N 模型：少数几个线程，承载大量 goroutine
#
# 一个 Go 程序可以启动上百万个 goroutine，内核看到的却只有寥寥几个线程。夹在两者之间的 Go **运行时**，决定哪个 goroutine 在哪个线程上运行。本讲比较一门语言把并发单元映射到内核线程的三种方式，让*同一个*程序在三种方式下各跑一遍，并仔细考察 Go 运行时唯一没法让线程免于阻塞的情形：阻塞的系统调用。
#
# 这里的一切都由 `gmpkit` 的模型模拟，所以每个数字都是确定的，在哪台机器上都一样。第 8 讲会拿真实的 Go 来检验这些模型。

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# ## 学习目标
#
# 学完本讲，你将能够：
#
# 1. 描述 **1:1**、**N:1** 和 **M:N** 三种线程模型，并各举出一个采用它的真实系统；
# 2. 根据甘特图预测各个模型如何处理同一份负载：需要多少个线程，有多少工作能并行，何时完成；
# 3. 解释为什么在 N:1 下，一个阻塞的**系统调用**会冻结所有 goroutine，以及 Go 是怎么做的（线程照样阻塞，但运行时把处理器交给另一个线程）；
# 4. 区分阻塞的系统调用与**网络 I/O**：后者只会挂起 goroutine；
# 5. 用数字说明，为什么在用户空间切换 goroutine 比切换内核线程便宜。

# %%
import gmpkit as gk
from gmpkit import predictions
from gmpkit.i18n import tr
from gmpkit.checks import Question, answer_boxes, self_check
from gmpkit.widgets import mn

tally = predictions.tally("04_mn_model")   # your predictions in this notebook

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 原文怎么说
#
# 文章讲 M:N 模型的部分，原文是这样的：
#
# > Go创建M个线程(CPU执行调度的单元，内核的task_struct)，之后创建的N个goroutine都会依附在这个M个线程上执行，即M:N模型。它们能够同时运行，与线程类似，但相比执行非常轻量。因此，程序运行时，Goroutines的个数应该是远大于线程的个数的。
#
# > 同一时刻，一个线程只能跑一个goroutine。当goroutine发生阻塞(channel阻塞，mutex，syscall等等)时，go会把当前的goroutine调度走，让其他goroutine来继续执行，而不是让线程阻塞休眠，尽可能多的分发任务出去，让cpu忙。
#
# 前一半说得对：许多 goroutine 共用少数几个线程。有两处需要纠正，下面的实验会给出证据：
#
# * **M 并不是事先选定的固定数目。** 运行时启动时只有一个线程，之后按需创建更多线程（`newm`），上限为 10 000 个（`maxmcount`）。`GOMAXPROCS` 固定的是 **P** 的个数——即最多有多少个线程可以*同时*运行 Go 代码——而不是线程的个数。如果一个程序的 goroutine 停在系统调用里，它就会得到更多线程（实验 1 和实验 2 会数一数）。
# * **“线程不阻塞”对 channel、互斥锁、定时器和网络 I/O 成立，对阻塞的系统调用却不成立。** 读文件的 `read`、一次 `fsync`、一次 cgo 调用：内核会让*线程*连同它上面的 goroutine 一起睡眠，任何用户空间的调度器都没法把它要回来。Go 的做法是把这个线程的 **P** 交给另一个线程（`entersyscall` 时线程仍然持有 P；系统调用持续了一个 `sysmon` 周期之后，如果有别的工作需要这个 P，`retake` 就把它收回，再由 `handoffp` 为它启动一个线程），这样*其他* goroutine 就能继续运行。实验 3 会让你看到那个被阻塞的线程。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 把 goroutine 映射到线程的三种方式
#
# | 模型 | goroutine 是 …… | 由谁调度 | 能否并行？ | 一个阻塞的系统调用 …… | 例子 |
# |---|---|---|---|---|---|
# | **1:1** | 一个内核线程 | 内核 | 能，最多与 CPU 数相同 | 只阻塞那一个线程 | 使用 pthreads 的 C、Java 的平台线程、Rust 的 `std::thread` |
# | **N:1** | *单个*内核线程上的一个用户态上下文 | 用户空间里的库或运行时 | 不能：一个线程，一个 CPU | 阻塞**一切** | Python 的 `asyncio`/gevent、早期 Java 的“绿色线程”、Lua 协程 |
# | **M:N** | 复用在*多个*内核线程上的用户态上下文 | 运行时，建立在内核之上 | 能，最多 `GOMAXPROCS` 个 | 阻塞它所在的线程；运行时再添一个线程 | Go、Erlang 的 BEAM、Java 21 的虚拟线程 |
#
# N:1 让切换变得便宜，内核对这些任务一无所知；1:1 换来了并行，阻塞也交由内核管理，代价是每个任务都要占一个内核线程（栈、切换、创建都有开销）。M:N 想两者兼得——代价是运行时内部要有一个调度器，这正是第 5 到第 7 讲的主题。

# %% tags=["nbval-ignore-output"]
from gmpkit import diagrams
diagrams.thread_mappings()

# %% [markdown] lang="en"
# ### Experiment 1: one workload, three models
#
# Eight goroutines (`w0`…`w7`, goroutines G2–G9; G1 is `main`) each compute 200 µs, some of them
# make a **blocking system call of 1 ms**, then compute 200 µs more. The same program runs on
# `gk.Threads(cpus=2)` (1:1), `gk.GreenThreads()` (N:1) and `gk.GMP(procs=2)` (M:N).
#
# **Predict first:** with 2 of the 8 goroutines making a syscall and 2 CPUs, which model
# finishes first, and which last? How many OS threads does each one use? Then move the syscall
# share to 100 %: which model suffers most, and does M:N still need only 2 threads?

# %% [markdown] lang="zh"
# ### 实验 1：同一份负载，三种模型
#
# 八个 goroutine（`w0`…`w7`，即 goroutine G2–G9；G1 是 `main`）各自先计算 200 µs，其中一部分会发起一次 **1 ms 的阻塞系统调用**，然后再计算 200 µs。同一个程序分别在 `gk.Threads(cpus=2)`（1:1）、`gk.GreenThreads()`（N:1）和 `gk.GMP(procs=2)`（M:N）上运行。
#
# **先预测**：8 个 goroutine 里有 2 个发起系统调用，CPU 有 2 个，哪个模型最先完成，哪个最后？每个模型各用了多少个操作系统线程？然后把系统调用的比例调到 100%：哪个模型受影响最大？M:N 是否仍然只需要 2 个线程？

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

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# **观察要点**：
#
# * **N:1** 只画出一行：一个线程包揽所有工作，一次只做一件事。它的总耗时是全部工作*再加上每一次系统调用*（带斜线的橙色条），因为线程待在内核里的时候，谁也运行不了。
# * **1:1** 每个 goroutine 画一行：每个 goroutine 就是一个线程。每创建一个线程，创建者都要花费几十微秒（main 所在的 M1 行上的黄色 `spawn` 条，`thread_create_ns` 取自本课程机器上的测量），而且每个线程还要预留 8 MiB 的栈。内核在 2 个 CPU 上对它们分时调度。（线程编号：在 1:1 模型中，M1 是 `main` 的线程；在 Go 的模型中，和真实的运行时一样，M0 是 `main` 的线程，M1 是 sysmon。）
# * **M:N** 只画出寥寥几行，却最先完成：goroutine 创建起来很便宜；某个 goroutine 进入系统调用时，它的线程虽然被阻塞，运行时却把 P 交给另一个线程（于是出现新的行）。系统调用占 100% 时，它大约为每个被阻塞的 goroutine 创建一个线程——M 随着*被阻塞*的 goroutine 数增长，而不是随 `GOMAXPROCS` 增长。
# * 三张图里颜色相同的就是同一个 goroutine：跟着 G9 看一看（在 M:N 下它最先运行，因为最后一条 `go` 语句会把它的 goroutine 放进 P 的 `runnext` 槽位）。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 运行时为什么要自己调度
#
# 为什么不交给内核（1:1）？因为常见的情况，运行时都能**不进入内核**就处理好：
#
# * goroutine 之间的**切换**是用户空间里的操作：保存几个寄存器，再载入另一个 goroutine 的寄存器（`gogo`）。内核线程的切换则要经过内核的调度器、一次 futex 唤醒，而且往往还要换到另一个 CPU 上。
# * 在 channel 或互斥锁上**阻塞**时，**挂起的是 goroutine**（`gopark`），而不是线程：线程立刻去运行下一个可运行的 goroutine。唤醒它（`goready`）就是把它放进运行队列——不需要系统调用。
# * **创建** goroutine 只是在用户空间分配一个 2 KiB 的栈；创建线程则要一次 `clone` 系统调用，外加一个 8 MiB 的栈映射。
#
# ### 实验 2：一次交接要花多少
#
# 两个 goroutine 通过无缓冲的 channel 打乒乓（`scenarios.ping_pong`，200 个回合），只有一个 CPU。在 1:1 下，每次交接都要唤醒一个正在睡眠的线程；在 N:1 和 M:N 下，运行时只是在同一个线程上换一个 goroutine 运行。两个滑块分别设定两种切换的开销（默认值是课程的实测值，见 `gmpkit.costs`）。
#
# **先预测**：线程之间的一次交接，比 goroutine 之间的贵多少倍？如果把 goroutine 切换调得和线程切换一样贵，M:N 还能胜出吗？

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

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 在默认开销下，线程之间的一次交接是 goroutine 之间的好几倍，差距就出在内核的切换上。文章的数字（1000–1500 ns 对约 200 ns）与此同一量级；第 2 讲和第 3 讲会在你的机器上把两者都测出来。
# * 在模型里，一次 goroutine 交接的开销恰好等于一次 goroutine 切换（channel 操作不计开销），所以 N:1 和 M:N 随滑块一比一地变化。（在真实的 Go 中，channel 操作和唤醒还要再加上一些；第 3 讲测的是整个交接过程。）
# * 把 goroutine 切换调高、把内核切换调低，直到两者交叉：M:N 就失去了优势——切换便宜，*正是*用户态调度之所以划算的原因。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 阻塞：系统调用与网络 I/O
#
# 同样是等待，情况并不相同。
#
# * **channel、互斥锁、`time.Sleep`、网络 I/O**：运行时知道这个 goroutine 在等待，也知道它在等什么。它把 goroutine 挂起，线程转而去运行别的 goroutine。对于网络，Go 把 socket 设为非阻塞，并注册到 **epoll** 上（即*网络轮询器*）；数据到达时，`netpoll` 把就绪的 goroutine 交还给调度器。
# * **阻塞的系统调用**（文件 I/O、`fsync`、大多数 cgo 调用）：线程进入内核，内核让它一直睡到调用返回。运行时没法把线程要回来，goroutine 也一直留在这个线程上。在 N:1 下，这就是*唯一*的线程。
#
# Go 的对策（`entersyscall` / `retake` / `handoffp` / `exitsyscall`）是：P 先在这个线程上留一会儿（大多数系统调用都很短）。`sysmon` 是运行时的监控线程，每一轮都会查看所有的 P；当下面打印的条件成立时，它的 `retake` 就把 P 收回，再由 `handoffp` 为这个 P 启动另一个线程（下面是 `proc.go` 里的完整规则，并附上模型在本机上的数值；第 6 讲会把它拆开细看）。系统调用返回后，goroutine 会设法重新拿到一个 P；如果没有空闲的 P，它就进入全局运行队列，它的线程则去睡眠。

# %%
from gmpkit import facts
print(facts.retake_rule() + ".")
for sentence in facts.retake_sentences(2):
    print(" *", sentence)

# %% [markdown] lang="en"
# ### Experiment 3: who runs while one goroutine waits?
#
# A `blocker` goroutine computes 50 µs, then waits 3 ms — in a **syscall** or on the
# **network** — then computes 50 µs. Three other goroutines have 4 × 150 µs of work each. One
# CPU: N:1 vs M:N with `GOMAXPROCS=1`.
#
# **Predict first:** under N:1 with a syscall, how much of the other goroutines' work gets done
# during the 3 ms wait? And with `netio`? Under M:N, how many threads appear in each case?

# %% [markdown] lang="zh"
# ### 实验 3：一个 goroutine 等待时，谁在运行？
#
# 一个 `blocker` goroutine 先计算 50 µs，然后等待 3 ms——在**系统调用**里，或者在**网络**上——再计算 50 µs。另外三个 goroutine 各有 4 × 150 µs 的工作。只有一个 CPU：比较 N:1 与 `GOMAXPROCS=1` 的 M:N。
#
# **先预测**：在 N:1 下，如果等待的是系统调用，那 3 ms 里其他 goroutine 的工作能完成多少？换成 `netio` 呢？在 M:N 下，两种情况各会出现多少个线程？

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

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# **观察要点**：
#
# * **N:1 + 系统调用**：唯一的一行是一条长长的斜线条——整整 3 ms 里什么都没有运行。文章中“不让线程阻塞”那句话说错的，恰恰就是这种情况：内核扣住的线程，谁也解不开。
# * **M:N + 系统调用**：被阻塞的线程还在（斜线条留在它那一行上），但出现了**新的一行**：`sysmon` 注意到了这次系统调用，收回了 P，`handoffp` 启动了一个线程，由它来运行其他 goroutine。新线程开始运行之前的那段空隙，是 sysmon 的一个周期加上创建线程的开销。
# * 切换到 **netio**：N:1 不再冻结（goroutine 被挂起，它的线程是空闲的），M:N 也不需要额外的线程。等待网络，花掉的是一个 goroutine，而不是一个线程。
# * 在 **netio** 下，M:N 反而比 N:1 *晚* 0.15 ms 完成。原因不在等待：最后一条 `go` 语句把 `w2` 放进了 P 的 `runnext`，所以在 M:N 下，`blocker` 还没开始，`w2` 就先跑完了它的第一个 150 µs（N:1 则按创建顺序运行）。于是 blocker 那 3 ms 的等待——这里的完成时间由它决定，因为几个工作 goroutine 总共 1.8 ms 的计算都能放进这段等待里——开始和结束都推迟了 150 µs。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 小结
#
# * **1:1** 提供并行，并让内核处理阻塞，但每个 goroutine 都要占用一个内核线程：创建要几十微秒，每次交接要几微秒，还要预留 8 MiB 的栈。
# * **N:1** 让切换变得便宜，但一次只能运行一件事，一个阻塞的系统调用就会冻结整个程序。
# * **M:N**（Go）把大量 goroutine 复用到少数几个线程上：像 N:1 一样在用户态切换和挂起，又像 1:1 一样能够并行。`GOMAXPROCS` 限制的是*正在运行 Go 代码*的线程数，而不是线程总数。
# * channel、互斥锁、定时器和网络 I/O 挂起的是 **goroutine**。阻塞的系统调用阻塞的是**线程**；Go 的补救办法是把 P 交给另一个线程（sysmon 的 `retake` + `handoffp`），按需创建线程。
#
# ## 自测
#
# 把每个 `...` 换成你的答案，然后运行这个单元格。只有在你检查时，才会计算预期答案（由模型算出，或取自上文本机的测量结果），并附上理由。更喜欢输入框和按钮？用下面的小部件：它的**显示全部答案**按钮会计算并解释每一个答案，还会显示你在本讲中的预测答对了几个（可以保存为 JSON）。

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
q1 = Question("04-n1-threads",
              {"en": "Under N:1, how many OS threads run the 8-goroutine program of experiment 1?",
               "zh": "在 N:1 下，实验 1 中那个有 8 个 goroutine 的程序由几个操作系统线程运行？"},
              answer=lambda: mn.three_models(share_pct=25, cpus=2)["models"]["N:1"]["threads"],
              explain=lambda e: {
                  "en": f"{e}: N:1 multiplexes every goroutine onto a single kernel thread, "
                        "so there is no parallelism and a syscall stops everyone.",
                  "zh": f"{e}：N:1 把所有 goroutine 复用到同一个内核线程上，所以没有并行，"
                        "一次系统调用就让所有 goroutine 停下。"})
q2 = Question("04-11-threads",
              {"en": "Under 1:1, how many threads does the same program use (count main's)?",
               "zh": "在 1:1 下，同一个程序要用多少个线程（算上 main 的线程）？"},
              answer=lambda: mn.three_models(share_pct=25, cpus=2)["models"]["1:1"]["threads"],
              explain=lambda e: {
                  "en": f"{e}: one kernel thread per goroutine — the 8 workers plus the "
                        "main thread, each with its own stack.",
                  "zh": f"{e}：每个 goroutine 一个内核线程——8 个工作 goroutine 加上主线程，"
                        "各有各的栈。"})
q3 = Question("04-mn-threads-all-syscalls",
              {"en": "Under M:N with GOMAXPROCS=2, when all 8 workers make a 1 ms syscall, how "
                     "many threads does the runtime end up with (sysmon included)?",
               "zh": "在 GOMAXPROCS=2 的 M:N 下，如果 8 个工作 goroutine 都发起一次 1 ms 的"
                     "系统调用，运行时最后会有多少个线程（包括 sysmon）？"},
              answer=lambda: mn.three_models(share_pct=100, cpus=2)["models"]["M:N"]["threads"],
              explain=lambda e: {
                  "en": f"{e}: each goroutine blocked in a syscall holds its thread, so "
                        "the runtime keeps adding threads to run Go code on the 2 Ps — "
                        "M grows with blocked goroutines, not with GOMAXPROCS.",
                  "zh": f"{e}：每个阻塞在系统调用里的 goroutine 都占着自己的线程，于是运行时"
                        "不断添加线程，让 2 个 P 继续运行 Go 代码——M 随被阻塞的 goroutine "
                        "增长，而不是随 GOMAXPROCS 增长。"})
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

# %% [markdown] lang="en"
# ## What the models simplify
#
# Each model lists what it leaves out. Read these before trusting a number too far.

# %% [markdown] lang="zh"
# ## 模型简化了什么
#
# 每个模型都列出了自己省略的内容。别急着全盘相信某个数字，先读一读这些说明。

# %%
for model in (gk.Threads, gk.GreenThreads, gk.GMP):
    print(f"{tr(model.name)}:")
    for line in model.SIMPLIFIES:
        print(f"  - {tr(line)}")

# %% [markdown] lang="en"
# ## Glossary
#
# | English | 中文 | meaning here |
# |---|---|---|
# | M:N model | M:N 模型 | N goroutines multiplexed onto M kernel threads by the runtime |
# | 1:1 model | 1:1 模型 | one kernel thread per task |
# | N:1 model (green threads) | N:1 模型（绿色线程） | every task on one kernel thread |
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

# %% [markdown] lang="zh"
# ## 术语表
#
# | 中文 | English | 含义 |
# |---|---|---|
# | M:N 模型 | M:N model | 运行时把 N 个 goroutine 复用到 M 个内核线程上 |
# | 1:1 模型 | 1:1 model | 每个任务一个内核线程 |
# | N:1 模型（绿色线程） | N:1 model (green threads) | 所有任务都在同一个内核线程上 |
# | 用户态线程 | user-level thread | 在用户空间调度的执行流（goroutine 就是一种） |
# | 系统线程 / OS 线程 | OS thread (kernel-scheduled) | 由内核调度的线程（即 M） |
# | 阻塞 | blocking | 一直等到某件事发生；关键在于*谁*在等（goroutine 还是线程） |
# | 系统调用 | system call | 向内核发出的请求；阻塞的系统调用会让线程睡眠 |
# | 网络轮询器 | network poller | 运行时中基于 epoll 的部分，让等待 socket 的 goroutine 挂起 |
# | 上下文切换 | context switch | 让一个 CPU（或一个线程）从一个任务转去执行另一个任务 |
# | 挂起 / 就绪 | park / ready | goroutine 停下来等待某件事 / 重新变为可运行 |
# | 运行队列 | run queue | 等待线程来运行的可运行 goroutine |
# | 调度器 | scheduler | 决定什么在哪里运行的那部分代码 |
# | 处理器 P（逻辑处理器，不是 CPU） | processor (P) | 运行 Go 代码的资格；一共有 `GOMAXPROCS` 个 |
#
# ## 延伸阅读
#
# 建议按以下顺序阅读：
#
# 1. **OSTEP**（《操作系统导论》）[第 33 章“基于事件的并发”](https://pages.cs.wisc.edu/~remzi/OSTEP/threads-events.pdf)：为什么阻塞调用是任何用户态调度器中最难处理的部分。
# 2. Anderson 等人，“Scheduler Activations: Effective Kernel Support for the User-Level Management of Parallelism”，*ACM TOCS* 10(1)，1992，[doi:10.1145/146941.146944](https://doi.org/10.1145/146941.146944)：研究 M:N 模型及其阻塞问题的经典论文。
# 3. Dmitry Vyukov，[Scalable Go Scheduler Design Doc](https://docs.google.com/document/d/1TTj4T2JO42uD5ID9e89oa0sLKhJYD0Y_kqxDv3I3XMw/edit)（2012）：其中讲系统调用的一节，正是 P 以及移交 P 这一做法的由来。
# 4. William Kennedy，[Scheduling In Go, Part II: Go Scheduler](https://www.ardanlabs.com/blog/2018/08/scheduling-in-go-part2.html)（2018）：配有图示，讲解同步和异步的系统调用。
# 5. 《Go 语言设计与实现》[6.5 调度器](https://draveness.me/golang/docs/part3-runtime/ch06-concurrency/golang-goroutine/)。
