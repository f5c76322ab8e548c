"""The OpenAPI checks of the fakes' traffic: the validator itself, the allowlist, the hook."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.contract.test_github import github_service
from tests.contract.test_jira import jira_service
from tests.fakes import openapi
from tests.fakes.base import FakeServer, Fault, Request
from tests.fakes.github_fake import start_github_fake
from tests.fakes.jira_fake import start_jira_fake
from tests.fakes.openapi import Allowed, FakeValidator, Stats, Violation

ISSUES = "/api/v3/repos/octo/tickets/issues"


def _where(found: list[Violation]) -> set[tuple[str, str]]:
    return {(v.where, v.path) for v in found}


@pytest.fixture(scope="module")
def gh() -> openapi.Spec:
    return openapi.github()


@pytest.fixture(scope="module")
def jira() -> openapi.Spec:
    return openapi.jira()


@pytest.fixture(scope="module")
def issue(gh: openapi.Spec) -> dict[str, Any]:
    """GitHub's own example of an issue, which its schema accepts."""
    example = gh.document["components"]["examples"]["issue"]["value"]
    return copy.deepcopy(example)


# ---------------------------------------------------------------- loading and matching


def test_loading_is_once_per_process_and_fast(gh: openapi.Spec, jira: openapi.Spec) -> None:
    assert openapi.github() is gh
    assert openapi.jira() is jira
    print(f"github {gh.load_seconds:.2f}s, jira {jira.load_seconds:.2f}s")
    assert gh.index_seconds < 0.5
    assert jira.index_seconds < 0.5
    assert gh.load_seconds + jira.load_seconds < 5


def test_a_literal_segment_wins_over_a_template(gh: openapi.Spec) -> None:
    found = gh.match("GET", f"{ISSUES}/comments")
    assert found is not None
    assert found[0].operation_id == "issues/list-comments-for-repo"
    found = gh.match("GET", f"{ISSUES}/12")
    assert found is not None
    assert found[0].operation_id == "issues/get"
    assert found[1] == {"owner": "octo", "repo": "tickets", "issue_number": "12"}


def test_jira_v2_and_v3_match_the_same_operation(jira: openapi.Spec) -> None:
    for version in ("2", "3"):
        found = jira.match("PUT", f"/rest/api/{version}/issue/TB-1/properties/bridge")
        assert found is not None
        assert found[0].operation_id == "setIssueProperty"
        assert found[1] == {"issueIdOrKey": "TB-1", "propertyKey": "bridge"}


def test_an_unknown_path_or_method_is_a_violation(gh: openapi.Spec, jira: openapi.Spec) -> None:
    [helper] = gh.check_request("GET", "/api/v3/fake-only/helper", {}, None)
    assert (helper.where, helper.path) == ("route", "$")
    assert "no operation" in helper.message
    assert str(helper) == "GET /api/v3/fake-only/helper route at $: " + helper.message
    [method] = gh.check_request("PUT", ISSUES, {}, {"title": "x"})
    assert "no PUT operation" in method.message
    [jira_helper] = jira.check_request("POST", "/rest/api/3/fake/reset", {}, {})
    assert jira_helper.where == "route"
    outside = FakeValidator(allow=(), stats=Stats()).check_request(
        Request("GET", "/elsewhere", {}, {}, None)
    )
    assert [v.message for v in outside] == ["not under any described API"]


# ---------------------------------------------------------------- GitHub issue create


def test_github_issue_create_request(gh: openapi.Spec) -> None:
    body = {"title": "A bug", "body": "text", "labels": ["bug", {"name": "p1"}]}
    assert gh.check_request("POST", ISSUES, {}, body) == []
    found = gh.check_request("POST", ISSUES, {}, {"labels": "bug", "milestone": 1.5})
    assert {("request body", "$.title"), ("request body", "$.labels")} <= _where(found)
    assert all(v.operation == "issues/create" for v in found)
    assert all(v.route == "POST /repos/{owner}/{repo}/issues" for v in found)
    [missing] = gh.check_request("POST", ISSUES, {}, None)
    assert missing.message == "required, none sent"


def test_github_issue_create_response(gh: openapi.Spec, issue: dict[str, Any]) -> None:
    assert gh.check_response("POST", ISSUES, 201, issue) == (True, [])
    bad = {**issue, "number": "one", "state": 5}
    del bad["title"]
    checked, found = gh.check_response("POST", ISSUES, 201, bad)
    assert checked
    assert _where(found) == {
        ("response 201", "$.number"),
        ("response 201", "$.state"),
        ("response 201", "$.title"),
    }
    messages = {v.path: v.message for v in found}
    assert messages["$.number"] == "'one' is not of type 'integer'"
    assert messages["$.title"] == "required, missing"
    text = str(next(v for v in found if v.path == "$.number"))
    assert text.startswith("issues/create (POST /repos/{owner}/{repo}/issues) response 201 at")


def test_ref_resolution_reaches_nested_components(gh: openapi.Spec, issue: dict[str, Any]) -> None:
    """issue -> nullable-simple-user, and a list of $ref items, and a $ref'd parameter."""
    bad = copy.deepcopy(issue)
    bad["user"]["login"] = 5
    bad["labels"] = [{"id": 1, "name": "x", "url": "not a uri"}]
    _, found = gh.check_response("GET", f"{ISSUES}/1", 200, bad)
    assert ("response 200", "$.user.login") in _where(found)
    assert ("response 200", "$.labels[0]") in _where(found)
    _, listed = gh.check_response("GET", ISSUES, 200, [issue, bad])
    assert {v.path for v in listed} >= {"$[1].user.login", "$[1].labels[0]"}
    assert not any(v.path.startswith("$[0]") for v in listed)
    per_page = gh.check_request("GET", ISSUES, {"per_page": ["many"]}, None)
    assert [(v.where, v.path) for v in per_page] == [("request query", "$.per_page")]


def test_github_query_parameters(gh: openapi.Spec) -> None:
    query = {"state": ["all"], "per_page": ["100"], "page": ["2"], "labels": ["a,b"]}
    assert gh.check_request("GET", ISSUES, query, None) == []
    found = gh.check_request("GET", ISSUES, {"state": ["gone"], "colour": ["red"]}, None)
    assert {(v.path, v.message) for v in found} == {
        ("$.state", "'gone' is not one of ['open', 'closed', 'all']"),
        ("$.colour", "unknown query parameter"),
    }
    [path] = gh.check_request("GET", f"{ISSUES}/twelve", {}, None)
    assert (path.where, path.path) == ("request path", "$.issue_number")


def test_nullable(gh: openapi.Spec, jira: openapi.Spec, issue: dict[str, Any]) -> None:
    """OpenAPI 3.0 ``nullable``: beside a type, an enum (state_reason) and a $ref."""
    nulls = {**issue, "assignee": None, "closed_at": None, "state_reason": None, "body": None}
    assert gh.check_response("GET", f"{ISSUES}/1", 200, nulls) == (True, [])
    _, found = gh.check_response("GET", f"{ISSUES}/1", 200, {**issue, "title": None})
    assert [(v.path, v.message) for v in found] == [
        ("$.title", "None is not of type 'string' (not nullable)")
    ]
    # Jira: StatusCategory's colorName is not nullable; ServerInfo has none of its own.
    info = {"baseUrl": "http://x", "version": "9.12.0", "deploymentType": "Server"}
    assert jira.check_response("GET", "/rest/api/2/serverInfo", 200, info) == (True, [])
    _, found = jira.check_response("GET", "/rest/api/2/serverInfo", 200, {**info, "version": None})
    assert [v.path for v in found] == ["$.version"]


def test_an_undeclared_status(gh: openapi.Spec, issue: dict[str, Any]) -> None:
    """An undeclared 2xx/3xx is a violation; an undeclared 4xx/5xx is not judged."""
    checked, [found] = gh.check_response("GET", f"{ISSUES}/1", 202, issue)
    assert checked
    assert found.where == "response 202"
    assert found.message.startswith("status not declared")
    assert gh.check_response("GET", f"{ISSUES}/1", 418, {"message": "teapot"}) == (False, [])
    assert gh.check_response("GET", f"{ISSUES}/1", 304, None) == (True, [])
    _, [error] = gh.check_response("GET", f"{ISSUES}/1", 404, {"message": 404})
    assert error.path == "$.message"


# ---------------------------------------------------------------- Jira issue create and search


def test_jira_issue_create_request(jira: openapi.Spec) -> None:
    body = {
        "fields": {"project": {"key": "TB"}, "summary": "x", "issuetype": {"name": "Task"}},
        "properties": [{"key": "bridge", "value": {"id": 1}}],
    }
    for version in ("2", "3"):
        assert jira.check_request("POST", f"/rest/api/{version}/issue", {}, body) == []
    found = jira.check_request(
        "POST", "/rest/api/3/issue", {}, {"fields": "x", "properties": [{"k": 1}]}
    )
    assert _where(found) == {("request body", "$.fields"), ("request body", "$.properties[0].k")}
    [unknown] = jira.check_request("POST", "/rest/api/3/issue", {"notify": ["x"]}, body)
    assert unknown.message == "unknown query parameter"


def test_jira_issue_create_response(jira: openapi.Spec) -> None:
    made = {"id": "10001", "key": "TB-1", "self": "http://jira/rest/api/3/issue/10001"}
    assert jira.check_response("POST", "/rest/api/3/issue", 201, made) == (True, [])
    _, found = jira.check_response("POST", "/rest/api/3/issue", 201, {**made, "id": 1, "x": 2})
    assert _where(found) == {("response 201", "$.id"), ("response 201", "$.x")}
    assert {v.operation for v in found} == {"createIssue"}


def test_jira_search(jira: openapi.Spec) -> None:
    path = "/rest/api/3/search/jql"
    request = {"jql": "project = TB", "maxResults": 50, "fields": ["summary"]}
    assert jira.check_request("POST", path, {}, request) == []
    found = jira.check_request("POST", path, {}, {"jql": 5, "startAt": 0})
    assert _where(found) == {("request body", "$.jql"), ("request body", "$.startAt")}
    page = {"issues": [{"id": "1", "key": "TB-1", "fields": {"summary": "x"}}], "isLast": True}
    assert jira.check_response("POST", path, 200, page) == (True, [])
    _, found = jira.check_response("POST", path, 200, {"issues": [{"id": 1}], "total": 3})
    assert _where(found) == {("response 200", "$.issues[0].id"), ("response 200", "$.total")}
    # Jira Server's v2 search, checked against the deprecated /search the description keeps
    query = {"jql": ["project = TB"], "startAt": ["0"], "maxResults": ["50"]}
    assert jira.check_request("GET", "/rest/api/2/search", query, None) == []
    [bad] = jira.check_request("GET", "/rest/api/2/search", {"startAt": ["first"]}, None)
    assert (bad.operation, bad.path) == ("searchForIssuesUsingJql", "$.startAt")


def test_jira_date_times_in_jiras_own_form(jira: openapi.Spec) -> None:
    comment = {"id": "1", "body": "hi", "created": "2024-05-01T10:00:00.000+0000"}
    path = "/rest/api/2/issue/TB-1/comment"
    assert jira.check_response("POST", path, 201, comment) == (True, [])
    _, [bad] = jira.check_response("POST", path, 201, {**comment, "created": "yesterday"})
    assert (bad.path, bad.message) == ("$.created", "'yesterday' is not a 'date-time'")


# ---------------------------------------------------------------- allowlist


def test_the_allowlist_covers_only_what_it_names() -> None:
    allowed = Allowed(("issues/get",), "response 2XX", ("$.labels[*]",), "why", "is not a 'uri'")
    hit = Violation("issues/get", "GET /x", "response 200", "$.labels[3]", "'a b' is not a 'uri'")
    assert allowed.covers(hit)
    assert not allowed.covers(hit._replace(operation="issues/update"))
    assert not allowed.covers(hit._replace(where="response 404"))
    assert not allowed.covers(hit._replace(path="$.labels[3].name"))
    assert not allowed.covers(hit._replace(message="1 is not of type 'string'"))


def test_allowlist_entries_are_specific() -> None:
    from tests.fakes.openapi_allow import ALLOWED

    assert len(ALLOWED) <= 16  # each entry one cause; the recorded answers add six
    for entry in ALLOWED:
        assert entry.reason
        assert entry.operations
        assert all(p.startswith("$") for p in entry.paths)
        assert "$" not in entry.paths or entry.message, "a whole body needs a message"


def test_the_validator_counts_what_the_allowlist_took(issue: dict[str, Any]) -> None:
    allow = [Allowed(("issues/get",), "response 200", ("$.title",), "test", "required")]
    stats = Stats()
    validator = FakeValidator(allow=allow, stats=stats)
    bad = {k: v for k, v in issue.items() if k not in ("title", "number")}
    req = Request("GET", f"{ISSUES}/1", {}, {}, None)
    for _ in range(2):  # the second time from what was kept, counted the same
        found = validator.response_violations(req, 200, json.dumps(bad).encode())
        assert [v.path for v in found] == ["$.number"]
    counts = openapi.summary(stats)
    assert counts["allowlisted"] == 2
    assert counts["allowlisted_distinct"] == 1
    assert counts["allowances_used"] == 1
    assert counts["violations"] == 2
    assert counts["responses_checked"] == 2


# ---------------------------------------------------------------- the hook in FakeServer


def _get(url: str, token: str = "t0ken") -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_every_fake_server_checks_what_it_receives_and_sends() -> None:
    """The session's validator is on every server; faults are not checked as answers."""
    assert isinstance(FakeServer.validator, FakeValidator)
    assert FakeServer.validator.background
    server, _app = start_github_fake()
    assert server.validator is FakeServer.validator
    stats = Stats()
    server.validator = FakeValidator(stats=stats, background=True)  # keep the session's counts
    try:
        assert _get(server.url + ISSUES) == 200
        server.inject(Fault(status=500))
        assert _get(server.url + ISSUES) == 500
        assert _get(server.url + "/api/v3/fake-only/reset") == 404
        openapi.drain()
        assert server.checked_requests == 3
        assert server.checked_responses == 2  # the fault's 500 is not the fake's answer
        assert [v.where for v in server.violations] == ["route"]
        assert "/api/v3/fake-only/reset" in str(server.violations[0])
        assert openapi.summary(stats)["requests_checked"] == 3
        assert openapi.summary(stats)["violations"] == 1
    finally:
        server.violations.clear()  # seen: not this test's failure
        server.stop()


def test_a_small_scenario_is_checked_end_to_end() -> None:
    """Both adapters on both fakes: every request and answer is counted, none violates."""
    before = openapi.summary()
    gh_server, _ = start_github_fake()
    jira_server, _ = start_jira_fake("cloud")
    gh = github_service(gh_server.url, timeout=5)
    jr = jira_service(jira_server.url, "cloud")
    try:
        for service in (gh, jr):
            made = service.create_ticket("Checked", "first line\n\nsecond")
            service.add_comment(made.id, "a comment")
            service.update_ticket(made.id, title="Checked again")
            assert [t.title for t in service.iter_tickets()] == ["Checked again"]
    finally:
        gh.close()
        jr.close()
        gh_server.stop()
        jira_server.stop()
    openapi.drain()
    after = openapi.summary()
    checked = {k: after[k] - before[k] for k in after}
    print("OpenAPI checks in this scenario:", checked)
    for server in (gh_server, jira_server):
        assert server.checked_requests >= 4
        assert server.checked_responses >= 4
        assert server.violations == []
    assert checked["requests_checked"] >= 8
    assert checked["responses_checked"] >= 8
    assert checked["violations"] == 0


def test_a_violation_fails_the_test_during_which_it_was_sent(tmp_path: Path) -> None:
    """In a project using this conftest, a test whose fake sees an unknown route fails, with
    the violation named; the test beside it passes; the closing figures are printed."""
    (tmp_path / "conftest.py").write_text("from tests.conftest import *  # noqa: F403\n")
    (tmp_path / "test_traffic.py").write_text(
        textwrap.dedent(
            """
            import urllib.error, urllib.request
            from tests.fakes.github_fake import start_github_fake

            def _get(url):
                req = urllib.request.Request(url, headers={"Authorization": "token t0ken"})
                try:
                    urllib.request.urlopen(req, timeout=5).close()
                except urllib.error.HTTPError:
                    pass

            def test_helper_route():
                server, _ = start_github_fake()
                _get(server.url + "/api/v3/fake-only/reset")
                server.stop()

            def test_documented_route():
                server, _ = start_github_fake()
                _get(server.url + "/api/v3/repos/octo/tickets/issues")
                server.stop()
            """
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "1 failed, 1 passed" in out
    assert "FAILED test_traffic.py::test_helper_route" in out
    assert "GET /api/v3/fake-only/reset route at $: no operation" in out
    assert "requests checked 2, responses checked 1" in out
