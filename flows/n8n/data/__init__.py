"""Generated data: the slice of n8n's node catalog (see scripts/build_n8n_defaults.py)."""
