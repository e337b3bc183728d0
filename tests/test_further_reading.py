"""Every lecture ends with a "Further reading" section (延伸阅读 in the Chinese edition): an
ordered list of primary sources with well-formed links (nothing is fetched here: the test
machine has no network).  Checked in each edition of each source."""

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from editions import LECTURE_SOURCES, MARKERS, edition_id, edition_of, markdown_text, \
    sources_editions

SOURCES = LECTURE_SOURCES
EDITIONS = sources_editions()
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def reading_of(src: Path, lang: str = "en") -> str:
    """The text of the "Further reading" section of one edition, which must be the
    notebook's last section (it may share the glossary's cell)."""
    text = markdown_text(edition_of(src, lang).cells)
    want = MARKERS[lang]["reading"]
    heads = list(re.finditer(r"^## (.+)$", text, re.M))
    assert any(h.group(1).strip() == want for h in heads), \
        f"{src.name} ({lang}) has no '## {want}' section"
    assert heads[-1].group(1).strip() == want, \
        f"{src.name} ({lang}): {want} must be the last section, not {heads[-1].group(1)!r}"
    return text[heads[-1].start():]


def test_there_are_lectures():
    assert len(SOURCES) >= 8


@pytest.mark.parametrize("src,lang", EDITIONS, ids=[edition_id(e) for e in EDITIONS])
def test_each_lecture_ends_with_further_reading(src, lang):
    text = reading_of(src, lang)
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
    for src, lang in EDITIONS:
        tags |= set(re.findall(r"github\.com/golang/go/blob/(go[\d.]+)/src/runtime",
                               reading_of(src, lang)))
    assert len(tags) == 1, f"proc.go links name several releases: {sorted(tags)}"
