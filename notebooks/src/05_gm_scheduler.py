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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# # 05 · Go 1.0 的 GM 调度器，以及它为何无法扩展
#
# Go 最早的调度器只有两类对象：**G**（goroutine）和 **M**（操作系统线程）。它简单、正确，可一到多核服务器上，就有相当一部分时间耗在争抢同一把锁上。2012 年，Dmitry Vyukov 写下了 *Scalable Go Scheduler Design Doc*，指出了四个问题，也给出了解决办法：引入第三类对象 **P**。
#
# 本讲用 `gk.GM` 重建 Go 1.0 的设计（它是 Go 1.0 中 `src/pkg/runtime/proc.c` 的缩微版，函数沿用原来的 C 函数名），让它与今天的调度器 `gk.GMP` 并排运行，并为四个问题各设计一个实验。

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# ## 学习目标
#
# 学完本讲，你将能够：
#
# 1. 描述 Go 1.0 的调度器：一个全局运行队列、一把锁（`schedlock`）、`mcpu` 与 `mcpumax`、`matchmg` 的交接，以及 `entersyscall`/`exitsyscall` 各做了什么；
# 2. 逐一解释 2012 年那份设计文档提出的四个问题，并在模拟结果中指出体现每个问题的数字；
# 3. 说出 GM → GMP 的改动随哪个版本发布（Go 1.1，2013 年），以及怎样核实这类说法；
# 4. 说明 GMP 设计的哪一部分对应解决了哪一个问题。

# %%
import gmpkit as gk
from gmpkit import facts, plots, predictions, scenarios
from gmpkit.i18n import tr
from gmpkit.checks import Question, answer_boxes, self_check
from gmpkit.widgets import gm

tally = predictions.tally("05_gm_scheduler")   # your predictions in this notebook

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 原文怎么说，哪些地方需要更正
#
# 原文“GMP模型的演进历程”的第 2、3 部分，概括起来是这样说的：
#
# * GM 是“Go1.2之前的调度器实现”，它限制了并发程序的伸缩性。每个 goroutine 对应一个 `G`，而“thread作为物理cpu的存在被抽象为一个结构体M”。goroutine 发起阻塞的系统调用时，运行它的线程也随之阻塞，于是必须再创建或唤醒一个线程；线程按需创建，*活跃*（未阻塞）线程的最大数目即 GOMAXPROCS。
# * GM 的四个问题：(1) 单一全局互斥锁加上集中式的状态，创建、结束、重新调度 goroutine 都要加锁；(2) goroutine 在 M 之间传递，带来额外的延迟和开销；(3) 每个 M 都持有一份内存缓存（`M.mcache`，最多 2 MB），哪怕它正停在系统调用里，而停在系统调用里的 M 与运行 Go 代码的 M 之比可达 100 : 1，缓存的局部性也很差；(4) 系统调用前后，线程频繁地阻塞、解除阻塞。原文还补充说，找不到 G 的 M 会反复阻塞、唤醒，以检查有没有新的工作。
#
# 这些大体与设计文档一致，但有四处需要更正：
#
# * **M 是线程，不是 CPU。** `struct M`（Go 1.0）和 `type m struct`（现在）描述的都是一个**操作系统线程**：它自己的栈（`g0`）、信号状态、正在运行的 G（`curg`）。其中没有任何字段代表物理 CPU，运行时中 M 的数量也可以远多于 CPU（每个阻塞在系统调用中的 goroutine 各占一个）。线程在哪个 CPU 上运行，由内核决定。真正限制同时运行 Go 代码的线程数的，是一张*许可证*：Go 1.0 中是计数器 `mcpu`/`mcpumax`（见下文），从 Go 1.1 起则是持有 GOMAXPROCS 个 **P** 中的一个。运行时自己的文件头注释也是这么写的（下面从本机的 `proc.go` 中打印出来）。
# * **版本。** 基于 P 的调度器随 **Go 1.1**（2013 年 5 月）发布，而不是 1.2。证据如下：Go wiki 的 *DesignDocuments* 页面把“Scalable Scheduler”归在 **Go 1.1** 名下；Vyukov 的提交“runtime: improved scheduler”于 2013 年 3 月合入开发主线，早于 1.1 发布；Go 1.1 的发布说明称这一版以性能为重点，同期的文章（例如 Morsing 2013 年 6 月的“The Go scheduler”）也把新调度器列为 Go 1.1 的重要特性之一。**Go 1.2** 带来的是函数入口处的*抢占*（“Preemptive Scheduler”设计文档归在 1.2 名下），这大概就是混淆的来源。所以说，GM 只是 Go 1.0.x 的调度器。
# * **空闲线程并不轮询。** 在 Go 1.0 中，无事可做的 M 会在自己的 note 上睡眠（`nextgandunlock` → `mput` → `notesleep`），直到 `matchmg` 交给它一个 G 才醒来。问题 4 中的线程颠簸来自*系统调用路径和交接路径*，而不是某个轮询循环：实验 4 会统计线程每次休眠都是从哪里来的。
# * **并非每次系统调用都要加锁。** `entersyscall` 和 `exitsyscall` 先尝试对存放 `mcpu` 和 `mcpumax` 的那个字做一次原子更新；只有在有 goroutine 等着运行（要把其中一个交给另一个 M）、或者返回的 goroutine 发现所有名额都已占满时，才去拿 `schedlock`。其余操作，包括 `go` 语句、每一次唤醒、每一次阻塞、让出和退出，都确实要拿这把锁。

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
print(tr("proc.go: an M is a worker thread; a P is what a thread needs to execute Go code"))

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 一张图看懂 Go 1.0 的设计
#
# * **`sched`**：整个程序只有一个这样的结构体，由 **`schedlock`** 保护。它里面有运行队列（`ghead`…`gtail`，先进先出）、空闲 M 链表（`mhead`）、G 的空闲链表，以及两个计数器：**`mcpu`**（正在运行 Go 代码的 M 数）和 **`mcpumax`**（= GOMAXPROCS，Go 1.0 中默认为 **1**）。
# * **`schedule`**（在 M 的 g0 栈上持锁执行）：为刚停下来的 G 做 `mcpu--`，把它重新入队（`Gosched`）或者丢掉（退出或阻塞），然后调用 **`nextgandunlock`**：如果 `m->nextg` 里有交接来的 G，就运行它；否则如果 `mcpu < mcpumax`（`canaddmcpu`），就从队列里取一个；再不行就让 M 休眠。
# * **`ready`** → `readylocked` → `gput` + **`matchmg`**：只要还有 G 在等、又有空闲名额，就把队首的 G 和一个空闲 M（`mget`）配成一对，没有空闲 M 就**新建**一个（`newm`，*在持锁期间*创建），再通过 `m->nextg` 把 G 交给它（`mnextg`），并唤醒这个线程。
# * **系统调用**：`entersyscall` 执行 `mcpu--`（如果有 G 在等，还会调用 `matchmg`，这可能会新建线程）；`exitsyscall` 执行 `mcpu++`，如果因此超过了 `mcpumax`，就把 G 放回全局运行队列，让 M 经由 `schedule` 去睡眠。
# * 没有抢占，也没有 sysmon；内存缓存（`mcache` 和栈缓存）归各个 M 所有。
#
# 下面是模型运行到 120 µs 时的快照：GOMAXPROCS = 2，12 个 goroutine 一起启动，每个先计算，再做一次 200 µs 的系统调用，然后再计算。

# %%
sim = scenarios.syscall_storm(goroutines=12, syscall_us=200, compute_us=50).simulation(
    gk.GM(procs=2), seed=1)
sim.run(until=120_000)
snap = sim.snapshot()
print(tr("global run queue: {queue}", queue=snap["global"]))
print(tr("mcpu = {mcpu} of mcpumax = {mcpumax}; schedlock held by M{owner}, "
         "{asleep} M asleep in futex waiting for it", mcpu=snap["mcpu"], mcpumax=snap["mcpumax"],
         owner=snap["schedlock"]["owner"], asleep=len(snap["schedlock"]["sleeping"])))
for m in snap["ms"]:
    print(f"  M{m['id']}: {m['state']:9s} G{m['g']}" + (tr(" (handed G{g} in m->nextg)", g=m["nextg"]) if m["nextg"] else ""))
fig = plots.gmp_diagram(snap)

# %%
fig

# %% [markdown] lang="en"
# One queue, one padlock: every M that wants to schedule anything must take it. Here M1 holds
# `schedlock`, M0 waits for it asleep in `futex` (hatched, "lock-wait"), and M2 has just been
# handed G4 by `matchmg` and is being woken.

# %% [markdown] lang="zh"
# 一个队列，一把锁：任何 M 想调度任何东西，都得先拿到这把锁。图中 M1 持有 `schedlock`，M0 在 `futex` 里睡眠等锁（斜线阴影，“等锁”），M2 刚从 `matchmg` 手里接过 G4，正在被唤醒。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 问题 1：一把全局锁
#
# 每一条 `go` 语句、每一次从 channel 上唤醒、每一次阻塞和退出，都要拿 `schedlock`。只有一两个 M 时，这把锁通常是空闲的；M 一多，它们就得排队等锁：每个 M 先自旋一小会儿（Go 1.0 `lock_futex.c` 中的 `runtime·lock`：几轮 `PAUSE`，一次 `sched_yield`），然后在 `futex` 里睡眠，而每次释放锁都要唤醒一个睡眠者。调度的关键路径上因此夹杂了一次次进出内核的往返。设计文档提到一台服务器：**8 核上 CPU 占用 70%，其中 14% 的 profile 落在 `runtime.futex` 上**。
#
# ### 实验 1：吞吐量与 GOMAXPROCS
#
# `scenarios.lock_heavy`：`main` 通过一个带缓冲的 channel 给 16 个工作 goroutine 派发小任务（每个任务 20 µs 的工作量），共 4 轮；每个任务都包含一次发送、一次唤醒、一次阻塞和一次回复，全是调度操作。GOMAXPROCS 取 1、2、4、8、16。滑块设定每次调度操作持有 `schedlock` 的时长（即模型的 `schedlock_hold_ns`）。复选框：Go 1.0 在 `matchmg` 内部、*持锁期间*创建新线程（`newm` → `clone`）；取消勾选后，创建线程不再花费时间，就能单独看到锁本身的影响。
#
# **先预测**：GOMAXPROCS 为 16 时，GM 比 GOMAXPROCS 为 4 时更快、一样快，还是更慢？GMP 呢？再取消勾选复选框：GM 的开销里有多少来自启动新线程？

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

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 在默认持锁时长下，GM 一直到 16 个处理器都还在变快，但每多一个处理器，收益就少一点：处理器时间中用于运行 goroutine 代码的比例稳步下降，越来越多的时间花在交接上（唤醒空闲线程），到 16 个时还要加上等待 `schedlock`。GMP 的曲线在这段短时间的运行里趋于平缓，是因为启动线程（每个几十微秒）在一个不到 1 ms 的负载里占了很大一块；取消勾选复选框，GMP 也会继续上升。
# * **把持锁时长拖到 2 µs。** 这时 GM 在 GOMAXPROCS = 8 之后就不再扩展，等待 `schedlock` 的时间占到处理器时间的 10% 以上，而且核越多占比越高。这正是设计文档里那台服务器（8 核上 CPU 占用 70%，14% 的 profile 落在 `runtime.futex`）背后的机制。文档中的负载和硬件与这里不同，所以数字不能一一对照。两者体现的都是问题 1：*一把锁下的集中式状态*。
# * **取消勾选复选框。** Go 1.0 在 `matchmg` 里持锁创建新线程，但持锁的只是 `clone()` 调用本身（几微秒）；新线程要在几十微秒之后才自行启动，然后和其他线程一样排队等锁。创建线程不花时间时，GM 能扩展得更远：在这段短时间的运行里，启动线程是它开销中实实在在的一部分。
# * 在这个负载上，模型里的 GM 在 16 个处理器时甚至跑赢了 GMP。不要对此过度解读：模型没有为问题 2 中变冷的缓存计入任何代价，而且其中等锁的线程自旋时不会从别人那里抢走 CPU（参见下文“模型简化了什么”）。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 问题 2：goroutine 在线程之间传来传去
#
# 当一个 goroutine 唤醒另一个（一次 channel 发送、一次解锁）时，Go 1.0 会把被唤醒的 G 放进全局运行队列，再由 `matchmg` 交给一个**空闲**的 M，而不是交给唤醒它的那个 M，尽管后者的缓存里正放着刚发送的数据。这要多付出一次线程唤醒（延迟），数据还得搬到另一个核上（局部性）。设计文档的解决办法是：被唤醒的 G 留在唤醒者的 P 上；如今它会进入该 P 的 **`runnext`** 槽位（Go 1.5 起），接着就在同一个线程上运行。
#
# ### 实验 2：被唤醒的 goroutine 在哪里运行？
#
# 两个 goroutine 打乒乓（100 个回合，每回合 2 µs 的工作）；或者换成一个工作池（`lock_heavy`）。被唤醒或新建的 G 如果没有在唤醒（或创建）它的那个 G 所在的线程上运行，图表就记一次**远程唤醒**；一个 G 恢复运行时如果换了线程，就记一次**迁移**。GM 自己统计这些次数；对 GMP，则从外部（`gm.tracked`）在相同的位置加上同样的计数器。
#
# **先预测**：GOMAXPROCS = 4 的乒乓中，GM 下有多大比例的唤醒是远程唤醒？GMP 下呢？哪一个更频繁地唤醒正在睡眠的线程？

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

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 在 GM 下，每一次交接都要经过 `matchmg`：被唤醒的 goroutine 交给了*另一个*线程，而这个线程得先从 `futex` 中被唤醒。乒乓中每传一条消息就要付出一次线程唤醒，数据也总在换核。
# * 在 GMP 下，被唤醒的 goroutine 落在唤醒者所在 P 的 `runnext` 里，唤醒者一阻塞，它就在同一个线程上运行：这对 goroutine 就在一个 P 上来回打乒乓。GMP 偶尔也会唤醒空闲线程（goroutine 变为可运行而又有 P 空闲时，`wakep` 会启动一个自旋的 M；它找不到可窃取的工作，便又休眠），但 goroutine 本身始终留在原处。
# * 切换到**工作池**：GMP 的比例不再是零。空闲的 P 会*窃取*工作，这同样会让 goroutine 在线程之间移动。不过，只有 P 无事可做时才会发生窃取；而 GM 每一次唤醒都在移动 goroutine。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 问题 3：每个线程都有一份内存缓存
#
# Go 的内存分配器给每个线程一份空闲内存块的缓存（`mcache`），这样小对象分配就无须加锁。在 Go 1.0 中，它属于 **M**，而 M 从不销毁。一个阻塞在系统调用里的 M 根本不分配内存，却照样占着自己的缓存（按设计文档的说法最多 2 MB）；又因为每个阻塞的系统调用都需要一个自己的 M，在大量进行阻塞调用的程序中，处在系统调用里的 M 远多于运行 Go 代码的 M，设计文档提到的比例是 100 : 1。Go 1.1 把 mcache 挪到了 **P** 上：不管有多少线程，缓存都只有 GOMAXPROCS 份。
#
# ### 实验 3：停在系统调用里的线程占用的缓存
#
# `scenarios.syscall_storm`：N 个 goroutine 各自先计算 50 µs，再做一次 1 ms 的阻塞系统调用，然后再计算 50 µs；GOMAXPROCS = 4。
#
# **先预测**：16 个 goroutine 同时处在系统调用中时，GM 占用多少 MiB 的 mcache？GMP 占用多少？GMP 又会创建多少个线程？

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

# %% [markdown] lang="en"
# **What to notice:**
#
# * GM's line grows by one cache per blocked goroutine, and almost all of it sits on threads that
#   are doing nothing but wait for the kernel.
# * GMP creates **as many threads** (a blocked syscall needs its thread in both designs) — but the
#   caches belong to the Ps, so the memory stays at GOMAXPROCS × 2 MiB.
# * The doc's other point, locality, is problem 2 again: a G that keeps changing Ms keeps
#   finding a cold cache.

# %% [markdown] lang="zh"
# **观察要点**：
#
# * GM 的那条线每多一个阻塞的 goroutine 就多一份缓存，而且几乎全都挂在只是干等内核返回的线程上。
# * GMP 创建的线程**一样多**（两种设计中，阻塞的系统调用都要占住自己的线程），但缓存属于 P，所以内存始终是 GOMAXPROCS × 2 MiB。
# * 设计文档提到的另一点，局部性，其实又回到了问题 2：一个不断更换 M 的 G，总是碰上冷的缓存。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 问题 4：系统调用前后线程反复休眠、唤醒
#
# 在 Go 1.0 中，每次系统调用都会让出自己的名额（`entersyscall`：`mcpu--`）；如果有 goroutine 在等，`matchmg` 会唤醒（或创建）另一个 M 去运行其中一个。系统调用返回时，如果名额又全被占满（`exitsyscall`：`mcpu++ > mcpumax`），这个 goroutine 就回到全局运行队列，它的 M 则去睡眠。于是一次很短的系统调用也要付出两次线程状态切换，每次都是一次 `futex` 调用加一次内核切换。GMP 的 `entersyscall` **保留 P**：如果系统调用在一个 `sysmon` 周期内返回，P 就根本不会被移交；只有较长的系统调用，其 P 才会被收回（`retake` → `handoffp`，条件是这个 P 上有工作，或者别处再没有空闲的 P 或自旋的 M；完整规则见第 6 讲）。断言单元格会打印出模型在本机上的周期。
#
# ### 实验 4：每次系统调用引起的休眠和唤醒
#
# 8 个 goroutine 各循环 10 次：计算 20 µs，然后做一次阻塞的系统调用。GOMAXPROCS = 4。左图：所选系统调用时长下的各项计数。右图：不同系统调用时长下，每 100 次系统调用中线程休眠的次数。
#
# **先预测**：系统调用为 10 µs 时，在这 80 次系统调用中，GM 会让线程睡眠多少次？GMP 呢？再把滑块拖到 100 µs：GMP 还能避免线程休眠吗？

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

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 系统调用很短时，GM 大多数时候都要让一个线程休眠：几乎每次返回都发现名额已被占满（`exitsyscall_requeues`），它的线程只好去睡眠，而此前为了填补名额，另一个线程刚被唤醒。GMP 几乎不让线程休眠：P 在原地等着自己的线程。
# * 超过 sysmon 的周期（虚线）之后，情况就变了：如果还有别的工作，GMP 会收回长系统调用的 P，返回的线程常常找不到 P，只能休眠。对于长达好几个周期的系统调用，模型中的 GMP 让线程休眠甚至比 GM *更*频繁（断言单元格会打印 GMP 最差的那个点）。所以 GMP 并没有消除问题 4：它让长系统调用付出线程颠簸的代价，换来 P 从不闲置。这笔代价每次*长*系统调用只付一次，几微秒的唤醒开销与调用本身相比微不足道。
# * GM 的曲线在长系统调用处下降，是因为同时待在内核里的 goroutine 太多，返回的 goroutine 通常都能找到空闲名额。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## How GMP answered the four problems (Go 1.1, refined through 1.5)
#
# | problem | GMP's answer | where to see it |
# |---|---|---|
# | 1. one global lock | per-P run queues (Go 1.1: one small lock per P; a lock-free 256-slot ring since Go 1.3); the global queue is a fallback, checked every 61st tick since Go 1.2 | notebook 06 |
# | 2. G hand-off | the woken G goes to the waker's P (in its `runnext` slot, Go 1.5); idle Ps *steal* half a queue | experiment 2, notebook 06 |
# | 3. per-M mcache | the mcache moved to the P | experiment 3 |
# | 4. thread churn | `entersyscall` keeps the P; `sysmon` retakes it only after a tick; spinning Ms limit wake-ups. This fixes churn for short syscalls; long ones still park and wake threads | experiment 4, notebooks 06 and 07 |

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## GMP 如何回应这四个问题（Go 1.1 引入，至 1.5 逐步完善）
#
# | 问题 | GMP 的解法 | 在哪里看到 |
# |---|---|---|
# | 1. 一把全局锁 | 每个 P 有自己的运行队列（Go 1.1：每个 P 一把小锁；Go 1.3 起是一个 256 个槽位的无锁环形队列）；全局运行队列只是后备，Go 1.2 起每 61 次调度检查一次 | 第 6 讲 |
# | 2. G 的交接 | 被唤醒的 G 进入唤醒者的 P（放在它的 `runnext` 槽位，Go 1.5）；空闲的 P 会*窃取*别人一半的队列 | 实验 2，第 6 讲 |
# | 3. 每个 M 一份 mcache | mcache 挪到了 P 上 | 实验 3 |
# | 4. 线程颠簸 | `entersyscall` 保留 P；`sysmon` 过一个周期才会收回它；自旋线程限制了唤醒次数。这解决了短系统调用的问题；长系统调用仍会让线程休眠再唤醒 | 实验 4，第 6、7 讲 |

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# ## 小结
#
# * Go 1.0 的调度器（GM）把一切都放在一个 `sched` 结构体里，由一把锁保护：一个先进先出的全局运行队列、空闲的 M，以及限制同时运行 Go 代码的 M 数的 `mcpu`/`mcpumax`。
# * 它**只是 Go 1.0.x** 的调度器：GMP 随 **Go 1.1**（2013 年）发布；Go 1.2 加入了抢占。
# * Vyukov 指出的四个问题，在模型中是这样体现的：(1) 每多一个处理器，收益就少一点；持锁时间再长一些，吞吐量就不再增长，因为越来越多的时间花在等待 `schedlock` 上；(2) 被唤醒的 goroutine 在另一个线程上运行，而这个线程得先被唤醒；(3) 每个处在系统调用中的线程都占着自己的 mcache（按设计文档的说法最多 2 MB；模型按 2 MiB 计）；(4) 短系统调用也会让线程休眠再唤醒。
# * GMP 的 P 接管了 GM 原先放在全局或放在每个线程上的东西：运行队列、mcache，以及运行 Go 代码的权利。
#
# ## 自测
#
# 把每个 `...` 换成你的答案，然后运行这个单元格。只有在你检查时，才会计算预期答案（由模型算出，或取自上文本机的测量结果），并附上理由。更喜欢输入框和按钮？用下面的小部件：它的**显示全部答案**按钮会计算并解释每一个答案，还会显示你在本讲中的预测答对了几个（可以保存为 JSON）。

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
q1 = Question("05-gm-ms-syscalls",
              {"en": "With GM and GOMAXPROCS=4, how many Ms does Go 1.0 create for "
                     "`scenarios.syscall_storm(goroutines=8)` (8 goroutines, each one 1 ms syscall)?",
               "zh": "GM 调度器、GOMAXPROCS=4 时，对 `scenarios.syscall_storm(goroutines=8)`"
                     "（8 个 goroutine，每个做一次 1 ms 的系统调用），Go 1.0 会创建多少个 M？"},
              answer=lambda: scenarios.syscall_storm(goroutines=8).run(gk.GM(procs=4), seed=1)
                             .stats["ms"],
              explain=lambda e: {
                  "en": f"{e}: one M per goroutine blocked in a syscall (each holds its "
                        "thread). main waits in wg.Wait, which needs no thread, so M0 runs "
                        "one of the workers. matchmg creates an M whenever a slot frees up "
                        "and no idle M exists.",
                  "zh": f"{e}：每个阻塞在系统调用中的 goroutine 各占一个 M（它占着自己的线程）。"
                        "main 在 wg.Wait 中等待，不需要线程，所以 M0 也去运行了一个工作 goroutine。"
                        "每当有名额空出来、又没有空闲的 M 时，matchmg 就会新建一个 M。"})
q2 = Question("05-gm-mcache-mib",
              {"en": "In experiment 3 with 32 goroutines in syscalls (GOMAXPROCS=4), how many MiB of "
                     "mcache do GM's Ms hold in total?",
               "zh": "实验 3 中，如果有 32 个 goroutine 处在系统调用中（GOMAXPROCS=4），"
                     "GM 的所有 M 一共占用多少 MiB 的 mcache？"},
              answer=lambda: gm.mcache(32, 4)["here"]["gm_mcache"] // (1024 * 1024),
              explain=lambda e: {
                  "en": f"{e} MiB = {e // 2} Ms x 2 MiB. GM creates an M whenever a "
                        "goroutine blocks and no idle M is left, and never frees it. Not "
                        "all 32 are in the kernel at the same moment (the first return "
                        "before the last enter), so fewer than 33 Ms are needed. GMP "
                        "holds 4 x 2 = 8 MiB.",
                  "zh": f"{e} MiB = {e // 2} 个 M × 2 MiB。每当有 goroutine 阻塞、又没有空闲的 M "
                        "可用时，GM 就新建一个 M，而且从不释放。这 32 个 goroutine 并不是同时都在"
                        "内核里（第一个返回时，最后一个还没进入），所以需要的 M 少于 33 个。"
                        "GMP 只占 4 × 2 = 8 MiB。"})
q3 = Question("05-gmp-version",
              {"en": "Which Go release first shipped the P-based (GMP) scheduler? Answer like \"1.1\".",
               "zh": "哪个 Go 版本最先发布了基于 P 的（GMP）调度器？请按“1.1”这样的格式作答。"},
              answer=lambda: "1.1",
              explain=lambda e: {
                  "en": f"Go {e} (May 2013). The Go wiki lists the Scalable Scheduler design "
                        "under Go 1.1; Go 1.2 added preemption, not the P.",
                  "zh": f"Go {e}（2013 年 5 月）。Go wiki 把 Scalable Scheduler 设计文档归在 "
                        "Go 1.1 名下；Go 1.2 加入的是抢占，而不是 P。"})
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

# %% [markdown] lang="en"
# ## What the models simplify
#
# Not a simplification, but easy to miss: Go 1.0's timers were run by an ordinary goroutine,
# `timerproc`, which needs a free CPU slot like any other. Goroutines that never block hold back
# every `time.Sleep` in the program: a sleeper is woken only once `timerproc` gets a slot, behind
# everything queued meanwhile. The model has that goroutine too (it shows up as `timerproc`).

# %% [markdown] lang="zh"
# ## 模型简化了什么
#
# 这一点并不是简化，只是容易被忽略：Go 1.0 的定时器由一个普通的 goroutine `timerproc` 驱动，它和其他 goroutine 一样，需要一个空闲的 CPU 名额才能运行。从不阻塞的 goroutine 会拖住程序里的每一个 `time.Sleep`：只有等 `timerproc` 拿到名额，睡眠者才会被唤醒，而它前面还排着这期间入队的所有 goroutine。模型中也有这个 goroutine（显示为 `timerproc`）。

# %%
for model in (gk.GM, gk.GMP):
    print(f"{tr(model.name)}:")
    for line in model.SIMPLIFIES:
        print(f"  - {tr(line)}")

# %% [markdown] lang="en"
# ## Glossary
#
# | English | 中文 | meaning here |
# |---|---|---|
# | scheduler | 调度器 | the runtime code that decides which goroutine runs on which thread |
# | GM scheduler | GM 调度器 | Go 1.0's scheduler: goroutines (G) and threads (M), nothing else |
# | global run queue | 全局运行队列 | the one FIFO queue of runnable goroutines (`sched.ghead`) |
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
# | local run queue | 本地运行队列 | a P's own queue of runnable goroutines |
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

# %% [markdown] lang="zh"
# ## 术语表
#
# | 中文 | English | 含义 |
# |---|---|---|
# | 调度器 | scheduler | 运行时中决定哪个 goroutine 在哪个线程上运行的代码 |
# | GM 调度器 | GM scheduler | Go 1.0 的调度器：只有 goroutine（G）和线程（M），别无其他 |
# | 全局运行队列 | global run queue | 唯一一个存放可运行 goroutine 的先进先出队列（`sched.ghead`） |
# | 全局锁 | global lock | `schedlock`，Go 1.0 中每个调度操作都要拿它 |
# | 互斥锁 | mutex | 一次只允许一个线程进入的锁 |
# | 锁竞争 | lock contention | 线程在等待另一个线程持有的锁 |
# | 交接 | hand-off | `matchmg` 通过 `m->nextg` 把一个 goroutine 交给另一个线程（原文称“Goroutine传递”） |
# | 局部性 | locality | 在数据已经所在的地方（那个核的缓存里）运行 |
# | 内存缓存（mcache） | memory cache (mcache) | 每个 M（Go 1.0）或每个 P（Go 1.1 起）一份的空闲内存缓存 |
# | 系统调用 | system call | 向内核发出的请求；阻塞的系统调用会连带占住它的线程 |
# | 线程阻塞 / 唤醒 | thread block / wake-up | 线程在 `futex` 中睡眠 / 被另一个线程唤醒 |
# | 上下文切换 | context switch | 内核让一个 CPU 从一个线程换到另一个线程上 |
# | 阻塞 | blocking | 等待：连同线程一起等（系统调用），或者不占线程（channel、网络） |
# | 处理器 P（逻辑处理器，不是 CPU） | processor (P) | Go 1.1 的解法：运行 Go 代码的权利，带有自己的运行队列和 mcache |
# | 本地运行队列 | local run queue | 一个 P 自己的可运行 goroutine 队列 |
#
# ## 延伸阅读
#
# 建议按以下顺序阅读：
#
# 1. Dmitry Vyukov，[Scalable Go Scheduler Design Doc](https://docs.google.com/document/d/1TTj4T2JO42uD5ID9e89oa0sLKhJYD0Y_kqxDv3I3XMw/edit)（2012），“Current Problems”一节：本讲测量的 Go 1.0 调度器的四个问题，出自亲手解决它们的人笔下。
# 2. Go 1.0 调度器的源码本身：[go1.0.3 的 src/pkg/runtime/proc.c](https://github.com/golang/go/blob/go1.0.3/src/pkg/runtime/proc.c)（`schedule`、`nextgandunlock`、`matchmg`、`entersyscall`），篇幅不长，可读性很好。
# 3. [Go 1.1 发布说明](https://go.dev/doc/go1.1)：正是这个版本发布了新调度器（“the focus is on performance”）。
# 4. Daniel Morsing，[The Go scheduler](https://morsmachine.dk/go-scheduler)（2013）：调度器改版后不久对 G、M、P 的介绍。
# 5. [《Go 语言原本》](https://golang.design/under-the-hood/zh-cn/)的调度器一章，讲了从 GM 到 GMP 的演变。
