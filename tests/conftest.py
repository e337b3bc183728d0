"""Shared pytest configuration: small on purpose.

The repository root goes on sys.path so tests can import the build scripts in tools/.
Browser fixtures live in tests/browser/conftest.py.
"""

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


@pytest.fixture
def lesson_with_a_hidden_assert(tmp_path):
    """A notebooks folder holding one lesson: a heading, an assert cell tagged
    ``remove-cell`` (hidden) and a visible one. The site and the slides must show one."""
    import nbformat
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    nb = nbformat.v4.new_notebook()
    hidden = nbformat.v4.new_code_cell("assert 1 + 1 == 2")
    hidden.metadata["tags"] = ["remove-cell"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Lesson"), hidden,
                nbformat.v4.new_code_cell("assert 'shown' in 'shown here'")]
    nbformat.write(nb, nbdir / "01_lesson.ipynb")
    return nbdir
