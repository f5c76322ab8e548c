"""The local JSON store: the reference adapter, the offline mode and the fallback target."""

from adapters.local_json._config import LocalJsonConfig
from adapters.local_json._service import LocalJsonService

__all__ = ["LocalJsonConfig", "LocalJsonService"]
