"""The ``responder`` command line: one group, subcommands loaded only when used.

Each subcommand lives in its own ``cli_*.py`` module and is imported on demand, so
``responder --help`` stays fast (spaCy is imported only by the commands that classify).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import click

#: command name -> "module:attribute" of its click command.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("responder.cli_run", "run_command"),
    "check": ("responder.cli_run", "check_command"),
    "status": ("responder.cli_run", "status_command"),
    "demo": ("responder.cli_demo", "demo_command"),
    "classify": ("responder.cli_classify", "classify_command"),
    "eval": ("responder.cli_eval", "eval_command"),
    "preview": ("responder.cli_templates", "preview_command"),
    "templates": ("responder.cli_templates", "templates_group"),
    "report": ("responder.cli_report", "report_command"),
    "overrides": ("responder.cli_report", "overrides_command"),
}

#: one-line help shown by ``responder --help`` without importing the command's module.
SHORT_HELP: dict[str, str] = {
    "run": "Poll the mailbox: one pass with --once, else run as a daemon.",
    "check": "Validate settings, templates and patterns; connect and resolve folders.",
    "status": "Show what the state store knows: last pass, counts, last errors.",
    "demo": "Run one real pass on a throwaway Maildir of sample notifications.",
    "classify": "Say what a pass would do with .eml files or ask texts, and why.",
    "eval": "Score the classifier on labelled asks (JSON Lines with text and label).",
    "preview": "Print the complete draft a pass would create for a label.",
    "templates": "Copy the default reply templates out for editing.",
    "report": "Is responder doing what you would do? Agreement per label, suggested tuning.",
    "overrides": "List or remove the per-person overrides learned from your review.",
}


class LazyGroup(click.Group):
    """A click group that imports a subcommand's module only when that command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        if ctx.resilient_parsing:
            # Shell completion only needs the name: answer without importing anything heavy.
            return click.Command(cmd_name, help=SHORT_HELP[cmd_name])
        module = importlib.import_module(target[0])
        command: click.Command = getattr(module, target[1])
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SHORT_HELP[name]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup)
@click.option(
    "--env",
    "env_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Settings file (default: ./.env when present). The real environment wins over it.",
)
@click.version_option(package_name="linkedin-responder", prog_name="responder")
@click.pass_context
def cli(ctx: click.Context, env_file: Path | None) -> None:
    """Draft call offers for LinkedIn asks worth answering; file the noise. Never sends mail."""
    if env_file is None and Path(".env").is_file():
        env_file = Path(".env")
    if env_file is not None and not env_file.is_file():
        raise click.UsageError(f"--env: no such file: {env_file}")
    ctx.obj = {"env_file": env_file}


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``responder`` script and ``python -m responder``."""
    return cli.main(args=argv, prog_name="responder")
