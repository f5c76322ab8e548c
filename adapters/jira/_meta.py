"""What a Jira project says about its fields: the create metadata of each issue type, read
once per run, and the site's field list where a ``field_map`` names a field by its name.

Where each deployment keeps the create metadata:

* Cloud, and Server/Data Center 8.4 and later: ``GET /issue/createmeta/{project}/issuetypes/
  {typeId}``, paged (Cloud answers the page in ``fields``, Data Center in ``values``). The
  type's id comes from the project's statuses, which the workflow reads anyway.
* Older Server: only ``GET /issue/createmeta?projectKeys=..&issuetypeNames=..&expand=
  projects.issuetypes.fields``, which Data Center 9 no longer has. A Server that answers the
  paged form with 404 is asked in the old form from then on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NotRequired

from pydantic import TypeAdapter
from typing_extensions import TypedDict

from adapters.jira._client import JiraClient, PageGuard
from adapters.jira._payload import checked
from adapters.jira._schema import FieldMeta, looks_like_id
from bridge.errors import InvalidError, NotFoundError

__all__ = ["FieldCatalog"]

META_PAGE = 200  # the most a createmeta page holds


class _Schema(TypedDict):
    type: str
    items: NotRequired[str]
    custom: NotRequired[str]
    system: NotRequired[str]


class _Field(TypedDict):
    name: str
    required: NotRequired[bool]
    schema: NotRequired[_Schema]
    fieldId: NotRequired[str]
    key: NotRequired[str]
    hasDefaultValue: NotRequired[bool]
    allowedValues: NotRequired[list[Any]]


class _Page(TypedDict):
    fields: NotRequired[list[_Field]]  # Cloud
    values: NotRequired[list[_Field]]  # Data Center
    total: NotRequired[int]
    isLast: NotRequired[bool]


class _LegacyType(TypedDict):
    name: str
    fields: NotRequired[dict[str, _Field]]


class _LegacyProject(TypedDict):
    key: str
    issuetypes: NotRequired[list[_LegacyType]]


class _Legacy(TypedDict):
    projects: list[_LegacyProject]


class _SiteField(TypedDict):
    id: str
    name: str
    schema: NotRequired[_Schema]


PAGE: TypeAdapter[_Page] = TypeAdapter(_Page)
LEGACY: TypeAdapter[_Legacy] = TypeAdapter(_Legacy)
SITE_FIELDS: TypeAdapter[list[_SiteField]] = TypeAdapter(list[_SiteField])


class FieldCatalog:
    """The create metadata of a project's issue types and the site's fields, read once per run.

    ``type_ids`` gives the project's issue type names and ids (from its statuses).
    """

    def __init__(
        self, client: JiraClient, project: str, type_ids: Callable[[], dict[str, str]]
    ) -> None:
        self._client, self._project, self._type_ids = client, project, type_ids
        self._by_type: dict[str, dict[str, FieldMeta]] = {}
        self._legacy = False
        self._site: list[dict[str, Any]] | None = None

    def type_names(self) -> list[str]:
        """The project's issue types, by name."""
        return list(self._type_ids())

    def for_type(self, type_name: str) -> dict[str, FieldMeta]:
        """The fields of the create screen of ``type_name``, by id (one request, once)."""
        if type_name not in self._by_type:
            self._by_type[type_name] = self._read(type_name)
        return self._by_type[type_name]

    def _read(self, type_name: str) -> dict[str, FieldMeta]:
        if self._legacy:
            return self._read_legacy(type_name)
        ids = self._type_ids()
        if type_name not in ids:
            raise InvalidError(
                f"project {self._project} has no issue type {type_name!r} "
                f"(it has: {', '.join(sorted(ids)) or 'none'})",
                adapter="jira",
            )
        try:
            return self._read_paged(ids[type_name])
        except NotFoundError:
            if self._client.cloud:
                raise
            self._legacy = True  # a Server before 8.4: only the old form
            return self._read_legacy(type_name)

    def _read_paged(self, type_id: str) -> dict[str, FieldMeta]:
        out: dict[str, FieldMeta] = {}
        start = 0
        guard = PageGuard(self._client.max_pages, "create metadata")
        while True:
            guard.check(str(start))
            page = self._client.request(
                "GET",
                f"/issue/createmeta/{self._project}/issuetypes/{type_id}",
                params={"startAt": start, "maxResults": META_PAGE},
            )
            checked(PAGE, page, "the create metadata")
            items = page.get("fields", page.get("values")) or []
            for raw in items:
                field_id = str(raw.get("fieldId") or raw.get("key") or raw["name"])
                out[field_id] = FieldMeta.of(field_id, raw)
            start += len(items)
            total = page.get("total")
            done = page.get("isLast") or (start >= total if total is not None else True)
            if not items or done:
                return out

    def _read_legacy(self, type_name: str) -> dict[str, FieldMeta]:
        answer = self._client.request(
            "GET",
            "/issue/createmeta",
            params={
                "projectKeys": self._project,
                "issuetypeNames": type_name,
                "expand": "projects.issuetypes.fields",
            },
        )
        checked(LEGACY, answer, "the create metadata")
        for project in answer["projects"]:
            if project["key"] != self._project:
                continue
            for kind in project.get("issuetypes") or []:
                if kind["name"] == type_name:
                    fields = kind.get("fields") or {}
                    return {str(k): FieldMeta.of(str(k), v) for k, v in fields.items()}
        raise InvalidError(
            f"Jira offers no create screen for {type_name!r} in project {self._project}",
            adapter="jira",
        )

    def site_fields(self) -> list[dict[str, Any]]:
        """Every field of the site (``GET /field``, once): ids, names and schemas."""
        if self._site is None:
            answer = self._client.request("GET", "/field")
            self._site = list(checked(SITE_FIELDS, answer, "the field list"))
        return self._site

    def site_meta(self, field_id: str) -> FieldMeta | None:
        """A field's schema from the site's list, for a field not on a type's create screen."""
        for raw in self.site_fields():
            if raw["id"] == field_id:
                return FieldMeta.of(field_id, {**raw, "required": False})
        return None

    def resolve(self, key: str, target: str) -> str:
        """The id of the field ``field_map.<key>`` names (an id already, or a field name)."""
        if looks_like_id(target):
            return target
        found = sorted({f["id"] for f in self.site_fields() if f["name"].lower() == target.lower()})
        if len(found) == 1:
            return str(found[0])
        if not found:
            raise InvalidError(
                f"field_map.{key}: this Jira site has no field named {target!r}; "
                "`ticket-bridge fields` lists them",
                adapter="jira",
            )
        raise InvalidError(
            f"field_map.{key}: several fields are named {target!r} ({', '.join(found)}); "
            "map one by its id",
            adapter="jira",
        )
