"""Known differences between the fakes' traffic and the trackers' descriptions.

Each entry is one cause: the operations it shows in, where (``response 2XX`` is any 2xx), the
exact JSON paths (``[*]`` for array indexes), an optional part of the message, and the reason.
The list is the record of what remains to fix in the fakes (``tests/fakes/github_fake.py``,
``tests/fakes/jira_fake.py``) and the adapters; an entry that covered nothing in a run is
listed at the end of that run, so that a fixed cause is taken out.
"""

from __future__ import annotations

from tests.fakes.openapi import Allowed

# Operations answering one GitHub issue, and those answering a page of them.
_ISSUE = (
    "issues/create",
    "issues/get",
    "issues/update",
    "issues/add-sub-issue",
    "issues/remove-sub-issue",
    "issues/add-blocked-by-dependency",
    "issues/remove-dependency-blocked-by",
)
_ISSUES = (
    "issues/list-for-repo",
    "issues/list-sub-issues",
    "issues/list-dependencies-blocked-by",
)
_COMMENT = ("issues/create-comment",)
_COMMENTS = ("issues/list-comments", "issues/list-comments-for-repo")

# What GitHubFakeApp._user leaves out of a simple-user (it sends login, id, type, url).
_USER_FIELDS = (
    "avatar_url",
    "events_url",
    "followers_url",
    "following_url",
    "gists_url",
    "gravatar_id",
    "html_url",
    "node_id",
    "organizations_url",
    "received_events_url",
    "repos_url",
    "site_admin",
    "starred_url",
    "subscriptions_url",
)
# What GitHubFakeApp.render leaves out of an issue.
_ISSUE_FIELDS = ("events_url", "labels_url", "milestone")

_USER = "github_fake.py GitHubFakeApp._user: a simple-user without its required URLs and flags"
_RENDER = "github_fake.py GitHubFakeApp.render: an issue without events_url, labels_url, milestone"
_LABEL_URL = (
    "github_fake.py GitHubFakeApp._label: the label's url has its name unencoded "
    "(labels/priority: medium), so it is not a URI; GitHub sends it percent-encoded"
)

# The fields of the recorded Server create screen (go-jira's SPN / Request).
_SERVER_SCREEN = (
    "assignee",
    "attachment",
    "components",
    "customfield_10806",
    "description",
    "duedate",
    "issuetype",
    "labels",
    "priority",
    "project",
    "summary",
)

ALLOWED: tuple[Allowed, ...] = (
    # ---------------------------------------------------------------- GitHub fake
    Allowed(
        _ISSUE + _COMMENT,
        "response 2XX",
        tuple(f"$.user.{f}" for f in _USER_FIELDS),
        _USER,
        "required, missing",
    ),
    Allowed(
        _ISSUES + _COMMENTS,
        "response 200",
        tuple(f"$[*].user.{f}" for f in _USER_FIELDS),
        _USER,
        "required, missing",
    ),
    Allowed(
        _ISSUE, "response 2XX", tuple(f"$.{f}" for f in _ISSUE_FIELDS), _RENDER, "required, missing"
    ),
    Allowed(
        _ISSUES,
        "response 200",
        tuple(f"$[*].{f}" for f in _ISSUE_FIELDS),
        _RENDER,
        "required, missing",
    ),
    Allowed(_ISSUE, "response 2XX", ("$.labels[*]",), _LABEL_URL, "is not a 'uri'"),
    Allowed(_ISSUES, "response 200", ("$[*].labels[*]",), _LABEL_URL, "is not a 'uri'"),
    Allowed(
        ("issues/list-for-repo", "issues/list-comments-for-repo", "issues/list-sub-issues"),
        "response 304",
        ("$",),
        "github_fake.py GitHubFakeApp._finish answers If-None-Match with 304 on every GET, as "
        "GitHub does; GitHub's description declares 304 only on some operations (issues/get), "
        "not on these lists",
        "status not declared",
    ),
    # ---------------------------------------------------------------- Jira fake
    Allowed(
        ("getTransitions",),
        "response 200",
        (
            "$.transitions[*].fields.resolution.operations",
            "$.transitions[*].fields.resolution.schema",
        ),
        "jira_fake.py JiraFakeApp.transitions: with expand=transitions.fields, the resolution "
        "field's metadata lacks operations and schema",
        "required, missing",
    ),
    # ---------------------------------------------------------------- recorded answers
    Allowed(
        ("issues/list-comments",),
        "response 200",
        ("$[*].html_url", "$[*].issue_url", "$[*].node_id", "$[*].user.type"),
        "answers recorded from api.github.com in 2012 (fixtures/github/recorded): GitHub sent "
        "no node_id then, and the recording kept the comments as they came",
        "required, missing",
    ),
    Allowed(
        ("issues/list-sub-issues",),
        "response 200",
        ("$[*].repository.homepage",),
        "an answer recorded from api.github.com: a repository whose homepage is the empty "
        "string, which the description types as a URI",
        "is not a 'uri'",
    ),
    Allowed(
        ("getIssue", "searchAndReconsileIssuesUsingJqlPost"),
        "response 200",
        (
            "$.created",
            "$.projectId",
            "$.projectKey",
            "$.updated",
            "$.issues[*].created",
            "$.issues[*].projectId",
            "$.issues[*].projectKey",
            "$.issues[*].updated",
        ),
        "issues recorded by Airbyte's Jira connector (fixtures/jira/recorded): the connector "
        "adds these top-level fields to each issue it stores",
        "not in the schema",
    ),
    Allowed(
        ("getCreateIssueMeta",),
        "response 200",
        tuple(f"$.projects[*].issuetypes[*].fields.{f}.key" for f in _SERVER_SCREEN),
        "create metadata recorded from a Jira Server site (fixtures/jira/recorded/meta, "
        "go-jira): Server sent each field's entry without its key (the map's key names it)",
        "required, missing",
    ),
    Allowed(
        ("getCreateIssueMeta", "getFields"),
        "response 200",
        ("$.projects[*].issuetypes[*].untranslatedName", "$[*].untranslatedName"),
        "create metadata and the field list recorded from a Jira Cloud site "
        "(fixtures/jira/recorded/meta, DefectDojo): Cloud sends untranslatedName, which the "
        "description does not declare",
        "not in the schema",
    ),
    Allowed(
        ("searchAndReconsileIssuesUsingJqlPost",),
        "request body",
        ("$.startAt",),
        "tests/jira/test_faithful.py sends Server's startAt to Cloud's /search/jql on purpose, "
        "to see the fake refuse a key the route does not document",
        "not in the schema",
    ),
)
