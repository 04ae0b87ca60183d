"""Fixtures of the site tests."""

from tests.site.browser import browser

__all__ = ["browser"]
