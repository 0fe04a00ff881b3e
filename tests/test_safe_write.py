"""safe_write.replacing: a file dialdeck names itself is replaced, never written through a link."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dialdeck.safe_write import replacing


def test_a_symlink_under_the_name_is_replaced_and_its_target_left_alone(tmp_path: Path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    target = tmp_path / "leads.rejected.csv"
    target.symlink_to(victim)
    with replacing(target) as handle:
        handle.write("rows\n")
    assert victim.read_text() == "precious\n"
    assert not target.is_symlink() and target.read_text() == "rows\n"


def test_a_hard_link_is_not_written_through(tmp_path: Path):
    other = tmp_path / "other.txt"
    other.write_text("mine\n")
    target = tmp_path / "out.csv"
    os.link(other, target)
    with replacing(target) as handle:
        handle.write("new\n")
    assert other.read_text() == "mine\n" and target.read_text() == "new\n"


def test_an_error_leaves_the_old_file_and_no_temporary_file(tmp_path: Path):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError):
        with replacing(target) as handle:
            handle.write("half")
            raise RuntimeError("disk on fire")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_a_folder_in_the_way_is_an_os_error_and_leaves_nothing_behind(tmp_path: Path):
    target = tmp_path / "out.csv"
    target.mkdir()
    with pytest.raises(OSError):
        with replacing(target) as handle:
            handle.write("rows\n")
    assert target.is_dir() and sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_the_new_file_follows_the_umask(tmp_path: Path):
    old = os.umask(0o022)
    try:
        with replacing(tmp_path / "out.csv") as handle:
            handle.write("x")
    finally:
        os.umask(old)
    assert (tmp_path / "out.csv").stat().st_mode & 0o777 == 0o644
