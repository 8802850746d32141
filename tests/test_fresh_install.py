"""A wheel built from the repository: `shanggao` is its only top-level package, and installed (not
editable) in a fresh virtual environment it runs the demo from an empty folder, where `import db`
fails.  Offline: the wheel is built without build isolation, and the fresh environment borrows
the running one's dependencies (every package but shanggao) instead of downloading them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "shanggao", "spiders", "db", "matcher")  # what the wheel is built from
SHIPPED = ("shanggao/db/migrations/0001_initial.sql", "shanggao/default_rules.toml",
           "shanggao/spiders/outlet_files/xxnet.toml", "shanggao/cli.py", "shanggao/spiders/settings.py",
           "shanggao/matcher/pipeline.py", "shanggao/db/store.py")


def _run(args: list[str | Path], **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "SHANGGAO_DB", "SHANGGAO_CONFIG")}
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env, **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a clean copy of the sources (a stale build/ folder cannot leak into it)."""
    try:
        import setuptools
    except ImportError:
        pytest.skip("setuptools is not installed (pip install 'shanggao[test]'): no wheel can be built offline")
    if int(setuptools.__version__.split(".")[0]) < 68:
        pytest.skip(f"setuptools {setuptools.__version__} is older than the 68 pyproject.toml builds with "
                    "(pip install 'shanggao[test]'): no wheel can be built offline")
    work = tmp_path_factory.mktemp("wheel")
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, work / "src" / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
        else:
            (work / "src").mkdir(exist_ok=True)
            shutil.copy2(source, work / "src" / name)
    built = _run([sys.executable, "-m", "pip", "wheel", work / "src", "--no-deps", "--no-build-isolation",
                  "--no-index", "-q", "-w", work / "dist"], timeout=300)
    wheels = sorted((work / "dist").glob("shanggao-*.whl"))
    if built.returncode != 0 or not wheels:
        pytest.skip("no wheel could be built offline: " + " | ".join(built.stderr.strip().splitlines()[-3:]))
    return wheels[0]


def test_the_wheel_holds_only_the_shanggao_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"shanggao"}, sorted(top)
    assert len(top) == 2  # shanggao/ and its dist-info
    assert set(SHIPPED) <= set(names)
    assert any(name.startswith("shanggao/demo_data/") for name in names)


def _fresh_venv(root: Path) -> Path:
    """A virtual environment with pip and, on a path line, the running environment's packages but shanggao."""
    made = _run([sys.executable, "-m", "venv", root], timeout=300)
    if made.returncode != 0:
        pytest.skip("cannot create a virtual environment: " + made.stderr.strip()[-200:])
    python = root / "bin" / "python"
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    deps = root / "borrowed"
    deps.mkdir()
    for folder in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}:
        for entry in Path(folder).iterdir():
            if entry.name.lower().startswith(("shanggao", "__editable__", "_shanggao")) or entry.suffix == ".pth":
                continue
            if not (deps / entry.name).exists():
                (deps / entry.name).symlink_to(entry)
    (site / "borrowed.pth").write_text(f"{deps}\n", encoding="utf-8")
    return python


def test_installed_fresh_it_runs_the_demo_from_an_empty_folder(wheel: Path, tmp_path: Path) -> None:
    python = _fresh_venv(tmp_path / "venv")
    installed = _run([python, "-m", "pip", "install", "--no-deps", "--no-index", "-q", wheel], timeout=300)
    assert installed.returncode == 0, installed.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    where = _run([python, "-c", "import shanggao, shanggao.db; print(shanggao.__file__, shanggao.db.__file__)"],
                 cwd=empty)
    assert str(tmp_path / "venv") in where.stdout and str(REPO) not in where.stdout, where.stdout + where.stderr
    for name in ("db", "spiders", "matcher"):
        found = _run([python, "-c", f"import {name}"], cwd=empty)
        assert found.returncode != 0 and f"No module named '{name}'" in found.stderr, (name, found.stderr)
    shanggao = tmp_path / "venv" / "bin" / "shanggao"
    rules = _run([shanggao, "rules", "--show"], cwd=empty, timeout=120)
    assert rules.returncode == 0 and "[points]" in rules.stdout, rules.stdout + rules.stderr
    demo = _run([shanggao, "demo"], cwd=empty, timeout=600)
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    assert (empty / "shanggao-demo" / "demo.duckdb").is_file()
    assert "12 claims" in demo.stdout
