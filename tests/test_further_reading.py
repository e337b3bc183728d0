"""Every lecture ends with a "Further reading" section: an ordered list of primary sources
with well-formed links (nothing is fetched here: the test machine has no network)."""

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py"))
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def markdown_cells(src: Path):
    cells, cur = [], None
    for line in src.read_text(encoding="utf-8").splitlines():
        if line.startswith("# %%"):
            cur = [] if "[markdown]" in line else None
            if cur is not None:
                cells.append(cur)
        elif cur is not None:
            cur.append(line[2:] if line.startswith("# ") else line.lstrip("#"))
    return ["\n".join(c) for c in cells]


def reading_of(src: Path) -> str:
    """The text of the "Further reading" section, which must be the notebook's last section
    (it may share the glossary's cell)."""
    text = "\n".join(markdown_cells(src))
    heads = list(re.finditer(r"^## (.+)$", text, re.M))
    assert any(h.group(1).strip() == "Further reading" for h in heads), \
        f"{src.name} has no '## Further reading' section"
    assert heads[-1].group(1).strip() == "Further reading", \
        f"{src.name}: Further reading must be the last section, not {heads[-1].group(1)!r}"
    return text[heads[-1].start():]


def test_there_are_lectures():
    assert len(SOURCES) >= 8


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_each_lecture_ends_with_further_reading(src):
    text = reading_of(src)
    items = re.findall(r"^\d+\. ", text, re.M)
    assert len(items) >= 3, "an ordered list of at least three sources"
    links = LINK.findall(text)
    assert len(links) >= 3
    urls = [u for _, u in links]
    assert len(set(urls)) == len(urls) or all(urls.count(u) <= 2 for u in urls)
    for label, url in links:
        parts = urlparse(url)
        assert parts.scheme == "https", f"{url}: use https"
        assert "." in parts.netloc and " " not in url, f"malformed link {url}"
        assert label.strip(), f"{url} has an empty label"
    assert re.search(r"[\u4e00-\u9fff]", text), "include reading in Chinese too"


def test_runtime_links_point_at_one_tagged_release():
    tags = set()
    for src in SOURCES:
        tags |= set(re.findall(r"github\.com/golang/go/blob/(go[\d.]+)/src/runtime", reading_of(src)))
    assert len(tags) == 1, f"proc.go links name several releases: {sorted(tags)}"
