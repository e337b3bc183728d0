"""Conceptual diagrams (gmpkit.diagrams): each one draws, fits a laptop screen in both
styles, uses the course's colour-blind-safe colours, says what it is there to say, and takes
the runtime's numbers from the model rather than typing them."""

import io

import numpy as np
import pytest
from matplotlib.colors import to_hex
from PIL import Image

from gmpkit import diagrams, plots
from gmpkit.models import gmp as gmp_model

NAMES = sorted(diagrams.DIAGRAMS)

# What each diagram must say (words a learner should find in it).
MUST_SAY = {
    "address_space": ["guard page", "heap", "stack", "process A", "3 threads", "kernel"],
    "thread_mappings": ["1:1", "N:1", "M:N", "GOMAXPROCS", "one blocking syscall", "P0", "M2"],
    "gmp_structure": ["global run queue", "sched.lock", "runnext", "local ring", "idle Ps",
                      "idle Ms", "netpoller", "sysmon", "no P", "steals half"],
    "syscall_handoff": ["entersyscall", "retake", "handoffp", "startm", "exitsyscall",
                        "global run queue", "stopm", "fast path"],
}

ALLOWED_FACES = ({c.upper() for c in plots.SERIES_PALETTE} | {c.upper() for c in plots.G_PALETTE}
                 | {v[0].upper() for v in plots.KIND_STYLE.values()}
                 | {v[0].upper() for v in plots.STATE_STYLE.values()}
                 | {"#FFFFFF", "#F7F7F7", "#F2F2F2", "#EDEDED", "#FFF4DC", "#E8F4FA", "#4D4D4D"})


def texts(fig):
    """Every word on the figure: texts, titles and legend entries."""
    out = []
    for ax in fig.axes:
        legend = ax.get_legend()
        out += ax.texts + [ax.title] + (legend.get_texts() if legend else [])
    return " ".join(t.get_text() for t in out)


def png_pixels(fig):
    fig.canvas.draw()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"), dtype=float) / 255


def test_every_diagram_is_listed_and_documented():
    assert NAMES == sorted(MUST_SAY)
    for name, fn in diagrams.DIAGRAMS.items():
        assert fn.__doc__ and ">>>" in fn.__doc__, f"{name} has no example"


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("projector", [False, True])
def test_diagram_fits_a_laptop_and_is_not_blank(name, projector):
    with plots.style(projector=projector):
        fig = diagrams.DIAGRAMS[name]()
    w, h = fig.get_size_inches() * 100
    assert h <= 650 and w <= 1250, f"{name}: {w:.0f}x{h:.0f} px does not fit a 1366x768 view"
    px = png_pixels(fig)
    assert px.std() > 0.1, "almost blank"
    assert len(np.unique((px * 255).astype(int).reshape(-1, 3), axis=0)) > 16


@pytest.mark.parametrize("name", NAMES)
def test_diagram_says_what_it_is_for(name):
    said = texts(diagrams.DIAGRAMS[name]())
    missing = [w for w in MUST_SAY[name] if w not in said]
    assert missing == []


@pytest.mark.parametrize("name", NAMES)
def test_no_text_leaves_the_picture_or_overlaps_another(name):
    for projector in (False, True):
        with plots.style(projector=projector):
            fig = diagrams.DIAGRAMS[name]()
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        fw, fh = fig.bbox.width, fig.bbox.height
        boxes = []
        for ax in fig.axes:
            for t in ax.texts:
                if not t.get_text().strip():
                    continue
                bb = t.get_window_extent(renderer)
                assert bb.x0 >= -1 and bb.y0 >= -1 and bb.x1 <= fw + 1 and bb.y1 <= fh + 1, \
                    f"{name}: {t.get_text()!r} is cut off (projector={projector})"
                boxes.append((t.get_text(), bb))
        clashes = [(a, b) for i, (a, ba) in enumerate(boxes) for b, bb in boxes[i + 1:]
                   if ba.overlaps(bb) and _overlap_area(ba, bb) > 0.2 * min(_area(ba), _area(bb))]
        assert clashes == [], f"{name} (projector={projector}): texts overlap: {clashes[:3]}"


def _area(bb):
    return max(bb.width, 0) * max(bb.height, 0)


def _overlap_area(a, b):
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(w, 0) * max(h, 0)


@pytest.mark.parametrize("name", NAMES)
def test_colours_come_from_the_course_palettes(name):
    fig = diagrams.DIAGRAMS[name]()
    faces = {to_hex(p.get_facecolor(), keep_alpha=False).upper()
             for ax in fig.axes for p in ax.patches}
    assert faces - ALLOWED_FACES == set()


def test_numbers_come_from_the_model(monkeypatch):
    """Change the model's constants and the diagram follows: nothing is typed twice."""
    monkeypatch.setattr(gmp_model, "RUNQ_SIZE", 512)
    monkeypatch.setattr(gmp_model, "GLOBAL_CHECK_EVERY", 7)
    monkeypatch.setattr(gmp_model, "FORCE_PREEMPT_NS", 20_000_000)
    said = texts(diagrams.gmp_structure())
    assert "512" in said and "every 7th" in said and "after 20 ms" in said
    assert "256" not in said and "61" not in said
