"""Fixtures of the site tests."""

from __future__ import annotations

import pytest

from tests.site.browser import browser
from tests.site.example import ExampleSite, build_example

__all__ = ["browser", "example_site"]


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> ExampleSite:
    """The example site from the fixture reports, built once per test session."""
    return build_example(tmp_path_factory.mktemp("example"))
