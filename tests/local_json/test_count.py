"""``LocalJsonAdapter.count``: the total of a list, from the index, as the list finds it;
and ``--text`` as words in any order, in the index and in memory alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.local_json import LocalJsonService
from bridge.models import Ticket, TicketQuery


@pytest.fixture
def service(tmp_path: Path) -> LocalJsonService:
    s = LocalJsonService(tmp_path / "store")
    for i in range(30):
        s.create_ticket(
            f"Task {i}: login page" if i % 3 == 0 else f"Task {i}: Ticket for reports",
            priority=("low", "high")[i % 2],
            assignee=f"agent{i % 4}",
            labels=[f"area:{i % 5}"],
        )
    return s


QUERIES = [
    {},
    {"status": ["open"]},
    {"priority": ["high"], "assignee": "agent1"},
    {"labels": ["area:2"]},
    {"text": "login task"},
    {"text": "REPORTS ticket"},
    {"text": "login reports"},
    {"assignee": "agent3", "status": ["open", "closed"], "text": "task"},
]


@pytest.mark.parametrize("filters", QUERIES)
def test_count_is_the_number_the_list_finds(service: LocalJsonService, filters: dict) -> None:
    listed = list(service.iter_tickets(**filters))
    assert service.adapter.count(TicketQuery(**filters)) == len(listed)


@pytest.mark.parametrize("filters", [q for q in QUERIES if "text" in q])
def test_words_match_alike_in_the_index_and_in_memory(
    service: LocalJsonService, filters: dict
) -> None:
    everything: list[Ticket] = list(service.iter_tickets())
    query = TicketQuery(**filters)
    assert [t.id for t in service.iter_tickets(**filters)] == [
        t.id for t in everything if query.matches(t)
    ]
    assert TicketQuery(text=filters["text"]).matches(everything[0]) == all(
        w in everything[0].title.lower() for w in filters["text"].lower().split()
    )
