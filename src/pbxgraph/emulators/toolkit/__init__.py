"""What every emulator shares: recording, fault injection, and ways to run it."""

from pbxgraph.emulators.toolkit.emulator import Emulator
from pbxgraph.emulators.toolkit.faults import Fault, FaultInjector, FaultKind
from pbxgraph.emulators.toolkit.recorder import RecordedRequest, Recorder
from pbxgraph.emulators.toolkit.server import LoopbackServer
from pbxgraph.emulators.toolkit.transport import EmulatorTransport

__all__ = [
    "Emulator",
    "EmulatorTransport",
    "Fault",
    "FaultInjector",
    "FaultKind",
    "LoopbackServer",
    "RecordedRequest",
    "Recorder",
]
