"""Issue 16, points 12 and 15: config values are checked, one line each."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.parametrize("text, message", [
    ("concurrency_per_domain = 0", "concurrency_per_domain must be between 1 and 64, not 0"),
    ("window_days = 100000000", "window_days must be between 1 and 366"),
    ("window_days = 0", "window_days must be between 1 and 366"),
    ("max_catchup_days = -1", "max_catchup_days must be between 1 and 3660"),
    ("download_delay = -0.5", "download_delay must be between 0 and 3600"),
    ("download_delay = nan", "download_delay must be between 0 and 3600"),
    ("max_response_mb = 0", "max_response_mb must be between"),
    ("max_links_per_page = 0", "max_links_per_page must be between"),
    ('log_file = "no/such/folder/nightly.log"', "log_file's folder"),
    ('archive_dir = "afile"', "archive_dir"),
    ('outlets = ["rmrb", "nosuch"]', "unknown outlet(s) nosuch"),
    ('allow_internal = ["bad host!"]', "allow_internal entry 'bad host!'"),
])
def test_bad_config_values_are_one_line(cli, tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    config = tmp_path / "shanggao.toml"
    config.write_text(f"[shanggao]\n{text}\n", encoding="utf-8")
    for command in (("status",), ("crawl", "rmrb"), ("nightly",)):
        result = cli("--config", config, *command, expect=1)
        assert message in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_allow_internal_flag_is_checked(cli, tmp_path: Path) -> None:
    result = cli("fetch", "http://10.0.0.1/", "--allow-internal", "not a host", expect=None)
    assert result.exit_code != 0 and "not a host" in result.output and "Traceback" not in result.output
