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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# # 06 · GMP 调度器（上）：P、本地运行队列、工作窃取与自旋
#
# 第 5 讲展示了 Go 1.0 的调度器如何被一把全局锁卡住。本讲拆解它的继任者，即 Go 从 **1.1** 起一直沿用的 **G-M-P** 调度器：**P** 是什么，可运行的 goroutine 在哪里等待，谁在什么时候去找活干。goroutine 阻塞在内核里、或者拒不让出 CPU 时会发生什么，留到第 7 讲。
#
# 所有实验都运行在 `gk.GMP` 上。它是 `runtime/proc.go` 的缩微版，函数名与运行时一致（`schedule`、`findRunnable`、`runqput`、`stealWork`、`retake` ……）。每次运行都固定了随机种子，你看到的数字正是断言单元格所检查的数字。

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# ## 学习目标
#
# 学完本讲，你将能够：
#
# 1. 说出 **G**、**M**、**P** 三类对象对应的运行时结构体（`runtime2.go` 中的 `g`、`m`、`p`），以及各自拥有什么；
# 2. 按顺序说出 `findRunnable` 依次去哪里找活，并解释“**61 次中有 1 次**”先查全局运行队列的规则；
# 3. 预测新建的 goroutine 会放在哪里（`runnext`、256 个槽位的环形队列、全局运行队列），以及环形队列满时 `runqputslow` 搬走多少个 G（**129** 个）；
# 4. 解释**工作窃取**（取一半，向上取整），以及为什么只有少数几个 M 会**自旋**；
# 5. 用证据纠正原文的两处说法（另外两处留到第 7 讲）。

# %%
from gmpkit import facts, predictions
from gmpkit.i18n import tr
from gmpkit.checks import Question, answer_boxes, self_check
from gmpkit.models import gmp as gmp_model
from gmpkit.widgets import gmp

tally = predictions.tally("06_gmp_queues")   # your predictions in this notebook

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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
# `debug.SetMaxStack` changes it. A goroutine that needs more takes the whole program down: the
# runtime prints "goroutine stack exceeds 1000000000-byte limit" and throws "fatal error: stack
# overflow", which `recover` cannot catch. And their *number* is limited by memory: every goroutine
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## G、M 和 P：从运行时自己的结构体说起
#
# 原文“GMP概念”部分介绍了 G、M、P。下面是运行时对它们的声明（`runtime/runtime2.go`，节选部分字段，读自本机安装的 Go）。
#
# * **G：`type g struct`**，即一个 goroutine。主要字段有 `stack`（一个 `[lo, hi)` 区间，初始 2 KiB）、`stackguard0`（栈溢出检查，同时兼作**抢占**标志）、`sched`（保存的寄存器，用来恢复执行）、`atomicstatus`（可运行、运行中、系统调用中、等待中……），以及它运行期间所在的 `m`。
# * **M：`type m struct`**，即一个操作系统线程。`curg` 是它正在运行的 goroutine，`p` 是它持有的 P，`oldp` 是它进入系统调用之前持有的 P，`spinning` 表示它是否没活可干、正在找活。M **只有持有 P 时**才能运行 Go 代码。
# * **P：`type p struct`**，即一个*处理器*。它不是 CPU，而是一张**运行 Go 代码的许可证**，外加每个处理器自己的调度状态：`runnext`（一个槽位）、`runq`（256 个槽位的环形队列，配有 `runqhead` 和 `runqtail`）、`schedtick`、`syscalltick`，以及 `mcache`（内存分配缓存，Go 1.0 中它属于 M）。P 的数量恰好是 `GOMAXPROCS` 个。
#
# **原文对 G 和 M 的描述及更正**
#
# > G: goroutine的缩写，每次go func()都代表一个G，无限制。
#
# **并非“无限制”。** 每个 goroutine 的栈可以增长（靠拷贝，见第 3 讲），但最多只能长到 `maxstacksize`，`runtime.main` 把它设为 **64 位系统上 1 GB**（32 位系统上 250 MB）；这个上限可以用 `debug.SetMaxStack` 修改。一旦某个 goroutine 的栈要超出上限，整个程序都会崩溃：运行时先打印 "goroutine stack exceeds 1000000000-byte limit"，再抛出 `recover` 也拦不住的 "fatal error: stack overflow"。goroutine 的*数量*也受内存限制：每个 goroutine 至少占着 2 KiB 的栈和它的 `g`（第 3 讲测量了总量），所以一百万个 goroutine 需要以 GB 计的内存（下面会算出来）。运行时本身不限制 goroutine 的数量，但内存会。
#
# > M: … 当指定了线程栈，则M.stack->G.stack，M的pc寄存器指向G提供的函数，然后去执行。
#
# **M 并没有接管 G 的栈，而是切换到 G 的栈上。** 每个 M 都有自己的 goroutine `g0`，其栈是线程的*调度*栈：`schedule`、`findRunnable` 和 `execute` 都在这个栈上运行。要运行一个 G，`execute` 先设置 `m.curg = gp`，再调用 `gogo(&gp.sched)`。这是一段汇编例程，它把 **G 的 `gobuf` 中保存的栈指针和程序计数器**（连同 `g`、`ctxt`、`bp`）装进 CPU 的寄存器。此后，线程就在 G 的栈上、从 G 保存的位置继续运行：对新 G 来说是它函数的开头，对恢复运行的 G 来说是它上次停下的地方。G 阻塞时，`mcall` 把 SP 和 PC 存回 `gp.sched`，并切换到 `g0` 的栈。证据如下，取自本机的运行时：

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
        (tr("stack limit"), gmp.runtime_excerpt("main", keep=[r"Max stack size", r"PtrSize == 8",
                                                               r"maxstacksize = "])),
        (tr("each M's own stack"), gmp.struct_fields("m", {"g0", "curg"})),
        (tr("what gogo loads"), gmp.struct_fields("gobuf", {"sp", "pc", "g", "ctxt", "lr", "bp"})),
        (tr("the switch"), gmp.runtime_excerpt("execute", keep=[r"curg = gp", r"gogo\("]))):
    print(f"--- {what}: {header}")
    print(text, end="\n\n")
from gmpkit.real.measure import load_recorded
_, main_src, _ = gmp.runtime_excerpt("main", keep=[r"maxstacksize = "])
max_stack = int(main_src.split("maxstacksize = ")[1].split()[0])
per_g = load_recorded().median("go.mem.sys_per_g")        # bytes per blocked goroutine
print(tr("a goroutine's stack stops at maxstacksize = {max_stack:,} bytes on 64-bit", max_stack=max_stack))
print(tr("a million blocked goroutines need about {gib:.1f} GiB ({per_g:.0f} B each, "
         "the recorded memblocked measurement): memory limits the count", gib=per_g * 1e6 / 2**30, per_g=per_g))
print(tr("each M has its own g0 (scheduling stack); execute -> gogo(&gp.sched) loads the G's saved SP and PC"))

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
_, m_src, _ = gmp.struct_fields("m", {"g0"})
_, gobuf, _ = gmp.struct_fields("gobuf", {"sp", "pc"})
_, ex, _ = gmp.runtime_excerpt("execute", keep=[r"gogo\("])
assert max_stack == 10**9 and "g0" in m_src and "sp" in gobuf and "pc" in gobuf
assert "gogo(&gp.sched)" in ex and per_g > 2048

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## Where an M looks for work: `findRunnable`, in order
#
# `schedule()` calls `findRunnable()` each time an M needs a goroutine. The list below is
# printed **from the model's source**: the comments of `GMP.findRunnable`, in the order its
# code runs them (so it cannot drift from what the experiments execute).
#
# Two details to keep in mind: a G taken from `runnext` **inherits the current time slice**
# (`schedtick` is not incremented), and a G that is preempted or calls `runtime.Gosched` goes
# to the **tail of the global queue**, not back to its P.

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## M 去哪里找活：`findRunnable` 的查找顺序
#
# 每当 M 需要一个 goroutine 时，`schedule()` 就会调用 `findRunnable()`。下面的列表是**从模型的源码中**打印出来的：即 `GMP.findRunnable` 中的注释，按代码执行的顺序排列（所以它不会和实验实际执行的代码脱节）。
#
# 有两个细节要记住：从 `runnext` 取出的 G **继承当前的时间片**（`schedtick` 不递增）；被抢占或调用了 `runtime.Gosched` 的 G 会进入**全局运行队列的队尾**，而不是回到自己的 P。

# %%
for i, step in enumerate(gmp.find_runnable_order(), 1):
    print(f"{i:2d}. {step}")
print(f"\nconstants: GLOBAL_CHECK_EVERY = {gmp_model.GLOBAL_CHECK_EVERY}, "
      f"RUNQ_SIZE = {gmp_model.RUNQ_SIZE}, STEAL_TRIES = {gmp_model.STEAL_TRIES}, "
      f"FORCE_PREEMPT_NS = {gmp_model.FORCE_PREEMPT_NS:,}")

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## What the article says, and what to correct
#
# The article's "GMP调度模型的引入" part says:
#
# > 在这个调度模型中引入了本地队列(local queue)… 每一个M都会在P‘s local queue，global queue或其他P队列中寻找G来执行 …
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 原文怎么说，哪些地方需要更正
#
# 原文“GMP调度模型的引入”部分写道：
#
# > 在这个调度模型中引入了本地队列(local queue)… 每一个M都会在P‘s local queue，global queue或其他P队列中寻找G来执行 …
# > 这里P的本地队列是一个LockFree的队列，窃取G时使用CAS原子操作来完成。
#
# 这些说法是对的，下面的实验会逐一展示。另有三处说法需要更正，还有一处值得强调（最后两处放在第 7 讲）。
#
# **1. “Go1.2之前的调度器实现”。** 其实 GMP 随 **Go 1.1**（2013 年春）发布；最后的 GM 版本是 Go 1.0.x 系列的小版本（最后一个是 2012 年 9 月的 1.0.3）。证据：Go wiki 的 *DesignDocuments* 页面把 Vyukov 的 "Scalable Scheduler" 归在 **Go 1.1** 名下，而把 "Preemptive Scheduler" 归在 Go 1.2 名下。Go 1.2 发布说明中所说的“更好的调度器”（"a better scheduler"）指的是*抢占*（见第 7 讲），它是在 GMP 之上添加的。此外，运行时至今仍用一个以版本命名的短链接 `golang.org/s/go11sched` 引用这份设计文档：下面是本机 Go 安装中 `proc.go` 的文件头。

# %% tags=["nbval-ignore-output"]
try:
    from gmpkit.real.toolchain import find_go
    src = (find_go().goroot / "src" / "runtime" / "proc.go").read_text().splitlines()
    for n, line in enumerate(src[:60], 1):
        if line.startswith("// Goroutine scheduler") or "go11sched" in line or line.startswith("// P - "):
            print(f"proc.go:{n:3d}  {line}")
except Exception as e:     # no Go here: say so
    print(tr("Go is not installed here; recorded from go1.27.3's proc.go, line 35:"))
    print("proc.go: 35  // Design doc at https://golang.org/s/go11sched.")

# %% [markdown] lang="en"
# **2. "LockFree的队列" — what lock-free means here.** Only the P's **owner** ever adds to its
# ring (`runqput`), so adding needs no lock and no CAS: write the slot, then publish it with a
# *store-release* of `runqtail`. Anyone may *take* from the head — the owner (`runqget`) or a
# thief (`runqsteal` → `runqgrab`) — so taking is a **CAS on `runqhead`** that commits the
# claim, retried if another taker got there first. `runnext` is changed by CAS too. The lines
# below are the live ones from this machine's `proc.go` (line numbers drift between releases).
# The *global* queue, by contrast, is protected by `sched.lock`: it is the slow path.

# %% [markdown] lang="zh"
# **2. “LockFree的队列”：这里的无锁是什么意思。** 只有 P 的**拥有者**才会往它的环形队列里添加 G（`runqput`），所以添加既不需要锁，也不需要 CAS：先写入槽位，再以 *store-release* 方式写 `runqtail` 把它发布出去。而从队头*取* G 的可以是任何人，既可能是拥有者（`runqget`），也可能是窃取者（`runqsteal` → `runqgrab`），所以取 G 要对 **`runqhead` 做一次 CAS** 来确认这次领取，如果被另一个取 G 的一方抢先，就重试。`runnext` 同样用 CAS 修改。下面几行是本机 `proc.go` 中的实际代码（行号随版本变化）。相比之下，*全局*运行队列由 `sched.lock` 保护：那是慢速路径。

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

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 实验 1 · 逐帧观察 G-M-P
#
# 这张图画的是模型的一个快照：最上面是全局运行队列；每个 P 的上方是它的 M（旁边标出 M 的状态和当前的 G），下方是它的 `runnext` 槽位和环形队列；没有 P 的 M（在系统调用中、空闲或自旋）放在一个池子里；网络轮询器和定时器上等待的 G 画在最下面。每个 G 画成一个标有编号的圆圈，同一个 G 在各处颜色相同。调度器每做一件事就记录一帧，图上方的一行字说明这一帧发生了什么。
#
# **先预测**：默认负载（`main` 启动 2 个做 400 µs 系统调用的 G、2 个在网络上等待 250 µs 的 G，以及 6 个计算 150 µs 的 G），2 个 P。哪个 P 先运行这些 worker？P1 究竟是怎么拿到活的？P1 上的 G 进入系统调用时，P1 会怎样？

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
from gmpkit.i18n import language
from gmpkit.widgets.animation import captions_in
shown = captions_in(frames["workload"], frames["procs"], language())[first_steal]
assert anim.frame.value == first_steal and shown in anim.summary   # in the learner's language
print(f"{len(frames['snapshots'])} frames; frame {first_steal}:", frames["captions"][first_steal])
retake = next(i for i, ks in enumerate(frames["kinds"]) if "retake" in ks)
print(f"frame {retake}:", frames["captions"][retake])
hogs = gmp.build_frames("tight loops (preemption)", 2)
first_preempt = next(t for t, ks in zip(hogs["times"], hogs["kinds"]) if "preempt" in ks)
assert first_preempt >= facts.force_preempt_ns()
print(f"tight loops on 2 Ps: the first preemption frame is at {facts.fmt(first_preempt)}")

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 每条 `go` 语句都把新 G 放进 **`runnext`**，并把原来的那个推到环形队列里：最新创建的 G 接下来最先运行（它很可能和创建者共享数据，这些数据还在缓存里）。
# * P1 靠**窃取**拿到活：第一条 `go` 语句唤醒了一个线程（`wakep`），它大约 60 µs 后才到位（创建线程很慢），然后拿走了 P0 环形队列中的**一半**。
# * 进入**系统调用**的 G **仍持有它的 P**；sysmon 在接下来几轮巡检中发现了这一点，于是**收回**这个 P，并因为还有排队的工作而把它交给另一个 M（`handoffp`）。线程按需创建：M2、M3、M4 ……（M1 是 sysmon，它从不持有 P）。
# * 网络等待（`netio`）会把 G 挂起在**网络轮询器**上，不阻塞任何线程。
# * M2 还在创建的时候，P1 就画在它下面，并标为**自旋**：`wakep` 已经把 P1 从空闲列表中取出，交给了 M2（`m.nextp`）。M 只有在持有 P 时才会自旋。交给一个尚未运行的线程的 P（在 `handoffp` 之后）标为**已移交**。
# * 试试 2 个 P 下的“紧密循环”负载（*tight loops (preemption)*）：只有等 sysmon 抢占了某个霸占 CPU 的 goroutine，负责定时打点的 goroutine（ticker）才能重新拿回 CPU（下面的单元格会打印出发生的时刻）。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## Experiment 2 · `runnext`, the ring, and overflow to the global queue
#
# `runqput` puts a new G in `runnext`; the old `runnext` goes to the ring's tail. When the ring
# (256 slots) is full, `runqputslow` moves the **first half of the ring (128) plus the G being
# added — 129 Gs** — to the global queue in one batch, under `sched.lock`. One P here, so no
# other P steals meanwhile.
#
# **Predict first:** one G runs 300 `go` statements in a row. How many Gs end up in the global
# queue? And with 600?

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 实验 2 · `runnext`、环形队列，以及溢出到全局运行队列
#
# `runqput` 把新 G 放进 `runnext`；原来在 `runnext` 里的 G 移到环形队列的队尾。环形队列（256 个槽位）满了时，`runqputslow` 会把**环形队列的前一半（128 个）加上正在添加的那个 G，共 129 个 G**，在 `sched.lock` 保护下一次性批量移到全局运行队列。这里只有一个 P，所以期间没有别的 P 来窃取。
#
# **先预测**：一个 G 连续执行 300 条 `go` 语句。最后全局运行队列里有多少个 G？600 条呢？

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

# %% [markdown] lang="en"
# **What to notice:**
#
# * The first 257 Gs fit (256 in the ring + 1 in `runnext`); the 258th `go` statement moves
#   129 at once. After that the ring has room for 128 more before the next overflow, so the
#   ring saw-tooths between 128 and 256 and the global queue climbs in steps of exactly 129.
# * Moving half is what keeps the lock rare: one `sched.lock` per 128 `go` statements, not one
#   per statement (Go 1.0 took the lock for every one).

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 前 257 个 G 都放得下（环形队列 256 个，加上 `runnext` 1 个）；第 258 条 `go` 语句一次搬走 129 个。此后环形队列还能再放 128 个，然后才会再次溢出，所以环形队列的长度在 128 和 256 之间呈锯齿状变化，全局运行队列则以恰好 129 为台阶逐级上升。
# * 一次搬走一半，正是让加锁变得罕见的关键：每 128 条 `go` 语句才拿一次 `sched.lock`，而不是每条都拿（Go 1.0 每条都要加锁）。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 实验 3 · 61 次中有 1 次：全局运行队列不会被饿死
#
# 本地的工作优先于全局的工作。那么，是什么阻止一个忙碌的 P 永远不理睬全局运行队列呢？是 `findRunnable` 的第一项检查：当 `schedtick % 61 == 0` 时，先从全局运行队列取**一个** G，再去看本地。这里有一个 G（*让出者*）调用四次 `runtime.Gosched`，每次它都进入**全局**运行队列的队尾，而 P0 的本地环形队列里排着许多短小的 G。
#
# **先预测**：本地环形队列里有 200 个 G 排在它前面，让出者再次运行之前，其中有多少个会先运行？

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

# %% [markdown] lang="en"
# **What to notice:**
#
# * While the ring is long, the yielder runs every **61st** schedtick: 60 local Gs, then it.
#   It does not wait for the 200. (The first gap is one shorter: P0's `schedtick` was already
#   1 when the yielder first ran, because real Go runs its own goroutines before `main`.)
#   61 is prime, so the check does not fall into step with a workload's own period.
# * When the ring runs dry the gap shrinks: an empty ring sends `findRunnable` to the global
#   queue anyway.
# * Only one G is taken per check, so the global queue cannot starve the local one either.

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 环形队列还很长时，让出者每到第 **61** 次 schedtick 就运行一次：先运行 60 个本地 G，然后轮到它。它不必等那 200 个都跑完。（第一个间隔少 1：让出者第一次运行时，P0 的 `schedtick` 已经是 1，因为真实的 Go 在 `main` 之前会先运行自己的 goroutine。）61 是质数，这项检查因此不容易与负载自身的周期同步。
# * 环形队列快空时，间隔随之缩短：本地运行队列一空，`findRunnable` 本来就会去全局运行队列里找。
# * 每次检查只取一个 G，所以全局运行队列也不会反过来饿死本地运行队列。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## Experiment 4 · Work stealing: half, rounded up
#
# An M whose P has nothing to run becomes **spinning** and calls `stealWork`: up to 4 passes
# over the other Ps in a random order; from the first P with Gs in its ring it takes
# `n - n/2` of them (`runqgrab`), runs the last one, and keeps the rest in its own ring.
# Here `main` fills P0's ring; the other Ps are idle and wake one after another.
#
# **Predict first:** P0's ring holds 9 Gs. How many does the first thief take? The second?

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 实验 4 · 工作窃取：取一半，向上取整
#
# 一个 M 的 P 如果没有可运行的 G，它就进入**自旋**状态并调用 `stealWork`：按随机顺序遍历其他 P，最多 4 轮；遇到第一个环形队列非空的 P，就从它那里取走 `n - n/2` 个（`runqgrab`），运行其中最后一个，其余的放进自己的环形队列。这里由 `main` 填满 P0 的环形队列；其他 P 都空闲着，依次被唤醒。
#
# **先预测**：P0 的环形队列里有 9 个 G。第一个窃取者拿走几个？第二个呢？

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

# %% [markdown] lang="en"
# **What to notice:**
#
# * Each thief takes **half, rounded up**: 9 → 5, then 4 → 2 ... Taking half balances two Ps in
#   one move, and leaves the victim enough to keep busy.
# * The thieves arrive one at a time: each woken M that finds work wakes the next (`wakep` in
#   `resetspinning`), so the wake-ups fan out instead of all firing at once.
# * A steal is a CAS on the victim's `runqhead` (the `runqgrab` lines above): no lock.

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 每个窃取者拿走**一半，向上取整**：9 → 5，然后 4 → 2 ……取一半，一步就能让两个 P 的负载持平，被窃取的一方也还留有足够的活。
# * 窃取者一个接一个地到来：每个被唤醒的 M 找到活之后会唤醒下一个（`resetspinning` 中的 `wakep`），于是唤醒是逐个扩散开的，而不是一下子全部触发。
# * 窃取是对被窃取者的 `runqhead` 做一次 CAS（见上文 `runqgrab` 的那几行）：不需要锁。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
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

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 实验 5 · 自旋的 M：够用就好，不必每个空闲 P 配一个
#
# 只有在**没有 M 在自旋**时，`wakep` 才会启动一个线程；一个没活可干的 M 也只有在 `2 * nmspinning < GOMAXPROCS - npidle`（自旋者少于忙碌 P 的一半）时才可以开始自旋。`proc.go` 否决的另一种方案是：“每当有 goroutine 就绪、又有空闲的 P 时，就多唤醒一个线程”（原文为 "unpark an additional thread whenever we ready a goroutine and there is an idle P"），那样每个新 G 都会唤醒一个线程。
#
# 唤醒一个空闲的 M 是有代价的：唤醒方要做一次 `futex` 系统调用，被唤醒方要经历一次内核唤醒和一次上下文切换。面板把每个负载各运行两遍：一遍是 Go 实际的做法 `gk.GMP`，另一遍是被否决的方案 `GMP(spinning=False)`，没有自旋的 M。它统计**线程唤醒**次数、其中**白费**的次数（被唤醒的 M 没找到 G，又回去睡了），以及一个 G 从变为可运行到开始运行要等多久。
#
# **先预测**：两个 goroutine 在 8 个 P 上通过 channel 来回传一个值 200 次；每次发送都会让对方变为可运行，而 `ready` 会调用 `wakep`。被否决的方案比 Go 多唤醒多少个线程？

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

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# **观察要点**：
#
# * **乒乓**：没有自旋时，每次发送都唤醒一个线程，而且每一次唤醒都是白费的：被唤醒的 G 就待在唤醒者的 `runnext` 里，片刻之后就在那个 P 上运行。有自旋时，只要已经有一个 M 在路上（它计入 `nmspinning`），`wakep` 就谁也不唤醒，所以白白唤醒的线程不到原来的一半。两种情况下的启动延迟一样：真正起作用的是 `runnext`。
# * **突发**（*bursts*，在负载选项中切换）：同时执行 8 条 `go` 语句。Go 先唤醒一个自旋者；它找到活之后就停止自旋，再次调用 `wakep`，于是窃取者一个接一个地加入，唤醒次数比没有自旋时少。代价也看得见：新 G 开始运行的时间，比每个空闲 P 立刻各得到一个线程时要晚。
# * 每个自旋者在找活期间都要烧掉一个 CPU，这就是为什么自旋者最多只能占忙碌 P 数的一半（`2 * nmspinning < GOMAXPROCS - npidle`）。
# * 在这个模型里，调度代码本身不花时间，所以 M 只在它的唤醒尚在途中时“自旋”。真实的自旋线程在休眠前还会搜寻几微秒，能接住这期间到来的工作，因此真实的 Go 省下的唤醒比模型显示的更多。

# %% [markdown] lang="en"
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

# %% [markdown] lang="zh"
# ## 小结
#
# * **G** 是 goroutine，**M** 是操作系统线程，**P** 是运行 Go 代码的许可证，带有自己的运行队列和缓存；P 恰好有 GOMAXPROCS 个，M 则按需创建。GMP 随 **Go 1.1** 发布。
# * 新建或被唤醒的 G 进入 `runnext`；原来的那个进入 256 个槽位的环形队列；环形队列满了，就把 **129** 个 G（一半加 1）送进全局运行队列。
# * `findRunnable` 的顺序：定时器、**61 次中 1 次**的全局检查、runnext、环形队列、从全局运行队列批量取、netpoll、**窃取一半**、再检查一遍、挂起。
# * 本地环形队列是无锁的：只有拥有者往里添加；取 G 的一方（拥有者或窃取者）对队头做 CAS。
# * 只有少数几个 M 会**自旋**：没有 M 在自旋时，`wakep` 才唤醒一个；自旋者保持在忙碌 P 数的一半以下。
# * G 并非“无限制”（栈 ≤ `maxstacksize`，数量受内存限制）；M 在自己的 `g0` 栈上运行调度器，`gogo` 切换到 G 保存的 SP 和 PC。
#
# ## 自测
#
# 把每个 `...` 换成你的答案，然后运行这个单元格。只有在你检查时，才会计算预期答案（由模型算出，或取自上文本机的测量结果），并附上理由。更喜欢输入框和按钮？用下面的小部件：它的**显示全部答案**按钮会计算并解释每一个答案，还会显示你在本讲中的预测答对了几个（可以保存为 JSON）。

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
q1 = Question(
    "burst-global",
    {"en": "One G runs 300 `go` statements in a burst on GOMAXPROCS=1. How many Gs are in the "
           "global queue right after the burst?",
     "zh": "GOMAXPROCS=1 时，一个 G 一口气执行 300 条 `go` 语句。刚执行完时，全局运行队列里有多少个 G？"},
    answer=lambda: gmp.burst(300)["global"],
    explain=lambda exp: {
        "en": (f"257 Gs fit (256 in the ring + runnext); the 258th go statement makes "
               f"runqputslow move half the ring plus the new G: {exp} = 128 + 1."),
        "zh": (f"前 257 个 G 放得下（环形队列 256 个 + runnext）；第 258 条 go 语句让 runqputslow "
               f"把环形队列的一半连同新 G 一起搬走：{exp} = 128 + 1。")},
    hint=lambda given, exp: ({"en": "you counted every G past 256, but the ring moves in batches of "
                                    "129",
                              "zh": "你把超过 256 的每个 G 都算上了，但环形队列是按 129 个一批搬走的"}
                             if given == 300 - 257 else None))
q2 = Question(
    "steal-9",
    {"en": "An idle P steals from a P with 9 Gs in its ring. How many Gs does it take?",
     "zh": "一个空闲的 P 从另一个 P 那里窃取，后者的环形队列里有 9 个 G。它会拿走几个 G？"},
    answer=lambda: gmp.stealing(9)["first"]["taken"],
    explain=lambda exp: {
        "en": f"runqgrab takes n - n/2 = 9 - 4 = {exp}: half, rounded up.",
        "zh": f"runqgrab 拿走 n - n/2 = 9 - 4 = {exp} 个：一半，向上取整。"})
q3 = Question(
    "fairness-61",
    {"en": "P0's ring holds 200 Gs; a G that keeps calling runtime.Gosched waits in the global "
           "queue each time. How many local Gs run between two of its turns, once the pattern "
           "settles?",
     "zh": "P0 的环形队列里有 200 个 G；一个不断调用 runtime.Gosched 的 G 每次都到全局运行队列里等待。"
           "模式稳定之后，在它的两次运行之间会运行多少个本地 G？"},
    answer=lambda: gmp.fairness(200)["gaps"][1],
    explain=lambda exp: {
        "en": (f"every 61st schedtick findRunnable takes one G from the global queue "
               f"first: {exp} local Gs, then it — not all 200. (The very first gap is "
               f"one shorter: P0's schedtick starts at 1, STARTUP_SCHEDTICKS.)"),
        "zh": (f"每到第 61 次 schedtick，findRunnable 会先从全局运行队列取一个 G：先运行 {exp} 个"
               f"本地 G，然后轮到它，而不必等 200 个全部跑完。（第一个间隔少 1：P0 的 schedtick "
               f"从 1 开始，即 STARTUP_SCHEDTICKS。）")},
    hint=lambda given, exp: ({"en": "that is the first gap, before the pattern settles",
                              "zh": "那是第一个间隔，这时模式还没有稳定"}
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

# %% [markdown] lang="en"
# ## Glossary
#
# | English | 中文 | in the runtime |
# |---|---|---|
# | scheduler | 调度器 | `schedule`, `findRunnable` |
# | goroutine (G) | goroutine（通常不译；也称 Go 协程） | `type g` |
# | machine, OS thread (M) | 工作线程 / 系统线程 | `type m` |
# | processor (P) | 处理器 P（逻辑处理器，不是 CPU） | `type p`, GOMAXPROCS of them |
# | local run queue | 本地运行队列 | `p.runq` (256) + `p.runnext` |
# | global run queue | 全局运行队列 | `sched.runq` |
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

# %% [markdown] lang="zh"
# ## 术语表
#
# | 中文 | English | 含义 |
# |---|---|---|
# | 调度器 | scheduler | `schedule`、`findRunnable` |
# | goroutine（通常不译；也称 Go 协程） | goroutine (G) | `type g` |
# | 工作线程 / 系统线程 | machine, OS thread (M) | `type m` |
# | 处理器 P（逻辑处理器，不是 CPU） | processor (P) | `type p`，共 GOMAXPROCS 个 |
# | 本地运行队列 | local run queue | `p.runq`（256）+ `p.runnext` |
# | 全局运行队列 | global run queue | `sched.runq` |
# | 工作窃取 | work stealing | `stealWork`、`runqsteal`、`runqgrab` |
# | 自旋线程 | spinning thread | `m.spinning`、`sched.nmspinning` |
# | 无锁 | lock-free | 对 `runqhead` 做 CAS，对 `runqtail` 做 store-release |
# | 公平性 | fairness | `schedtick % 61` |
#
# ## 延伸阅读
#
# 建议按以下顺序阅读：
#
# 1. Dmitry Vyukov，[Scalable Go Scheduler Design Doc](https://docs.google.com/document/d/1TTj4T2JO42uD5ID9e89oa0sLKhJYD0Y_kqxDv3I3XMw/edit)（2012），“Design”和“Spinning threads”两节。
# 2. 本课程测量所用版本的运行时源码，[go1.27.3 的 proc.go](https://github.com/golang/go/blob/go1.27.3/src/runtime/proc.go)：先读文件开头的注释（"Goroutine scheduler"），再读 `schedule`、`findRunnable`、`runqput`、`runqputslow`、`runqsteal` / `runqgrab`、`wakep` 和 `resetspinning`。`gmpkit.real.toolchain.runtime_source("findRunnable")` 可以打印本机安装的版本。
# 3. 本讲所述历史中的几个关键版本的发布说明：[Go 1.1](https://go.dev/doc/go1.1)（引入每个 P 一个运行队列的版本）、[Go 1.2](https://go.dev/doc/go1.2#preemption)（函数入口处的抢占；61 次中 1 次的检查也在这个周期加入）及其[抢占式调度器设计文档](https://docs.google.com/document/d/1ETuA2IOmnaQ4j81AtTGT40Y4_Jr6_IDASEKg0t0dBR8/edit)，以及 [Go 1.5](https://go.dev/doc/go1.5#runtime)（`GOMAXPROCS` 默认等于 CPU 数）。
# 4. Kavya Joshi，“The Scheduler Saga”，GopherCon 2018：以演讲的形式讲同样的内容，运行队列和自旋线程都有动画演示。
# 5. William Kennedy，[Scheduling In Go, Part II](https://www.ardanlabs.com/blog/2018/08/scheduling-in-go-part2.html)（2018）。
# 6. 中文：《Go 语言设计与实现》[6.5 调度器](https://draveness.me/golang/docs/part3-runtime/ch06-concurrency/golang-goroutine/)；[《Go 语言原本》](https://golang.design/under-the-hood/zh-cn/) 调度器一章。
