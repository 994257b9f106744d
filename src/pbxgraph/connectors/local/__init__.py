"""The embedded local store (``vendor = "local"``): SQLite by default.

Configuration keys::

    [[backends]]
    name = "office"
    vendor = "local"
    path = "pbxgraph.sqlite3"   # a file, or ":memory:"; created and migrated on start
    # url = "postgresql+asyncpg://..."  # any SQLAlchemy async URL instead of path
    demo = false                # load the demo data set when the store is empty
"""

from pbxgraph.connectors.local.connector import LocalConnector, create_connector

__all__ = ["LocalConnector", "create_connector"]
