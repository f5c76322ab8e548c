"""What changed on a tracker since a point in time: the input of a two-way sync.

An adapter answers :meth:`~bridge.contract.Adapter.changes_since` with a
:class:`ChangeFeed`. The generic answer lists the changed tickets and then the comments of each
one; adapters that can do better (GitHub's repository-wide comment list, Jira's search that
carries comments) override it so that comments cost requests by page, not by ticket.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bridge.models import Comment, Ticket, utcnow

__all__ = ["ChangeFeed"]


@dataclass
class ChangeFeed:
    """Tickets and comments changed since a time, and how far the answer is complete.

    ``watermark``: every change made before it is in the feed (by the tracker's clock when
    the tracker says what time it is). ``validators``: opaque values (ETags) to send next time
    so that an unchanged answer costs a conditional request. ``not_modified``: the tracker
    said nothing changed since the validators were taken.
    """

    tickets: list[Ticket] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    watermark: datetime = field(default_factory=utcnow)
    validators: dict[str, str] = field(default_factory=dict)
    not_modified: bool = False
