"""Talking to people and scripts: consoles, tables, JSON lines, help and usage errors.
May import `core` only; only `cli` imports it."""
