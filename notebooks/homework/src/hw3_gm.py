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

# %% tags=["student-id"]
STUDENT_ID = "demo"  # <- put YOUR student id here, e.g. "s2412345", then run all cells

# %% [markdown] lang="en"
# # Homework 3: the GM scheduler's bottlenecks
#
# Your problems are generated from your `STUDENT_ID`. Predict, write the answer in the answer
# cell (replace `...`), run the check cell. Do not edit the check cells.
#
# The model is `gk.GM`, Go 1.0's scheduler: one global run queue under one lock, no P,
# G hand-off to other threads (`matchmg`), a memory cache per M, `mcpu <= mcpumax`
# (GOMAXPROCS) Ms running Go code. Vyukov's 2012 design doc lists its four problems; each
# question below is about one of them.

# %% [markdown] lang="zh"
# # 作业 3：GM 调度器的瓶颈
#
# 你的题目由你的 `STUDENT_ID` 生成。先预测，把答案写进答案单元格（替换 `...`），再运行检查单元格。不要修改检查单元格。
#
# 模型是 `gk.GM`，也就是 Go 1.0 的调度器：只有一个全局运行队列，由一把锁保护；没有 P；G 会被交接给别的线程（`matchmg`）；每个 M 各有一份内存缓存；同一时刻最多 `mcpumax`（即 `GOMAXPROCS`）个 M 在运行 Go 代码（`mcpu <= mcpumax`）。Vyukov 在 2012 年的设计文档里列出了它的四个问题，下面每道题各讲其中一个。

# %%
from gmpkit.homework import assignment
hw = assignment(3, STUDENT_ID)

# %% [markdown] lang="en"
# ## Q1. One global FIFO queue
# With GOMAXPROCS=1, in which order do these goroutines finish?

# %% [markdown] lang="zh"
# ## Q1. 唯一的全局先进先出队列
# `GOMAXPROCS=1` 时，这些 goroutine 按什么顺序结束？

# %%
hw.show("q1")

# %% tags=["solution"]
# Replay the FIFO queue: a Gosched sends the goroutine (with what it has left) to the tail.
spec = hw.params("q1")["spec"]
queue = [(op[2], list(op[1])) for op in spec if op[0] == "go"]
order = []
while queue:
    name, ops = queue.pop(0)
    while ops and ops[0][0] != "gosched":
        ops.pop(0)
    if ops:                       # it yielded: back to the tail with the rest of its work
        queue.append((name, ops[1:]))
    else:
        order.append(name)
answer_q1 = order

# %% tags=["check"]
hw.check("q1", answer_q1)

# %% [markdown] lang="en"
# ## Q2. More processors, slower program?
# Problem 1 of the design doc: the global scheduler lock. Which GOMAXPROCS is fastest?

# %% [markdown] lang="zh"
# ## Q2. 处理器越多，程序反而越慢？
# 设计文档里的问题 1：全局调度器锁。`GOMAXPROCS` 取多少时最快？

# %%
hw.show("q2")

# %% tags=["solution"]
# Channel-heavy tiny jobs: every operation takes the global lock, so 1 wins.
# Long computations: the lock is rarely needed, so more processors win.
answer_q2 = 1 if hw.params("q2")["kind"] == "channels" else 4

# %% tags=["check"]
hw.check("q2", answer_q2)

# %% [markdown] lang="en"
# ## Q3. Memory caches held by threads in system calls
# Problem 3 of the design doc: the memory cache belongs to the M.

# %% [markdown] lang="zh"
# ## Q3. 陷在系统调用里的线程占着内存缓存
# 设计文档里的问题 3：内存缓存（`mcache`）归 M 所有。

# %%
hw.show("q3")

# %% tags=["solution"]
p = hw.params("q3")
answer_q3 = p["n"] * p["mcache_mib"]          # every M blocked in a syscall keeps its cache

# %% tags=["check"]
hw.check("q3", answer_q3)

# %% [markdown] lang="en"
# ## Q4. Write a workload: thread churn
# Problem 4 of the design doc: threads blocked and unblocked around system calls. Experiment
# with `hw.try_workload(workload, "gm", procs=1)`.

# %% [markdown] lang="zh"
# ## Q4. 写一个负载：线程反复阻塞与唤醒
# 设计文档里的问题 4：线程在系统调用前后被阻塞、又被唤醒。用 `hw.try_workload(workload, "gm", procs=1)` 做实验。

# %%
hw.show("q4")

# %% tags=["solution"]
p = hw.params("q4")
# Several goroutines compute, make a short syscall, compute again: while one is in the kernel
# another takes the only slot, so each return finds the house full and parks its thread.
workload_q4 = [("go", [("compute", 100), ("syscall", 200), ("compute", 100)], "S",
                p["max_goroutines"]), ("wait",)]
hw.try_workload(workload_q4, "gm", procs=1)

# %% tags=["check"]
hw.check("q4", workload_q4)

# %% [markdown] lang="en"
# ## Done
# Save the notebook and hand it in as `<your student id>.ipynb` (or in a folder named after
# your id). The grader re-runs it from the top in a fresh kernel.

# %% [markdown] lang="zh"
# ## 完成
# 保存 notebook，以 `<你的学号>.ipynb` 为文件名提交（或放进以你的学号命名的文件夹）。评分程序会在一个全新的内核里从头重新运行它。
