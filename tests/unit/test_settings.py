"""Settings come from the environment in one place, with defaults for a fresh machine."""

import pytest

from config.settings import Settings


def test_defaults_use_an_sqlite_file_under_var() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///var/smeproc.sqlite3"
    assert settings.max_page_size >= settings.default_page_size


def test_every_variable_is_read() -> None:
    settings = Settings.from_env(
        {
            "SMEPROC_DATABASE_URL": "postgresql://x/y",
            "SMEPROC_MAX_BODY_BYTES": "10",
            "SMEPROC_MAX_PAGE_SIZE": "7",
        }
    )
    assert (settings.database_url, settings.max_body_bytes, settings.max_page_size) == (
        "postgresql://x/y",
        10,
        7,
    )


def test_a_non_number_names_the_variable() -> None:
    with pytest.raises(ValueError, match="SMEPROC_MAX_BODY_BYTES"):
        Settings.from_env({"SMEPROC_MAX_BODY_BYTES": "lots"})
