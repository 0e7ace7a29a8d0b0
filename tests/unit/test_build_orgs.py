"""scripts/build_orgs.py: the generated table comes from the downloaded wheels, byte for byte."""

from __future__ import annotations

import importlib.util
import os
import sqlite3
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "assistant" / "orgs" / "data"
WHEELS = Path(os.environ.get("TOP_ORGS_SRC", ROOT / "var" / "orgs-src"))


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("build_orgs", ROOT / "scripts" / "build_orgs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_orgs"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


build_orgs = _script()


def _have_wheels() -> bool:
    return all(any(WHEELS.glob(f"{p}-{v[0]}-*.whl")) for p, v in build_orgs.PACKAGES.items())


@pytest.mark.skipif(not _have_wheels(), reason=f"the registry wheels are not downloaded to {WHEELS} (see PROVENANCE.md)")
def test_the_shipped_table_is_regenerated_identically_from_the_wheels(tmp_path: Path) -> None:
    assert build_orgs.main(["--src", str(WHEELS), "--out", str(tmp_path)]) == 0
    for name in ("listed.tsv", "sources.tsv", "licenses/hikyuu.txt", "licenses/adata.txt", "licenses/matchina.txt"):
        assert (tmp_path / name).read_bytes() == (SHIPPED / name).read_bytes(), name


def _fake_wheels(folder: Path) -> None:
    """Three tiny wheels with the files the script reads, in the packages' own formats."""
    with zipfile.ZipFile(folder / "hikyuu-2.8.3-py3-none-any.whl", "w") as w:
        w.writestr("hikyuu/LICENSE.txt", "MIT License (hikyuu)")
        w.writestr("hikyuu/config/block/hybk.ini", "[软件开发]\n1,300999\n[银行]\n0,600999\n")
        w.writestr("hikyuu/config/block/dybk.ini", "[浙江板块]\n1,300999\n[内蒙古]\n0,600999\n")
    with zipfile.ZipFile(folder / "adata-2.9.5-py3-none-any.whl", "w") as w:
        w.writestr("adata-2.9.5.dist-info/LICENSE", "Apache License 2.0 (adata)")
        w.writestr("adata/stock/cache/code.csv", "stock_code,short_name,list_date2\n300999,青禾  软件,2020-01-01\n"
                                                 "600999,远山银行,2010-01-01\n")  # fmt: skip
    db = folder / "entities.db"
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE entities (id TEXT, name_cn TEXT, name_en TEXT, name_short_cn TEXT, source TEXT)")
        c.execute("CREATE TABLE aliases (id INTEGER PRIMARY KEY, entity_id TEXT, alias TEXT)")
        c.executemany("INSERT INTO entities VALUES (?,?,?,?,?)", [
            ("A300999", "青禾软件", "Qinghe Software Co., Ltd.", "青禾", "ashare"),
            ("HK09999", "青禾软件股份", "QINGHE SOFTWARE", None, "hk_stock"),  # its Hong Kong twin
            ("HK08888", "远山控股", "Yuanshan Holdings Limited", "远山", "hk_stock"),
            ("ENT-ABC", "远山科技(北京)有限公司", "Yuanshan Technology", "远山科技", "manual"),
        ])  # fmt: skip
        c.execute("INSERT INTO aliases (entity_id, alias) VALUES ('HK08888', 'Yuanshan')")
    with zipfile.ZipFile(folder / "matchina-0.2.4-py3-none-any.whl", "w") as w:
        w.writestr("matchina-0.2.4.dist-info/licenses/LICENSE", "MIT License (matchina)")
        w.write(db, "matchina/data/entities.db")


def test_the_build_reads_each_package_in_its_own_format(tmp_path: Path) -> None:
    src, out = tmp_path / "src", tmp_path / "out"
    src.mkdir()
    _fake_wheels(src)
    assert build_orgs.main(["--src", str(src), "--out", str(out)]) == 0
    rows = [line.split("\t") for line in (out / "listed.tsv").read_text(encoding="utf-8").splitlines()[2:]]
    by_code = {r[1]: r for r in rows}
    assert by_code["300999"][:3] == ["sz", "300999", "青禾软件"]  # NFKC, spaces removed, both spellings kept once
    assert "青禾软件股份" in by_code["300999"][3]  # the Hong Kong twin became an alias
    assert by_code["300999"][6:] == ["浙江", "软件开发"] and by_code["600999"][6:] == ["内蒙古", "银行"]
    assert "09999" not in by_code and by_code["08888"][0] == "hk" and "Yuanshan" in by_code["08888"][3]
    assert by_code["ABC"][4] == "远山科技(北京)有限公司"  # a group's legal name
    assert (out / "licenses" / "adata.txt").read_text(encoding="utf-8") == "Apache License 2.0 (adata)"
    sources = (out / "sources.tsv").read_text(encoding="utf-8")
    assert "hikyuu\t2.8.3\tMIT" in sources and "adata\t2.9.5\tApache-2.0" in sources
    first = (out / "listed.tsv").read_bytes()
    assert build_orgs.main(["--src", str(src), "--out", str(out)]) == 0
    assert (out / "listed.tsv").read_bytes() == first  # deterministic


def test_missing_wheels_fail_with_the_download_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert build_orgs.main(["--src", str(tmp_path), "--out", str(tmp_path / "out")]) == 1
    assert "pip download --no-deps" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
