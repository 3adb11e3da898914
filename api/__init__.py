"""The outside of deskstream: HTTP API, CLI and the composition root that wires them."""
