"""What the command-line modules share: the consoles, the usage error, the progress bar
and the catalog opener (``cli`` and ``cli_catalog`` import them from here)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from samples.video_archive.catalog import Catalog, open_catalog
from samples.video_archive.config import Settings

console = Console()
err_console = Console(stderr=True)


class UsageError(ValueError):
    """Bad arguments that argparse cannot catch (e.g. an unknown id)."""


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar driven by (done, total) callbacks."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    ) as progress:
        task = progress.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def open_cli_catalog(settings: Settings) -> Catalog:
    """The catalog a command works on (migrated first)."""
    return open_catalog(settings.catalog_dsn)
