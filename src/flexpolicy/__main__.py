"""`python -m flexpolicy` runs the command line."""

from .cli._app import main

main()
