"""`digitcli serve`: the HTTP server's options; the server itself, and its optional
dependencies, are imported only when the command runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from digitcli.commands.errors import reports_errors
from digitcli.commands.options import (
    MODEL_HELP,
    ModelOption,
    model_names,
    model_path,
    one_model,
)

AnnounceJsonOption = Annotated[
    bool,
    typer.Option(
        "--json",
        help="Announce where it listens as one JSON object on stdout (url, api, host, port, "
        "workers, model), not as a line on stderr.",
    ),
]


@reports_errors
def serve(
    model: Annotated[
        Path | None,
        typer.Argument(
            metavar="MODEL",
            parser=model_path,
            help=MODEL_HELP,
            show_default=False,
            autocompletion=model_names,
        ),
    ] = None,
    host: Annotated[
        str,
        typer.Option(
            metavar="ADDRESS", help="Address to listen on; not a loopback one needs --token."
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, metavar="PORT", help="Port to listen on.")
    ] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            metavar="N",
            help=(
                "Processes, each with its own copy of the model; at most one a CPU core"
                " (more are cut down to that, with a warning)."
            ),
        ),
    ] = 1,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="DIGITCLI_TOKEN",
            show_envvar=True,
            metavar="TOKEN",
            help=(
                "Every API call must then send Authorization: Bearer TOKEN. Printable ASCII"
                " characters only, no spaces: others, and an empty token, are refused at"
                " start (exit code 2)."
            ),
        ),
    ] = None,
    model_option: ModelOption = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No access log on stderr, only errors.")
    ] = False,
    json_output: AnnounceJsonOption = False,
) -> None:
    """Serve the model over HTTP: a JSON API for jobs, and a page at / to draw a digit on.

    Stops on Ctrl-C or SIGTERM after answering the requests under way (exit code 0).

    Examples:

    \b
      digitcli serve          # then open http://127.0.0.1:8000/
      digitcli serve cnn-48-96-lr0.003-e30 --port 9000 --workers 2
      digitcli serve --host 0.0.0.0 --token "$SECRET"
      digitcli serve --port 0 --json   # the port it got, as JSON
      curl -F file=@seven.png http://127.0.0.1:8000/v1/predict
    """
    from digitcli.core.errors import UsageError

    model = one_model(model, model_option)
    try:
        from digitcli.serve.server import serve as run_server
    except ImportError as error:
        package = (error.name or "a package").partition(".")[0]
        raise UsageError(
            f"digitcli serve needs its extra ({package} is missing): pip install 'digitcli[serve]'"
        ) from None
    run_server(
        model, host=host, port=port, workers=workers, token=token, quiet=quiet, as_json=json_output
    )
