#!/usr/bin/env python3
"""Run a Jupyter notebook with parameters through Papermill.

    execute_notebooks.py NOTEBOOK [-p NAME VALUE]... [-f PARAMS.yml] [-o OUTPUT] [--kernel NAME]

The same run a DAG task makes (core.notebook_runs holds the conventions both follow), started
by hand. NOTEBOOK is a path, or the name of a deployed notebook (``notebook_smoke`` is
$CDAPROD_NOTEBOOKS_DIR/notebook_smoke.ipynb). Parameters given with -p are read as YAML
scalars (``-p count 3`` is the integer 3, ``-p flag true`` a boolean); -p wins over the same
name in the YAML file. Every run gets a ``run_id`` parameter, ``cli__<UTC time>`` unless one
is given. The executed notebook goes to OUTPUT, or to OUTPUT_DIR/<notebook>__<run_id>.ipynb
(OUTPUT_DIR: --output-dir, else $CDAPROD_NOTEBOOK_OUTPUT, else ./output), named as a DAG
task names its output; an s3:// location works too. The output location is printed on
success. When a cell raises, the partial output notebook is kept, the failing cell and its
error are printed, and the exit status is 1. Bad input (a missing notebook or parameter file,
a parameter file that is not a YAML mapping) exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from core import notebook_runs

EXIT_FAILED_CELL = 1
EXIT_USAGE = 2


def parse_args(argv: list[str] | None = None) -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    parser = argparse.ArgumentParser(
        prog="execute_notebooks.py",
        description="Run a notebook with parameters (Papermill) and print where the output went.",
    )
    parser.add_argument("notebook", help="input notebook (.ipynb)")
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="a parameter; VALUE is read as a YAML scalar (repeatable)",
    )
    parser.add_argument("-f", "--parameters-file", help="YAML file with a mapping of parameters")
    parser.add_argument("-o", "--output", help="output notebook path or s3:// URL")
    parser.add_argument(
        "--output-dir",
        help="directory for the output when -o is not given "
        "(default: $CDAPROD_NOTEBOOK_OUTPUT, else ./output)",
    )
    parser.add_argument("-k", "--kernel", help="kernel name (default: the notebook's own)")
    parser.add_argument("--cwd", help="working directory of the kernel")
    return parser, parser.parse_args(argv)


def load_parameters(
    parser: argparse.ArgumentParser, parameters_file: str | None, pairs: list[list[str]]
) -> dict[str, Any]:
    """Merge the YAML file's mapping and the -p pairs (which win)."""
    params: dict[str, Any] = {}
    if parameters_file:
        path = Path(parameters_file)
        if not path.is_file():
            parser.error(f"parameter file not found: {parameters_file}")
        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            parser.error(f"parameter file {parameters_file} is not valid YAML: {exc}")
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            parser.error(f"parameter file {parameters_file} must hold a mapping of name: value")
        params.update(loaded)
    for name, raw in pairs:
        try:
            params[name] = yaml.safe_load(raw) if raw != "" else ""
        except yaml.YAMLError:
            params[name] = raw
    return params


def resolve_notebook(given: str) -> Path:
    """A path as given, or the deployed notebook of that name when no such file exists."""
    path = Path(given)
    if path.is_file() or path.suffix or "/" in given:
        return path
    return Path(notebook_runs.notebook_path(given))


def default_output(notebook: Path, run_id: str, output_dir: str | None) -> str:
    base = output_dir or notebook_runs.output_dir(default="output")
    name = notebook_runs.output_name(notebook.stem, run_id)
    if base.startswith("s3://"):
        return f"{base.rstrip('/')}/{name}"
    Path(base).mkdir(parents=True, exist_ok=True)
    return str(Path(base) / name)


def main(argv: list[str] | None = None) -> int:
    parser, args = parse_args(argv)
    notebook = resolve_notebook(args.notebook)
    if not notebook.is_file():
        parser.error(f"notebook not found: {notebook}")
    given = load_parameters(parser, args.parameters_file, args.parameter)
    params = notebook_runs.with_run_id(notebook_runs.new_cli_run_id(), given)
    output = args.output or default_output(notebook, str(params["run_id"]), args.output_dir)
    if not output.startswith("s3://"):
        parent = Path(output).parent
        if not parent.is_dir():
            parser.error(f"output directory does not exist: {parent}")

    # Imported late: argument errors are reported without paying for papermill's import.
    from papermill.exceptions import PapermillExecutionError

    import papermill as pm

    try:
        pm.execute_notebook(
            str(notebook),
            output,
            parameters=params,
            kernel_name=args.kernel or notebook_runs.kernel(default=None),
            cwd=args.cwd,
            progress_bar=False,
        )
    except PapermillExecutionError as exc:
        print(
            f"error: {notebook.name} failed in cell {exc.exec_count} ({exc.ename}: {exc.evalue})",
            file=sys.stderr,
        )
        print(f"failing cell:\n{exc.source}", file=sys.stderr)
        print(f"partial output: {output}", file=sys.stderr)
        return EXIT_FAILED_CELL
    print(f"output: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
