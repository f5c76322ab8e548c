"""``JiraClient``: HTTP to one Jira site's REST API, through the jira library's session.

It sends each request inside the adapter's one error translation point and decodes the
JSON; it pages searches (``nextPageToken`` on Cloud, ``startAt`` on Server) and comment
lists. It knows nothing of tickets.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from adapters.jira._config import JiraConfig
from adapters.jira._errors import translate
from adapters.jira._mapping import FIELDS
from adapters.jira._payload import COMMENT_PAGE, SEARCH_PAGE, checked
from adapters.jira._transport import Transport
from bridge.errors import UnavailableError

__all__ = ["JiraClient", "PageGuard"]

COMMENTS_PER_PAGE = 100


class PageGuard:
    """Stops a paging loop: a page position handed out twice, or more pages than the cap."""

    def __init__(self, cap: int, what: str = "search") -> None:
        self.cap, self.what = cap, what
        self.seen: set[str] = set()

    def check(self, position: str) -> None:
        """Call before reading the page at ``position`` ("" for the first)."""
        if position in self.seen:
            raise UnavailableError(
                f"Jira's {self.what} handed out the page {position!r} twice; stopped "
                "reading a paging loop",
                adapter="jira",
            )
        if len(self.seen) >= self.cap:
            raise UnavailableError(
                f"Jira's {self.what} went on past {self.cap} pages (max_pages); stopped",
                adapter="jira",
            )
        self.seen.add(position)


class JiraClient:
    """Requests to one Jira site: REST v3 on Cloud (email and API token), v2 on Server."""

    def __init__(self, config: JiraConfig, secret: str, email: str | None = None) -> None:
        from jira import JIRA

        self.cloud = config.deployment == "cloud"
        version = "3" if self.cloud else "2"
        auth: dict[str, Any] = (
            {"basic_auth": (email, secret)} if self.cloud else {"token_auth": secret}
        )
        self._jira = JIRA(
            server=config.server,
            options={"rest_api_version": version},
            get_server_info=False,
            max_retries=0,
            timeout=config.timeout,
            **auth,
        )
        # The jira library has no public session; this one carries its auth and timeout.
        self._session = self._jira._session
        self.api = f"{config.server}/rest/api/{version}"
        self.fields = [*FIELDS, config.flag_field]  # what the mapping reads
        self._property_key = config.property_key
        self._transport = Transport(
            self._session, config.server, config.timeout, config.max_response_bytes
        )
        self.max_pages = config.max_pages

    def close(self) -> None:
        closing: Any = self._jira.close  # the jira library leaves close() unannotated
        closing()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        ticket_id: str | None = None,
        write: bool | None = None,
    ) -> Any:
        """The decoded answer to one request under the API base; errors become bridge errors.

        ``write`` (default: any method but GET) says whether a lost answer may mean the
        request was applied; a search is a POST that changes nothing.
        """
        write = method != "GET" if write is None else write
        with translate(ticket_id, write=write):
            return self._transport.exchange(
                method,
                f"{self.api}{path}",
                params=params,
                body=body,
                ticket_id=ticket_id,
                write=write,
            )

    def search(
        self, jql: str, token: str | None, limit: int, extra: tuple[str, ...] = ()
    ) -> tuple[list[Any], str | None]:
        """One page of a search from ``token`` (``None``: the first), and the next page's token.

        The fields the mapping reads come with each issue, ``extra`` too, and the bridge's
        entity property.
        """
        fields = [*self.fields, *extra]
        if self.cloud:  # /search/jql documents properties in its body
            body: dict[str, Any] = {
                "jql": jql,
                "maxResults": limit,
                "fields": fields,
                "properties": [self._property_key],
            }
            if token:
                body["nextPageToken"] = token
            page = self.request("POST", "/search/jql", body=body, write=False)
            checked(SEARCH_PAGE, page, "the search")
            return page["issues"], page.get("nextPageToken")
        # Server/Data Center: the POST body (SearchRequestBean) has no properties; the GET
        # resource takes them as a query parameter.
        start = int(token or 0)
        params = {
            "jql": jql,
            "startAt": start,
            "maxResults": limit,
            "fields": ",".join(fields),
            "properties": self._property_key,
        }
        page = self.request("GET", "/search", params=params)
        checked(SEARCH_PAGE, page, "the search")
        after = start + len(page["issues"])
        total = page.get("total")
        more = after < total if total is not None else len(page["issues"]) >= limit
        return page["issues"], (str(after) if more and page["issues"] else None)

    def iter_search(self, jql: str, limit: int, extra: tuple[str, ...] = ()) -> Iterator[list[Any]]:
        """The pages of a search, each read only when the one before is done with."""
        token: str | None = None
        guard = PageGuard(self.max_pages)
        while True:
            guard.check(token or "")
            issues, token = self.search(jql, token, limit, extra)
            yield issues
            if token is None:
                return

    def comment_pages(self, key: str) -> Iterator[list[Any]]:
        """The pages of an issue's comments, oldest first."""
        start = 0
        guard = PageGuard(self.max_pages, "comment list")
        while True:
            guard.check(str(start))
            page = self.request(
                "GET",
                f"/issue/{key}/comment",
                params={"startAt": start, "maxResults": COMMENTS_PER_PAGE, "orderBy": "created"},
                ticket_id=key,
            )
            checked(COMMENT_PAGE, page, "the comments", ticket_id=key)
            yield page["comments"]
            start += len(page["comments"])
            if not page["comments"] or start >= page["total"]:
                return
