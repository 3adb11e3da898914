"""The helpdesk's domain model: aggregates, their events and the use cases that drive them.

Pure by design: nothing here reads a clock or does I/O of its own; time is passed in and
persistence is the eventsourcing library's, configured from outside.
"""
