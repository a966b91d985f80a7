"""`python -m flexpolicy` runs the command line."""

from .cli import main

main()
