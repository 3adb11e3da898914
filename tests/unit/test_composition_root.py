"""One composition root (api/bootstrap.py) builds every entry point's objects, each given its
collaborators at construction: nothing outside it is wired by patching an object once built."""

import ast
import sqlite3
from pathlib import Path

import pytest

from api.bootstrap import build, build_relay, open_helpdesk
from api.cli import main
from api.settings import Settings, SettingsError
from projections.byte_budget import MIB, ByteBudgetCache
from tests.unit.test_layers import ROOT, packages

WIRING = {"wake", "after_delivery", "before_send", "failures", "cache", "idle", "after_commit"}
"""The attributes that were once set on built objects to wire them to each other."""


def patches(path: Path) -> list[str]:
    """`thing.wake = …` or `thing.idle.append(…)` on an object other than `self`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets = node.targets if isinstance(node, ast.Assign) else []
        call = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        if call and node.func.attr in ("append", "extend"):  # type: ignore[attr-defined]
            targets = [node.func.value]  # type: ignore[attr-defined]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr in WIRING:
                owner = target.value
                if not (isinstance(owner, ast.Name) and owner.id == "self"):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(target)}")
    return found


def test_no_module_of_the_tree_wires_objects_by_patching_them_after_construction() -> None:
    sources = [p for top in packages() for p in sorted((ROOT / top).rglob("*.py"))]
    allowed = {"application/desk.py"}  # the Desk installs its own repository's cache as it builds it
    assert [hit for p in sources if str(p.relative_to(ROOT)) not in allowed for hit in patches(p)] == []


def test_a_relay_without_a_broker_is_refused_as_a_settings_error_naming_the_variable(tmp_path: Path) -> None:
    helpdesk = open_helpdesk(Settings(data_dir=tmp_path))
    try:
        with pytest.raises(SettingsError) as refused:
            build_relay(Settings(data_dir=tmp_path), helpdesk)
    finally:
        helpdesk.close()
    assert len(refused.value.problems) == 1
    assert refused.value.problems[0].startswith("DESKSTREAM_KAFKA_BOOTSTRAP is not set")


def test_the_relays_and_commands_event_stores_bound_their_aggregates_by_bytes(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, aggregate_cache_mb=2, kafka_bootstrap="127.0.0.1:9")
    helpdesk = open_helpdesk(settings)
    relay, db = build_relay(settings, helpdesk, helper_process=True)
    try:
        cache = helpdesk.repository.cache
        assert isinstance(cache, ByteBudgetCache) and cache.budget == 2 * MIB
        assert relay.reader.open_store is open_helpdesk  # type: ignore[union-attr]
    finally:
        relay.close()
        db.close()
        helpdesk.close()


def test_a_webhook_wakes_the_views_and_the_outbox_reports_to_the_same_health_check(tmp_path: Path) -> None:
    runtime = build(Settings(data_dir=tmp_path))
    try:
        ingest = runtime.ingest
        assert ingest is not None
        assert ingest.service.wake == runtime.runner.wake
        assert ingest.outbox.after_delivery == ingest.service.delivered
        assert ingest.outbox.failures is runtime.runner.failures
        assert all(r.failures is runtime.runner.failures for r in runtime.runner.runners)
    finally:
        runtime.close()


def test_project_from_kafka_without_a_broker_prints_one_line_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DESKSTREAM_KAFKA_BOOTSTRAP", raising=False)
    assert main(["project", "--source", "kafka", "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "DESKSTREAM_KAFKA_BOOTSTRAP" in err and "Traceback" not in err


def test_the_server_bounds_sqlite_memory_for_every_connection_it_will_open(tmp_path: Path) -> None:
    runtime = build(Settings(data_dir=tmp_path, sqlite_memory_mb=24))
    try:
        later = sqlite3.connect(":memory:")
        assert later.execute("PRAGMA soft_heap_limit").fetchone()[0] == 24 * MIB
        later.close()
    finally:
        runtime.close()
        build(Settings(data_dir=tmp_path / "default")).close()
    fresh = sqlite3.connect(":memory:")
    assert fresh.execute("PRAGMA soft_heap_limit").fetchone()[0] == Settings().sqlite_memory_mb * MIB
    fresh.close()
