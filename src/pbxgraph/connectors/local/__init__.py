"""The embedded local store (``vendor = "local"``): SQLite by default, PostgreSQL for replicas.

Configuration keys::

    [[backends]]
    name = "office"
    vendor = "local"
    path = "pbxgraph.sqlite3"  # a file, or ":memory:"; created and migrated on start
    # url = "postgresql+asyncpg://pbxgraph@db/pbxgraph"  # instead of path: several replicas share it
    # schema = "office"         # PostgreSQL only: the tables' schema (created if missing)
    demo = false  # load the demo data set when the store is empty
"""

from pbxgraph.connectors.local.connector import LocalConnector, create_connector

__all__ = ["LocalConnector", "create_connector"]
