"""What a tracker says about its fields, as `Adapter.fields` and `ticket-bridge fields` give it.

A user reads these to write a ``field_map`` (neutral metadata key -> the tracker's field), and
an adapter reads them to check a create before sending it (required fields, allowed values).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["FieldInfo"]


class FieldInfo(BaseModel):
    """One field of a tracker, for tickets of one type (or of every type).

    ``type`` is the neutral schema type: ``string``, ``text``, ``number``, ``date``,
    ``datetime``, ``user``, ``option`` (one of ``allowed_values``), ``options`` (several), or
    the tracker's own name for anything else.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(description="the name a person sees on the tracker")
    id: str = Field(description="the id the API takes (customfield_10016, a GitHub field id)")
    type: str = Field(description="the neutral schema type")
    required: bool = Field(default=False, description="a create without it is refused")
    allowed_values: tuple[str, ...] = Field(default=(), description="for option fields")
    issue_type: str | None = Field(default=None, description="the ticket type it belongs to")
