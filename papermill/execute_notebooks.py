#!/usr/bin/env python3
"""Run a Jupyter notebook with parameters through Papermill.

    execute_notebooks.py NOTEBOOK [-p NAME VALUE]... [-f PARAMS.yml] [-o OUTPUT] [--kernel NAME]

Parameters given with -p are read as YAML scalars (``-p count 3`` is the integer 3,
``-p flag true`` a boolean); -p wins over the same name in the YAML file. The executed notebook
goes to OUTPUT, or to OUTPUT_DIR/<name>-<UTC timestamp>.ipynb (OUTPUT_DIR: --output-dir,
else $CDAPROD_NOTEBOOK_OUTPUT, else ./output); an s3:// location works too. The output
location is printed on success. When a cell raises, the partial output notebook is kept, the
failing cell and its error are printed, and the exit status is 1. Bad input (a missing
notebook or parameter file, a parameter file that is not a YAML mapping) exits with status 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

import yaml

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


def default_output(notebook: Path, output_dir: str | None) -> str:
    base = output_dir or os.environ.get("CDAPROD_NOTEBOOK_OUTPUT") or "output"
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    name = f"{notebook.stem}-{stamp}.ipynb"
    if base.startswith("s3://"):
        return f"{base.rstrip('/')}/{name}"
    Path(base).mkdir(parents=True, exist_ok=True)
    return str(Path(base) / name)


def main(argv: list[str] | None = None) -> int:
    parser, args = parse_args(argv)
    notebook = Path(args.notebook)
    if not notebook.is_file():
        parser.error(f"notebook not found: {args.notebook}")
    params = load_parameters(parser, args.parameters_file, args.parameter)
    output = args.output or default_output(notebook, args.output_dir)
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
            kernel_name=args.kernel,
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
