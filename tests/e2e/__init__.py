"""Browser tests of the app (a package, so its conftest does not shadow tests/conftest.py)."""
