"""Rule data shipped with eligo (JSON validated by ``eligo.pipeline.resources``)."""
