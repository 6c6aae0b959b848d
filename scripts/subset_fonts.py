"""Make the CJK fonts bulletins embed: subsets of Noto Serif CJK SC (body) and Noto Sans
CJK SC (titles, headings, charts), cut to GB 2312 plus what the product itself writes, and
renamed so they never shadow a full Noto installed on the machine.

The results are committed in ``bulletins/fonts/`` (with the licence, SIL OFL 1.1), so a
fresh machine renders Chinese with no font package. Rerun only to change the coverage:

    python scripts/subset_fonts.py /usr/share/fonts/opentype/noto   # Debian's fonts-noto-cjk
"""

import contextlib
import pathlib
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection

OUT = pathlib.Path(__file__).resolve().parent.parent / "bulletins" / "fonts"
ROOT = OUT.parent.parent
# (collection, family inside it, our file, our family name, weight name)
FONTS = [
    ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC", "BulletinSerifSC-Regular.otf", "Bulletin Serif SC", "Regular"),
    ("NotoSansCJK-Regular.ttc", "Noto Sans CJK SC", "BulletinSansSC-Regular.otf", "Bulletin Sans SC", "Regular"),
    ("NotoSansCJK-Bold.ttc", "Noto Sans CJK SC", "BulletinSansSC-Bold.otf", "Bulletin Sans SC", "Bold"),
]


def gb2312() -> set[str]:
    chars = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes([high, low]).decode("gb2312"))
    return chars


def product_text() -> set[str]:
    """Every character in the product's own sources and data (unit and type names, labels)."""
    chars = set()
    for pattern in ("**/*.py", "**/*.html", "**/*.json", "**/*.csv", "**/*.txt"):
        for path in ROOT.glob(pattern):
            if ".venv" in path.parts or "var" in path.parts or "node_modules" in path.parts:
                continue
            chars.update(path.read_text(encoding="utf-8", errors="ignore"))
    return {c for c in chars if ord(c) > 0x2000}


def coverage() -> str:
    chars = {chr(c) for c in range(0x20, 0x250)}  # ASCII, Latin-1, Latin Extended-A/B
    for start, end in ((0x2000, 0x206F), (0x2100, 0x21FF), (0x2460, 0x24FF), (0x2500, 0x25FF),
                       (0x3000, 0x303F), (0xFF00, 0xFFEF)):  # fmt: skip
        chars.update(chr(c) for c in range(start, end + 1))
    return "".join(sorted(chars | gb2312() | product_text()))


def main(source: str) -> None:
    text = coverage()
    for collection, family, filename, new_family, weight in FONTS:
        fonts = TTCollection(pathlib.Path(source) / collection).fonts
        font = next(f for f in fonts if f["name"].getDebugName(1) == family)
        options = subset.Options()
        options.layout_features = ["kern", "palt", "halt", "vkrn"]  # no locl: SC glyphs only
        options.name_IDs = ["*"]
        options.hinting = False
        options.desubroutinize = False
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        name = font["name"]
        postscript = new_family.replace(" ", "") + "-" + weight
        for record in list(name.names):
            if record.nameID in (1, 16):
                record.string = new_family
            elif record.nameID in (2, 17):
                record.string = weight
            elif record.nameID == 4:
                record.string = f"{new_family} {weight}"
            elif record.nameID in (3, 6):
                record.string = postscript
        if "CFF " in font:
            cff = font["CFF "].cff
            cff.fontNames = [postscript]
        OUT.mkdir(exist_ok=True)
        font.save(OUT / filename)
        print(f"{filename}: {len(font.getGlyphOrder())} glyphs, {(OUT / filename).stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto")
