"""The `lifecert` command line."""

import typer

app = typer.Typer(help="LifeCert command line", no_args_is_help=True)
