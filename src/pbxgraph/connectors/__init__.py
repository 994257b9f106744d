"""Connectors: one per vendor, the only code that knows a vendor. See contract.py."""
