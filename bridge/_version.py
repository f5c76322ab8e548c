"""The version of ticket-bridge, declared here only: packaging and ``bridge`` read it."""

__version__ = "0.2.0"
