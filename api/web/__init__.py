"""The web workspace: server-rendered pages over the same use cases and queries as the API
(api/web/workspace.py puts them in the app)."""
