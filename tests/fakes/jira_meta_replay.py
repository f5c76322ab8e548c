"""A Jira site replaying recorded create metadata (``fixtures/jira/recorded/meta/``): the
project's issue types, one recorded create screen, the recorded field list, and a create
that Jira would take or refuse by that screen.

How each deployment is played:

* ``legacy``: an older Server. The paged ``/issue/createmeta/{project}/issuetypes/{id}``
  answers 404; ``/issue/createmeta?projectKeys&issuetypeNames&expand=projects.issuetypes.
  fields`` answers the recording as it was recorded.
* ``cloud`` and ``server`` (Data Center 8.4+): the old form answers 404 (Cloud and Data Center
  9 removed it); the paged form answers the recorded screen's entries, each as recorded plus
  its ``fieldId`` (the key it was recorded under, as the paged form names it), in Cloud's
  ``fields`` or Data Center's ``values``. The entries are the recording's; the page around
  them is this fake's.

The project's statuses are this fake's own (To Do, In Progress, Done for each recorded type):
the recordings hold none. A create is refused as Jira refuses it: a field not on the screen
(``cannot be set``), a required field without a default left out (``is required``).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.fakes.base import FakeApp, FakeServer, Request, Response
from tests.fakes.jira_replay import RECORDED

META = RECORDED / "meta"
API = r"/rest/api/(?P<v>[23])"
_CATEGORIES = {"To Do": ("new", 2), "In Progress": ("indeterminate", 4), "Done": ("done", 3)}


def load(name: str) -> Any:
    """A recorded answer of ``fixtures/jira/recorded/meta/``."""
    return json.loads((META / name).read_text())


def screen_of(answer: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The project key, the issue type and its fields of a one-screen recorded answer."""
    [project] = answer["projects"]
    [kind] = project["issuetypes"]
    return project["key"], kind, kind["fields"]


class MetaReplayApp(FakeApp):
    """One recorded create screen (an old-form createmeta answer) as a ``mode`` site."""

    def __init__(
        self, mode: str, createmeta: dict[str, Any], fields: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__()
        self.mode, self.createmeta, self.site_fields = mode, createmeta, fields or []
        self.project, self.kind, self.screen = screen_of(createmeta)
        self.created: list[dict[str, Any]] = []
        r = self.route
        r("GET", API + r"/project/(?P<key>[A-Z0-9_]+)/statuses", self.statuses)
        r("GET", API + r"/issue/createmeta", self.legacy_meta)
        r("GET", API + r"/issue/createmeta/(?P<key>\w+)/issuetypes/(?P<tid>\d+)", self.paged)
        r("GET", API + r"/field", self.fields)
        r("POST", API + r"/issue", self.create)

    def _gone(self, req: Request) -> Response:
        return Response(404, {"errorMessages": [f"null for uri: {req.path}"], "errors": {}})

    def statuses(self, req: Request, v: str, key: str) -> Response:
        if key != self.project:
            return Response(404, {"errorMessages": ["No project could be found."], "errors": {}})
        base = self.base_url
        statuses = [
            {
                "self": f"{base}/rest/api/2/status/{n}",
                "description": "",
                "iconUrl": f"{base}/images/icons/statuses/generic.png",
                "name": name,
                "id": str(n),
                "statusCategory": {
                    "self": f"{base}/rest/api/2/statuscategory/{cat_id}",
                    "id": cat_id,
                    "key": cat,
                    "colorName": "blue-gray",
                    "name": name,
                },
            }
            for n, (name, (cat, cat_id)) in enumerate(_CATEGORIES.items(), start=1)
        ]
        kind = {k: self.kind[k] for k in ("self", "id", "name", "subtask")}
        return Response(200, [{**kind, "statuses": statuses}])

    def legacy_meta(self, req: Request, v: str) -> Response:
        if self.mode != "legacy":
            return self._gone(req)
        keys = ",".join(req.query.get("projectKeys", [])).split(",")
        names = ",".join(req.query.get("issuetypeNames", [])).split(",")
        expand = "projects.issuetypes.fields" in (req.arg("expand") or "")
        if self.project not in keys or self.kind["name"] not in names or not expand:
            return Response(200, {"expand": "projects", "projects": []})
        return Response(200, self.createmeta)

    def paged(self, req: Request, v: str, key: str, tid: str) -> Response:
        if self.mode == "legacy":
            return self._gone(req)
        if key != self.project or tid != self.kind["id"]:
            return Response(400, {"errorMessages": ["Issue type not found"], "errors": {}})
        start = int(req.arg("startAt") or 0)
        size = min(int(req.arg("maxResults") or 50), 200)
        entries = [{**copy.deepcopy(e), "fieldId": fid} for fid, e in self.screen.items()]
        page: dict[str, Any] = {"maxResults": size, "startAt": start, "total": len(entries)}
        chunk = entries[start : start + size]
        if self.mode == "cloud":
            return Response(200, page | {"fields": chunk})
        return Response(200, page | {"isLast": start + size >= len(entries), "values": chunk})

    def fields(self, req: Request, v: str) -> Response:
        return Response(200, self.site_fields)

    def create(self, req: Request, v: str) -> Response:
        sent = (req.body or {}).get("fields") or {}
        errors = {
            fid: f"Field '{fid}' cannot be set. It is not on the appropriate screen, or unknown."
            for fid in sent
            if fid not in self.screen
        }
        for fid, entry in self.screen.items():
            needed = entry.get("required") and not entry.get("hasDefaultValue")
            if needed and sent.get(fid) in (None, [], ""):
                errors.setdefault(fid, f"{entry['name']} is required.")
        if errors:
            return Response(400, {"errorMessages": [], "errors": errors})
        self.created.append(req.body)
        n = 10000 + len(self.created)
        return Response(
            201,
            {
                "id": str(n),
                "key": f"{self.project}-{len(self.created)}",
                "self": f"{self.base_url}/rest/api/2/issue/{n}",
            },
        )


def start_meta_replay(
    mode: str, createmeta: dict[str, Any], fields: list[dict[str, Any]] | None = None
) -> tuple[FakeServer, MetaReplayApp]:
    """A running site of ``mode`` (``cloud``, ``server``, ``legacy``) replaying one screen."""
    app = MetaReplayApp(mode, createmeta, fields)
    server = FakeServer(app)
    app.base_url = server.url
    return server.start(), app


__all__ = ["META", "MetaReplayApp", "load", "screen_of", "start_meta_replay"]
