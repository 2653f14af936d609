"""clientloop: the composition root (settings, database, HTTP app, CLI)."""

__version__ = "0.1.0"
