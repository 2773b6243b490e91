"""`predict` and `read`: images in, digits or whole numbers out, in the format asked for. The
two share their options, how they name the model that answers, and their exit codes."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from digitcli.commands.errors import reports_errors
from digitcli.commands.options import MODEL_HELP, model_names, model_path, share_option


class PredictFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    plain = "plain"


class Invert(str, Enum):
    auto = "auto"
    yes = "yes"
    no = "no"


FormatOption = Annotated[
    PredictFormat | None,
    typer.Option(
        "--format", "-f", help="Output format. Default: table in a terminal, plain in a pipe."
    ),
]
AnswersJsonOption = Annotated[bool, typer.Option("--json", help="Same as --format json.")]
AnswersQuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="Only the answers: no error lines on stderr.")
]
# The options `predict` and `read` share (`serve` takes the model as its argument).
ImagesArgument = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="IMAGE...",
        help="Image files, directories, globs, or - for one image on stdin.",
        show_default=False,
    ),
]
AnswersModelOption = Annotated[
    Path | None,
    typer.Option(metavar="MODEL", help=MODEL_HELP, autocompletion=model_names, parser=model_path),
]
FromListOption = Annotated[
    str | None,
    typer.Option(
        "--from-list", metavar="FILE", help="Read image paths one per line from FILE (- for stdin)."
    ),
]
RecursiveOption = Annotated[
    bool,
    typer.Option(
        "--recursive",
        "-r",
        help="Search the sub-folders of IMAGE folders too (a folder of 0/ to 9/ folders).",
    ),
]
FromList0Option = Annotated[
    str | None,
    typer.Option(
        "--from-list0",
        "-0",
        metavar="FILE",
        help="Read image paths each ending in a NUL byte from FILE (- for stdin): find -print0.",
    ),
]
InvertOption = Annotated[
    Invert, typer.Option(help="Polarity: auto detects dark ink on light paper and inverts it.")
]


def digit_count(text: str | None) -> str | None:
    """--digits checked as the other options are, before the model is loaded: N or MIN-MAX
    (the words of `parse_digit_count`, which serve's ?digits= shares)."""
    if text is not None:
        from digitcli.core.errors import UsageError
        from digitcli.reading.count import parse_digit_count  # (plain Python: no NumPy)

        try:
            parse_digit_count(text)
        except UsageError as error:  # "--digits '3-': give ...": click says "--digits 3-"
            raise typer.BadParameter(str(error).partition(": ")[2]) from None
    return text


def paths_list(from_list: str | None, from_list0: str | None) -> str | None:
    """The list of image paths to read: --from-list's (one a line) or --from-list0's, refused
    before the model is looked for when it cannot be read."""
    from digitcli.core.errors import UsageError
    from digitcli.inputs.sources import NulList, check_list

    if from_list is not None and from_list0 is not None:
        raise UsageError("give --from-list or --from-list0, not both")
    listed = NulList(from_list0) if from_list0 is not None else from_list
    if listed is not None:
        check_list(listed)
    return listed


def _answers_format(chosen: PredictFormat | None, json_output: bool) -> str:
    from digitcli.terminal import console

    if json_output:
        return PredictFormat.json.value
    if chosen is None:
        return "table" if console.is_terminal() else "plain"
    return chosen.value


def _answered_by(model: Path | None, fmt: str, quiet: bool):
    """The model that will answer (the API's `Model`: a model that is not there is refused
    before any line) and how answers name it: the table's title, every JSON answer's `model`
    object, and for plain and CSV one stderr line (not with -q)."""
    from digitcli.api import load
    from digitcli.terminal import console, formats

    chosen = load(model)
    piped_table = fmt == "table" and not console.is_terminal()  # tab-separated, no title
    if (fmt in ("plain", "csv") or piped_table) and not quiet:
        console.print_note(f"model: {chosen.describe()}")
    title = _table_title(chosen) if fmt == "table" else None
    answered_by = chosen.info.to_json() if fmt in ("json", "jsonl") else None
    return chosen, formats.Shown(fmt, quiet, title, answered_by)


def _table_title(chosen) -> str:
    """How the table's title names the model: the bundled one with the networks it reads with,
    another as named or by its name; then why, when it was not named ("latest trained")."""
    from digitcli.models.modeldir import CHOSEN, FALLBACK, GONE, LATEST

    name = str(chosen.path) if chosen.why not in (LATEST, FALLBACK, CHOSEN, GONE) else chosen.name
    if chosen.bundled:
        networks = f" ({', '.join(chosen.networks)})" if chosen.networks else ""
        name = f"the bundled model{networks}"
    said = {LATEST: "latest trained", FALLBACK: "none trained", CHOSEN: "the default"}
    said[GONE] = GONE.partition(": ")[2]
    return f"{name}, {said[chosen.why]}" if chosen.why in said else name


def _exit_for(tally) -> None:
    """predict's and read's exit code (see errors.answers_exit_code)."""
    from digitcli.core.errors import answers_exit_code

    code = answers_exit_code(tally.failed, tally.unanswered)
    if code:
        raise typer.Exit(code)


@reports_errors
def predict(
    ctx: typer.Context,
    images: ImagesArgument = None,
    model: AnswersModelOption = None,
    output_format: FormatOption = None,
    top_k: Annotated[
        int, typer.Option(min=1, max=10, metavar="N", help="How many likeliest digits to show.")
    ] = 3,
    threshold: Annotated[
        float | None,
        share_option(
            "CONFIDENCE",
            "Below this confidence, answer no digit and say why. Default: off.",
        ),
    ] = None,
    from_list: FromListOption = None,
    recursive: RecursiveOption = False,
    from_list0: FromList0Option = None,
    save_preprocessed: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR", help="Write the 28x28 image the model saw for each input into DIR."
        ),
    ] = None,
    invert: InvertOption = Invert.auto,
    json_output: AnswersJsonOption = False,
    quiet: AnswersQuietOption = False,
) -> None:
    """Say which digit each image shows; photos, scans and drawings are prepared like MNIST.

    Exit code 1 when some inputs failed (the others are still answered), else 3 when some
    were answered with no digit or number (--threshold, --digits, no digit found).

    Examples:

    \b
      digitcli predict test_img.png
      digitcli predict scans/ --format csv > answers.csv
      digitcli predict -r mine/
      find photos -name '*.jpg' | digitcli predict --from-list - --json
      digitcli predict photo.jpg --threshold 0.9 --top-k 1
    """
    from digitcli.core.startup import importing

    with importing():  # what answering needs, imported with the collector paused
        import digitcli.predicting.predict  # noqa: F401
        from digitcli.terminal import console, formats

    from_list = paths_list(from_list, from_list0)
    if not images and from_list is None:  # a usage error as click's are: with the "Try" line
        raise typer.BadParameter("give at least one IMAGE, or --from-list FILE", ctx=ctx)
    fmt = _answers_format(output_format, json_output)
    if fmt == "plain" and top_k != 3 and not quiet:
        console.print_note("--top-k: plain output has no top-k field (csv, json and table do)")
    chosen, shown = _answered_by(model, fmt, quiet)
    predictions = chosen.predict_files(
        images or [],
        from_list=from_list,
        top_k=top_k,
        threshold=threshold,
        invert=invert.value,
        save_preprocessed=save_preprocessed,
        recursive=recursive,
    )
    _exit_for(formats.render_predictions(predictions, shown, top_k))


@reports_errors
def read(
    ctx: typer.Context,
    images: ImagesArgument = None,
    model: AnswersModelOption = None,
    output_format: FormatOption = None,
    digits: Annotated[
        str | None,
        typer.Option(
            metavar="COUNT",
            callback=digit_count,
            help="Expected count of digits, N or MIN-MAX: another count answers no number.",
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        share_option(
            "CONFIDENCE",
            "Below this confidence of the whole number, answer none and say why.",
        ),
    ] = None,
    from_list: FromListOption = None,
    recursive: RecursiveOption = False,
    from_list0: FromList0Option = None,
    save_preprocessed: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Write each digit as the model saw it (28x28) into DIR."),
    ] = None,
    invert: InvertOption = Invert.auto,
    json_output: AnswersJsonOption = False,
    quiet: AnswersQuietOption = False,
) -> None:
    """Read the whole number written in each image: a line of handwritten digits.

    Exit code 1 when some inputs failed (the others are still answered), else 3 when some
    were answered with no digit or number (--threshold, --digits, no digit found).

    Examples:

    \b
      digitcli read postcode.jpg --digits 5
      digitcli read forms/ --format csv > numbers.csv
      digitcli read date.png --json
      digitcli read meter.jpg --threshold 0.8
    """
    from digitcli.core.startup import importing

    with importing():  # what reading needs, imported with the collector paused
        import digitcli.reading.read  # noqa: F401
        from digitcli.terminal import formats

    from_list = paths_list(from_list, from_list0)
    if not images and from_list is None:  # a usage error as click's are: with the "Try" line
        raise typer.BadParameter("give at least one IMAGE, or --from-list FILE", ctx=ctx)
    fmt = _answers_format(output_format, json_output)
    chosen, shown = _answered_by(model, fmt, quiet)
    readings = chosen.read_files(
        images or [],
        from_list=from_list,
        threshold=threshold,
        digits=digits,
        invert=invert.value,
        save_preprocessed=save_preprocessed,
        recursive=recursive,
    )
    _exit_for(formats.render_readings(readings, shown))
