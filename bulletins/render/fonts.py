"""The CJK fonts every bulletin document uses, shipped in ``bulletins/fonts/`` (subsets of
Noto Serif / Sans CJK SC under the SIL OFL 1.1, see ``OFL.txt`` there), so Chinese renders
on a fresh machine with no font package installed."""

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"
SERIF = FONT_DIR / "BulletinSerifSC-Regular.otf"  # body (宋体-like)
SANS = FONT_DIR / "BulletinSansSC-Regular.otf"  # charts, tables
SANS_BOLD = FONT_DIR / "BulletinSansSC-Bold.otf"  # title, headings (黑体-like)
SERIF_FAMILY = "Bulletin Serif SC"
SANS_FAMILY = "Bulletin Sans SC"
