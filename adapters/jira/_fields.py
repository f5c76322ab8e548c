"""The Jira adapter's fields: ``field_map`` applied to creates and updates, required fields
checked before a create is sent, Epic Name filled in, and ``fields()`` for the command line.

A mapped metadata key lives in its Jira field only (not in the bridge's entity property), so
that an edit made on Jira is what the ticket reads.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

from pydantic import JsonValue

from adapters.jira._client import JiraClient
from adapters.jira._config import JiraConfig
from adapters.jira._meta import FieldCatalog
from adapters.jira._schema import EPIC_NAME, FieldMeta
from adapters.jira._values import to_jira
from bridge.errors import InvalidError
from bridge.fields import FieldInfo
from bridge.models import TicketDraft, TicketType

__all__ = ["JiraFields", "missing_message"]

# Required on many screens, but Jira fills them itself when a create leaves them out.
FILLED_BY_JIRA = frozenset({"reporter", "project", "issuetype"})
SHOWN_VALUES = 10


def missing_message(issue_type: str, project: str, missing: list[FieldMeta]) -> str:
    """Names each missing field, its id and its allowed values."""
    parts = []
    for meta in missing:
        values = ", ".join(meta.allowed[:SHOWN_VALUES])
        if len(meta.allowed) > SHOWN_VALUES:
            values += f", ... ({len(meta.allowed) - SHOWN_VALUES} more)"
        parts.append(f"{meta.name} ({meta.id}" + (f"; one of: {values})" if values else ")"))
    return (
        f"Jira requires fields a {issue_type} in {project} does not get: {'; '.join(parts)}. "
        "Map each to a metadata key with field_map and set it in the ticket's metadata"
    )


class JiraFields:
    """``field_map`` and create metadata for one adapter, cached for its run."""

    def __init__(
        self, config: JiraConfig, client: JiraClient, type_ids: Callable[[], dict[str, str]]
    ) -> None:
        self.config, self._client = config, client
        self.catalog = FieldCatalog(client, config.project, type_ids)
        self._mapped: dict[str, str] | None = None

    def mapped(self) -> dict[str, str]:
        """Metadata key -> field id; a name is resolved the first time (``GET /field``)."""
        if self._mapped is None:
            self._mapped = {k: self.catalog.resolve(k, v) for k, v in self.config.field_map.items()}
            wanted = [i for i in self._mapped.values() if i not in self._client.fields]
            self._client.fields = [*self._client.fields, *wanted]
        return self._mapped

    def own_metadata(self, metadata: dict[str, JsonValue]) -> dict[str, JsonValue]:
        """The metadata the entity property keeps: all but the mapped keys."""
        mapped = self.mapped()
        return {k: v for k, v in metadata.items() if k not in mapped}

    def _needs_metadata(self, draft: TicketDraft, issue_type: str) -> bool:
        mapped = self.mapped()
        return (
            self.config.check_required
            or issue_type == self.config.epic_type
            or any(draft.metadata.get(k) is not None for k in mapped)
        )

    def for_create(
        self, draft: TicketDraft, issue_type: str, sent: dict[str, Any]
    ) -> dict[str, Any]:
        """The fields to add to a create's ``sent`` fields; refuses a create that lacks a
        required one, before anything is sent. Drops ``priority`` from ``sent`` where the
        create screen has none (team-managed projects often): Jira refuses a field that is
        not on the screen, so such a project's tickets read back with the default priority."""
        if not self._needs_metadata(draft, issue_type):
            return {}
        metas = self.catalog.for_type(issue_type)
        if metas and "priority" not in metas:
            sent.pop("priority", None)
        extra: dict[str, Any] = {}
        for key, field_id in self.mapped().items():
            value = draft.metadata.get(key)
            if value is None:
                continue
            meta = metas.get(field_id)
            if meta is None:
                raise InvalidError(
                    f"field_map.{key}: {field_id} is not on the create screen of a "
                    f"{issue_type} in {self.config.project}",
                    adapter="jira",
                )
            extra[field_id] = to_jira(meta, key, value, cloud=self._client.cloud)
        for meta in metas.values():  # company-managed epics need an Epic Name
            if meta.custom == EPIC_NAME and meta.id not in extra:
                extra[meta.id] = draft.title
        given = {*sent, *extra, *FILLED_BY_JIRA}
        missing = [
            m for m in metas.values() if m.required and not m.has_default and m.id not in given
        ]
        if missing:
            raise InvalidError(
                missing_message(issue_type, self.config.project, missing), adapter="jira"
            )
        return extra

    def for_update(
        self, issue_type: str, before: dict[str, JsonValue], after: dict[str, JsonValue]
    ) -> dict[str, Any]:
        """The fields to PUT for the mapped keys whose values changed."""
        out: dict[str, Any] = {}
        for key, field_id in self.mapped().items():
            if before.get(key) == after.get(key):
                continue
            meta = self._meta(issue_type, field_id)
            out[field_id] = to_jira(meta, key, after.get(key), cloud=self._client.cloud)
        return out

    def _meta(self, issue_type: str, field_id: str) -> FieldMeta:
        meta = self.catalog.for_type(issue_type).get(field_id) or self.catalog.site_meta(field_id)
        if meta is None:
            raise InvalidError(f"this Jira site has no field {field_id}", adapter="jira")
        return meta

    def jira_type(self, name: str) -> str:
        """The Jira issue type for a neutral type (``task``) or a type's own name."""
        neutral = {t.value: v for t, v in self.config.type_map.items()}
        neutral["subtask"] = self.config.subtask_type
        if name.lower() in neutral:
            return neutral[name.lower()]
        names = self.catalog.type_names()
        for known in names:
            if known.lower() == name.lower():
                return known
        raise InvalidError(
            f"unknown issue type {name!r}: use one of {', '.join(t.value for t in TicketType)}, "
            f"subtask, or a type of {self.config.project} ({', '.join(sorted(names))})",
            adapter="jira",
        )

    def infos(self, issue_type: str | None) -> builtins.list[FieldInfo]:
        """The fields of one issue type's create screen, or of every type's."""
        types = [self.jira_type(issue_type)] if issue_type else self.catalog.type_names()
        return [m.info(t) for t in types for m in self.catalog.for_type(t).values()]
