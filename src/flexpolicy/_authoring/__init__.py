"""Tools for policy authors above the pipeline: diff, the one-page document, simulate."""
