"""The GitHub fake's organisation: its issue fields, its issue types, and each issue's values.

As GitHub's OpenAPI description has them: ``GET /orgs/{org}/issue-fields`` and
``GET /orgs/{org}/issue-types`` list the definitions (404 where the owner is a user, not an
organisation, or the organisation has none); ``issue_field_values: [{field_id, value}]`` on
issue create and update sets values (a single-select's by the option's name, a
multi-select's as a list of names, a number as a number, a date as an ISO 8601 date); an
issue answers with its values in ``issue_field_values``, a single-select's ``value`` being
the option's id and its choice in ``single_select_option``. Where the feature is not
enabled (``enabled = False``), values are **silently dropped**: the answer is 2xx and the
values are simply absent, as the description says (values stored before are not shown
either while it is off). A value that does not fit its field is
a 422, as GitHub answers a validation failure.

The defaults are GitHub's: a single-select Priority (Urgent, High, Medium, Low), Effort,
Start date and Target date; issue types Task, Bug and Feature.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.fakes.base import Request, Response

_STAMP = "2025-03-01T10:00:00Z"
_COLORS = ("red", "orange", "yellow", "green", "blue", "purple", "pink", "gray")


def _option(option_id: int, name: str, color: str) -> dict[str, Any]:
    return {"id": option_id, "name": name, "description": None, "color": color, "priority": None}


def field_definition(
    field_id: int, name: str, data_type: str, options: tuple[str, ...] = ()
) -> dict[str, Any]:
    """One issue field as ``GET /orgs/{org}/issue-fields`` lists it."""
    prefix = {"single_select": "IFSS", "multi_select": "IFMS", "number": "IFN", "date": "IFD"}
    definition: dict[str, Any] = {
        "id": field_id,
        "node_id": f"{prefix.get(data_type, 'IFT')}_{field_id}",
        "name": name,
        "description": None,
        "data_type": data_type,
        "visibility": "organization_members_only",
        "created_at": _STAMP,
        "updated_at": _STAMP,
    }
    if options:
        definition["options"] = [
            _option(field_id * 100 + i, o, _COLORS[i % len(_COLORS)]) for i, o in enumerate(options)
        ]
    return definition


def type_definition(type_id: int, name: str, description: str) -> dict[str, Any]:
    """One issue type as ``GET /orgs/{org}/issue-types`` lists it."""
    return {
        "id": type_id,
        "node_id": f"IT_{type_id}",
        "name": name,
        "description": description,
        "color": "gray",
        "created_at": _STAMP,
        "updated_at": _STAMP,
        "is_enabled": True,
    }


def default_fields() -> list[dict[str, Any]]:
    """GitHub's default issue fields of an organisation."""
    return [
        field_definition(101, "Priority", "single_select", ("Urgent", "High", "Medium", "Low")),
        field_definition(102, "Effort", "number"),
        field_definition(103, "Start date", "date"),
        field_definition(104, "Target date", "date"),
    ]


def default_types() -> list[dict[str, Any]]:
    """GitHub's default issue types of an organisation."""
    return [
        type_definition(410, "Task", "A specific piece of work"),
        type_definition(411, "Bug", "An unexpected problem or behavior"),
        type_definition(412, "Feature", "A request, idea, or new functionality"),
    ]


def _invalid(message: str) -> Response:
    return Response(
        422,
        {
            "message": "Validation Failed",
            "errors": [
                {
                    "resource": "IssueFieldValue",
                    "code": "invalid",
                    "field": "issue_field_values",
                    "message": message,
                }
            ],
            "documentation_url": "https://docs.github.com/rest/issues/issue-field-values",
            "status": "422",
        },
    )


def _fits(definition: dict[str, Any], value: Any) -> bool:
    kind = definition["data_type"]
    names = [o["name"] for o in definition.get("options") or []]
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "date":
        try:
            date.fromisoformat(value if isinstance(value, str) else "")
        except ValueError:
            return False
        return True
    if kind == "single_select":
        return isinstance(value, str) and value in names
    if kind == "multi_select":
        return isinstance(value, list) and all(v in names for v in value)
    return isinstance(value, str)


class Organisation:
    """The repository owner: an organisation with issue fields and types, or a user."""

    ITEM_KEYS = frozenset({"field_id", "value", "rationale", "suggest", "confidence"})

    def __init__(self, name: str) -> None:
        self.name = name
        self.is_organisation = True
        self.enabled = True  # False: issue field values are silently dropped
        self.fields = default_fields()
        self.types = default_types()
        self.values: dict[int, dict[int, Any]] = {}  # issue number -> field id -> value

    def _owns(self, org: str) -> bool:
        return self.is_organisation and org.lower() == self.name.lower()

    def _missing(self) -> Response:
        return Response(
            404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
        )

    # ------------------------------------------------------------ definitions

    def list_fields(self, req: Request, org: str) -> Response:
        if not self._owns(org) or not self.fields:
            return self._missing()
        return Response(200, list(self.fields))

    def list_types(self, req: Request, org: str) -> Response:
        if not self._owns(org) or not self.types:
            return self._missing()
        return Response(200, list(self.types))

    def type_object(self, name: str | None) -> dict[str, Any] | None:
        """The issue's ``type`` as an answer carries it."""
        found = [t for t in self.types if t["name"] == name] if self.is_organisation else []
        return dict(found[0]) if found else None

    def unknown_type(self, name: Any) -> Response | None:
        """GitHub's 422 for a type the organisation does not have; a user's repository has
        no types, and drops the value without a word."""
        if name is None or not self.is_organisation:
            return None
        if any(t["name"] == name and t.get("is_enabled", True) for t in self.types):
            return None
        return Response(
            422,
            {
                "message": "Validation Failed",
                "errors": [
                    {"resource": "Issue", "code": "invalid", "field": "type", "value": name}
                ],
                "documentation_url": "https://docs.github.com/rest/issues/issues",
                "status": "422",
            },
        )

    # ------------------------------------------------------------ values

    def check(self, items: Any) -> Response | None:
        """The 422 for values that do not fit their fields (only where they would be kept)."""
        if items is None:
            return None
        if not isinstance(items, list):
            return _invalid("issue_field_values must be an array")
        if not self.enabled or not self.is_organisation:
            return None
        by_id = {f["id"]: f for f in self.fields}
        for item in items:
            if not isinstance(item, dict) or set(item) - self.ITEM_KEYS:
                return _invalid("each issue field value takes field_id and value only")
            definition = by_id.get(item.get("field_id"))
            if definition is None:
                return _invalid(f"issue field {item.get('field_id')} does not exist")
            if not _fits(definition, item.get("value")):
                return _invalid(
                    f"{item.get('value')!r} is not a valid value for {definition['name']}"
                )
        return None

    def apply(self, number: int, items: Any, *, replace: bool = False) -> None:
        """Store values already checked; dropped where the feature is not enabled."""
        if not isinstance(items, list) or not self.enabled or not self.is_organisation:
            return
        held = {} if replace else self.values.get(number, {})
        for item in items:
            held[item["field_id"]] = item["value"]
        self.values[number] = held

    def clear(self, number: int, field_id: int) -> bool:
        return self.values.get(number, {}).pop(field_id, None) is not None

    def render_values(self, number: int) -> list[dict[str, Any]]:
        """An issue's ``issue_field_values``, in the organisation's field order."""
        if not self.enabled or not self.is_organisation:
            return []  # the feature off: no values in answers either
        held = self.values.get(number, {})
        return [self._render(f, held[f["id"]]) for f in self.fields if f["id"] in held]

    def _render(self, definition: dict[str, Any], value: Any) -> dict[str, Any]:
        rendered: dict[str, Any] = {
            "issue_field_id": definition["id"],
            "issue_field_name": definition["name"],
            "node_id": definition["node_id"],
            "data_type": definition["data_type"],
            "value": value,
        }
        options = {o["name"]: o for o in definition.get("options") or []}
        if definition["data_type"] == "single_select":
            option = options[value]
            rendered["value"] = option["id"]
            rendered["single_select_option"] = {k: option[k] for k in ("id", "name", "color")}
        elif definition["data_type"] == "multi_select":
            rendered["value"] = ",".join(value)
            rendered["multi_select_options"] = [
                {k: options[v][k] for k in ("id", "name", "color")} for v in value
            ]
        return rendered
