"""Language data for gmpkit.i18n: the Chinese UI catalogue (zh.json), the bilingual
term table (terms.json) and a subset of Noto Sans CJK SC (OFL, see OFL.txt) holding the
glyphs the course uses (regenerate with ``python -m tools.cjkfont``)."""
