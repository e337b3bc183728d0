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
# # Homework 4: GMP's queues, stealing, system calls and preemption
#
# Your problems are generated from your `STUDENT_ID`. Predict, write the answer in the answer
# cell (replace `...`), run the check cell. Do not edit the check cells.
#
# The model is `gk.GMP`, a miniature of today's `runtime/proc.go`: per-P `runnext` + 256-slot
# ring, a global queue checked every 61st tick, stealing half of a victim's ring, sysmon
# (every 20 µs at first) retaking Ps from system calls and preempting goroutines that ran
# 10 ms.

# %% [markdown] lang="zh"
# # 作业 4：GMP 的队列、工作窃取、系统调用与抢占
#
# 你的题目由你的 `STUDENT_ID` 生成。先预测，把答案写进答案单元格（替换 `...`），再运行检查单元格。不要修改检查单元格。
#
# 模型是 `gk.GMP`，相当于今天 `runtime/proc.go` 的缩微版：每个 P 有一个 `runnext` 和一个 256 格的环形队列；每调度 61 次检查一次全局运行队列；窃取时拿走对方环形队列的一半；`sysmon`（起初每 20 µs 醒来一次）从陷在系统调用里的 M 手中收回 P，并抢占连续运行了 10 ms 的 goroutine。

# %%
from gmpkit.homework import assignment
hw = assignment(4, STUDENT_ID)

# %% [markdown] lang="en"
# ## Q1. runnext, the ring and the global queue
# With one P, in which order do these goroutines finish?

# %% [markdown] lang="zh"
# ## Q1. `runnext`、环形队列与全局运行队列
# 只有一个 P 时，这些 goroutine 按什么顺序结束？

# %%
hw.show("q1")

# %% tags=["solution"]
p = hw.params("q1")
names, yielders = p["names"], p["yielders"]
# runnext = the last one spawned; the ring holds the others in order; a Gosched sends a
# goroutine to the global queue, which is only looked at when the local queue is empty.
local = [names[-1]] + names[:-1]
answer_q1 = [n for n in local if n not in yielders] + yielders

# %% tags=["check"]
hw.check("q1", answer_q1)

# %% [markdown] lang="en"
# ## Q2. A full ring overflows
# `runqputslow` moves half the ring plus the new goroutine to the global queue.

# %% [markdown] lang="zh"
# ## Q2. 环形队列满了会溢出
# `runqputslow` 会把环形队列的一半连同新来的 goroutine 一起挪到全局运行队列。

# %%
hw.show("q2")

# %% tags=["solution"]
n = hw.params("q2")["n"]
queued = n - 1                      # one is in runnext
overflows = 0
ring = 0
for _ in range(queued):
    if ring == 256:                 # full: 128 from the ring + this one go global
        overflows += 1
        ring -= 128
    else:
        ring += 1
answer_q2 = overflows * 129

# %% tags=["check"]
hw.check("q2", answer_q2)

# %% [markdown] lang="en"
# ## Q3. Stealing half
# How much does an idle P take from a busy one?

# %% [markdown] lang="zh"
# ## Q3. 偷走一半
# 空闲的 P 会从忙碌的 P 那里拿走多少个 goroutine？

# %%
hw.show("q3")

# %% tags=["solution"]
n = hw.params("q3")["n"]
ring = n - 1                        # the last goroutine is in runnext
answer_q3 = ring - ring // 2        # runqgrab: n - n/2, half rounded up

# %% tags=["check"]
hw.check("q3", answer_q3)

# %% [markdown] lang="en"
# ## Q4. sysmon retakes a P from a system call

# %% [markdown] lang="zh"
# ## Q4. `sysmon` 从系统调用中收回 P

# %%
hw.show("q4")

# %% tags=["solution"]
p = hw.params("q4")
# C (runnext) runs first; S's syscall starts right after; sysmon's next 20 µs round retakes.
answer_q4 = (p["c_us"] // 20 + 1) * 20

# %% tags=["check"]
hw.check("q4", answer_q4)

# %% [markdown] lang="en"
# ## Q5. Preempting a tight loop
# A loop without function calls has no cooperative preemption point.

# %% [markdown] lang="zh"
# ## Q5. 抢占一个紧凑循环
# 不含函数调用的循环里没有协作式抢占点。

# %%
hw.show("q5")

# %% tags=["solution"]
p = hw.params("q5")
# first (runnext) runs 1 ms; then hog: asynchronous preemption stops it 10 ms later,
# otherwise it runs to its end; then tick.
answer_q5 = 1 + (10 if p["async_preempt"] else p["hog_ms"])

# %% tags=["check"]
hw.check("q5", answer_q5)

# %% [markdown] lang="en"
# ## Q6. Write a workload: make P1 steal
# Experiment with `hw.try_workload(workload, "gmp", procs=2)`; it prints the number of steals.

# %% [markdown] lang="zh"
# ## Q6. 写一个负载：让 P1 去窃取
# 用 `hw.try_workload(workload, "gmp", procs=2)` 做实验，它会打印窃取发生了几次。

# %%
hw.show("q6")

# %% tags=["solution"]
k = hw.params("q6")["k"]
# Each short burst of 3 goroutines leaves 2 in P0's ring while P1 is idle: P1 wakes, steals
# one, and has nothing left to steal afterwards.  The wait ends the burst.
workload_q6 = [op for _ in range(k) for op in (("go", [("compute", 200)], "w", 3), ("wait",))]
hw.try_workload(workload_q6, "gmp", procs=2)

# %% tags=["check"]
hw.check("q6", workload_q6)

# %% [markdown] lang="en"
# ## Done
# Save the notebook and hand it in as `<your student id>.ipynb` (or in a folder named after
# your id). The grader re-runs it from the top in a fresh kernel.

# %% [markdown] lang="zh"
# ## 完成
# 保存 notebook，以 `<你的学号>.ipynb` 为文件名提交（或放进以你的学号命名的文件夹）。评分程序会在一个全新的内核里从头重新运行它。
