"""A project that depends on ticket-bridge, testing its own code with the offline fixture."""

from bridge import get_ticketing_service


def file_incident(summary: str) -> str:
    """Code under test: files a critical ticket through the discovered service."""
    tickets = get_ticketing_service()
    return tickets.create_ticket(summary, priority="critical", assignee="ops").id


def test_incident_is_filed(ticket_service):
    """The fixture needs no configuration and is what get_ticketing_service() returns."""
    ticket_id = file_incident("disk full on db-1")
    [ticket] = ticket_service.list_tickets(priority="critical")
    assert ticket.id == ticket_id
    assert ticket.assignee == "ops"


def test_each_test_gets_a_fresh_store(ticket_service):
    """Nothing from the previous test is left."""
    assert list(ticket_service.list_tickets()) == []
