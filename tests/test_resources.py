"""The top-level styles/ and sample_data/ folders are found the same way from a checkout and
from an installed wheel (which carries them inside the package): one resolver, no path guess."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialdeck import paths

ROOT = Path(__file__).resolve().parents[1]


def test_from_this_checkout_the_top_level_folders_are_found() -> None:
    assert paths.resource("styles") == ROOT / "styles"
    assert (paths.styles_dir() / "session.tcss").is_file()
    assert (paths.sample_data_dir() / "prospects.csv").is_file()


def test_an_installed_package_uses_the_copy_it_carries(tmp_path: Path) -> None:
    package = tmp_path / "site-packages" / "dialdeck"
    (package / "styles").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'someone-else'\n")  # never looked at
    (tmp_path / "styles").mkdir()
    assert paths.find_resource("styles", package) == package / "styles"


@pytest.mark.parametrize("inside", ["src/dialdeck", "dialdeck"])
def test_a_checkout_is_found_by_its_pyproject_whatever_the_layout(tmp_path: Path, inside: str) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'dialdeck'\n")
    (tmp_path / "sample_data").mkdir()
    package = tmp_path / inside
    package.mkdir(parents=True)
    assert paths.find_resource("sample_data", package) == tmp_path / "sample_data"


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    package = tmp_path / "dialdeck"
    package.mkdir()
    with pytest.raises(FileNotFoundError, match="styles/ folder is missing"):
        paths.find_resource("styles", package)
