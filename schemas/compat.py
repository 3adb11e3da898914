"""Is a schema change safe? Both directions, proved by fastavro's own schema resolution.

Backward: data written with a released schema must be readable with the current one (new
consumers, old messages still in the topic). Forward: data written with the current schema must
be readable with the released one (consumers that have not upgraded). Random data from
`fastavro.utils.generate_many` exercises every field, union branch and default.
"""

import io
from pathlib import Path
from typing import Any

from fastavro import schemaless_reader, schemaless_writer
from fastavro.utils import generate_many

from schemas import load_folder

SAMPLES = 20


def problems(released: Path, current: Path) -> list[str]:
    """Empty when every released event schema is still there and compatible both ways."""
    old, new = load_folder(released), load_folder(current)
    found: list[str] = []
    for name, before in sorted(old.items()):
        after = new.get(name)
        if after is None:
            found.append(f"{name}: removed; a released event type must keep its schema")
            continue
        found += [f"{name}: old data, new reader: {e}" for e in unreadable(before.parsed, after.parsed)]
        found += [f"{name}: new data, old reader: {e}" for e in unreadable(after.parsed, before.parsed)]
        found += [f"{name}: {e}" for e in undefaulted_additions(before.parsed, after.parsed)]
    return found


def unreadable(writer: dict[str, Any], reader: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    for datum in generate_many(writer, SAMPLES):
        buffer = io.BytesIO()
        schemaless_writer(buffer, writer, datum)
        buffer.seek(0)
        try:
            schemaless_reader(buffer, writer, reader)
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            break
    return errors


def undefaulted_additions(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Resolution allows a new field without default only if no old data exists; we always have some."""
    old = {f["name"] for f in before["fields"]}
    return [
        f"field {f['name']} was added without a default"
        for f in after["fields"]
        if f["name"] not in old and "default" not in f
    ]
