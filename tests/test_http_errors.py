"""The HTTP status table and each tracker's hooks into it, without a server."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from github.GithubException import GithubException
from jira.exceptions import JIRAError

from adapters._http import (
    STATUS_ERRORS,
    Dialect,
    HttpAnswer,
    error_class,
    error_for,
    translating,
    transport_error,
)
from adapters.github._errors import error_for_status
from adapters.github._errors import translate as github_translate
from adapters.jira._errors import error_for_response
from adapters.jira._errors import translate as jira_translate
from bridge.errors import (
    AuthError,
    BridgeError,
    ConflictError,
    InvalidError,
    NotFoundError,
    RateLimitedError,
    TrackerTimeoutError,
    TransientError,
    UnavailableError,
)

TABLE = [
    (400, InvalidError),
    (401, AuthError),
    (403, AuthError),
    (404, NotFoundError),
    (405, InvalidError),
    (409, InvalidError),
    (413, InvalidError),
    (422, InvalidError),
    (429, RateLimitedError),
    (500, UnavailableError),
    (502, UnavailableError),
    (503, UnavailableError),
    (504, UnavailableError),
    (599, UnavailableError),
]


def _github(
    status: int, headers: dict[str, Any] | None = None, data: Any = None, **kw: Any
) -> BridgeError:
    kw.setdefault("ticket_id", "7")
    kw.setdefault("write", False)
    return error_for_status(status, headers or {}, data, **kw)


def _jira(
    status: int, headers: dict[str, Any] | None = None, data: Any = None, **kw: Any
) -> BridgeError:
    kw.setdefault("ticket_id", "PROJ-7")
    kw.setdefault("write", False)
    return error_for_response(status, headers or {}, data, **kw)


# ------------------------------------------------------------ the table


@pytest.mark.parametrize(("status", "error"), [*TABLE, (410, NotFoundError)])
def test_every_status_class_to_its_error_on_github(status: int, error: type) -> None:
    """Each status becomes its bridge error, carrying the adapter and the ticket."""
    exc = _github(status, data={"message": "boom"})
    assert type(exc) is error
    assert (exc.adapter, exc.ticket_id) == ("github", "7")
    assert f"({status})" in str(exc) or f"answered {status}" in str(exc)
    assert "boom" in str(exc)


@pytest.mark.parametrize(("status", "error"), [*TABLE, (410, InvalidError)])
def test_every_status_class_to_its_error_on_jira(status: int, error: type) -> None:
    """The same table for Jira, but for 410: a removed REST endpoint, not a removed issue."""
    exc = _jira(status, data={"errorMessages": ["boom"]})
    assert type(exc) is error
    assert (exc.adapter, exc.ticket_id) == ("jira", "PROJ-7")
    assert "boom" in str(exc)


def test_error_class_prefers_a_trackers_override() -> None:
    """Overrides win over the table; unknown statuses fall back by class."""
    assert error_class(409) is InvalidError
    assert error_class(409, {409: ConflictError}) is ConflictError
    assert error_class(418) is InvalidError
    assert error_class(0) is InvalidError
    assert error_class(507) is UnavailableError
    assert dict(STATUS_ERRORS)[429] is RateLimitedError


def test_a_bare_dialect_adds_nothing() -> None:
    """Without hooks: no detail (the status stands in), 429 reads Retry-After."""
    plain = Dialect(tracker="Tracker", adapter="plain")
    exc = error_for(plain, HttpAnswer.of(429, {"Retry-After": "3"}), ticket_id=None, write=False)
    assert isinstance(exc, RateLimitedError)
    assert exc.retry_after == 3
    assert str(exc) == "[plain] Tracker rate limit (429): HTTP 429"
    forbidden = error_for(
        plain, HttpAnswer.of(403, {"Retry-After": "3"}), ticket_id=None, write=False
    )
    assert type(forbidden) is AuthError
    conflict = Dialect(tracker="T", adapter="t", statuses={409: ConflictError})
    assert type(error_for(conflict, HttpAnswer.of(409, {}), ticket_id=None, write=True)) is (
        ConflictError
    )


def test_header_names_are_matched_whatever_their_case() -> None:
    """``HttpAnswer.of`` lowercases names; ``header`` reads values as text."""
    answer = HttpAnswer.of(429, {"Retry-After": 5, "X-Thing": "a"})
    assert answer.header("retry-after") == "5"
    assert answer.header("X-THING") == "a"
    assert answer.header("missing") is None


# ------------------------------------------------------------ rate limits


def test_github_403_rate_limits_vs_a_permission_403() -> None:
    """A 403 is a rate limit when the limit is spent, a Retry-After is given or the message
    says so; otherwise it is a permission refusal, even with rate-limit headers present."""
    reset = int(time.time()) + 30
    primary = _github(
        403,
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)},
        {"message": "API rate limit exceeded for installation"},
    )
    assert isinstance(primary, RateLimitedError)
    assert 20 <= (primary.retry_after or 0) <= 31
    secondary = _github(
        403, {"Retry-After": "60"}, {"message": "You have exceeded a secondary rate limit."}
    )
    assert isinstance(secondary, RateLimitedError)
    assert secondary.retry_after == 60
    by_message = _github(403, {}, {"message": "You have exceeded a secondary rate limit."})
    assert isinstance(by_message, RateLimitedError)
    assert by_message.retry_after is None
    permission = _github(
        403,
        {"X-RateLimit-Remaining": "4999", "X-RateLimit-Reset": str(reset)},
        {"message": "Resource not accessible by integration"},
    )
    assert type(permission) is AuthError
    assert "Resource not accessible by integration" in str(permission)


def test_github_retry_after_wins_over_the_reset_and_reads_decimals() -> None:
    """Retry-After (decimal seconds too) comes first; the reset only once the limit is spent."""
    reset = str(int(time.time()) + 300)
    spent = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
    assert _github(429, {**spent, "Retry-After": "1.5"}).retry_after == 1.5
    assert 290 <= (_github(429, spent).retry_after or 0) <= 301
    assert _github(429, {"X-RateLimit-Remaining": "3", "X-RateLimit-Reset": reset}).retry_after is (
        None
    )
    past = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) - 60)}
    assert _github(403, past).retry_after == 0
    garbage = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "soon"}
    assert isinstance(_github(403, garbage), RateLimitedError)
    assert _github(403, garbage).retry_after is None


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("9", 9.0), ("1.5", 1.5), ("0", 0.0), ("-3", None), ("soon", None), (None, None)],
)
def test_jira_429_carries_retry_after(header: str | None, seconds: float | None) -> None:
    """Jira's 429 reads Retry-After through the one parser; a Jira 403 is never a limit."""
    headers = {"Retry-After": header} if header is not None else {}
    exc = _jira(429, headers)
    assert isinstance(exc, RateLimitedError)
    assert exc.retry_after == seconds
    assert type(_jira(403, {"Retry-After": "9"})) is AuthError


def test_retry_after_as_an_http_date() -> None:
    """A date in the future is the seconds until then; both trackers read it the same."""
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 20))
    for exc in (_github(429, {"retry-after": when}), _jira(429, {"retry-after": when})):
        assert isinstance(exc, RateLimitedError)
        assert 15 <= (exc.retry_after or 0) <= 21


# ------------------------------------------------------------ messages


def test_github_422_lists_its_errors() -> None:
    """Each ``errors[]`` entry is named, by its message or by field and code."""
    exc = _github(
        422,
        data={
            "message": "Validation Failed",
            "errors": [
                {"message": "body is too long (maximum is 65536 characters)"},
                {"field": "title", "code": "missing_field"},
                "ignored",
            ],
        },
    )
    assert type(exc) is InvalidError
    assert str(exc) == (
        "[github 7] GitHub rejected the request (422): Validation Failed "
        "(body is too long (maximum is 65536 characters); title missing_field)"
    )
    assert str(_github(422, data={"message": "Validation Failed"})).endswith("Validation Failed")


def test_jira_messages_join_error_messages_and_field_errors() -> None:
    """``errorMessages`` and ``errors`` (field: problem) are all in the message."""
    exc = _jira(400, data={"errorMessages": ["Bad request"], "errors": {"summary": "too long"}})
    assert (
        str(exc) == "[jira PROJ-7] Jira rejected the request (400): Bad request; summary: too long"
    )
    assert "HTTP 400" in str(_jira(400, data={"errors": ["not", "a", "mapping"]}))


@pytest.mark.parametrize("data", [None, {}, "plain text", []])
def test_an_empty_or_foreign_body_names_the_status(data: Any) -> None:
    """Nothing readable in the body: the message still says what happened."""
    assert "HTTP 503" in str(_jira(503, data=data))
    assert "503" in str(_github(503, data=data))


# ------------------------------------------------------------ maybe_applied


@pytest.mark.parametrize("status", [500, 502, 503, 504])
@pytest.mark.parametrize("write", [False, True])
@pytest.mark.parametrize("tracker", [_github, _jira])
def test_maybe_applied_only_for_writes_a_gateway_gave_up_on(
    tracker: Any, status: int, write: bool
) -> None:
    """502 and 504 mean a gateway stopped waiting: a write may have landed. A 500 or 503
    was refused; a read changes nothing."""
    exc = tracker(status, write=write)
    assert isinstance(exc, UnavailableError)
    assert exc.maybe_applied is (write and status in (502, 504))


@pytest.mark.parametrize("status", [400, 401, 404, 409, 422, 429])
def test_client_errors_never_say_maybe_applied(status: int) -> None:
    """A 4xx was refused: nothing landed."""
    for exc in (_github(status, write=True), _jira(status, write=True)):
        assert getattr(exc, "maybe_applied", False) is False


# ------------------------------------------------------------ transport failures


def test_transport_failures() -> None:
    """Below HTTP: timeouts and lost connections, and whether a write may have landed."""

    def err(exc: requests.exceptions.RequestException, write: bool = True) -> TransientError:
        out = transport_error(exc, tracker="GitHub", adapter="github", ticket_id="7", write=write)
        assert isinstance(out, TransientError)
        return out

    connect = err(requests.exceptions.ConnectTimeout())
    assert (type(connect), connect.maybe_applied) == (TrackerTimeoutError, False)
    read = err(requests.exceptions.ReadTimeout())
    assert (type(read), read.maybe_applied) == (TrackerTimeoutError, True)
    assert err(requests.exceptions.ReadTimeout(), write=False).maybe_applied is False
    refused = err(requests.exceptions.ConnectionError("Connection refused"))
    assert (type(refused), refused.maybe_applied) == (UnavailableError, False)
    reset = err(requests.exceptions.ConnectionError("Connection reset by peer"))
    assert (type(reset), reset.maybe_applied) == (UnavailableError, True)
    other = err(requests.exceptions.ChunkedEncodingError())
    assert (type(other), other.maybe_applied) == (UnavailableError, True)
    assert str(reset) == "[github 7] cannot reach GitHub (ConnectionError)"


# ------------------------------------------------------------ translating


def _raise(exc: BaseException) -> None:
    raise exc


def test_github_translate_catches_pygithub_requests_and_bad_answers() -> None:
    """PyGithub's error answers go through the table; nothing foreign escapes."""
    with pytest.raises(RateLimitedError) as limited, github_translate("7", write=True):
        _raise(GithubException(403, {"message": "secondary rate limit"}, {"Retry-After": "2"}))
    assert limited.value.retry_after == 2
    assert limited.value.__cause__ is None
    with pytest.raises(AuthError), github_translate("7"):
        _raise(GithubException(401, {"message": "Bad credentials"}, None))
    with pytest.raises(UnavailableError, match="cannot reach GitHub"), github_translate("7"):
        _raise(requests.exceptions.ConnectionError("reset"))
    with pytest.raises(UnavailableError, match="unexpected answer from GitHub"), github_translate():
        _raise(KeyError("number"))


def _jira_error(status: int, body: bytes, headers: dict[str, str]) -> JIRAError:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers.update(headers)
    return JIRAError("failed", status_code=status, response=response)


def test_jira_translate_reads_the_response_body_and_headers() -> None:
    """JIRAError's response is read for its messages and its Retry-After."""
    with pytest.raises(NotFoundError, match="Issue does not exist"), jira_translate("PROJ-7"):
        _raise(_jira_error(404, b'{"errorMessages": ["Issue does not exist"]}', {}))
    with pytest.raises(RateLimitedError) as limited, jira_translate():
        _raise(_jira_error(429, b"", {"Retry-After": "4"}))
    assert limited.value.retry_after == 4
    with (
        pytest.raises(UnavailableError, match="HTTP 502") as bad_gateway,
        jira_translate(write=True),
    ):
        _raise(_jira_error(502, b"<html>not json</html>", {}))
    assert bad_gateway.value.maybe_applied is True
    with pytest.raises(InvalidError), jira_translate():
        _raise(JIRAError("no response at all"))
    with pytest.raises(TrackerTimeoutError), jira_translate():
        _raise(requests.exceptions.ReadTimeout())


def test_translating_lets_bridge_errors_and_bugs_through() -> None:
    """A bridge error passes unchanged; an unrelated exception is not disguised."""
    plain = Dialect(tracker="T", adapter="t")
    original = ConflictError("cycle")
    with (
        pytest.raises(BridgeError) as info,
        translating(
            plain,
            GithubException,
            lambda e: HttpAnswer.of(e.status, e.headers, e.data),
            ticket_id=None,
            write=False,
        ),
    ):
        _raise(original)
    assert info.value is original
    with pytest.raises(RuntimeError), jira_translate():
        _raise(RuntimeError("a bug"))
