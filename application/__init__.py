"""The application layer: deskstream's use cases by name, over the event store.

`Helpdesk` (application/helpdesk.py) is the eventsourcing Application every entry point holds; its
methods are the use cases, grouped in modules named for what they act on (tickets, customers,
intake, mentions, channels, library, policies, users). Each loads, acts and saves through the one
change-and-retry helper in application/saving.py.
"""
