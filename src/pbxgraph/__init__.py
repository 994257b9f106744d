"""pbxgraph: one GraphQL API over many PBX backends."""

__version__ = "0.1.0"
