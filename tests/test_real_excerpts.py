"""Runtime source excerpts (gmpkit.real.excerpts): labelled fallbacks when Go is absent."""

from gmpkit.real import excerpts


def test_runtime_excerpt_falls_back_with_a_label(monkeypatch):
    import gmpkit.real.toolchain as tc

    def no_go(*a, **k):
        raise tc.GoUnavailable("no go")

    monkeypatch.setattr(tc, "runtime_source_lines", no_go)
    monkeypatch.setattr(tc, "find_go", no_go)
    header, text, live = excerpts.runtime_excerpt("runqgrab")
    assert not live and "recorded" in header and "n - n/2" in text and "not your machine" in text
    header, text, live = excerpts.struct_fields("p", {"runq"})
    assert not live and "[256]guintptr" in text


