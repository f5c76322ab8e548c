"""``GitHubClient``: HTTP to one repository's issues, through PyGithub's requester.

It sends each request inside the adapter's one error translation point, over the adapter's
own transport (:mod:`adapters.github._transport`: one deadline per request, a size cap,
same-origin redirects), decodes the JSON, walks pages by the ``Link`` header (a next link
that does not move on, or more than ``max_pages`` pages, is an error, never a loop), answers
repeated list reads from an ETag cache when GitHub says 304, and reads the server's clock
from the ``Date`` header. It knows nothing of tickets.
"""

from __future__ import annotations

import json
import math
import re
from collections import OrderedDict
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from adapters.github._config import GitHubConfig
from adapters.github._errors import ADAPTER, error_for_status, translate
from adapters.github._transport import Transport
from bridge.errors import UnavailableError
from bridge.models import utcnow

__all__ = [
    "ALL_COMMENTS",
    "BLOCKED_BY",
    "BLOCKER",
    "COMMENTS",
    "FIELD_VALUE",
    "ISSUE",
    "ISSUES",
    "SUB_ISSUE",
    "SUB_ISSUES",
    "GitHubClient",
    "next_link",
]

# Paths under the repository, for GitHubClient.path(); {number} is an issue number.
ISSUES = "issues"
ISSUE = "issues/{number}"
COMMENTS = "issues/{number}/comments"
ALL_COMMENTS = "issues/comments"
SUB_ISSUES = "issues/{number}/sub_issues"
SUB_ISSUE = "issues/{number}/sub_issue"
BLOCKED_BY = "issues/{number}/dependencies/blocked_by"
BLOCKER = "issues/{number}/dependencies/blocked_by/{blocker}"
FIELD_VALUE = "issues/{number}/issue-field-values/{field_id}"

PER_PAGE = 100
_ETAG_ENTRIES = 256
_NEXT_RE = re.compile(r'<([^>]*)>\s*;[^,]*\brel="?next"?')

Headers = dict[str, Any]


def server_time(headers: Headers) -> datetime | None:
    """The server's clock from a ``Date`` header, if there is a readable one."""
    try:
        return parsedate_to_datetime(str(headers["date"])).astimezone(UTC)
    except (KeyError, TypeError, ValueError):
        return None


def next_link(headers: Headers) -> str | None:
    """The URL the ``Link`` header names as the next page, if any."""
    match = _NEXT_RE.search(str(headers.get("link", "")))
    return match.group(1) if match else None


def _page_of(url: str) -> int | None:
    values = parse_qs(urlsplit(url).query).get("page")
    return int(values[0]) if values and values[0].isdigit() else None


def decode(status: int, headers: Headers, output: str) -> Any:
    """The JSON of an answer; a success whose body is not JSON is an error naming what came."""
    if not output:
        return None
    try:
        return json.loads(output)
    except ValueError:
        if status >= 400:
            return None  # the status says what went wrong; an HTML error page adds nothing
        kind = str(headers.get("content-type") or "no content type").split(";")[0]
        raise UnavailableError(
            f"GitHub answered {status} with a body that is not JSON ({kind}, "
            f"{len(output)} characters): a proxy or an error page?",
            adapter=ADAPTER,
        ) from None


class GitHubClient:
    """Requests to one repository; remembers the integer id of every issue an answer carried."""

    def __init__(self, config: GitHubConfig, token: str) -> None:
        import github

        self._gh = github.Github(
            auth=github.Auth.Token(token),
            base_url=config.base_url,
            timeout=max(1, math.ceil(config.timeout)),  # PyGithub insists on whole seconds
            retry=None,
            per_page=PER_PAGE,
            seconds_between_requests=config.seconds_between_requests,
            seconds_between_writes=config.seconds_between_writes,
        )
        self._requester = self._gh.requester
        self._transport = Transport(config)
        self.max_pages = config.max_pages
        self.repo_path = f"/repos/{config.repo}"
        self.issue_ids: dict[str, int] = {}  # number -> id; the sub-issue endpoints want ids
        self._etags: OrderedDict[str, tuple[str, Any, Headers]] = OrderedDict()

    def close(self) -> None:
        self._gh.close()
        self._transport.close()

    def path(self, template: str, **values: object) -> str:
        """The API path of one of this module's templates, e.g. ``path(ISSUE, number=7)``."""
        return f"{self.repo_path}/{template.format(**values)}"

    def _send(
        self,
        verb: str,
        path: str,
        *,
        params: dict[str, Any] | None,
        headers: dict[str, str],
        body: Any = None,
        ticket_id: str | None = None,
    ) -> tuple[int, Headers, str]:
        """Status, lower-cased headers and undecoded text of one answer."""
        with translate(ticket_id, write=verb != "GET"):
            status, raw_headers, output = self._requester.requestJson(
                verb,
                path,
                parameters=params,
                headers=headers,
                input=body,
                cnx=self._transport.connection(),
            )
        answer = {k.lower(): v for k, v in raw_headers.items()}
        if 300 <= status < 400 and status != 304:
            raise UnavailableError(
                f"GitHub answered {status} without a redirect that could be followed",
                adapter=ADAPTER,
                ticket_id=ticket_id,
            )
        return status, answer, output

    def request(
        self,
        verb: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        ticket_id: str | None = None,
        conditional: bool = False,
    ) -> tuple[Any, Headers]:
        """One request; errors become bridge errors; a cached 304 answers a conditional GET."""
        write = verb != "GET"
        cache_key = f"{path}?{json.dumps(params, sort_keys=True)}"
        cached = self._etags.get(cache_key) if conditional else None
        headers = {"If-None-Match": cached[0]} if cached else {}
        status, resp_headers, output = self._send(
            verb, path, params=params, headers=headers, body=body, ticket_id=ticket_id
        )
        if status == 304 and cached:
            return cached[1], cached[2]
        data = decode(status, resp_headers, output)
        if status >= 400:
            raise error_for_status(status, resp_headers, data, ticket_id=ticket_id, write=write)
        if conditional and "etag" in resp_headers:
            self._etags[cache_key] = (resp_headers["etag"], data, resp_headers)
            while len(self._etags) > _ETAG_ENTRIES:
                self._etags.popitem(last=False)
        self._learn(data)
        return data, resp_headers

    def _learn(self, data: Any) -> None:
        items = data if isinstance(data, list) else [data]
        for item in items:
            if not isinstance(item, dict):
                continue
            number, issue_id = item.get("number"), item.get("id")
            if type(number) is int and type(issue_id) is int:
                self.issue_ids[str(number)] = issue_id

    def page(
        self,
        path: str,
        params: dict[str, Any],
        number: int,
        *,
        ticket_id: str | None = None,
        conditional: bool = False,
    ) -> tuple[Any, bool]:
        """Page ``number`` of a list, and whether another page follows."""
        data, headers = self.request(
            "GET",
            path,
            params={**params, "per_page": PER_PAGE, "page": number},
            ticket_id=ticket_id,
            conditional=conditional,
        )
        return data, self._more(headers, number, ticket_id)

    def _more(self, headers: Headers, number: int, ticket_id: str | None = None) -> bool:
        """Whether page ``number`` names a next page; an error where the next link would
        not move on (it points back at this page or before) or passes ``max_pages``."""
        link = next_link(headers)
        if link is None:
            return False
        target = _page_of(link)
        if target is not None and target <= number:
            raise UnavailableError(
                f"GitHub's page {number} names page {target} as the next one: the list "
                "does not move on, reading stopped",
                adapter=ADAPTER,
                ticket_id=ticket_id,
            )
        if number >= self.max_pages:
            raise UnavailableError(
                f"the list has more than {self.max_pages} pages (max_pages): reading stopped",
                adapter=ADAPTER,
                ticket_id=ticket_id,
            )
        return True

    def iter_pages(
        self, path: str, params: dict[str, Any], ticket_id: str | None = None
    ) -> Iterator[Any]:
        """The pages of a list, each read only when the one before is done with."""
        number = 1
        while True:
            data, more = self.page(path, params, number, ticket_id=ticket_id)
            yield data if isinstance(data, list) else _not_a_list(data, ticket_id)
            if not more:
                return
            number += 1

    def pages(self, path: str, params: dict[str, Any], ticket_id: str | None = None) -> list[Any]:
        """Every item of a list, all pages read."""
        items: list[Any] = []
        for data in self.iter_pages(path, params, ticket_id):
            items.extend(data)
        return items

    def feed(
        self, path: str, params: dict[str, Any], etag: str | None
    ) -> tuple[list[Any] | None, str | None, datetime]:
        """Every page of a list, or ``None`` when the first page is unchanged (304); with the
        first page's ETag and the server's time when it answered."""
        items: list[Any] = []
        number, first_tag, watermark = 1, etag, utcnow()
        while True:
            status, headers, output = self._send(
                "GET",
                path,
                params={**params, "per_page": PER_PAGE, "page": number},
                headers={"If-None-Match": etag} if etag and number == 1 else {},
            )
            if number == 1:
                watermark = server_time(headers) or watermark
                first_tag = headers.get("etag", first_tag)
            if status == 304:
                return None, first_tag, watermark
            data = decode(status, headers, output)
            if status >= 400:
                raise error_for_status(status, headers, data, ticket_id=None, write=False)
            self._learn(data)
            items.extend(data if isinstance(data, list) else _not_a_list(data, None))
            if not self._more(headers, number):
                return items, first_tag, watermark
            number += 1


def _not_a_list(data: Any, ticket_id: str | None) -> list[Any]:
    raise UnavailableError(
        f"GitHub answered a list request with {type(data).__name__}, not a list",
        adapter=ADAPTER,
        ticket_id=ticket_id,
    )
