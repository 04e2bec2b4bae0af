"""The ``flows`` command line: argument parsing and printing only."""
