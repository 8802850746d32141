"""The config file: lookup order, relative paths, bad keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from shanggao.config import Config, ConfigError, load_config


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHANGGAO_CONFIG", raising=False)
    assert load_config() == Config()


def test_paths_are_relative_to_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    (folder / "shanggao.toml").write_text(
        '[shanggao]\ndb = "data/office.duckdb"\nreports_dir = "/srv/reports"\noutlets = ["rmrb"]\n', encoding="utf-8")
    monkeypatch.setenv("SHANGGAO_CONFIG", str(folder / "shanggao.toml"))
    config = load_config()
    assert config.db == str(folder / "data" / "office.duckdb")
    assert config.reports_dir == "/srv/reports"
    assert config.outlets == ["rmrb"]


def test_unknown_key_and_bad_toml_are_named(tmp_path: Path) -> None:
    bad_key = tmp_path / "a.toml"
    bad_key.write_text("[shanggao]\nwindow = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting 'window'"):
        load_config(bad_key)
    broken = tmp_path / "b.toml"
    broken.write_text("[shanggao\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(broken)
    wrong_type = tmp_path / "d.toml"
    wrong_type.write_text('[shanggao]\nwindow_days = "two"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="window_days must be a whole number"):
        load_config(wrong_type)
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "missing.toml")


def test_cli_reports_config_errors_in_one_line(cli, tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text("[shanggao]\nwindow = 3\n", encoding="utf-8")
    result = cli("--config", str(bad), "outlets", expect=1)
    assert "unknown setting 'window'" in result.output
    assert "Traceback" not in result.output
