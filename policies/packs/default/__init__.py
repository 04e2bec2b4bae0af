"""The default policy pack (default.yaml), applied to every connector."""
