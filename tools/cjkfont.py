"""Regenerate the CJK font subset that gmpkit ships for Chinese text in figures.

    python -m tools.cjkfont            # rewrite gmpkit/lang/NotoSansCJKSC-gmpkit-*.otf
    python -m tools.cjkfont --check    # exit 1 if a character the course uses is missing

The subset holds every CJK character (and CJK/full-width punctuation) found in
gmpkit's sources, the UI catalogue (gmpkit/lang/zh.json), the term table
(gmpkit/lang/terms.json) and the notebook sources (notebooks/src, notebooks/homework),
plus :data:`ALWAYS` (common punctuation), taken from Noto Sans CJK SC Regular and
Bold (SIL Open Font License 1.1; Debian package ``fonts-noto-cjk``, a build-time
tool only: learners get the committed subset).  Latin glyphs are left out:
matplotlib draws them with DejaVu Sans and falls back to the subset per glyph.

The subset is renamed "Noto Sans CJK SC gmpkit" so that matplotlib never mixes it
up with a full Noto CJK installed on the machine (the OFL's reserved name for this
font is "Source", which the new name does not use), and OFL.txt travels beside it.

Needs fontTools (already installed with matplotlib).
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LANG = ROOT / "gmpkit" / "lang"
SOURCE_FONTS = {"Regular": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
                "Bold": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")}
SC_INDEX_NAME = "Noto Sans CJK SC"           # the face wanted inside the collection
FAMILY = "Noto Sans CJK SC gmpkit"           # keep equal to gmpkit.i18n.FONT_FAMILY
DEBIAN_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")
ALWAYS = "，。、：；！？（）《》“”‘’—…·「」【】％＋－＝～"

# CJK ideographs, CJK punctuation, full-width forms, general punctuation used in Chinese
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u2014\u2018\u2019"
                  r"\u201c\u201d\u2026\u00b7]")


def is_cjk(ch):
    """True for a character the subset must hold (ideograph or Chinese punctuation)."""
    return bool(_CJK.match(ch))


def source_files(root=ROOT):
    """The files whose Chinese characters the subset covers."""
    root = Path(root)
    files = sorted((root / "gmpkit").rglob("*.py"))
    files += [root / "gmpkit" / "lang" / "zh.json", root / "gmpkit" / "lang" / "terms.json"]
    for sub in ("notebooks/src", "notebooks/homework"):
        files += sorted(p for p in (root / sub).rglob("*") if p.suffix in (".py", ".md", ".json")
                        and ".ipynb_checkpoints" not in p.parts)
    return [p for p in files if p.is_file()]


def needed_chars(root=ROOT):
    """Every CJK character the course uses, sorted, as a string."""
    chars = set(ALWAYS)
    for p in source_files(root):
        chars.update(ch for ch in p.read_text(encoding="utf-8", errors="replace") if is_cjk(ch))
    return "".join(sorted(chars))


def font_chars(path):
    """The characters a font file maps (its best cmap)."""
    from fontTools.ttLib import TTFont
    with TTFont(str(path), lazy=True) as f:
        return {chr(c) for c in f.getBestCmap()}


def _load_face(ttc, name):
    from fontTools.ttLib import TTCollection
    coll = TTCollection(str(ttc))
    for i, face in enumerate(coll.fonts):
        if face["name"].getDebugName(1) == name:
            return str(ttc), i
    raise SystemExit(f"{ttc} has no face named {name!r}")


def _rename(font, weight):
    ps = f"NotoSansCJKSC-gmpkit-{weight}"
    names = {1: FAMILY, 2: weight, 3: f"{ps};gmpkit subset", 4: f"{FAMILY} {weight}", 6: ps,
             16: FAMILY, 17: weight}
    table = font["name"]
    for rec in list(table.names):
        if rec.nameID in names or rec.nameID in (21, 22):
            table.removeNames(nameID=rec.nameID)
    for nid, text in names.items():
        table.setName(text, nid, 3, 1, 0x409)     # Windows, Unicode BMP, English (US)
    if "CFF " in font:                            # the CFF table carries names too
        cff = font["CFF "].cff
        cff.fontNames = [ps]
        top = cff[ps] if ps in cff.keys() else cff.topDictIndex[0]
        top.FullName, top.FamilyName = f"{FAMILY} {weight}", FAMILY


def build(chars, out_dir=LANG):
    """Write the Regular and Bold subsets and OFL.txt; return {file: bytes written}."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    missing = [str(p) for p in SOURCE_FONTS.values() if not p.exists()]
    if missing:
        raise SystemExit(f"source font(s) missing: {', '.join(missing)}; install them with "
                         f"`apt-get install fonts-noto-cjk` (only needed to regenerate the subset)")
    sizes, copyright_ = {}, None
    for weight, ttc in SOURCE_FONTS.items():
        path, index = _load_face(ttc, SC_INDEX_NAME)
        font = TTFont(path, fontNumber=index, recalcTimestamp=False)
        copyright_ = copyright_ or font["name"].getDebugName(0)
        opts = subset.Options()
        opts.layout_features = ["*"]          # keep vertical/locl features for the kept glyphs
        opts.name_IDs = [0, 1, 2, 3, 4, 5, 6, 7, 11, 13, 14, 16, 17]
        opts.notdef_outline = True
        opts.recalc_timestamp = False
        opts.hinting = False                  # Agg ignores CFF hints; halves the size
        opts.desubroutinize = False
        sub = subset.Subsetter(opts)
        sub.populate(text=chars)
        sub.subset(font)
        _rename(font, weight)
        buf = io.BytesIO()
        font.save(buf)
        out = Path(out_dir) / f"NotoSansCJKSC-gmpkit-{weight}.otf"
        out.write_bytes(buf.getvalue())
        sizes[out.name] = len(buf.getvalue())
    (Path(out_dir) / "OFL.txt").write_text(_license_text(copyright_), encoding="utf-8")
    return sizes


def _license_text(copyright_):
    head = (f"The files NotoSansCJKSC-gmpkit-Regular.otf and NotoSansCJKSC-gmpkit-Bold.otf are\n"
            f"subsets of Noto Sans CJK SC (https://github.com/notofonts/noto-cjk), renamed\n"
            f"\"{FAMILY}\" and made by tools/cjkfont.py. They are distributed under the\n"
            f"SIL Open Font License 1.1, below.\n\n{copyright_}\n\n")
    text = DEBIAN_COPYRIGHT.read_text(encoding="utf-8")
    m = re.search(r"^License: SIL-1\.1\n((?: .*\n)+)", text, re.M)
    if not m:
        raise SystemExit(f"could not find the OFL text in {DEBIAN_COPYRIGHT}")
    body = "\n".join("" if l.strip() == "." else l[1:] for l in m.group(1).splitlines())
    return head + body + "\n"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    chars = needed_chars()
    if "--check" in argv:
        from gmpkit.i18n import FONT_FILES
        bad = {p.name: "".join(sorted(set(chars) - font_chars(p))) for p in FONT_FILES}
        bad = {k: v for k, v in bad.items() if v}
        for k, v in bad.items():
            print(f"{k} lacks {len(v)} characters the course uses: {v[:40]}")
        if bad:
            print("run: python -m tools.cjkfont")
        return 1 if bad else 0
    sizes = build(chars)
    print(f"{len(chars)} characters; " +
          ", ".join(f"{k}: {v / 1024:.0f} KiB" for k, v in sizes.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
