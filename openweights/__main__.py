"""``python -m openweights`` runs the command line."""

from openweights.entry import main

main()
