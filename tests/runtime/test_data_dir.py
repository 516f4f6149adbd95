"""The embedded data directory is its owner's alone, also when an older version made it."""

from __future__ import annotations

import os
import stat

from teleframe.runtime.data_dir import make_private


def test_an_open_data_dir_is_closed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / ".teleframe"
    (data / "broker").mkdir(parents=True, mode=0o755)
    for name in ("teleframe.db", "teleframe.db-wal", "broker/appendonly.aof"):
        (data / name).write_bytes(b"phi")
        os.chmod(data / name, 0o644)
    make_private(data)
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "broker").stat().st_mode) == 0o700
    for name in ("teleframe.db", "teleframe.db-wal", "broker/appendonly.aof"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name


def test_production_gets_no_data_dir(tmp_path) -> None:  # type: ignore[no-untyped-def]
    make_private(tmp_path / "absent", create=False)
    assert not (tmp_path / "absent").exists()
