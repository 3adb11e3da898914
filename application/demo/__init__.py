"""A year of a support team's life, for trying deskstream without writing data by hand.

`deskstream demo` (api/cli_demo.py) writes it into a fresh data directory with the team's users,
channels, SLA policies, snippets and articles; bench/seed.py writes the same history, as large as
a benchmark needs. Everything is built with the domain's own commands, so every guard holds, and
from one seeded random stream, so the same seed and end give the same events.
"""
