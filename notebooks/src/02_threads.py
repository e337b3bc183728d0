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
# # 02 · Threads: many flows of control in one address space
#
# A process from notebook 01 has one address space. A **thread** is one flow of execution
# inside it: its own registers, its own **stack**, and everything else shared with the other
# threads of the process. The kernel schedules threads onto CPUs and, when there are more
# runnable threads than CPUs, switches between them.
#
# This notebook starts real threads in this kernel, finds their stacks in the memory map,
# measures what passing control from one thread to another costs, and then uses a model to
# show how that cost eats CPU time.

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# # 02 · 线程：同一地址空间里的多条控制流
#
# 第 1 讲里的进程拥有一个地址空间。**线程**是其中的一条执行流：它有自己的寄存器、自己的**栈**，其余的一切都与同一进程里的其他线程共享。内核把线程调度到 CPU 上运行；当可运行的线程多于 CPU 时，内核就在它们之间来回切换。
#
# 本讲会在这个 Python 进程里启动真实的线程，在内存映射中找到它们的栈，测量把控制权从一个线程交给另一个线程要花多少时间，最后用一个模型展示这笔开销怎样吃掉 CPU 时间。

# %% [markdown] lang="en"
# ## Learning goals
#
# After this notebook you can:
#
# 1. show that threads share their process's memory while processes do not;
# 2. find a thread's stack and **guard page** in `/proc/self/maps`, and tell *virtual*
#    (reserved) from *resident* (touched) memory;
# 3. measure a **hand-off** between two threads and between two processes, and explain why
#    the two cost about the same;
# 4. predict, with the formula S / (S + C), how much CPU survives a time slice S and a switch
#    cost C — and check it against the 1:1 thread model.

# %% [markdown] lang="zh"
# ## 学习目标
#
# 学完本讲，你将能够：
#
# 1. 证明线程共享所属进程的内存，而进程之间并不共享；
# 2. 在 `/proc/self/maps` 中找到一个线程的栈和**保护页**，并区分*虚拟*内存（预留的）和*常驻*内存（实际访问过的）；
# 3. 测量两个线程之间、两个进程之间的一次**交接**（hand-off），并解释为什么两者的代价相差无几；
# 4. 用公式 S / (S + C) 预测：给定时间片 S 和切换开销 C，CPU 还能剩下多少时间做有用的工作——再用 1:1 线程模型验证这个预测。

# %%
import os
import threading

import gmpkit.widgets.threads as threads
from gmpkit import predictions
from gmpkit.i18n import tr
from gmpkit.checks import Question, within, answer_boxes, self_check

tally = predictions.tally("02_threads")   # your predictions in this notebook

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## What the article says
#
# > 多个线程可以共享同一个进程的内存空间，线程的创建不需要额外的虚拟内存空间，线程之间的切换也就少不了
# > 进程切换的切换页表，切换虚拟地址空间此类的巨大开销。… 进程的切换需要保存当前寄存器，栈，代码段，
# > 执行位置等信息。线程的切换执行保存切换的上下文 …
# > (Threads share the process's memory; creating a thread needs no extra virtual memory;
# > switching threads avoids the "huge cost" of switching page tables; a process switch must
# > save registers, stack, code segment and position, a thread switch only the context.)
#
# > 创建一个thread … 默认会为其分配一个较大的栈内存(1-8MB栈内存，线程标准POSIX thread) … 还需要一个称为"guard page"的区域用于
# > 其他thread的栈空间进行隔离。
# > (A thread gets a large 1–8 MB stack, plus a "guard page" to isolate it from other threads'
# > stacks.)
#
# > 线程切换会消耗1000-1500纳秒 … 一个纳秒平均可以执行12-18条指令。所以由于线程切换，执行指令的条数会减少12000-18000。
# > (A thread switch costs 1000–1500 ns; a CPU executes 12–18 instructions per nanosecond, so a
# > thread switch loses 12 000–18 000 instructions.)
#
# Sharing memory: right. The rest needs correcting, and this notebook measures each point:
#
# * A new thread **does** need new virtual memory: a whole stack mapping (8 MiB here) plus its
#   guard page (experiment 1).
# * A guard page is not there to "isolate" stacks from each other — every mapping is already
#   separate. It is a page with **no access rights** just below the stack, so that a stack
#   overflow hits it and faults at once instead of silently overwriting the memory below.
# * A thread switch and a process switch save **the same registers**; neither copies the stack
#   or "the code segment". The only extra work for processes is loading another page-table root
#   (and the TLB misses that follow). Experiment 2 shows the two hand-offs cost about the same.
# * "12–18 instructions per ns" and "12 000–18 000 lost" do not fit a 1000–1500 ns switch,
#   which would lose 12 000–27 000. The 12 000–18 000 is 1000 ns × 12–18 per ns, with the
#   1500 ns end dropped. The rate itself is used consistently: the article's goroutine switch,
#   200 ns ≈ 2400–3600 instructions, is also 12–18 per ns (checked below).
# * The switch figure is checked below against this machine.

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 原文怎么说
#
# > 多个线程可以共享同一个进程的内存空间，线程的创建不需要额外的虚拟内存空间，线程之间的切换也就少不了进程切换的切换页表，切换虚拟地址空间此类的巨大开销。… 进程的切换需要保存当前寄存器，栈，代码段，执行位置等信息。线程的切换执行保存切换的上下文 …
#
# > 创建一个thread … 默认会为其分配一个较大的栈内存(1-8MB栈内存，线程标准POSIX thread) … 还需要一个称为"guard page"的区域用于其他thread的栈空间进行隔离。
#
# > 线程切换会消耗1000-1500纳秒 … 一个纳秒平均可以执行12-18条指令。所以由于线程切换，执行指令的条数会减少12000-18000。
#
# 线程共享内存这一点没错。其余几点都需要更正，本讲会逐一测量：
#
# * 新线程**确实**需要新的虚拟内存：一整块栈映射（这里是 8 MiB），外加它的保护页（实验 1）。
# * 保护页并不是为了把各个栈彼此“隔离”——每个映射本来就是各自独立的。它是紧贴在栈下方、**没有任何访问权限**的一页：栈一旦溢出，就会撞上它并立即出错，而不是悄无声息地覆盖下方的内存。
# * 线程切换和进程切换保存的是**同样的寄存器**；两者都不会复制栈，也不会复制什么“代码段”。进程唯一多出来的工作，是加载另一个页表根（以及随之而来的 TLB 未命中）。实验 2 表明，两种交接的代价差不多。
# * “一个纳秒平均可以执行12-18条指令”和“减少12000-18000”，与 1000–1500 ns 的切换耗时对不上：按这个速率应该损失 12 000–27 000 条指令。12 000–18 000 是 1000 ns × 每纳秒 12–18 条算出来的，1500 ns 那一端被丢掉了。不过这个速率本身用得前后一致：文章给 goroutine 切换的数字，200 ns ≈ 2400–3600 条指令，同样是按每纳秒 12–18 条算的（下文有核算）。
# * 切换耗时这个数字，下文会在本机上核对。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## 1. Threads share memory, processes do not
#
# A thread appends to a list; then a forked child process appends to the same list. Which
# append does the parent see?

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 1. 线程共享内存，进程不共享
#
# 先让一个线程往列表里追加一项，再让一个 fork 出来的子进程往同一个列表里追加一项。父进程能看到哪一次追加？

# %%
shared = []
t = threading.Thread(target=shared.append, args=(tr("written by a thread"),))
t.start()
t.join()
pid = os.fork()
if pid == 0:                       # the child: a copy of this process
    shared.append("written by a child process")
    os._exit(0)
os.waitpid(pid, 0)
print(shared)

# %% [markdown] lang="en"
# The thread wrote into *this* process's memory. The child wrote into its own copy (notebook
# 01: `fork` copies the address space, lazily), which vanished when it exited. Sharing is what
# makes threads cheap to communicate with — and what makes data races possible.

# %% [markdown] lang="zh"
# 线程写进的是*本*进程的内存。子进程写进的是它自己的那份副本（见第 1 讲：`fork` 会复制地址空间，只不过是延迟复制），子进程一退出，这份副本也随之消失。正是因为共享，线程之间通信才如此廉价——数据竞争也正是因此才有可能发生。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## 2. Every thread gets its own stack — and a guard page
#
# Each thread needs a stack for its function calls. glibc's `pthread_create` (which Python's
# `threading` uses) maps one with `mmap`, sized by `ulimit -s` unless the program asks for
# another size: it maps the whole stack with `PROT_NONE`, then `mprotect`s all but the lowest
# page to read/write, so that page stays inaccessible: the guard page. Then it calls `clone3` (older glibc: `clone`) with `CLONE_VM` (share the address
# space), `CLONE_FILES`, `CLONE_SIGHAND` and friends — the same kernel entry `fork` uses, with
# sharing flags.
#
# The panel starts N threads, asks each one where its stack is (`pthread_getattr_np`), finds
# those stacks in `/proc/self/maps`, and reads from `/proc/self/smaps` how much of each is
# **resident** (backed by physical memory).

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 2. 每个线程都有自己的栈，还有一个保护页
#
# 每个线程都需要一个栈来做函数调用。glibc 的 `pthread_create`（Python 的 `threading` 底层用的就是它）用 `mmap` 映射出这块栈，大小由 `ulimit -s` 决定，除非程序另行指定：它先以 `PROT_NONE` 映射整个栈，再用 `mprotect` 把除最低一页以外的部分改成可读写，于是最低那一页始终无法访问，这就是保护页。接着它调用 `clone3`（较老的 glibc 用 `clone`），并带上 `CLONE_VM`（共享地址空间）、`CLONE_FILES`、`CLONE_SIGHAND` 等标志——走的正是 `fork` 所用的那个内核入口，只是多了这些表示共享的标志。
#
# 下面的面板会启动 N 个线程，让每个线程报告自己的栈在哪里（`pthread_getattr_np`），在 `/proc/self/maps` 中找到这些栈，再从 `/proc/self/smaps` 读出每个栈有多少是**常驻**的（即有物理内存支撑）。

# %% tags=["nbval-ignore-output"]
print(tr("ulimit -s on this machine: {kib} KiB", kib=os.popen("sh -c 'ulimit -s'").read().strip()))

# %% [markdown] lang="en"
# **Predict first:** with the default stack size, how much *virtual* memory does one idle
# thread add — about 2 KiB, 1 MiB or 8 MiB? And how much of it is *resident* — all of it, half,
# or a few pages?

# %% [markdown] lang="zh"
# **先预测**：在默认栈大小下，一个空闲的线程会增加多少*虚拟*内存：大约 2 KiB、1 MiB，还是 8 MiB？其中又有多少是*常驻*的：全部、一半，还是寥寥几页？

# %% tags=["nbval-ignore-output"]
tally.ask("02-stack")

# %% tags=["nbval-ignore-output"]
stack_panel = threads.thread_stacks_panel()
tally.follow("02-stack", stack_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
st = stack_panel.data
limit = st["default_stack_bytes"]
assert len(st["stacks"]) == st["n"] and st["guards"] == st["n"]
assert all(s["guard_mapped"] == s["guard_size"] == 4096 for s in st["stacks"])
if limit > 0 and limit != threads.resource.RLIM_INFINITY:
    assert all(s["mapping_size"] == limit for s in st["stacks"])
assert all(s["rss"] < s["mapping_size"] / 16 for s in st["stacks"])
print("one stack mapping and one 4 KiB guard page per thread: True")
print("each stack is exactly `ulimit -s` bytes:", all(s["mapping_size"] == limit for s in st["stacks"]))
print("resident is under 1/16 of each stack: True")

# %% [markdown] lang="en"
# **What to notice:**
#
# * Each thread adds one `rw-p` stack mapping of `ulimit -s` bytes (8 MiB on most Linux
#   systems) and, right below it, a 4 KiB `---p` page: the guard. A stack overflow runs
#   *down* into the guard page and the thread dies with SIGSEGV, instead of corrupting whatever
#   lies below.
# * Virtual ≠ resident. The kernel hands out physical pages only when they are touched, so an
#   idle thread's 8 MiB stack costs a few KiB of real memory. The 8 MiB is *reserved address
#   space*, not RAM — which is why the article's "1–8 MB per thread" is about virtual memory.
#   The real limits on thread counts are the memory actually touched, kernel structures (each
#   thread is a `task_struct` plus a kernel stack of 16 KiB) and `ulimit -u` /
#   `/proc/sys/kernel/threads-max`.
# * The size is *not* fixed by the system: choose **256 KiB** and the new stacks are 256 KiB
#   (`threading.stack_size`, i.e. `pthread_attr_setstacksize`). What is true is that a thread's
#   stack cannot grow once created — goroutine stacks can (notebook 03).
# * A big `---p` block of ~64 MiB may also appear: glibc's `malloc` reserves a *per-thread
#   arena* for threads that allocate. It is address space only, none of it resident.

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 每个线程会新增一个 `rw-p` 栈映射，大小为 `ulimit -s` 字节（大多数 Linux 系统上是 8 MiB），紧挨在它下方还有一个 4 KiB 的 `---p` 页：这就是保护页。栈溢出时会*向下*冲进保护页，线程随即因 SIGSEGV 而终止，而不会悄悄破坏下方的内容。
# * 虚拟 ≠ 常驻。内核只在页被访问时才分配物理页，所以一个空闲线程的 8 MiB 栈只占几 KiB 真实内存。这 8 MiB 是*预留的地址空间*，而不是 RAM——所以文章说的“1-8MB栈内存”指的是虚拟内存。真正限制线程数量的，是实际访问过的内存、内核数据结构（每个线程是一个 `task_struct` 加上一个 16 KiB 的内核栈），以及 `ulimit -u` / `/proc/sys/kernel/threads-max`。
# * 栈的大小*并非*由系统定死：选择 **256 KiB**，新线程的栈就是 256 KiB（`threading.stack_size`，对应 `pthread_attr_setstacksize`）。真正不变的是：线程的栈一旦创建，就不能再增长——而 goroutine 的栈可以（第 3 讲）。
# * 可能还会看到一大块约 64 MiB 的 `---p` 区域：这是 glibc 的 `malloc` 为需要分配内存的线程预留的*线程私有 arena*。它只占地址空间，没有一页是常驻的。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## 3. Handing the CPU from one thread to another
#
# How much does a context switch cost? Measuring one alone is hard; measuring a **hand-off** is
# easy: two threads pass one byte back and forth over two pipes. Each hand-off is a `write`, a
# wake-up of the sleeping side, a context switch to it, and a `read`. The same with two
# **processes** adds the page-table switch. Python adds overhead to both — and more to the
# threads: they share one GIL, so each woken thread must also take the GIL back. The thread bar
# is therefore, if anything, too high.

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 3. 把 CPU 从一个线程交给另一个线程
#
# 一次上下文切换要花多少时间？单独测量一次切换很难，测量一次**交接**却很容易：让两个线程通过两根管道来回传递一个字节。每次交接包括一次 `write`、唤醒正在睡眠的一方、切换到它，再加一次 `read`。换成两个**进程**做同样的事，还要再加上页表切换。Python 给两者都添了额外开销，而线程这边添得更多：它们共用一把 GIL，每个被唤醒的线程还得先把 GIL 抢回来。所以线程那根柱条即使有偏差，也只会偏高。

# %% [markdown] lang="en"
# **Predict first:** the article calls a process switch a "huge cost" next to a thread switch.
# How much dearer will the process hand-off be: 10×, 2×, or about the same? Then tick "pin both
# sides to one CPU": faster or slower?

# %% [markdown] lang="zh"
# **先预测**：文章认为进程切换有线程切换所没有的“巨大开销”。进程交接会贵多少：10 倍、2 倍，还是差不多？然后勾选 **pin both sides to one CPU**（把双方绑定到同一个 CPU）：会变快还是变慢？

# %% tags=["nbval-ignore-output"]
tally.ask("02-handoff")

# %% tags=["nbval-ignore-output"]
handoff_panel = threads.handoff_panel()
tally.follow("02-handoff", handoff_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
ho = handoff_panel.data
if not ho["ratio"] < 4:
    # a busy machine can stall one side of the ping-pong: measure again, best of 7
    ho = threads.handoff(repeats=7)
assert ho["thread_ns"] > 300 and ho["process_ns"] > 300
# no lower bound: the threads share one GIL, so the process side can come out several times cheaper
assert ho["ratio"] < 4, "a process hand-off is not an order of magnitude dearer"
print("a process hand-off is less than 4x a thread hand-off: True")

# %% [markdown] lang="en"
# **What to notice:**
#
# * Thread and process hand-offs land in the same microseconds (the process hand-off may even
#   come out cheaper: the GIL, not the page tables). Saving and restoring registers is the same
#   for both; loading another page-table root is cheap on modern CPUs, which tag TLB entries
#   with an address-space ID (PCID), so little is flushed.
# * Either way it costs **microseconds** — thousands of instructions' worth or more — because the
#   kernel must wake the other thread (`try_to_wake_up`), pick it in the scheduler
#   (`__schedule`), and switch to it (`context_switch`), often via another CPU.
# * The bars include two system calls per hand-off and Python's interpreter (and, for the
#   threads, its GIL) on each side, so they are upper bounds for a thread switch. Notebook 03
#   measures a bare thread hand-off (two threads and a `futex`, no Python, no Go scheduler)
#   next to a goroutine hand-off.
# * Pinning both sides to one CPU changes what you measure: now every hand-off *must* switch
#   on that CPU; without pinning, the kernel may wake the other side on the other CPU (an
#   inter-processor interrupt instead of a local switch).

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 线程交接和进程交接落在同一个微秒量级（进程交接甚至可能更便宜：拖慢线程的是 GIL，而不是页表）。保存和恢复寄存器，两者完全一样；在现代 CPU 上加载另一个页表根很便宜，因为 CPU 会用地址空间 ID（PCID）给 TLB 表项打上标签，需要刷掉的表项很少。
# * 不管哪一种，都要花上**微秒**级的时间，够执行几千条甚至更多指令，因为内核必须唤醒另一个线程（`try_to_wake_up`），在调度器里选中它（`__schedule`），再切换过去（`context_switch`），而且常常要经过另一个 CPU。
# * 柱条里包含了每次交接的两次系统调用，以及两边各自的 Python 解释器开销（线程那边还有 GIL），所以它们只是线程切换开销的上界。第 3 讲会测量单纯的线程交接（两个线程加一个 `futex`，没有 Python，也没有 Go 调度器），并和 goroutine 的交接放在一起比较。
# * 把双方绑定到同一个 CPU，测到的东西就变了：这时每次交接都*必须*在那个 CPU 上切换；不绑定的话，内核可能会在另一个 CPU 上唤醒对方（用一次处理器间中断代替本地切换）。

# %% [markdown] lang="en"
# ### "12–18 instructions per nanosecond"?
#
# First, the article's own arithmetic. If the rate were 12–18 per ns, a 1000–1500 ns switch
# would lose 12 000 to 27 000 instructions, not the 12 000–18 000 it says. Its 12 000–18 000 is
# 12–18 per ns times 1000 ns only; its goroutine figure, 200 ns ≈ 2400–3600 instructions, uses
# the same 12–18 per ns:

# %% [markdown] lang="zh"
# ### “一个纳秒平均可以执行12-18条指令”？
#
# 先看文章自己的算术。如果速率是每纳秒 12–18 条，那么 1000–1500 ns 的切换会损失 12 000 到 27 000 条指令，而不是文章所说的 12 000–18 000。它的 12 000–18 000 只是每纳秒 12–18 条乘以 1000 ns；它给 goroutine 的数字，200 ns ≈ 2400–3600 条指令，用的也是每纳秒 12–18 条：

# %%
rate = (12, 18)                      # instructions per ns, as the article says
print(tr("12-18 per ns x 1000-1500 ns: {n} instructions", n=(rate[0] * 1000, rate[1] * 1500)))
print(tr("12-18 per ns x 1000 ns:      {n} instructions", n=(rate[0] * 1000, rate[1] * 1000)))
print(tr("12-18 per ns x 200 ns:       {n} instructions", n=(rate[0] * 200, rate[1] * 200)))

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
assert (rate[0] * 1000, rate[1] * 1000) == (12_000, 18_000)   # the article's thread figure
assert (rate[0] * 200, rate[1] * 200) == (2_400, 3_600)       # and its goroutine figure
assert (rate[0] * 1000, rate[1] * 1500) != (12_000, 18_000)   # the 1500 ns end was dropped

# %% [markdown] lang="en"
# So the article means 12–18 instructions per ns and dropped the 1500 ns end (at 1500 ns its own
# rate gives 18 000–27 000). Is 12–18 per ns itself plausible? Instructions per ns = clock rate in GHz ×
# instructions per cycle (IPC). The clock rate of this machine's CPU, as the kernel reports it:

# %% [markdown] lang="zh"
# 可见文章的意思确实是每纳秒 12–18 条指令，只是丢掉了 1500 ns 那一端（按它自己的速率，1500 ns 对应 18 000–27 000 条）。那么，每纳秒 12–18 条本身可信吗？每纳秒指令数 = 以 GHz 计的时钟频率 × 每周期指令数（IPC）。下面是内核报告的本机 CPU 时钟频率：

# %% tags=["nbval-ignore-output"]
mhz = max(float(line.split(":")[1]) for line in open("/proc/cpuinfo") if line.startswith("cpu MHz"))
print(tr("{mhz:.0f} MHz: 12 instructions per ns would need {ipc12:.1f} instructions "
         "every cycle; 18 would need {ipc18:.1f}", mhz=mhz, ipc12=12 / (mhz / 1000), ipc18=18 / (mhz / 1000)))

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
assert 12 / (mhz / 1000) > 2
print("12 instructions per ns needs an IPC above 2 on this CPU: True")

# %% [markdown] lang="en"
# A modern core *can* retire 4–6 instructions in a cycle on ideal code, but ordinary code
# (branches, cache misses) averages 1–2. So 12–18 per ns is a peak or beyond, not an average; 3–6 per ns is
# a fairer guess, and a 1000–1500 ns switch then costs some 3 000–9 000 instructions' worth of
# time. The article's conclusion — a switch throws away thousands of instructions — holds.

# %% [markdown] lang="zh"
# 现代 CPU 核心在理想的代码上*确实*能在一个周期内完成 4–6 条指令，但普通代码（有分支、有缓存未命中）平均只有 1–2 条。所以每纳秒 12–18 条是峰值甚至超过峰值，而不是平均水平；每纳秒 3–6 条是更合理的估计，照此计算，一次 1000–1500 ns 的切换大约相当于 3 000–9 000 条指令的时间。文章的结论——一次切换要白白浪费几千条指令——依然成立。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## 4. How switch cost and the time slice eat the CPU (model)
#
# When more threads want a CPU than there are CPUs, the kernel gives each a **time slice** S,
# then preempts it and switches (cost C) to the next. If every slice ends in a switch, the
# share of the CPU that runs the threads' own code is
#
# $$\text{useful} = \frac{S}{S + C}.$$
#
# The panel runs CPU-bound threads on one CPU in `gk.Threads`, the course's 1:1 model
# (each thread a kernel thread; round-robin slices; each switch costs C). We start it with C
# set to the thread hand-off you just measured.

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 4. 切换开销和时间片如何吃掉 CPU（模型）
#
# 当需要 CPU 的线程多于 CPU 时，内核给每个线程一个**时间片** S，时间片用完就抢占它，并切换（开销为 C）到下一个线程。如果每个时间片都以一次切换结束，那么 CPU 用来运行线程自身代码的比例（下式中记作 useful）是
#
# $$\text{useful} = \frac{S}{S + C}.$$
#
# 面板用 `gk.Threads` 在一个 CPU 上运行若干 CPU 密集型线程。`gk.Threads` 是本课程的 1:1 模型（每个线程都是一个内核线程；时间片轮转；每次切换花费 C）。C 的初始值就是你刚才测得的线程交接时间。

# %% [markdown] lang="en"
# **Predict first:** with C equal to your measured hand-off, at what time slice does the CPU
# lose 10% to switching? Linux gives each of two busy threads about 1–3 ms; is switching a
# problem at that slice?

# %% [markdown] lang="zh"
# **先预测**：当 C 等于你测得的交接时间时，时间片要短到多少，CPU 才会有 10% 的时间耗在切换上？Linux 给两个忙碌线程各自大约 1–3 ms 的时间片；在这样的时间片下，切换开销还算问题吗？

# %% tags=["nbval-ignore-output"]
tally.ask("02-slice")

# %% tags=["nbval-ignore-output"]
measured_c_us = max(0.5, round(ho["thread_ns"] / 500) / 2)        # µs, to the nearest 0.5
model_panel = threads.switch_cost_panel(slice_us=50, switch_us=min(measured_c_us, 20.0))
tally.follow("02-slice", model_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
md = model_panel.data
assert abs(md["useful_sim"] - md["useful_formula"]) < 0.02
assert threads.switch_cost(3000, 5.0)["useful_sim"] > 0.99
assert threads.switch_cost(10, 5.0)["useful_sim"] < 0.7
print("the simulation agrees with S / (S + C): True")
print("3 ms slice, 5 µs switch: more than 99% useful;  10 µs slice: under 70%")


# %% [markdown] lang="en"
# **What to notice:**
#
# * The black bars are switches: CPU time that runs nobody's code. (The top row, M1, is the
#   main thread, blocked until the others finish.)
# * At a few-millisecond slice the switch cost is lost in the noise: a kernel switching
#   between a handful of busy threads wastes well under 1%.
# * It hurts when switches are *frequent*: tiny slices, or — the common case — threads that
#   block and wake all the time (every message passed between threads is a hand-off). A server
#   that hands each request through several threads pays several microseconds each time.
#   Goroutines (notebook 03) make that hand-off several times cheaper by doing it in user
#   space (notebook 03 measures the ratio like for like).

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 黑色的条是切换：这段 CPU 时间不运行任何人的代码。（最上面一行 M1 是主线程，它一直阻塞，直到其他线程都结束。）
# * 时间片有几毫秒时，切换开销淹没在噪声里：内核在少数几个忙碌线程之间切换，浪费的时间远不到 1%。
# * 真正伤人的是*频繁*的切换：时间片极短，或者——更常见的情况——线程不停地阻塞又被唤醒（线程之间传递的每一条消息都是一次交接）。如果一台服务器让每个请求在几个线程之间辗转，每转一手都要付出几微秒。goroutine 把交接放到用户空间完成，便宜好几倍（第 3 讲会在同等条件下实测这个倍数）。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## The article, checked
#
# | the article says | on this machine |
# |---|---|
# | threads share the process's memory | right (section 1) |
# | creating a thread needs no extra virtual memory | each thread maps a new stack (`ulimit -s`, 8 MiB by default) plus a 4 KiB guard page (experiment 1) |
# | thread stacks are 1–8 MB and fixed | virtual 8 MiB by default, *resident* only a few KiB; size is configurable; it cannot grow (experiment 1) |
# | the guard page isolates stacks from other threads | it is a no-access page that turns a stack overflow into an immediate fault |
# | a process switch saves registers, stack, code segment…; a huge cost next to threads | both save the same registers; the hand-offs cost about the same (experiment 2) |
# | a thread switch costs 1000–1500 ns | the right order for a bare switch; the Python hand-offs above (wake-up + switch + two system calls + the interpreter) are upper bounds; notebook 03 measures a bare futex hand-off |
# | 12–18 instructions per ns; 12 000–18 000 lost per switch | inconsistent: 12 000–18 000 is 12–18 per ns × 1000 ns only (1500 ns would give 18 000–27 000); and 12–18 per ns is a peak or beyond (IPC above 2 at this clock), 3–6 is typical |

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 核对原文
#
# | 原文的说法 | 本机的实测 |
# |---|---|
# | 多个线程可以共享同一个进程的内存空间 | 正确（第 1 节） |
# | 线程的创建不需要额外的虚拟内存空间 | 每个线程都要映射一个新栈（`ulimit -s`，默认 8 MiB），外加一个 4 KiB 的保护页（实验 1） |
# | 线程栈为 1–8 MB，且大小固定 | 默认虚拟大小 8 MiB，*常驻*只有几 KiB；大小可以配置；创建后不能增长（实验 1） |
# | guard page 用来与其他线程的栈空间隔离 | 它是一个不可访问的页，把栈溢出变成立即发生的错误 |
# | 进程切换要保存寄存器、栈、代码段……，比线程切换开销巨大 | 两者保存的寄存器相同；两种交接的代价差不多（实验 2） |
# | 线程切换耗时 1000–1500 ns | 对单纯的线程切换而言，数量级是对的；上面的 Python 交接（唤醒 + 切换 + 两次系统调用 + 解释器）只是上界；第 3 讲会测量单纯的 futex 交接 |
# | 每纳秒 12–18 条指令；每次切换损失 12 000–18 000 条 | 前后矛盾：12 000–18 000 只是每纳秒 12–18 条 × 1000 ns（按 1500 ns 应为 18 000–27 000）；而且每纳秒 12–18 条已是峰值甚至更高（在本机的时钟频率下需要 IPC 大于 2），3–6 条才是常态 |

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## Summary
#
# * Threads of one process share its address space; each has its own registers and stack.
# * Each new thread maps a stack (8 MiB of *virtual* memory by default, only a few KiB
#   *resident*) with a 4 KiB **guard page** below it to catch overflows.
# * Passing control between threads goes through the kernel (wake-up, scheduler, context
#   switch): microseconds — and about the same between processes.
# * With time slice S and switch cost C, a busy CPU keeps S / (S + C) for real work: fine for
#   long slices, costly when threads block and wake often.

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 小结
#
# * 同一进程的各个线程共享它的地址空间；每个线程有自己的寄存器和栈。
# * 每个新线程都会映射一个栈（默认是 8 MiB 的*虚拟*内存，*常驻*的只有几 KiB），栈下方有一个 4 KiB 的**保护页**，用来捕获溢出。
# * 在线程之间传递控制权要经过内核（唤醒、调度器、上下文切换），耗时以微秒计——进程之间也差不多。
# * 时间片为 S、切换开销为 C 时，一个繁忙的 CPU 能把 S / (S + C) 的时间用于真正的工作：时间片长时问题不大，线程频繁阻塞和唤醒时代价就高了。

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
def _power_of_ten(x):
    import math
    return 10 ** round(math.log10(x))


questions = [
    Question("guard-bytes",
             {"en": "How many bytes is each thread's guard page here?",
              "zh": "在本机上，每个线程的保护页有多少字节？"},
             answer=lambda: st["stacks"][0]["guard_mapped"],
             explain=lambda e: {
                 "en": f"{e} bytes: one page, made inaccessible by glibc with mprotect "
                       "just below each thread's stack.",
                 "zh": f"{e} 字节，也就是一页：glibc 用 mprotect 把每个线程栈正下方的这一页"
                       "设成了不可访问。"}),
    Question("virtual-over-resident",
             {"en": "An idle new thread: how many times more virtual than "
                    "resident memory does its stack have (10, 100, 1000 or 10000)?",
              "zh": "一个刚创建、处于空闲状态的线程：它的栈的虚拟内存是常驻内存的多少倍"
                    "（10、100、1000 还是 10000）？"},
             answer=lambda: _power_of_ten(st["stacks"][0]["mapping_size"] / max(st["stacks"][0]["rss"], 1)),
             explain=lambda e: {
                 "en": f"Its stack reserves {st['stacks'][0]['mapping_size'] // 1024} KiB but "
                       f"only {st['stacks'][0]['rss'] // 1024} KiB have been touched.",
                 "zh": f"它的栈预留了 {st['stacks'][0]['mapping_size'] // 1024} KiB，"
                       f"但实际访问过的只有 {st['stacks'][0]['rss'] // 1024} KiB。"}),
    Question("useful-50-5",
             {"en": "Slice 50 µs, switch 5 µs, threads always runnable: what percentage "
                    "of the CPU runs useful code?",
              "zh": "时间片 50 µs，切换 5 µs，线程始终可运行：CPU 有百分之多少的时间"
                    "在运行有用的代码？"},
             answer=lambda: round(100 * threads.switch_cost(50, 5.0)["useful_sim"], 1),
             explain=lambda e: {
                 "en": "S / (S + C) = 50 / 55 = 90.9%; the 1:1 model gives the same.",
                 "zh": "S / (S + C) = 50 / 55 = 90.9%；1:1 模型给出的结果相同。"},
             compare=within(abs_=1.0, rel=0)),
    Question("process-10x",
             {"en": "Is a process hand-off more than 4x dearer than a thread hand-off "
                    "here? (True/False)",
              "zh": "在本机上，进程交接的代价是线程交接的 4 倍以上吗？（填 True 或 False）"},
             answer=lambda: ho["ratio"] > 4,
             explain=lambda e: {
                 "en": f"Measured: x{ho['ratio']:.2f}. Both save the same registers; the "
                       "page-table switch adds little on a CPU with PCID.",
                 "zh": f"实测：{ho['ratio']:.2f} 倍。两者保存的寄存器相同；在支持 PCID 的 CPU 上，"
                       "页表切换只多出很少的开销。"}),
]

# %%
my_answers = {
    "guard-bytes": ...,
    "virtual-over-resident": ...,
    "useful-50-5": ...,
    "process-10x": ...,
}
self_check(questions, my_answers)

# %% tags=["nbval-ignore-output"]
answer_boxes(questions, tally)

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## Glossary
#
# | English | 中文 | meaning here |
# |---|---|---|
# | thread | 线程 | a flow of execution inside a process, scheduled by the kernel |
# | process | 进程 | an address space plus its threads and resources |
# | shared memory | 共享内存 | all threads of a process see the same address space |
# | stack | 栈 | per-thread memory for call frames; 8 MiB virtual by default on Linux |
# | guard page | 保护页 | a no-access page below a stack; overflowing into it faults at once |
# | virtual / resident memory | 虚拟内存 / 常驻内存 | reserved addresses / pages with physical memory behind them |
# | context switch | 上下文切换 | saving one thread's registers and loading another's on a CPU |
# | hand-off | 交接 | one thread waking another and giving it the CPU |
# | time slice | 时间片 | how long a thread may run before the kernel may preempt it |
# | preemption | 抢占 | the kernel taking the CPU from a running thread |
# | scheduler | 调度器 | the kernel code that picks the next thread for a CPU |
# | kernel mode / user mode | 内核态 / 用户态 | the CPU's privileged and unprivileged modes |
# | page table / TLB | 页表 / 快表 | the virtual-to-physical map / the CPU's cache of it |
# | instructions per cycle (IPC) | 每周期指令数 | how many instructions a core retires per clock tick |
#
# ## Further reading
#
# In this order:
#
# 1. **OSTEP**: [Concurrency: An Introduction](https://pages.cs.wisc.edu/~remzi/OSTEP/threads-intro.pdf) (ch. 26), [Thread API](https://pages.cs.wisc.edu/~remzi/OSTEP/threads-api.pdf) (ch. 27) and [Scheduling: Introduction](https://pages.cs.wisc.edu/~remzi/OSTEP/cpu-sched.pdf) (ch. 7: time slices and what a switch costs).
# 2. The Linux manual pages: [pthread_create(3)](https://man7.org/linux/man-pages/man3/pthread_create.3.html) (the default stack and its guard page), [futex(2)](https://man7.org/linux/man-pages/man2/futex.2.html) (what a blocked thread waits on) and [sched(7)](https://man7.org/linux/man-pages/man7/sched.7.html).
# 3. The kernel's own description of its scheduler: [EEVDF](https://docs.kernel.org/scheduler/sched-eevdf.html) (Linux 6.6 and later) and [CFS](https://docs.kernel.org/scheduler/sched-design-CFS.html) before it.
# 4. Python's side of the experiments: the [threading](https://docs.python.org/3/library/threading.html) documentation and [PEP 703](https://peps.python.org/pep-0703/) on the GIL that makes the thread hand-off slower than a C one.
# 5. 中文：《深入理解计算机系统》第 12 章「并发编程」。

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 术语表
#
# | 中文 | English | 含义 |
# |---|---|---|
# | 线程 | thread | 进程内的一条执行流，由内核调度 |
# | 进程 | process | 一个地址空间，加上其中的线程和资源 |
# | 共享内存 | shared memory | 一个进程的所有线程看到的是同一个地址空间 |
# | 栈 | stack | 每个线程存放调用栈帧的内存；在 Linux 上默认是 8 MiB 虚拟内存 |
# | 保护页 | guard page | 栈下方一个不可访问的页；溢出到这里会立即出错 |
# | 虚拟内存 / 常驻内存 | virtual / resident memory | 预留的地址 / 有物理内存支撑的页 |
# | 上下文切换 | context switch | 在一个 CPU 上保存一个线程的寄存器，并装入另一个线程的寄存器 |
# | 交接 | hand-off | 一个线程唤醒另一个线程，把 CPU 交给它 |
# | 时间片 | time slice | 线程在内核可能抢占它之前可以连续运行的时长 |
# | 抢占 | preemption | 内核从正在运行的线程手里收回 CPU |
# | 调度器 | scheduler | 为 CPU 挑选下一个线程的内核代码 |
# | 内核态 / 用户态 | kernel mode / user mode | CPU 的特权模式和非特权模式 |
# | 页表 / 快表 | page table / TLB | 虚拟地址到物理地址的映射表 / CPU 对这张表的缓存 |
# | 每周期指令数 | instructions per cycle (IPC) | 一个核心每个时钟周期完成的指令数 |
#
# ## 延伸阅读
#
# 建议按以下顺序阅读：
#
# 1. **OSTEP**（中文版《操作系统导论》）：[Concurrency: An Introduction](https://pages.cs.wisc.edu/~remzi/OSTEP/threads-intro.pdf)（第 26 章）、[Thread API](https://pages.cs.wisc.edu/~remzi/OSTEP/threads-api.pdf)（第 27 章）和 [Scheduling: Introduction](https://pages.cs.wisc.edu/~remzi/OSTEP/cpu-sched.pdf)（第 7 章：时间片，以及一次切换的代价）。
# 2. Linux 手册页：[pthread_create(3)](https://man7.org/linux/man-pages/man3/pthread_create.3.html)（默认栈及其保护页）、[futex(2)](https://man7.org/linux/man-pages/man2/futex.2.html)（被阻塞的线程在等待什么）和 [sched(7)](https://man7.org/linux/man-pages/man7/sched.7.html)。
# 3. 内核自己对调度器的说明：[EEVDF](https://docs.kernel.org/scheduler/sched-eevdf.html)（Linux 6.6 及以后）以及在它之前的 [CFS](https://docs.kernel.org/scheduler/sched-design-CFS.html)。
# 4. 实验中 Python 这一侧：[threading](https://docs.python.org/3/library/threading.html) 文档，以及讨论 GIL 的 [PEP 703](https://peps.python.org/pep-0703/)——正是 GIL 让这里的线程交接比 C 语言版本慢。
# 5. 《深入理解计算机系统》第 12 章“并发编程”。
