"""The service layer: fan out over backends, merge pages, keep partial results."""

from pbxgraph.service.backends import Backends
from pbxgraph.service.kinds import KindService
from pbxgraph.service.listing import AggregatedPage, Edge
from pbxgraph.service.service import PbxService

__all__ = ["AggregatedPage", "Backends", "Edge", "KindService", "PbxService"]
