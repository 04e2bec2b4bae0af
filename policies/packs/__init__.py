"""Policy packs shipped with flows (YAML data; each directory is one pack set)."""
