from digitcli.cli import run

run()
