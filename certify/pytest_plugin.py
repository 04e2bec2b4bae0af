"""pytest plugin for connector certification (the certify package fills this in)."""
