"""digitcli's version: what `digitcli --version` says, what metadata and exports record. Bump it
here with each release (CHANGELOG.md); `digitcli.__version__` is this one."""

VERSION = "0.9.1"
