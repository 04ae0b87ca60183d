"""``python -m openweights`` runs the command line."""

from openweights.cli import main

main()
