"""Tracker adapters: ``local_json`` (the reference), ``github`` and ``jira``.

Each adapter implements :class:`bridge.service.TicketingService`; the registry in
:mod:`bridge.registry` imports them lazily, so installing one tracker's library is enough.
"""
