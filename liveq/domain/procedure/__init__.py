"""Live-tweeted procedure mode: a signed-off script posted as one thread.

``script`` and ``text`` are pure (rules and words); ``importer`` reads a script
from TOML or Markdown; ``store`` is the SQL.
"""
