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
# # Homework 5: model vs reality
#
# Your problems are generated from your `STUDENT_ID`. Predict or compute, write the answer in
# the answer cell (replace `...`), run the check cell. Do not edit the check cells.
#
# The data are real: measurements and a `GODEBUG=schedtrace` trace recorded on the course's
# machine with the course's Go programs (`gmpkit.real`; `gmpkit.real.load_recorded()` shows
# the whole table). You do not need Go installed.

# %% [markdown] lang="zh"
# # 作业 5：模型与现实
#
# 你的题目由你的 `STUDENT_ID` 生成。先预测或计算，把答案写进答案单元格（替换 `...`），再运行检查单元格。不要修改检查单元格。
#
# 数据都是真实的：用课程自带的 Go 程序（`gmpkit.real`）在课程的机器上测得的结果，外加一段 `GODEBUG=schedtrace` 输出（完整的表格用 `gmpkit.real.load_recorded()` 查看）。你不需要安装 Go。

# %%
from gmpkit.homework import assignment
hw = assignment(5, STUDENT_ID)

# %% [markdown] lang="en"
# ## Q1. Reading the measurements

# %% [markdown] lang="zh"
# ## Q1. 读懂测量结果

# %%
hw.show("q1")

# %% tags=["solution"]
from gmpkit.real import load_recorded
table = load_recorded()
p = hw.params("q1")
answer_q1 = table[p["a"]].median / table[p["b"]].median

# %% tags=["check"]
hw.check("q1", answer_q1)

# %% [markdown] lang="en"
# ## Q2. The model's hand-off vs the measured one
# Predict what the model will say before you run anything: in the model, what does one
# channel hand-off between two goroutines on the same P cost?

# %% [markdown] lang="zh"
# ## Q2. 模型里的交接开销与实测值
# 先预测模型会给出多少，再运行任何代码：在模型里，同一个 P 上的两个 goroutine 通过 channel 交接一次，开销是多少？

# %%
hw.show("q2")

# %% tags=["solution"]
p = hw.params("q2")
# The receiver goes to runnext and runs next: one goroutine switch per hand-off.
answer_q2 = (p["switch_ns"] - p["measured_ns"]) / p["measured_ns"] * 100

# %% tags=["check"]
hw.check("q2", answer_q2)

# %% [markdown] lang="en"
# ## Q3. Reading a real schedtrace
# `runqueue=` is the global run queue; the bracketed list holds each P's ring length.

# %% [markdown] lang="zh"
# ## Q3. 读一段真实的 `schedtrace`
# `runqueue=` 是全局运行队列的长度；方括号里依次是每个 P 的环形队列长度。

# %%
hw.show("q3")

# %% tags=["solution"]
import re
from gmpkit.real.recorded import read_trace
trace, _ = read_trace("schedtrace_demo")
line = next(l for l in trace.splitlines() if l.startswith(f"SCHED {hw.params('q3')['time_ms']}ms"))
glob = int(re.search(r"runqueue=(\d+)", line).group(1))
local = [int(x) for x in re.search(r"\[ ([\d ]+) \]", line).group(1).split()]
answer_q3 = glob + sum(local)

# %% tags=["check"]
hw.check("q3", answer_q3)

# %% [markdown] lang="en"
# ## Q4. What the model leaves out
# Every model in `gmpkit` lists what it models (`MODELS`) and what it leaves out
# (`SIMPLIFIES`).

# %% [markdown] lang="zh"
# ## Q4. 模型省略了什么
# `gmpkit` 里的每个模型都列出了它模拟了什么（`MODELS`），又省略了什么（`SIMPLIFIES`）。

# %%
hw.show("q4")

# %% tags=["solution"]
from gmpkit.models.gmp import GMP
options = hw.params("q4")["options"]
answer_q4 = "ABCD"[next(i for i, o in enumerate(options) if o in GMP.SIMPLIFIES)]

# %% tags=["check"]
hw.check("q4", answer_q4)

# %% [markdown] lang="en"
# ## Q5. Goroutines per thread stack

# %% [markdown] lang="zh"
# ## Q5. 一个线程栈抵得上多少个 goroutine

# %%
hw.show("q5")

# %% tags=["solution"]
p = hw.params("q5")
answer_q5 = (p["stack_mib"] * 2**20 + 4096) / p["per_g_bytes"]

# %% tags=["check"]
hw.check("q5", answer_q5)

# %% [markdown] lang="en"
# ## Done
# Save the notebook and hand it in as `<your student id>.ipynb` (or in a folder named after
# your id). The grader re-runs it from the top in a fresh kernel.

# %% [markdown] lang="zh"
# ## 完成
# 保存 notebook，以 `<你的学号>.ipynb` 为文件名提交（或放进以你的学号命名的文件夹）。评分程序会在一个全新的内核里从头重新运行它。
