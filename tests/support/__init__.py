"""Builders the test modules share: stores with projects and labels, apps, schemas.

Test modules import from here, never from each other; fixtures used by several modules live
in tests/conftest.py.
"""
