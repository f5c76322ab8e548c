"""How transient failures are retried: the policy."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["RetryPolicy"]


class RetryPolicy(BaseModel):
    """``[retry]``: how transient failures are retried before falling back."""

    model_config = ConfigDict(extra="forbid")

    attempts: int = Field(default=3, ge=1, le=20)
    initial_wait: float = Field(default=0.5, ge=0)
    max_wait: float = Field(default=30.0, gt=0, description="cap on any one wait")
    deadline: float = Field(default=120.0, gt=0, description="cap on the whole operation")
    jitter: float = Field(default=0.5, ge=0)
