"""Identity probe battery: one YAML file per language (see ``en.yaml`` for the format)."""
