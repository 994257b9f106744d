"""The four Infinity kinds pbxgraph serves, as collections over the served domains.

Relations cross kinds (a group's members are users, a queue's members are
groups, a device's owner is a user), so every resource gets all four.
"""

from __future__ import annotations

from dataclasses import dataclass

from pbxgraph.connectors.infinity.client import InfinityClient
from pbxgraph.connectors.infinity.collection import DomainCollection, Spec
from pbxgraph.connectors.infinity.mapping import (
    device_from_row,
    group_from_row,
    queue_from_row,
    user_from_row,
)
from pbxgraph.connectors.infinity.settings import InfinitySettings
from pbxgraph.domain import Device, Group, Queue, User

USERS: Spec[User] = Spec(
    noun="user",
    segment="users",
    id_field="userId",
    to_record=user_from_row,
    extension_field="extensionNumber",
    search_fields=("displayName", "user"),
)
GROUPS: Spec[Group] = Spec(
    noun="group",
    segment="groups",
    id_field="groupId",
    to_record=group_from_row,
    extension_field="extensionNumber",
    search_fields=("groupName",),
)
QUEUES: Spec[Queue] = Spec(
    noun="queue",
    segment="queues",
    id_field="queueId",
    to_record=queue_from_row,
    extension_field="extensionNumber",
    search_fields=("queueName",),
)
DEVICES: Spec[Device] = Spec(
    noun="device",
    segment="devices",
    id_field="pbxDeviceId",
    to_record=device_from_row,
    search_fields=("pbxDeviceName", "deviceMacAddress"),
    mac_field="deviceMacAddress",
)


@dataclass(slots=True)
class Kinds:
    client: InfinityClient
    settings: InfinitySettings
    users: DomainCollection[User]
    groups: DomainCollection[Group]
    queues: DomainCollection[Queue]
    devices: DomainCollection[Device]

    @property
    def backend(self) -> str:
        return self.client.backend

    @classmethod
    def build(cls, client: InfinityClient, settings: InfinitySettings) -> Kinds:
        domains = settings.domains
        return cls(
            client=client,
            settings=settings,
            users=DomainCollection(client, USERS, domains),
            groups=DomainCollection(client, GROUPS, domains),
            queues=DomainCollection(client, QUEUES, domains),
            devices=DomainCollection(client, DEVICES, domains),
        )
