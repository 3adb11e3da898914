"""The helpdesk's domain model: aggregates, their events, their guards and pure calculations.

Pure by design: nothing here reads a clock or does I/O of its own; time is passed in and
persistence is the eventsourcing library's, configured from outside. The use cases that load,
act and save live in application/; tests/unit/test_layers.py holds this package to the standard
library and `eventsourcing.domain`.
"""
