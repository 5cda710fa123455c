"""``python -m eduplan``: the command line."""

from .cli import main

main()
