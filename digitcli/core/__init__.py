"""The ground every stage stands on: the project's errors and exit codes, defaults and
paths, atomic writes, strict JSON, signals, quiet native output, and the versions artefacts
fit. Imports nothing else of digitcli."""
