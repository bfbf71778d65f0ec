"""Rule data shipped with eligo (JSON files validated by ``eligo.resources``)."""
