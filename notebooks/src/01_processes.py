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
# # 01 · Processes: an address space of one's own
#
# A program on disk is a file. A **process** is that program *running*: the kernel has given it
# an address space, at least one thread to run on a CPU, open files, and an identity (a PID).
# This notebook looks at a real process on **your** machine — this very Jupyter kernel — and
# measures what it costs to make one.
#
# Everything below is measured when you run it. Your numbers will differ from the ones a
# classmate gets; the *ratios* are what to look at.

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# # 01 · 进程：独享的地址空间
#
# 磁盘上的程序只是一个文件。**进程**则是*正在运行*的程序：内核为它分配了一个地址空间、至少一个能在 CPU 上运行的线程、一组打开的文件，还有一个身份标识（PID）。本讲观察**你自己机器上**的一个真实进程——就是眼下运行这个 notebook 的 Jupyter 内核——并测量创建一个进程要付出多少代价。
#
# 下面的数字都是在你运行时现场测出来的，和同学测到的不会一样；值得关注的是它们之间的*比例*。

# %% [markdown] lang="en"
# ## Learning goals
#
# After this notebook you can:
#
# 1. read `/proc/<pid>/maps` and point at a process's code, heap, stack, shared libraries and
#    the unmapped gaps between them;
# 2. explain what *virtual* memory means: every process sees the same large, private range of
#    addresses, and the kernel maps pages of it to physical memory only when they are used;
# 3. say where the kernel is in that picture (user space vs kernel space) and what a
#    **system call** does;
# 4. compare, with numbers from this machine, a function call, a system call and the creation
#    of a process — and say why `fork` gets slower as the parent grows.

# %% [markdown] lang="zh"
# ## 学习目标
#
# 学完本讲，你将能够：
#
# 1. 读懂 `/proc/<pid>/maps`，指出一个进程的代码、堆、栈、共享库，以及它们之间那些未映射的空隙；
# 2. 解释*虚拟*内存是什么意思：每个进程看到的都是同样一大段私有地址，内核只在某一页真正被用到时，才把它映射到物理内存；
# 3. 说清内核在这幅图里的位置（用户空间与内核空间），以及**系统调用**到底做了什么；
# 4. 用本机测得的数字，比较一次函数调用、一次系统调用和一次进程创建的开销，并解释为什么父进程越大，`fork` 越慢。

# %%
import os

import gmpkit.widgets.processes as processes
from gmpkit import predictions
from gmpkit.i18n import tr
from gmpkit.checks import Question, answer_boxes, self_check

tally = predictions.tally("01_processes")   # your predictions in this notebook

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## What the article says
#
# The course grew from a Chinese article on Go's scheduler. Its part on processes says:
#
# > 对于操作系统来说，进程是资源分配的最小单位，线程是cpu调度的最小单位。
# > (To the operating system, a process is the smallest unit of resource allocation, a thread
# > the smallest unit of CPU scheduling.)
#
# > 在启动一个程序时，操作系统会给该程序分配一块内存空间，对于程序看到的是一整块连续的内存空间，
# > 即称为虚拟内存空间，落实到操作系统内核则是一块一块内存碎片。为的是节省内核空间，方便对内存管理。
# > (The OS gives a starting program a block of memory; the program sees one contiguous block —
# > virtual memory — which the kernel backs with scattered fragments, "to save kernel space".)
#
# > 这片内存空间，有划分为用户空间和内核空间 … 若要执行各种IO操作，则会通过系统调用等进入内核空间进行操作。
# > (This space is split into user space and kernel space; for I/O the program enters kernel
# > space through system calls.)
#
# The broad picture is right. Three details are not, and the experiments below show why:
#
# * The address space is **not one contiguous block**. It is a sparse list of separate
#   *mappings* with huge unmapped holes between them, and most of the addresses a process
#   could name are not mapped at all (experiment 1).
# * The point of virtual memory is not "saving kernel space". It is **isolation** (a process
#   cannot even name another's memory), **the same layout for every program**, and **lazy
#   allocation**: physical pages are attached only when touched, which is why this kernel's
#   *virtual* size is several times its *resident* size.
# * On Linux the kernel does not schedule "processes" at all. It schedules **tasks**; a
#   process is a group of tasks (threads) that share one address space. `fork` and
#   `pthread_create` both end in the same kernel entry, `clone` (or its newer form `clone3`,
#   which glibc ≥ 2.34 uses for threads), with different flags (see notebook 02).

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 原文怎么说
#
# 本课程源自一篇讲解 Go 调度器的中文文章。文章中关于进程的部分写道：
#
# > 对于操作系统来说，进程是资源分配的最小单位，线程是cpu调度的最小单位。
#
# > 在启动一个程序时，操作系统会给该程序分配一块内存空间，对于程序看到的是一整块连续的内存空间，即称为虚拟内存空间，落实到操作系统内核则是一块一块内存碎片。为的是节省内核空间，方便对内存管理。
#
# > 这片内存空间，有划分为用户空间和内核空间 … 若要执行各种IO操作，则会通过系统调用等进入内核空间进行操作。
#
# 大方向没有错，但有三处细节不对，后面的实验会说明原因：
#
# * 地址空间**并不是一整块连续的内存**。它是由一段段彼此独立的*映射*（mapping）组成的稀疏列表，映射之间隔着巨大的未映射空洞；一个进程用指针能表示的地址，绝大多数根本没有映射（实验 1）。
# * 虚拟内存的意义不在于“节省内核空间”，而在于三点：**隔离**（一个进程根本无法用地址指向另一个进程的内存）、**每个程序都有同样的布局**，以及**延迟分配**：物理页只在被访问时才挂上去，所以这个 Python 进程的*虚拟*大小是其*常驻*大小的好几倍。
# * 在 Linux 上，内核根本不调度“进程”，它调度的是**任务**（task）；一个进程就是共享同一地址空间的一组任务（线程）。`fork` 和 `pthread_create` 最终进入的是同一个内核入口 `clone`（或者它的新形式 `clone3`，glibc ≥ 2.34 创建线程时用的就是它），区别只在于传入的标志位（见第 2 讲）。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## 1. A process's address space, for real
#
# Linux shows every process's mappings in `/proc/<pid>/maps`, one line per mapping:
# start–end address, permissions (`r`ead, `w`rite, e`x`ecute, `p`rivate or `s`hared) and what
# backs it (a file, `[heap]`, `[stack]`, or nothing: *anonymous* memory). Here are the first
# lines for this kernel (the addresses change on every run: address-space layout
# randomisation, ASLR). First the picture to keep in mind, drawn from the usual Linux layout;
# then the real lines.

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 1. 真实的进程地址空间
#
# Linux 在 `/proc/<pid>/maps` 里列出每个进程的所有映射，一个映射占一行：起止地址、权限（`r` 读、`w` 写、`x` 执行，`p` 私有或 `s` 共享），以及映射背后是什么（一个文件、`[heap]`、`[stack]`，或者什么都没有，即*匿名*内存）。先按 Linux 的典型布局画一张示意图，建立整体印象；再看这个 Python 进程真实输出的前几行（地址每次运行都不一样，这是地址空间布局随机化，即 ASLR 的结果）。

# %% tags=["nbval-ignore-output"]
from gmpkit import diagrams
diagrams.address_space()

# %% tags=["nbval-ignore-output"]
with open("/proc/self/maps") as f:
    print("".join(f.readlines()[:6]))

# %% [markdown] lang="en"
# **Predict first:** Python is a program like any other. Where in the address space do you
# expect its stack — at low addresses, high addresses, or next to the heap? And how much of
# the 2⁶⁴ bytes a 64-bit pointer can name do you think one process has mapped: most of it,
# a few percent, or far less than one millionth?

# %% [markdown] lang="zh"
# **先预测**：Python 也只是一个普通程序。你觉得它的栈在地址空间的什么位置：低地址、高地址，还是紧挨着堆？一个 64 位指针能寻址 2⁶⁴ 个字节，一个进程实际映射了其中多少：大部分、百分之几，还是远不到百万分之一？

# %% tags=["nbval-ignore-output"]
tally.ask("01-stack")

# %% tags=["nbval-ignore-output"]
panel = processes.address_space_panel()
tally.follow("01-stack", panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
space = panel.data
kinds = space["kinds"]
assert kinds["stack"] == 1 and kinds["heap"] == 1 and kinds["code"] >= 1
stack = next(r for r in space["regions"] if r[3] == "stack")
heap = next(r for r in space["regions"] if r[3] == "heap")
code = next(r for r in space["regions"] if r[3] == "code")
assert code[0] < heap[0] < stack[0], "code low, heap above it, stack near the top"
assert space["highest_user_address"] <= processes.USER_TOP
assert space["virtual_bytes"] / 2**64 < 1e-6
assert space["resident_bytes"] < space["virtual_bytes"]
print(f"stack above heap: {stack[0] > heap[0]};  user space ends at 2**{processes.USER_TOP.bit_length() - 1}")
print("mapped fraction of the 64-bit address space: less than one millionth")

# %% [markdown] lang="en"
# **What to notice:**
#
# * The program's own code sits at the bottom, the **heap** just above it (it grows up, through
#   the `brk` system call), shared libraries and anonymous mappings high up, and the main
#   thread's **stack** near the top of user space (it grows down).
# * The zig-zags are **unmapped holes**, some of them terabytes wide. Touching an address in a
#   hole is a *segmentation fault*: the kernel has no mapping to look up. So the address space
#   is anything but "one contiguous block".
# * Compare *virtual* with *resident* in the line under the figure: much of what is mapped has
#   never been touched, so no physical page backs it yet.
# * Tick **show the kernel half**: above `0x800000000000` comes a gap of ~16 million TiB
#   (addresses the CPU refuses: the *non-canonical hole*), then the kernel's half. It is
#   present in every process's page tables but only reachable in **kernel mode**; the one
#   page a user program may see there is the legacy `[vsyscall]` page.
# * Switch to **a small C program**: `sleep` needs a few dozen mappings; this Python kernel,
#   with NumPy and matplotlib loaded, needs hundreds.

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 程序自己的代码位于最底部，**堆**紧挨在它上方（通过 `brk` 系统调用向上增长），共享库和匿名映射在高处，主线程的**栈**则靠近用户空间的顶端（向下增长）。
# * 图中的锯齿线代表**未映射的空洞**，有的宽达数 TB。访问空洞里的地址会触发*段错误*（segmentation fault）：内核查不到对应的映射。可见地址空间绝不是“一整块连续的内存空间”。
# * 对比图下方那一行里的*虚拟*大小和*常驻*大小：已经映射的内存，很大一部分从来没被访问过，因此背后还没有任何物理页。
# * 勾选 **show the kernel half**（显示内核那一半）：在 `0x800000000000` 之上，先是一段约 1600 万 TiB 的空隙（CPU 拒绝使用的地址，称为*非规范地址空洞*），然后才是内核的那一半。它存在于每个进程的页表里，但只有在**内核态**下才能访问；用户程序在那里唯一能看到的，是历史遗留的 `[vsyscall]` 页。
# * 切换到 **a small C program**（一个小型 C 程序）：`sleep` 只需要几十个映射；而这个加载了 NumPy 和 matplotlib 的 Python 进程需要好几百个。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## 2. User mode, kernel mode and system calls
#
# The CPU runs in one of two modes. In **user mode** (用户态) it executes the program's own
# instructions and may only touch user-space pages. Reading a file, sending a packet, creating
# a process — anything involving hardware or other processes — needs the kernel, which runs in
# **kernel mode** (内核态). A **system call** is the controlled door between them: the program
# puts a number and arguments in registers and executes the `syscall` instruction; the CPU
# switches to kernel mode and jumps to the kernel's entry point; the kernel does the work and
# returns with `sysret`.
#
# A system call changes the CPU's *mode*, not the process: it is still the same task, with the
# same address space, now running kernel code. (On CPUs vulnerable to Meltdown the kernel also
# swaps page tables on every entry — "KPTI" — which makes system calls dearer. This machine
# reports:)

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 2. 用户态、内核态与系统调用
#
# CPU 总是处于两种模式之一。在**用户态**下，它执行程序自己的指令，而且只能访问用户空间的页。读文件、发网络包、创建进程——凡是涉及硬件或其他进程的事，都离不开内核，而内核运行在**内核态**。**系统调用**就是两者之间那扇受控的门：程序把调用号和参数放进寄存器，执行 `syscall` 指令；CPU 随即切换到内核态，跳转到内核的入口点；内核完成工作后，再用 `sysret` 返回。
#
# 系统调用改变的是 CPU 的*模式*，而不是进程：还是同一个任务、同一个地址空间，只是此刻执行的是内核代码。（在受 Meltdown 漏洞影响的 CPU 上，每次进入内核还要切换页表，即“KPTI”，系统调用因此更贵。本机的情况如下：）

# %% tags=["nbval-ignore-output"]
print(open("/sys/devices/system/cpu/vulnerabilities/meltdown").read().strip())

# %% [markdown] lang="en"
# And the claim that the kernel schedules *tasks*, not processes: each thread of this kernel
# is a directory in `/proc/self/task`, and the process's PID is simply the ID of its first task.

# %% [markdown] lang="zh"
# 再来验证“内核调度的是*任务*而不是进程”这一说法：这个 Python 进程的每个线程都是 `/proc/self/task` 下的一个目录，而进程的 PID 其实就是它第一个任务的 ID。

# %%
tasks = sorted(int(t) for t in os.listdir("/proc/self/task"))
print(tr("the main thread's task id equals the PID: {ok}", ok=os.getpid() in tasks))
print(tr("this Python kernel has more than one task (thread): {ok}", ok=len(tasks) > 1))

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## 3. What it costs to make a process
#
# Two ways to start a process on Linux:
#
# * `fork()` clones the caller: the child gets a *copy* of the parent's address space. The
#   kernel does not copy the pages themselves — they are shared and marked *copy-on-write* —
#   but it does copy the **page tables** that describe them, plus file descriptors, signal
#   handlers and so on. Then the child usually calls `exec` to load another program.
# * `posix_spawn()` (glibc implements it with `CLONE_VM | CLONE_VFORK`, through `clone3` since
#   glibc 2.34, `clone` before) starts the child *inside* the parent's address space, without
#   copying page tables, and the child execs the new program at once.
#
# We compare both with two things that stay inside one process: a plain function call, and
# the cheapest system call there is, `getppid()` (it only reads a number from the kernel).

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 3. 创建一个进程的代价
#
# 在 Linux 上启动一个进程有两种方式：
#
# * `fork()` 克隆调用者：子进程得到父进程地址空间的一份*副本*。内核并不复制页面本身——这些页面由父子共享，并标记为*写时复制*——但它确实要复制描述这些页面的**页表**，还有文件描述符、信号处理函数等等。之后，子进程通常会调用 `exec` 加载另一个程序。
# * `posix_spawn()`（glibc 用 `CLONE_VM | CLONE_VFORK` 来实现它：glibc 2.34 起经由 `clone3`，之前经由 `clone`）让子进程直接*在*父进程的地址空间里启动，不复制页表，子进程随即 exec 新程序。
#
# 作为对照，再测两件不离开当前进程的事：一次普通的函数调用，以及最便宜的系统调用 `getppid()`（它只是从内核读回一个数）。

# %% [markdown] lang="en"
# **Predict first:** how many `getppid()` system calls fit in the time of one `fork`: ten, a
# hundred, a thousand, ten thousand? And will the lines for N forks be straight (each fork
# costs the same) or curve upwards (later forks cost more)?

# %% [markdown] lang="zh"
# **先预测**：一次 `fork` 的时间里，能做多少次 `getppid()` 系统调用：十次、一百次、一千次，还是一万次？N 次 fork 的总耗时曲线会是直线（每次 fork 代价相同），还是向上弯（越往后的 fork 越贵）？

# %% tags=["nbval-ignore-output"]
tally.ask("01-fork-syscalls")

# %% tags=["nbval-ignore-output"]
cost_panel = processes.creation_cost_panel()
tally.follow("01-fork-syscalls", cost_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
per_op = cost_panel.data["per_op_ns"]
assert per_op["system call (getppid)"] > per_op["function call"]
assert per_op["fork + exit"] > 20 * per_op["system call (getppid)"]
assert per_op["posix_spawn + exec + exit"] > 20 * per_op["system call (getppid)"]
print("function call < system call < process creation: True")

# %% [markdown] lang="en"
# **What to notice:**
#
# * Each step up is orders of magnitude. A Python function call is tens of nanoseconds; a
#   system call adds the trip into kernel mode and back; creating a process is milliseconds
#   (on a quiet modern machine a C program can fork in ~100 µs — Python, a large parent and a
#   shared virtual machine all make it slower here).
# * The lines are straight on average: every creation pays the same price again. Nothing is
#   cached for the next one. (The solid lines are bumpy: a shared 2-core machine is noisy.)
# * Move N and watch the totals: creating processes per request (the old CGI web servers)
#   spends milliseconds before any useful work starts.

# %% [markdown] lang="zh"
# **观察要点**：
#
# * 每往上走一级，都差好几个数量级。一次 Python 函数调用要几十纳秒；系统调用还要加上进出内核态的一个来回；创建进程则以毫秒计（在一台空闲的现代机器上，C 程序 fork 一次约 100 µs；这里有 Python、庞大的父进程和共享的虚拟机，所以更慢）。
# * 平均来看，这些线都是直的：每创建一次，就要重新付一次同样的代价，没有任何东西会为下一次缓存下来。（实线有些起伏：一台共享的双核机器噪声很大。）
# * 拖动 N，看看总时间：如果每来一个请求就创建一个进程（早年的 CGI Web 服务器就是这么做的），还没开始做任何有用的事，几毫秒就已经花掉了。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ### Why is `fork` so expensive? Because it copies the parent's page tables
#
# If copying page tables is what `fork` pays for, then a parent with more memory should fork
# more slowly — and `posix_spawn`, which copies none, should not care.

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ### 为什么 `fork` 这么贵？因为它要复制父进程的页表
#
# 如果 `fork` 的代价主要来自复制页表，那么父进程占用的内存越多，fork 就应该越慢——而根本不复制页表的 `posix_spawn` 应该不受影响。

# %% [markdown] lang="en"
# **Predict first:** the parent touches 256 MiB more memory (65 536 more 4 KiB pages). Does
# `fork` get slower? By a little or a lot? And `posix_spawn`?

# %% [markdown] lang="zh"
# **先预测**：让父进程多访问 256 MiB 内存（多出 65 536 个 4 KiB 页）。`fork` 会变慢吗？是慢一点，还是慢很多？`posix_spawn` 呢？

# %% tags=["nbval-ignore-output"]
tally.ask("01-fork-memory")

# %% tags=["nbval-ignore-output"]
memory_panel = processes.fork_memory_panel()
tally.follow("01-fork-memory", memory_panel)

# %% jupyter={"outputs_hidden": true, "source_hidden": true} tags=["remove-cell"]
grow = memory_panel.data
if not (grow["fork_ns"][-1] > grow["fork_ns"][0] and grow["fork_added_ns"] > grow["spawn_added_ns"]):
    # a busy machine can hide a few hundred µs in one point: measure once more, best of 8
    grow = processes.fork_memory_panel(n=8).data
assert grow["fork_ns"][-1] > grow["fork_ns"][0], "fork grows with the parent"
assert grow["fork_added_ns"] > grow["spawn_added_ns"], "fork grows faster than posix_spawn"
print("fork slows down as the parent grows; posix_spawn much less: True")


# %% [markdown] lang="en"
# **What to notice:**
#
# * `fork`'s cost climbs roughly in a straight line with the parent's touched memory: every
#   page needs its page-table entry copied (and write-protected for copy-on-write), and the
#   child's exit tears them down again.
# * `posix_spawn` stays almost flat. This is why Python's `subprocess` uses `posix_spawn` (or
#   `vfork`) when it can, and why big servers avoid `fork`.
# * Threads (notebook 02) skip this copy entirely: a new thread *shares* its process's
#   address space.

# %% [markdown] lang="zh"
# **观察要点**：
#
# * `fork` 的开销大致随父进程已访问的内存线性增长：每一页的页表项都要复制一遍（还要为写时复制设置写保护），子进程退出时又要把它们一一拆掉。
# * `posix_spawn` 几乎是一条水平线。正因如此，Python 的 `subprocess` 在条件允许时会改用 `posix_spawn`（或 `vfork`），大型服务器也尽量避免 `fork`。
# * 线程（第 2 讲）完全省去了这次复制：新线程与所属进程*共享*同一个地址空间。

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## The article, checked
#
# | the article says | on this machine |
# |---|---|
# | the program sees "one contiguous block" of virtual memory | a sparse set of mappings with holes up to terabytes wide (experiment 1) |
# | virtual memory exists "to save kernel space" | it gives isolation, one layout for all programs, and lazy allocation: resident ≪ virtual (experiment 1) |
# | user space and kernel space divide "this memory" | the kernel's half sits above a gigantic non-canonical hole, mapped in every process but usable only in kernel mode |
# | a process is the unit of resources, a thread the unit of scheduling | true in spirit; on Linux both are tasks made by `clone`, the PID is the first task's ID (`/proc/self/task`) |
# | I/O goes through system calls into kernel space | right; a system call switches the CPU's mode, not the process, and costs far less than creating a process (experiment 2) |

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 核对原文
#
# | 原文的说法 | 本机的实测 |
# |---|---|
# | 程序看到的是“一整块连续的内存空间” | 一组稀疏的映射，中间的空洞宽达数 TB（实验 1） |
# | 虚拟内存“为的是节省内核空间” | 它带来隔离、所有程序统一的布局，以及延迟分配：常驻 ≪ 虚拟（实验 1） |
# | “这片内存空间”划分为用户空间和内核空间 | 内核的那一半位于一个巨大的非规范地址空洞之上，映射在每个进程里，但只有内核态才能使用 |
# | 进程是资源分配的最小单位，线程是 CPU 调度的最小单位 | 大意不错；但在 Linux 上两者都是由 `clone` 创建的任务，PID 就是第一个任务的 ID（`/proc/self/task`） |
# | IO 操作通过系统调用进入内核空间 | 没错；系统调用切换的是 CPU 的模式而不是进程，代价远低于创建进程（实验 2） |

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## Summary
#
# * A **process** = an address space + one or more threads + kernel resources (files, PID).
# * Its **virtual address space** is a sparse list of mappings (code, heap, libraries, stack),
#   private to the process; physical pages are attached lazily, so resident ≪ virtual.
# * The top half of the 64-bit space belongs to the **kernel**; a **system call** moves the CPU
#   into kernel mode to use it, and back.
# * Cost ladder measured here: function call (tens of ns) < system call (hundreds of ns) ≪
#   process creation (milliseconds). `fork` costs more the more memory the parent has,
#   because it copies page tables.

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 小结
#
# * **进程** = 一个地址空间 + 一个或多个线程 + 内核资源（文件、PID）。
# * 进程的**虚拟地址空间**是一组稀疏的映射（代码、堆、库、栈），为该进程私有；物理页按需延迟分配，所以常驻 ≪ 虚拟。
# * 64 位地址空间的上半部分属于**内核**；**系统调用**让 CPU 进入内核态去使用它，用完再返回。
# * 本机测得的开销阶梯：函数调用（几十纳秒）< 系统调用（几百纳秒）≪ 创建进程（毫秒级）。父进程的内存越多，`fork` 越贵，因为它要复制页表。

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
def _powers_of_ten(ratio):
    import math
    return 10 ** round(math.log10(ratio))


questions = [
    Question("stack-above-heap",
             {"en": "Is this kernel's stack at a higher address than its heap? (True/False)",
              "zh": "这个 Python 进程的栈，地址比它的堆高吗？（填 True 或 False）"},
             answer=lambda: stack[0] > heap[0],
             explain=lambda e: {
                 "en": "The heap starts just above the program's data and grows up; the main "
                       "thread's stack starts near the top of user space and grows down.",
                 "zh": "堆从程序数据的正上方开始，向上增长；主线程的栈从用户空间的顶端附近开始，"
                       "向下增长。"}),
    Question("user-bits",
             {"en": "User space ends at 2**k. What is k on this machine?",
              "zh": "用户空间的上界是 2**k。在这台机器上，k 是多少？"},
             answer=lambda: (space["highest_user_address"] - 1).bit_length(),
             explain=lambda e: {
                 "en": f"Every user address is below 2**{e}: x86-64 with 4-level page "
                       "tables gives user space the low 128 TiB, the kernel the top 128 TiB.",
                 "zh": f"所有用户地址都小于 2**{e}：x86-64 采用四级页表时，低 128 TiB "
                       "归用户空间，高 128 TiB 归内核。"}),
    Question("fork-in-syscalls",
             {"en": "How many getppid() system calls cost as much as one fork: "
                    "10, 100, 1000, 10000 or 100000 (nearest power of ten)?",
              "zh": "一次 fork 的开销相当于多少次 getppid() 系统调用：10、100、1000、10000 "
                    "还是 100000（取最接近的 10 的幂）？"},
             answer=lambda: _powers_of_ten(cost_panel.data["ratio_fork_syscall"]),
             explain=lambda e: {
                 "en": f"Measured here: one fork = {cost_panel.data['ratio_fork_syscall']:,.0f} "
                       "getppid() calls. A system call is one trip into kernel mode; a fork "
                       "builds a whole new task and copies page tables.",
                 "zh": f"本机实测：一次 fork = {cost_panel.data['ratio_fork_syscall']:,.0f} 次 "
                       "getppid() 调用。系统调用只是进出内核态一趟；fork 却要构建一个完整的新任务，"
                       "还要复制页表。"}),
    Question("fork-grows",
             {"en": "Does fork get slower when the parent has touched more memory? (True/False)",
              "zh": "父进程访问过的内存越多，fork 会越慢吗？（填 True 或 False）"},
             answer=lambda: grow["fork_ns"][-1] > grow["fork_ns"][0],
             explain=lambda e: {
                 "en": "fork copies the parent's page-table entries, one per touched page; "
                       "posix_spawn shares the address space until exec and copies none.",
                 "zh": "fork 要复制父进程的页表项，每个访问过的页一项；posix_spawn 在 exec 之前"
                       "一直共享地址空间，一项也不复制。"}),
]

# %%
my_answers = {
    "stack-above-heap": ...,
    "user-bits": ...,
    "fork-in-syscalls": ...,
    "fork-grows": ...,
}
self_check(questions, my_answers)

# %% tags=["nbval-ignore-output"]
answer_boxes(questions, tally)

# %% [markdown] lang="en" slideshow={"slide_type": "slide"}
# ## Glossary
#
# | English | 中文 | meaning here |
# |---|---|---|
# | process | 进程 | a running program: address space + threads + kernel resources |
# | thread | 线程 | one flow of execution inside a process; what the kernel schedules |
# | task | 任务 (task_struct) | Linux's name for the thing it schedules: a thread |
# | virtual memory | 虚拟内存 | the private address range a process sees, mapped to physical pages by page tables |
# | address space | 地址空间 | all the mappings of one process |
# | page / page table | 页 / 页表 | the 4 KiB unit of mapping / the tree that maps virtual to physical pages |
# | resident memory | 常驻内存 | pages that currently have physical memory behind them |
# | heap | 堆 | memory for dynamic allocation, above the program's data |
# | stack | 栈 | memory for function frames; the main thread's is near the top |
# | user mode / kernel mode | 用户态 / 内核态 | the CPU's two privilege levels |
# | user space / kernel space | 用户空间 / 内核空间 | the lower and upper halves of the address space |
# | system call | 系统调用 | the controlled entry from user mode into the kernel |
# | fork / exec | 创建子进程 / 执行新程序 | clone the caller / replace its program |
# | copy-on-write | 写时复制 | share pages after fork; copy one only when someone writes it |
# | context switch | 上下文切换 | the CPU leaving one task for another (notebook 02) |
# | scheduler | 调度器 | the code that picks which task runs on which CPU |
#
# ## Further reading
#
# In this order:
#
# 1. **OSTEP** (Arpaci-Dusseau), the chapters this lecture stands on: [The Abstraction: The Process](https://pages.cs.wisc.edu/~remzi/OSTEP/cpu-intro.pdf) (ch. 4), [Process API](https://pages.cs.wisc.edu/~remzi/OSTEP/cpu-api.pdf) (ch. 5: `fork`, `exec`, `wait`), [Limited Direct Execution](https://pages.cs.wisc.edu/~remzi/OSTEP/cpu-mechanisms.pdf) (ch. 6: system calls and context switches) and [The Abstraction: Address Spaces](https://pages.cs.wisc.edu/~remzi/OSTEP/vm-intro.pdf) (ch. 13).
# 2. The Linux manual pages for what the experiments call: [fork(2)](https://man7.org/linux/man-pages/man2/fork.2.html), [clone(2)](https://man7.org/linux/man-pages/man2/clone.2.html) and [proc_pid_maps(5)](https://man7.org/linux/man-pages/man5/proc_pid_maps.5.html) (the `/proc/self/maps` file the memory map reads).
# 3. *The Linux Programming Interface* (Michael Kerrisk, 2010), chapters 24–28 on process creation, for the details behind copy-on-write and `vfork`.
# 4. 中文：《深入理解计算机系统》(CS:APP, Bryant & O'Hallaron) 第 8 章「异常控制流」讲进程、`fork` 与上下文切换。

# %% [markdown] lang="zh" slideshow={"slide_type": "slide"}
# ## 术语表
#
# | 中文 | English | 含义 |
# |---|---|---|
# | 进程 | process | 正在运行的程序：地址空间 + 线程 + 内核资源 |
# | 线程 | thread | 进程内的一条执行流，也是内核调度的对象 |
# | 任务（task_struct） | task | Linux 对其调度对象的叫法，也就是线程 |
# | 虚拟内存 | virtual memory | 进程看到的私有地址范围，由页表映射到物理页 |
# | 地址空间 | address space | 一个进程的全部映射 |
# | 页 / 页表 | page / page table | 4 KiB 的映射单位 / 把虚拟页映射到物理页的树形结构 |
# | 常驻内存 | resident memory | 当前有物理内存支撑的页 |
# | 堆 | heap | 供动态分配使用的内存，位于程序数据之上 |
# | 栈 | stack | 存放函数栈帧的内存；主线程的栈靠近顶端 |
# | 用户态 / 内核态 | user mode / kernel mode | CPU 的两种特权级别 |
# | 用户空间 / 内核空间 | user space / kernel space | 地址空间的下半部分和上半部分 |
# | 系统调用 | system call | 从用户态进入内核的受控入口 |
# | 创建子进程 / 执行新程序 | fork / exec | 克隆调用者 / 替换它运行的程序 |
# | 写时复制 | copy-on-write | fork 之后父子共享页面，某一方写入时才复制那一页 |
# | 上下文切换 | context switch | CPU 从一个任务转去运行另一个任务（第 2 讲） |
# | 调度器 | scheduler | 决定哪个任务在哪个 CPU 上运行的代码 |
#
# ## 延伸阅读
#
# 建议按以下顺序阅读：
#
# 1. **OSTEP**（Arpaci-Dusseau 著，中文版《操作系统导论》）中本讲所依据的几章：[The Abstraction: The Process](https://pages.cs.wisc.edu/~remzi/OSTEP/cpu-intro.pdf)（第 4 章）、[Process API](https://pages.cs.wisc.edu/~remzi/OSTEP/cpu-api.pdf)（第 5 章：`fork`、`exec`、`wait`）、[Limited Direct Execution](https://pages.cs.wisc.edu/~remzi/OSTEP/cpu-mechanisms.pdf)（第 6 章：系统调用与上下文切换）以及 [The Abstraction: Address Spaces](https://pages.cs.wisc.edu/~remzi/OSTEP/vm-intro.pdf)（第 13 章）。
# 2. 实验中用到的系统调用和文件的 Linux 手册页：[fork(2)](https://man7.org/linux/man-pages/man2/fork.2.html)、[clone(2)](https://man7.org/linux/man-pages/man2/clone.2.html) 和 [proc_pid_maps(5)](https://man7.org/linux/man-pages/man5/proc_pid_maps.5.html)（内存映射图读取的正是 `/proc/self/maps` 文件）。
# 3. 《Linux/UNIX 系统编程手册》（*The Linux Programming Interface*，Michael Kerrisk，2010）第 24–28 章讲进程的创建，写时复制和 `vfork` 背后的细节都在这里。
# 4. 《深入理解计算机系统》（CS:APP，Bryant & O'Hallaron）第 8 章“异常控制流”，讲进程、`fork` 与上下文切换。
