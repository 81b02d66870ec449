"""The `cpi` command: run the dev stack or one service, issue dev tokens, migrate, audit, export contracts."""
