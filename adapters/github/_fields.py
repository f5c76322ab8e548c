"""The organisation's issue fields and issue types, each read once per run.

``GET /orgs/{org}/issue-fields`` names the fields (id, name, data type, options) that
``priority_field`` and ``field_map`` refer to by name; ``GET /orgs/{org}/issue-types`` the
types ``use_issue_types`` sets. Both answer 404 where the owner is a user, not an
organisation, or the organisation has none. Neither is read unless the configuration uses
it, so the request counts of a configuration without fields or types do not change.

Where a configured field is absent, priority stays in its label and the metadata key in the
body, with one warning per run; where GitHub drops a value it was sent (the feature not
enabled, no push access), the adapter falls back the same way for the rest of the run.
"""

from __future__ import annotations

import builtins
import logging
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, StrictStr, ValidationError

from adapters.github._client import GitHubClient
from adapters.github._config import GitHubConfig
from adapters.github._errors import ADAPTER
from adapters.github._field_values import NEUTRAL_TYPES, FieldDef, Routing
from bridge.errors import InvalidError, NotFoundError, UnavailableError, UnsupportedError
from bridge.fields import FieldInfo
from bridge.validation import describe_errors

__all__ = ["OrgFields"]

log = logging.getLogger(__name__)


class _Shape(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _OptionDef(_Shape):
    name: StrictStr


class _FieldDefIn(_Shape):
    id: StrictInt
    name: StrictStr
    data_type: StrictStr
    options: list[_OptionDef] | None = None


class _TypeDefIn(_Shape):
    name: StrictStr
    is_enabled: StrictBool | None = None


def _parsed(shape: type[_Shape], data: Any, what: str) -> builtins.list[Any]:
    if not isinstance(data, list):
        raise UnavailableError(
            f"unexpected answer from GitHub: the {what} are {type(data).__name__}, not a list",
            adapter=ADAPTER,
        )
    try:
        return [shape.model_validate(item) for item in data]
    except ValidationError as exc:
        raise UnavailableError(
            f"unexpected answer from GitHub: the {what}: " + "; ".join(describe_errors(exc)),
            adapter=ADAPTER,
        ) from None


class OrgFields:
    """The repository owner's issue fields and types, read at most once each per adapter."""

    def __init__(self, config: GitHubConfig, client: GitHubClient) -> None:
        self._config = config
        self._client = client
        self.org = config.repo.split("/", 1)[0]
        self._defs: dict[str, FieldDef] | None = None
        self._defs_read = False
        self._types: builtins.list[str] | None = None
        self._types_read = False
        self._dropped = False
        self._warned: set[str] = set()

    # ------------------------------------------------------------ the two lookups

    def definitions(self) -> dict[str, FieldDef] | None:
        """The organisation's issue fields by name; ``None`` where GitHub has none (404)."""
        if not self._defs_read:
            data = self._org_list("issue-fields")
            if data is not None:
                defs = _parsed(_FieldDefIn, data, "organisation's issue fields")
                self._defs = {
                    d.name: FieldDef(
                        d.id, d.name, d.data_type, tuple(o.name for o in d.options or [])
                    )
                    for d in defs
                }
            self._defs_read = True
        return self._defs

    def _org_list(self, what: str) -> Any:
        """``/orgs/{org}/<what>``, or ``None`` where GitHub has none (a user's repository)."""
        try:
            data, _ = self._client.request("GET", f"/orgs/{self.org}/{what}")
        except NotFoundError:
            return None
        return data

    def type_names(self) -> builtins.list[str] | None:
        """The organisation's enabled issue types; ``None`` where GitHub has none (404)."""
        if not self._types_read:
            data = self._org_list("issue-types")
            if data is not None:
                types = _parsed(_TypeDefIn, data, "organisation's issue types")
                self._types = [t.name for t in types if t.is_enabled is not False]
            self._types_read = True
        return self._types

    # ------------------------------------------------------------ what a write uses

    def _warn_once(self, key: str, message: str, *args: object) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning(message, *args)

    def _field(self, name: str, what: str) -> FieldDef | None:
        defs = self.definitions()
        found = (defs or {}).get(name)
        if found is None:
            where = (
                f"{self.org} has no issue fields (a user account, or the feature is not enabled)"
                if defs is None
                else f"{self.org}'s issue fields are: {', '.join(sorted(defs)) or 'none'}"
            )
            self._warn_once(
                f"absent:{name}", "GitHub: no issue field %r (%s); %s", name, where, what
            )
        return found

    def routing(self) -> Routing:
        """Which issue fields this run's writes fill; an empty routing where the
        configuration names none or GitHub has dropped a value before."""
        config = self._config
        if self._dropped or not (config.priority_field or config.field_map):
            return Routing()
        priority = None
        if config.priority_field:
            priority = self._field(config.priority_field, "the priority stays in its label")
        if priority is not None:
            if priority.data_type != "single_select":
                raise InvalidError(
                    f"priority_field {priority.name!r} is a {priority.data_type} field; "
                    "it must be a single-select",
                    adapter=ADAPTER,
                )
            missing = [o for o in config.priority_values.values() if o not in priority.options]
            if missing:
                raise InvalidError(
                    f"priority_values names {', '.join(map(repr, missing))}, not options of "
                    f"the issue field {priority.name!r} (options: "
                    f"{', '.join(priority.options) or 'none'})",
                    adapter=ADAPTER,
                )
        keys: dict[str, FieldDef] = {}
        for key, name in config.field_map.items():
            if (fdef := self._field(name, f"metadata {key!r} stays in the body")) is not None:
                keys[key] = fdef
        return Routing(priority, keys)

    def notice_drop(self, names: builtins.list[str], ticket_id: str) -> None:
        """GitHub answered without values it was sent: labels and the body from now on."""
        self._dropped = True
        self._warn_once(
            "dropped",
            "GitHub dropped the issue field values of #%s (%s) without an error: the issue "
            "fields feature is not enabled for %s, or the token has no push access; priority "
            "goes to labels and metadata to the body for the rest of this run",
            ticket_id,
            ", ".join(names),
            self.org,
        )

    def check_type(self, name: str) -> None:
        """An error listing the organisation's types unless ``name`` is one of them."""
        types = self.type_names()
        if types is None:
            raise InvalidError(
                f"use_issue_types is on, but {self.org} has no issue types (a user account, or "
                "none set up); set use_issue_types = false to use type labels",
                adapter=ADAPTER,
            )
        if name not in types:
            raise InvalidError(
                f"issue type {name!r} is not one of {self.org}'s issue types "
                f"({', '.join(types) or 'none'}); change issue_types in the configuration",
                adapter=ADAPTER,
            )

    # ------------------------------------------------------------ Adapter.fields

    def infos(self, issue_type: str | None) -> builtins.list[FieldInfo]:
        """The organisation's issue fields, and its issue types as the field ``type``."""
        defs, types = self.definitions(), self.type_names()
        if defs is None and types is None:
            raise UnsupportedError(
                f"{self.org} has no issue fields or issue types on GitHub: the owner is a "
                "user, not an organisation, or the organisation has not set them up",
                adapter=ADAPTER,
            )
        if issue_type is not None and types is not None and issue_type not in types:
            raise InvalidError(
                f"issue type {issue_type!r} is not one of {self.org}'s issue types "
                f"({', '.join(types) or 'none'})",
                adapter=ADAPTER,
            )
        infos = [
            FieldInfo(
                name=d.name,
                id=str(d.id),
                type=NEUTRAL_TYPES.get(d.data_type, d.data_type),
                allowed_values=d.options,
            )
            for d in (defs or {}).values()
        ]
        if types is not None:
            infos.append(
                FieldInfo(name="Type", id="type", type="option", allowed_values=tuple(types))
            )
        return infos
