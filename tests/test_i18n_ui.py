"""What a learner reads, in the learner's language (issue 15, part 2).

Each test shows one kind of text -- a prediction, a self-check, an error, homework
feedback, the grader's per-student report -- in Chinese (it must be predominantly
Chinese) and in English (it must read exactly as the English edition always did:
the English strings below are the ones the code wrote before it went through ``tr``).

What each would catch: a string shown without ``tr`` (it stays English in the Chinese
edition), a translation that breaks the English, a choice whose translated label
changes the value the model compares against, the grader writing a Chinese-edition
student's feedback in English (or another thread's language).
"""

from __future__ import annotations

import json
import re

import nbformat
import pytest

import gmpkit as gk
from gmpkit import i18n
from gmpkit.checks import Question, within
from gmpkit.predict import Prediction, Tally
from gmpkit.predictions import CATALOG
from tools.bilingual import chinese_share

CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(autouse=True)
def english_after():
    yield
    gk.set_language("en")


def chinese(text, at_least=0.6):
    """Predominantly Chinese: CJK characters against 2 × English words (identifiers in the
    text, such as runnext or GOMAXPROCS, count as English, so the bar is that of the prose)."""
    share = chinese_share(str(text))
    assert share >= at_least, f"{share:.2f} Chinese: {text!r}"
    return text


# ---------------------------------------------------------------------------
# predictions
# ---------------------------------------------------------------------------

def test_every_prediction_prompt_and_choice_is_chinese_in_the_chinese_edition():
    n = 0
    for notebook, preds in CATALOG.items():
        for qid, make in preds.items():
            p = make()
            assert p.shown_prompt == p.prompt          # English: the text as written
            gk.set_language("zh")
            chinese(p.shown_prompt, 0.5)
            for o in p._shown_options():
                if re.search("[A-Za-z]{3}", o) and o not in ("lock", "mcache"):
                    assert CJK.search(o), (qid, o)
            gk.set_language("en")
            assert p._shown_options() == p.options
            n += 1
    assert n >= 35


def _doubling():
    return Prediction("double", "2 x n for the panel's n?", "number",
                      answer=lambda d: 2 * d["n"],
                      explain=lambda d: i18n.tr("the heap starts just above the program's data "
                                                "and grows up; the main thread's stack is placed "
                                                "near the top of user space and grows down, with "
                                                "terabytes of unmapped addresses between them."))


def test_prediction_feedback_in_both_languages():
    p = _doubling()
    p.predict(9)
    assert p.check() == ("Locked in: 9. Now run the experiment below to see what the model "
                         "says.")
    en = p.resolve({"n": 4}).text
    assert en.startswith("You predicted 9; the model says 8. Not quite. You were over by 1 "
                         "(12%). Why: The heap starts")
    gk.set_language("zh")
    q = _doubling()
    q.predict(9)
    chinese(q.check(), 0.5)
    zh = q.resolve({"n": 4}).text
    chinese(zh)
    assert "你多估了 1" in zh and "原因：" in zh
    t = Tally("demo")
    t.add(q)
    chinese(t.summary())
    html = q.result_html()
    assert "你的预测" in html and "模型" in html


def test_a_choice_shows_chinese_labels_but_keeps_its_english_value():
    gk.set_language("zh")
    t = __import__("gmpkit.predictions", fromlist=["tally"]).tally("05_gm_scheduler")
    p = t.ask("05-scaling")
    radio = p._input()
    labels = [lab for lab, _ in radio.options]
    assert labels == ["更快", "差不多", "更慢"]
    assert [v for _, v in radio.options] == ["faster", "about the same", "slower"]
    p.predict("更慢")                      # what a Chinese learner clicks or types
    assert p.given == "slower"
    with pytest.raises(Exception, match="请从"):
        p.predict("不存在的选项")


def test_an_order_prediction_accepts_chinese_items_and_separators():
    gk.set_language("zh")
    p = __import__("gmpkit.predictions", fromlist=["tally"]).tally("07_gmp_syscalls") \
        .ask("07-gm-vs-gmp")
    p.predict("锁，交接、mcache（内存缓存）, " + i18n.tr("thread churn"))
    assert p.given == ["lock", "hand-off", "mcache", "thread churn"]
    gk.set_language("en")
    p2 = __import__("gmpkit.predictions", fromlist=["tally"]).tally("07_gmp_syscalls") \
        .ask("07-gm-vs-gmp")
    p2.predict("lock, hand-off, mcache, thread churn")
    assert p2.given == p.given


# ---------------------------------------------------------------------------
# self-check questions
# ---------------------------------------------------------------------------

def _question(prompt):
    return Question("k", prompt, answer=lambda: 47,
                    explain=lambda e: {"en": f"Every user address is below 2**{e}.",
                                       "zh": f"所有用户地址都小于 2**{e}。"},
                    compare=within(rel=0.1))


def test_a_bilingual_self_check_question_follows_the_language():
    q = _question({"en": "User space ends at 2**k. What is k?", "zh": "用户空间的上界是 2**k，k 是多少？"})
    assert q.shown_prompt == "User space ends at 2**k. What is k?"
    assert q.check(40, strict=False).text == ("Not quite: you said 40, the model says 47 "
                                              "(within 10% counts). Every user address is "
                                              "below 2**47.")
    assert q.check(47, strict=False).text == "Correct: 47. Every user address is below 2**47."
    gk.set_language("zh")
    chinese(q.shown_prompt, 0.5)
    chinese(q.check(40, strict=False).text, 0.5)
    assert q.check(47, strict=False).text == "正确：47。所有用户地址都小于 2**47。"
    chinese(q.check(..., strict=False).text, 0.5)


def test_a_plain_string_question_still_works_in_both_editions():
    q = _question("What is k?")
    gk.set_language("zh")
    assert q.shown_prompt == "What is k?"
    assert q.check(47, strict=False).text.startswith("正确：47。")
    with pytest.raises(ValueError, match="needs its English"):
        i18n.pick({"zh": "只有中文"})


# ---------------------------------------------------------------------------
# errors a learner meets
# ---------------------------------------------------------------------------

def _deadlock():
    ch = gk.Chan()

    def main():
        yield ch.recv()
    return main


def test_errors_in_chinese_and_unchanged_in_english():
    with pytest.raises(ValueError) as e:
        gk.compute(us=-1)
    assert str(e.value) == ("compute(us=-1): a duration must be >= 0 ns; got -1 us. Pass a "
                            "positive number, e.g. compute(us=1).")
    with pytest.raises(ValueError) as e:
        gk.GMP(procs=0)
    assert str(e.value) == ("GMP(procs=0): procs must be at least 1 (a scheduler needs "
                            "somewhere to run goroutines)")
    gk.set_language("zh")
    with pytest.raises(ValueError) as e:
        gk.compute(us=-1)
    chinese(str(e.value), 0.4)
    with pytest.raises(ValueError) as e:
        gk.GMP(procs=0)
    chinese(str(e.value), 0.4)

    def bad():
        yield 42
    with pytest.raises(gk.WorkloadError) as e:
        gk.simulate(bad, model=gk.GMP(procs=1))
    chinese(str(e.value), 0.3)


def test_go_runtime_messages_keep_gos_words_with_a_chinese_gloss():
    with pytest.raises(gk.Deadlock) as en:
        gk.simulate(_deadlock(), model=gk.GMP(procs=1))
    gk.set_language("zh")
    with pytest.raises(gk.Deadlock) as zh:
        gk.simulate(_deadlock(), model=gk.GMP(procs=1))
    en, zh = str(en.value), str(zh.value)
    first = en.splitlines()[0]
    assert first.startswith("fatal error: all goroutines are asleep - deadlock! (at t=")
    assert zh.startswith(first)                       # Go's own words, unchanged
    gloss = zh.splitlines()[1]
    chinese(gloss, 0.6)
    assert en.split("\n\n", 1)[1] == zh.split("\n\n", 1)[1]    # the goroutine list, as Go prints


# ---------------------------------------------------------------------------
# homework and the grader
# ---------------------------------------------------------------------------

def test_homework_problems_and_feedback_in_chinese():
    from gmpkit.homework import Homework
    en = Homework(1, "alice", quiet=True)
    assert en.problem("q2").text.endswith("(Count every time a thread is put on the CPU, main "
                                          "included.) answer_q2 = an int.")
    fb_en = en.feedback("q2", 12345).text
    assert fb_en.startswith("Not quite: you said 12345, the model says ")
    gk.set_language("zh")
    zh = Homework(1, "alice", quiet=True)
    chinese(zh.problem("q2").text.split("\n\n")[-1], 0.5)
    fb = zh.feedback("q2", 12345)
    assert fb.expected == en.problem("q2").check.expected      # the same problem
    chinese(fb.text)
    for qid in zh.qids:
        chinese(zh.problem(qid).check.explanation() if hasattr(zh.problem(qid).check,
                                                                "explanation") else "中文", 0.5)


def test_workload_errors_in_chinese():
    from gmpkit.homework import workload as wl
    with pytest.raises(wl.WorkloadSpecError) as e:
        wl.validate([("compute", 0)])
    assert str(e.value) == "main[0] = ('compute', 0): the time must be a whole number of µs from 1 to 1,000,000"
    gk.set_language("zh")
    with pytest.raises(wl.WorkloadSpecError) as e:
        wl.validate([("compute", 0)])
    chinese(str(e.value), 0.4)


def test_the_grader_detects_the_edition():
    from gmpkit.homework.grade import detect_language
    new = nbformat.v4
    assert detect_language(new.new_notebook(cells=[new.new_code_cell("x = 1")])) == "en"
    zh = new.new_notebook(cells=[new.new_code_cell("import gmpkit as gk\ngk.set_language('zh')")])
    assert detect_language(zh) == "zh"
    meta = new.new_notebook(metadata={"gmpkit": {"lang": "zh_CN"}})
    assert detect_language(meta) == "zh"
    odd = new.new_notebook(cells=[new.new_code_cell("gk.set_language('klingon')")])
    assert detect_language(odd) == "en"


def test_using_is_per_thread():
    import threading
    seen = {}

    def other():
        seen["other"] = i18n.tr("in the scheduler")

    with i18n.using("zh"):
        th = threading.Thread(target=other)
        th.start()
        th.join()
        seen["here"] = i18n.tr("in the scheduler")
    assert seen == {"other": "in the scheduler", "here": "在调度器中"}
    assert i18n.language() == "en"


def test_the_grader_writes_each_students_feedback_in_their_edition(tmp_path):
    from gmpkit.homework import build, sandbox
    from gmpkit.homework.grade import grade_folder
    from tests.test_homework_grade import filled
    d = tmp_path / "subs"
    d.mkdir()
    nbformat.write(filled("bob", wrong=("q2",)), d / "bob.ipynb")
    nb = filled("lin", wrong=("q2",))
    nb.cells.insert(0, nbformat.v4.new_code_cell('import gmpkit as gk\ngk.set_language("zh")'))
    nbformat.write(nb, d / "lin.ipynb")
    out = tmp_path / "report" / "grades.csv"
    results = {r.student_id: r for r in grade_folder(
        d, out, cell_timeout=20, total_timeout=120, log=lambda *a: None, jobs=2,
        sandbox_ok=sandbox.probe() is None)}
    lin, bob = results["lin"], results["bob"]
    assert (lin.language, bob.language) == ("zh", "en")
    assert lin.questions["q2"].status == bob.questions["q2"].status == "wrong"
    assert lin.score == bob.score                    # the same grading, whatever the language
    chinese(lin.questions["q2"].feedback)
    assert bob.questions["q2"].feedback.startswith("Not quite: you said 12345")
    md_zh = (out.parent / "feedback" / "lin.md").read_text(encoding="utf-8")
    md_en = (out.parent / "feedback" / "bob.md").read_text(encoding="utf-8")
    assert "# lin 的作业反馈" in md_zh and "判定：错误" in md_zh and "数一数上下文切换" in md_zh
    assert "# Homework feedback for bob" in md_en and "verdict: wrong, 0 of 1 points" in md_en
    assert "<html lang=\"zh-CN\">" in (out.parent / "feedback" / "lin.html").read_text(
        encoding="utf-8")


# ---------------------------------------------------------------------------
# panels, the G-M-P animation and its diagram
# ---------------------------------------------------------------------------

def _texts(fig):
    out = []
    for ax in fig.axes:
        out += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        if ax.get_legend():
            out += [t.get_text() for t in ax.get_legend().get_texts()]
    return [t for t in out if t]


def test_a_panel_speaks_chinese_and_english_comes_back_byte_identical():
    from gmpkit.widgets import gm
    en = gm.mcache_panel()
    png, summary, texts = en.image.value, en.summary, _texts(en.fig)
    head = en.widget.children[0].value
    assert "05 · Problem 3: every thread owns a memory cache" in head
    gk.set_language("zh")
    zh = gm.mcache_panel()
    chinese(zh.summary, 0.4)
    assert "05 · 问题 3" in zh.widget.children[0].value
    zh_texts = _texts(zh.fig)
    assert len(zh_texts) == len(texts) and sum(bool(CJK.search(t)) for t in zh_texts) >= 4
    assert zh.image.value != png
    assert zh.controls["in_syscalls"].description == "发起 1 ms 系统调用的 goroutine 数"
    gk.set_language("en")
    again = gm.mcache_panel()
    assert (again.image.value, again.summary, _texts(again.fig)) == (png, summary, texts)


def test_a_dropdown_shows_chinese_but_keeps_its_english_value():
    from gmpkit.widgets import gm
    gk.set_language("zh")
    p = gm.handoff_panel()
    dd = p.controls["workload"]
    assert dd.value == "ping-pong (2 goroutines)"
    assert [lab for lab, _ in dd.options] == ["乒乓（2 个 goroutine）", "工作池（lock_heavy）"]
    p.set(workload="worker pool (lock_heavy)")
    assert p.error is None and "工作池" in _texts(p.fig)[0]


def test_the_animation_captions_follow_the_language_but_its_data_stays_english():
    from gmpkit.predictions import tally
    from gmpkit.widgets import animation
    en = animation.animation_panel()
    en.set(frame=12)
    en_png, en_caption = en.image.value, en.caption.value
    answer_en = tally("06_gmp_queues").ask("06-animation").resolve(en.data).expected
    gk.set_language("zh")
    zh = animation.animation_panel()
    zh.set(frame=12)
    assert zh.data["captions"] == en.data["captions"]           # the data: English
    cap = re.sub("<[^>]+>", "", zh.caption.value)
    chinese(cap.split("—", 1)[1], 0.4)                            # what the learner reads
    assert zh.image.value != en_png
    assert any("全局" in s for s in zh._diagram.labels)            # the diagram's own labels
    # the prediction reads the data, so it resolves the same in both editions
    assert tally("06_gmp_queues").ask("06-animation").resolve(zh.data).expected == answer_en
    gk.set_language("en")
    back = animation.animation_panel()
    back.set(frame=12)
    assert (back.image.value, back.caption.value) == (en_png, en_caption)


def test_diagram_text_with_chinese_takes_glyphs_from_the_cjk_family():
    from gmpkit.plots.diagram import _glyphs
    latin = _glyphs("global queue (3)")
    mixed = _glyphs("全局运行队列 (3)")
    assert len(mixed[0]) and mixed[3] > mixed[2]
    # a Latin-only line is still DejaVu's: the same outline as before the fallback existed
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath
    ref = TextPath((0, 0), "global queue (3)", size=1.0, prop=FontProperties(family="DejaVu Sans"))
    assert (latin[0] == ref.vertices).all()


def test_the_schedtrace_field_table_reads_in_the_learners_language():
    from gmpkit.real import tracetool
    fields = tracetool.SCHEDTRACE_FIELDS["summary"]
    en = dict(fields.items())
    assert en["threads"] == "Ms created so far (mcount), including sysmon and idle or blocked ones"
    gk.set_language("zh")
    zh = dict(fields.items())
    assert zh.keys() == en.keys()                     # the field names are Go's
    for name, meaning in zh.items():
        assert CJK.search(meaning), (name, meaning)
    assert dict(dict.items(fields)) == en             # the stored table stays English


def test_the_comparison_table_speaks_chinese_but_keeps_its_verdicts():
    from gmpkit.real.compare import compare
    c = compare("cpu_fanout", procs=2, real="recorded")
    en_html, verdicts = c._repr_html_(), [m.verdict for m in c.metrics]
    gk.set_language("zh")
    zh_html = c._repr_html_()
    assert "指标" in zh_html and "判定" in zh_html and "预期的差异" in zh_html
    assert [m.verdict for m in c.metrics] == verdicts
    chinese(c.summary(), 0.3)
    gk.set_language("en")
    assert c._repr_html_() == en_html


def test_a_panel_module_that_never_imports_plots_still_draws_chinese():
    """03's panels draw with matplotlib directly; in a fresh process that imports only
    them, the Chinese edition must still find the CJK subset (a missing glyph warns)."""
    import subprocess
    import sys
    code = ("import warnings, matplotlib\n"
            "warnings.simplefilter('error')\n"
            "import gmpkit as gk\n"
            "gk.set_language('zh')\n"
            "import gmpkit.widgets.goroutines as g\n"
            "from gmpkit.i18n import FONT_FAMILY\n"
            "assert FONT_FAMILY in matplotlib.rcParams['font.family'], matplotlib.rcParams['font.family']\n"
            "p = g.create_panel()\n"
            "assert p.error is None, p.error\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
