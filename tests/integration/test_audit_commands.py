"""The `cpi audit` and `cpi projections` commands against a real store, as an auditor runs them."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from eventstore.checkpoint_signing import generate_signing_key
from eventstore.projections import catch_up
from services.triage.projection import TriageProjection
from tests.integration.audit_history_builder import append_history

PRIVATE, PUBLIC = generate_signing_key()


async def cpi(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CPI_AUDIT_SIGNING_KEY": PRIVATE,
        "CPI_AUDIT_SIGNING_KEY_ID": "export-test",
        "CPI_STACK_DIR": "/nonexistent",
        "COLUMNS": "240",
    }
    env.pop("CPI_AUDIT_PUBLIC_KEYS", None)
    command = [sys.executable, "-m", "cpi", *args]
    return await asyncio.to_thread(subprocess.run, command, env=env, capture_output=True, text=True, timeout=120)


async def test_an_exported_bundle_verifies_offline_and_fails_after_one_byte_changes(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    await append_history(engine, 10)
    bundle = tmp_path / "audit.jsonl"
    exported = await cpi(database_url, "audit", "export", "--from", "4", "--to", "27", str(bundle))
    assert exported.returncode == 0, exported.stderr
    assert "wrote 24 events" in exported.stdout
    key = f"export-test:{PUBLIC}"
    offline = await cpi("postgresql://nowhere.invalid/none", "audit", "verify-bundle", str(bundle), "--public-key", key)
    assert offline.returncode == 0, offline.stdout + offline.stderr
    assert "24 events (positions 4..27)" in offline.stdout
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 0x01
    bundle.write_bytes(bytes(data))
    broken = await cpi("postgresql://nowhere.invalid/none", "audit", "verify-bundle", str(bundle), "--public-key", key)
    assert broken.returncode == 1 and "BUNDLE INVALID" in broken.stdout


async def test_history_command_prints_json_and_a_table_without_ciphertext(
    engine: AsyncEngine, database_url: str
) -> None:
    await append_history(engine, 2)
    as_json = await cpi(database_url, "audit", "history", "CPI-T000001", "--json")
    assert as_json.returncode == 0, as_json.stderr
    events = json.loads(as_json.stdout)["events"]
    assert [e["position"] for e in events] == [4, 5, 6]
    assert "Y2lwaGVy" not in as_json.stdout
    table = await cpi(database_url, "audit", "history", "CPI-T000001")
    assert table.returncode == 0 and "Sanitised" in table.stdout and "Y2lwaGVy" not in table.stdout
    missing = await cpi(database_url, "audit", "history", "CPI-NOPE")
    assert missing.returncode == 1


async def test_rebuild_command_reports_identical_for_a_live_view_built_from_the_same_events(
    engine: AsyncEngine, database_url: str
) -> None:
    await append_history(engine, 50)
    await catch_up(engine, TriageProjection())
    result = await cpi(database_url, "projections", "rebuild", "triage", "--swap")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "identical: swapped in" in result.stdout
    as_of = await cpi(database_url, "audit", "as-of", "2000-01-01T00:00:00", "--json")
    assert as_of.returncode == 0, as_of.stderr
    assert json.loads(as_of.stdout)["queue"] == []
