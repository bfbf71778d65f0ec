"""eligo's version, importable without the package's lazy API (``eligo.__init__``)."""

__version__ = "0.1.0"
