"""What the e-mail channel kind needs to read real mail: charsets, HTML, quoted history, bounces,
the raw-message store, and the outbound Subject's folding. `ingest/kinds/email.py` puts them together."""
