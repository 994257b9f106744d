"""In-memory stand-ins for the vendors' REST APIs, one starlette app per vendor.

Each emulator follows its vendor's document (never our connector), keeps its
state in memory, and is wrapped by the toolkit's recorder and fault injector so
tests can count vendor calls and make a backend slow, broken or unreachable.
"""
