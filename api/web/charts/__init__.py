"""Charts drawn on the server as SVG: the same figures, the same bytes."""
