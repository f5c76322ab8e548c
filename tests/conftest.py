"""Shared test settings."""

# A separate project's tests, run in their own pytest process by tests/test_plugin.py.
collect_ignore_glob = ["consumer_project/*"]
