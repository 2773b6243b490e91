from digitcli.cli import app

app(prog_name="digitcli")
