"""`cpi erase` and `cpi keys rotate`: the data-protection officer's commands."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from cpi import stack
from cpi.devstack import SECRETS_FILE
from eventstore.database import create_engine
from services.common.sealing import MasterKeyring

keys = typer.Typer(help="Master keys that wrap every submission's data key.", no_args_is_help=True)
T = TypeVar("T")


def with_engine(work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = create_engine(stack.database_url(), pool_size=2)
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def erase(
    reference: str,
    reason: Annotated[str, typer.Option(help="why; recorded in SubmissionErased")],
    by: Annotated[str, typer.Option(help="who asked")] = "data-protection-officer",
) -> None:
    """Crypto-shred one submission: its data key is deleted, its sanitised products and the chain stay."""
    from services.sanitiser.vault import VaultError, erase_submission

    if len(reason.strip()) < 5:
        raise typer.BadParameter("give a reason of at least 5 characters", param_hint="--reason")
    try:
        erased = with_engine(lambda engine: erase_submission(engine, reference, reason.strip(), by))
    except VaultError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"erased {erased.reference}: data key {erased.key_id} destroyed")


@keys.command("rotate")
def rotate(
    new_key: Annotated[
        bool, typer.Option("--new-key", help="dev stack: make a new master key and activate it")
    ] = False,
) -> None:
    """Re-wrap every data key under the active master key (old keys keep decrypting until then)."""
    from services.sanitiser.vault import rotate_master_key

    if new_key:
        _add_dev_master_key()
    keyring = MasterKeyring.parse(stack.secret("CPI_MASTER_KEYS"), stack.secret("CPI_MASTER_KEY_ID"))
    count = with_engine(lambda engine: rotate_master_key(engine, keyring))
    typer.echo(f"re-wrapped {count} data keys under master key {keyring.active_id!r}")


def _add_dev_master_key() -> None:
    """Adds a key to the dev stack's secrets and makes it active; restart the stack's services to use it."""
    path = stack.stack_root() / SECRETS_FILE
    if not path.exists():
        raise typer.BadParameter("--new-key works on the dev stack's secrets only; set CPI_MASTER_KEYS yourself")
    values = json.loads(path.read_text())
    key_id = f"dev-{secrets.token_hex(3)}"
    values["CPI_MASTER_KEYS"] += f",{key_id}:" + base64.b64encode(secrets.token_bytes(32)).decode()
    values["CPI_MASTER_KEY_ID"] = key_id
    path.write_text(json.dumps(values, indent=2))
    typer.echo(f"added master key {key_id!r} to {path} and made it active (restart `make run` to use it)")
