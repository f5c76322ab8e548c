"""The ticket, the draft and the changes keep one set of fields, and read errors one way."""

from __future__ import annotations

import types
from datetime import timedelta
from typing import Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel, ValidationError

from bridge.errors import InvalidError
from bridge.models import (
    Priority,
    Status,
    Ticket,
    TicketChanges,
    TicketDraft,
    invalid_from_validation,
)
from bridge.validation import describe_errors

DRAFT_ONLY = {"idempotency_key"}
TICKET_ONLY = {"id", "created_at", "updated_at", "tracker", "pending"}
OPTIONAL = {"assignee", "parent_id", "resolution"}
EMPTIED_BY_NONE = {"labels": [], "dependencies": []}


def shared() -> list[str]:
    """The ticket fields proper, in declaration order."""
    return [name for name in TicketDraft.model_fields if name not in DRAFT_ONLY]


def members(annotation: Any) -> set[Any]:
    """The types of a union, or the one type of anything else."""
    if get_origin(annotation) in (Union, types.UnionType):
        return set(get_args(annotation))
    return {annotation}


def error(model: type[BaseModel], **values: Any) -> str:
    """The ``InvalidError`` message for building ``model`` from ``values``."""
    with pytest.raises(ValidationError) as info:
        model(**values)
    return str(invalid_from_validation(info.value))


def test_changes_are_the_draft_fields_without_its_key() -> None:
    """``TicketChanges`` has every field of ``TicketDraft`` but ``idempotency_key``, in order."""
    assert list(TicketChanges.model_fields) == shared()
    assert set(TicketDraft.model_fields) >= DRAFT_ONLY


def test_ticket_is_the_draft_fields_plus_identity() -> None:
    """``Ticket`` is the draft's fields without its key, plus id, timestamps, tracker, pending."""
    fields = list(Ticket.model_fields)
    assert set(fields) == set(shared()) | TICKET_ONLY
    assert fields[0] == "id", "a dumped ticket reads its id first"
    assert [name for name in fields if name not in TICKET_ONLY] == shared()


def test_ticket_and_draft_declare_each_field_alike() -> None:
    """Type, default and requiredness of each shared field are the same in ticket and draft."""
    for name in shared():
        ticket, draft = Ticket.model_fields[name], TicketDraft.model_fields[name]
        assert ticket.annotation == draft.annotation, name
        assert ticket.is_required() == draft.is_required(), name
        assert ticket.get_default(call_default_factory=True) == draft.get_default(
            call_default_factory=True
        ), name


def test_each_change_is_its_ticket_field_or_none() -> None:
    """Each ``TicketChanges`` field is typed ``<the ticket's type> | None`` and defaults to None."""
    for name in shared():
        ticket, change = Ticket.model_fields[name], TicketChanges.model_fields[name]
        assert members(change.annotation) == members(ticket.annotation) | {type(None)}, name
        assert not change.is_required(), name
        assert change.default is None, name


def test_changes_apply_only_the_given_fields() -> None:
    """What was not given is kept; ``given()`` names exactly what was."""
    ticket = Ticket(id="T-1", title="old", assignee="ana", labels=["x"])
    changes = TicketChanges(title="new", assignee=None)
    assert changes.given() == {"title": "new", "assignee": None}
    updated = changes.apply_to(ticket)
    assert (updated.title, updated.assignee, updated.labels) == ("new", None, ["x"])
    assert updated.updated_at >= ticket.updated_at


def test_changes_that_change_nothing_keep_the_ticket() -> None:
    """``apply_to`` with values the ticket already has returns it untouched."""
    ticket = Ticket(id="T-1", title="same", priority="high")
    ticket = ticket.model_copy(update={"updated_at": ticket.updated_at - timedelta(hours=1)})
    assert TicketChanges(title="same", priority=Priority.HIGH).apply_to(ticket) is ticket
    assert TicketChanges().apply_to(ticket) is ticket


@pytest.mark.parametrize("name", sorted(set(shared()) - OPTIONAL - set(EMPTIED_BY_NONE)))
def test_a_required_field_cannot_be_cleared(name: str) -> None:
    """None for a field the ticket always has is refused, naming the field."""
    assert error(TicketChanges, **{name: None}) == (
        f"{name}: cannot be cleared (None); leave it out to keep it"
    )


@pytest.mark.parametrize("name", sorted(OPTIONAL))
def test_an_optional_field_is_cleared_by_none(name: str) -> None:
    """None clears assignee, parent and resolution."""
    ticket = Ticket(id="T-1", title="t", assignee="ana", parent_id="T-0", resolution="done")
    assert getattr(TicketChanges(**{name: None}).apply_to(ticket), name) is None


@pytest.mark.parametrize(("name", "empty"), sorted(EMPTIED_BY_NONE.items()))
def test_lists_given_as_none_become_empty(name: str, empty: list[str]) -> None:
    """None for labels or dependencies empties them."""
    assert TicketChanges(**{name: None}).given() == {name: empty}


def test_choices_are_parsed_the_same_everywhere() -> None:
    """Any case and spaces parse; a bad choice names the field and the allowed values."""
    assert TicketDraft(title="t", status="In Progress").status is Status.IN_PROGRESS
    assert TicketChanges(status="in-progress").status is Status.IN_PROGRESS
    assert Ticket(id="T-1", title="t", status="CLOSED").status.is_done
    for model, extra in ((TicketDraft, {"title": "t"}), (TicketChanges, {})):
        assert error(model, priority="urgent", **extra) == (
            "priority: invalid priority 'urgent': expected one of low, medium, high, critical"
        )
    with pytest.raises(InvalidError, match="invalid status 3"):
        Status.parse(3)


def test_model_errors_read_key_and_message() -> None:
    """Unknown fields, pydantic's "Value error" lead and several problems at once."""
    assert error(TicketDraft, title="t", colour="red") == "colour: unknown field"
    assert error(TicketDraft, title=" ", labels="x") == (
        "title: title must not be empty; labels: labels must be a list of strings"
    )
    assert error(TicketDraft) == "title: Field required"


def test_an_error_about_the_whole_input_is_named_input() -> None:
    """An error with no key is named ``input`` for tickets and stands alone for config."""
    with pytest.raises(ValidationError) as info:
        TicketDraft.model_validate("not a mapping")
    (problem,) = describe_errors(info.value)
    assert problem.startswith("input: ")
    (alone,) = describe_errors(info.value, root=None)
    assert alone == problem.removeprefix("input: ")


class _Section(BaseModel, extra="forbid"):
    attempts: int = 3
    name: str = "x"
    table: dict[str, int] = {}


@pytest.mark.parametrize(
    "raw",
    [
        {"attempts": "many"},
        {"atempts": 1},
        {"table": {"a": "b"}},
        {"attempts": [1], "name": 2},
        "not a table",
    ],
)
def test_config_wording_is_available(raw: object) -> None:
    """With config's options the items are exactly what ``config_error`` reports."""
    from bridge.config import config_error

    with pytest.raises(ValidationError) as info:
        _Section.model_validate(raw)
    items = describe_errors(
        info.value, "trackers.local", unknown="unknown key", show_input=True, root=None
    )
    expected = str(config_error(info.value, "f.toml", "trackers.local"))
    assert f"f.toml: {'; '.join(items)}" == expected
    assert all(item.startswith("trackers.local") for item in items)


def test_config_wording_shows_what_was_given() -> None:
    """``show_input`` ends a problem with a given value in ``(got ...)``; a table is not shown."""
    with pytest.raises(ValidationError) as info:
        _Section.model_validate({"attempts": "many", "atempts": 1, "table": {"a": "b"}})
    assert describe_errors(info.value, unknown="unknown key", show_input=True) == [
        "attempts: Input should be a valid integer, unable to parse string as an integer"
        " (got 'many')",
        "table.a: Input should be a valid integer, unable to parse string as an integer (got 'b')",
        "atempts: unknown key",
    ]
