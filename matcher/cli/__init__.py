"""The `matcher` command line (Typer): the only package that imports typer.

main.py holds the app and the batch/workspace commands; events.py, tiers.py and service.py hold
the sub-apps; support.py what they share (consoles, options, progress bars, error exits). Every
command is a thin shell over matcher.jobs, matcher.services or matcher.tiers.
"""

from matcher.cli.main import app

__all__ = ["app"]
