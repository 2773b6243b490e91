"""The commands of the `digitcli` program, grouped by job; `cli` builds the Typer app of them.
May import every stage below; only `cli` imports it."""
