"""``gmpkit.widgets.gmp`` is only the import path notebooks 03, 06 and 07 use: it must
serve every name they read from it, and hold nothing of its own.

The panels' tests are in test_widgets_animation.py, test_widgets_queues.py and
test_widgets_syscalls.py.
"""

import ast
import re
from pathlib import Path

from gmpkit.widgets import gmp

ROOT = Path(__file__).resolve().parents[1]


def test_every_name_the_notebooks_read_from_it_is_there():
    used = set()
    for nb in ("03_goroutines", "06_gmp_queues", "07_gmp_syscalls"):
        text = (ROOT / "notebooks" / "src" / f"{nb}.py").read_text(encoding="utf-8")
        used |= set(re.findall(r"\bgmp\.([A-Za-z_]\w*)", text))
        for m in re.finditer(r"from gmpkit\.widgets\.gmp import ([\w, ]+)", text):
            used |= {n.strip() for n in m.group(1).split(",")}
    assert {"animation_panel", "syscall_panel", "runtime_excerpt", "_syscall_sweep"} <= used
    missing = sorted(n for n in used if not hasattr(gmp, n))
    assert not missing, f"gmpkit.widgets.gmp lost {missing}"


def test_it_defines_nothing_itself():
    tree = ast.parse(Path(gmp.__file__).read_text(encoding="utf-8"))
    defs = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    assert defs == []
