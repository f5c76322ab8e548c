"""``[workflows]``: the PM layer's settings live in :mod:`bridge.settings` (the configuration
validates them at load); this name stays for code that imports them from here."""

from bridge.settings import DEFAULT_SLA_HOURS, WorkflowSettings, load_settings

__all__ = ["DEFAULT_SLA_HOURS", "WorkflowSettings", "load_settings"]
