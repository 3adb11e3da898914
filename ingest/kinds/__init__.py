"""One module per channel kind, each a `ChannelKind` registered with `@register` (see ingest.registry)."""
