"""The project's exceptions. The library raises them; only the CLI turns them into messages."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1  # it ran, but something failed (predict: some inputs failed)
EXIT_USAGE = 2  # bad option, missing or unreadable data or model, output exists
EXIT_UNANSWERED = 3  # predict/read: every input read, some answered with no digit or number
EXIT_INTERRUPTED = 130  # Ctrl-C
EXIT_TERMINATED = 143  # SIGTERM
EXIT_BROKEN_PIPE = 141  # the reader of stdout went away (128 + SIGPIPE, as Unix tools exit)


def answers_exit_code(failed: int, unanswered: int) -> int:
    """predict's and read's exit code: 1 when some input failed (that wins: a script must look
    at the error rows), else 3 when some were answered with no digit or number (--threshold,
    --digits, no digit found), else 0: every input got its digit or number."""
    if failed:
        return EXIT_FAILURE
    return EXIT_UNANSWERED if unanswered else EXIT_OK


def without_name(message: str, name: str) -> str:
    """An error's `message` without the input's `name` it begins with: an answer's row names
    the input already."""
    prefix = f"{name}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


class DigitcliError(Exception):
    """An error meant for the user: its message is shown as one line, then we exit."""

    exit_code = EXIT_FAILURE


class UsageError(DigitcliError):
    """The command cannot run as asked: a bad option, a missing input, an output in the way."""

    exit_code = EXIT_USAGE


class DataError(UsageError):
    """A dataset that is missing or malformed; the message names the file and the problem."""


class ModelError(UsageError):
    """A model that is missing, unreadable, unsafe or of the wrong shape."""


class OutputExistsError(UsageError):
    """An output already exists and --force was not given."""


class ImageError(DigitcliError):
    """One input image could not be read; predict reports it and goes on with the others."""


def unexpected_image_error(name: str, error: Exception) -> ImageError:
    """What went wrong with one input that no check foresaw (a bug): that input's error, so
    that the others of its batch are still answered."""
    return ImageError(
        f"{name}: could not be prepared: internal error ({type(error).__name__}: "
        f"{first_line(error)}); please report it"
    )


class ExportError(DigitcliError):
    """An export failed or its verification did not pass."""


class TrainingInterrupted(DigitcliError):
    """Training stopped on a signal after writing a checkpoint that --resume continues."""

    def __init__(self, message: str, exit_code: int = EXIT_INTERRUPTED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def first_line(error: object) -> str:
    """What to show of an exception in a one-line message: its first non-blank line, or its type.

    Converters and native libraries raise messages many lines long (a C++ stack, a graph dump);
    the first line says what went wrong.
    """
    for line in str(error).splitlines():
        if line.strip():
            return line.strip()
    return type(error).__name__
