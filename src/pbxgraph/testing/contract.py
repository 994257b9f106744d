"""The connector contract suite: every connector runs it by supplying fixtures.

Subclass :class:`ConnectorContract` in a test module and provide an async
``connector`` fixture that yields an opened connector (the local store, or a
vendor connector talking to its emulator over loopback HTTP)::

    class TestMyVendorContract(ConnectorContract):
        @pytest.fixture
        async def connector(self):
            ...
            yield connector

Override the ``sample_*`` methods where a vendor needs other valid inputs,
and ``unknown_id`` where "999999999" could exist. The suite reads the
connector's declared capabilities and checks exactly what it declares: CRUD
round trips, batched look-ups answering for every key in order, unknown ids,
and ``NOT_SUPPORTED`` for everything declared missing.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import pytest

from pbxgraph.connectors.contract import Connector, resource_of
from pbxgraph.domain import (
    CRUD,
    Device,
    DeviceCreate,
    DeviceUpdate,
    Filter,
    Group,
    GroupCreate,
    GroupUpdate,
    Kind,
    ListQuery,
    MemberKind,
    Operation,
    Queue,
    QueueCreate,
    QueueMemberInput,
    QueueUpdate,
    SortField,
    TrunkCreate,
    TrunkUpdate,
    Transport,
    User,
    UserCreate,
    UserUpdate,
)
from pbxgraph.errors import NotFound, NotSupported, PbxError

_counter = itertools.count(1)

ALL_KINDS = list(Kind)


def _unique() -> int:
    return next(_counter)


class ConnectorContract:
    """Abstract tests; pytest collects them only through a subclass."""

    # --- fixtures and samples a subclass may override -------------------------

    @pytest.fixture
    async def connector(self) -> Any:  # pragma: no cover - must be overridden
        raise NotImplementedError("provide an opened connector fixture")

    #: Priority the queue round trip gives a member; None for vendors whose
    #: queues ring by list order alone and refuse a priority.
    queue_member_priority: int | None = 2

    def unknown_id(self, kind: Kind) -> str:
        return "999999999"

    def sample_user(self, n: int) -> UserCreate:
        return UserCreate(
            username=f"contract.user{n}",
            display_name=f"Contract User {n}",
            extension=f"7{n:03d}",
            email=f"contract.user{n}@example.com",
            sip_password=f"Pw-{n}-secret-X9",
        )

    def sample_group(self, n: int) -> GroupCreate:
        return GroupCreate(name=f"contract-group-{n}", extension=f"6{n:03d}")

    def sample_queue(self, n: int) -> QueueCreate:
        return QueueCreate(name=f"contract-queue-{n}", extension=f"5{n:03d}")

    def sample_trunk(self, n: int) -> TrunkCreate:
        return TrunkCreate(
            name=f"contract-trunk-{n}",
            host=f"sip{n}.carrier.example.net",
            port=5060,
            transport=Transport.UDP,
            username=f"acct{n}",
            password=f"Trunk-{n}-secret",
        )

    def sample_device(self, n: int) -> DeviceCreate:
        return DeviceCreate(mac=f"00:04:f2:{n // 65536 % 256:02x}:{n // 256 % 256:02x}:{n % 256:02x}",
                            model="VVX 450", name=f"Desk phone {n}")

    def patch_for(self, kind: Kind, n: int) -> tuple[Any, str, Any]:
        """An update touching one field: (patch, attribute, expected value)."""
        if kind is Kind.USER:
            return UserUpdate(display_name=f"Renamed {n}"), "display_name", f"Renamed {n}"
        if kind is Kind.GROUP:
            return GroupUpdate(name=f"renamed-group-{n}"), "name", f"renamed-group-{n}"
        if kind is Kind.QUEUE:
            return QueueUpdate(name=f"renamed-queue-{n}"), "name", f"renamed-queue-{n}"
        if kind is Kind.TRUNK:
            return TrunkUpdate(host=f"sip{n}.other.example.net"), "host", f"sip{n}.other.example.net"
        return DeviceUpdate(name=f"Renamed phone {n}"), "name", f"Renamed phone {n}"

    def kept_fields(self, kind: Kind) -> Sequence[str]:
        """Fields a one-field update must leave as they were."""
        return {
            Kind.USER: ("username", "extension", "email"),
            Kind.GROUP: ("extension",),
            Kind.QUEUE: ("extension",),
            Kind.TRUNK: ("name", "port", "username"),
            Kind.DEVICE: ("mac", "model"),
        }[kind]

    # --- helpers ---------------------------------------------------------------

    def _sample(self, kind: Kind, n: int) -> Any:
        return {
            Kind.USER: self.sample_user,
            Kind.GROUP: self.sample_group,
            Kind.QUEUE: self.sample_queue,
            Kind.TRUNK: self.sample_trunk,
            Kind.DEVICE: self.sample_device,
        }[kind](n)

    @staticmethod
    def _ops(connector: Connector, kind: Kind) -> frozenset[Operation]:
        return frozenset(connector.capabilities.kinds.get(kind, frozenset()))

    def _require(self, connector: Connector, kind: Kind, *ops: Operation) -> Any:
        declared = self._ops(connector, kind)
        missing = [op for op in ops if op not in declared]
        if missing:
            pytest.skip(f"{connector.vendor} does not declare {', '.join(missing)} for {kind}")
        return resource_of(connector, kind)

    async def _create(self, connector: Connector, kind: Kind) -> Any:
        resource = self._require(connector, kind, Operation.CREATE)
        return await resource.create(self._sample(kind, _unique()))

    # --- the contract ------------------------------------------------------------

    async def test_declares_name_vendor_and_capabilities(self, connector: Connector) -> None:
        assert connector.name
        assert connector.vendor
        assert connector.capabilities.kinds, "a connector serves at least one kind"
        for kind, ops in connector.capabilities.kinds.items():
            assert isinstance(kind, Kind)
            assert ops, f"{kind} declared with no operations"

    @pytest.mark.parametrize("kind", ALL_KINDS, ids=str)
    async def test_resource_present_exactly_for_declared_kinds(self, connector: Connector, kind: Kind) -> None:
        attribute = getattr(connector, f"{kind.value}s")
        if kind in connector.capabilities.kinds:
            assert attribute is not None
        else:
            assert attribute is None
            with pytest.raises(NotSupported) as info:
                resource_of(connector, kind)
            assert info.value.backend == connector.name
            assert kind.value in info.value.message

    @pytest.mark.parametrize("kind", ALL_KINDS, ids=str)
    async def test_undeclared_operations_raise_not_supported(self, connector: Connector, kind: Kind) -> None:
        if kind not in connector.capabilities.kinds:
            pytest.skip("kind not served")
        resource = resource_of(connector, kind)
        ops = self._ops(connector, kind)
        calls = {
            Operation.CREATE: lambda: resource.create(self._sample(kind, _unique())),
            Operation.UPDATE: lambda: resource.update(self.unknown_id(kind), self.patch_for(kind, 0)[0]),
            Operation.DELETE: lambda: resource.delete(self.unknown_id(kind)),
        }
        checked = 0
        for op, call in calls.items():
            if op in ops:
                continue
            checked += 1
            with pytest.raises(NotSupported) as info:
                await call()
            assert info.value.backend == connector.name
        if not checked:
            pytest.skip("every write operation is declared")

    @pytest.mark.parametrize("kind", ALL_KINDS, ids=str)
    async def test_crud_round_trip(self, connector: Connector, kind: Kind) -> None:
        resource = self._require(connector, kind, *sorted(CRUD))
        sample = self._sample(kind, _unique())
        created = await resource.create(sample)
        assert created.id
        for secret in (getattr(sample, "sip_password", None), getattr(sample, "password", None)):
            if secret:
                assert secret not in repr(created), "a write-only secret came back"

        fetched = await resource.get_many([created.id])
        assert fetched[0] is not None and fetched[0].id == created.id

        patch, attribute, expected = self.patch_for(kind, _unique())
        updated = await resource.update(created.id, patch)
        assert getattr(updated, attribute) == expected
        for name in self.kept_fields(kind):
            assert getattr(updated, name) == getattr(created, name), f"update blanked {name}"
        (reread,) = await resource.get_many([created.id])
        assert reread is not None and getattr(reread, attribute) == expected

        await resource.delete(created.id)
        assert await resource.get_many([created.id]) == [None]
        with pytest.raises(NotFound) as info:
            await resource.delete(created.id)
        assert info.value.backend == connector.name

    @pytest.mark.parametrize("kind", ALL_KINDS, ids=str)
    async def test_get_many_answers_every_key_in_order(self, connector: Connector, kind: Kind) -> None:
        resource = self._require(connector, kind, Operation.LIST, Operation.READ)
        page = await resource.page(ListQuery(limit=3))
        if len(page.items) < 2 and Operation.CREATE in self._ops(connector, kind):
            await self._create(connector, kind)
            await self._create(connector, kind)
            page = await resource.page(ListQuery(limit=3))
        ids = [item.id for item in page.items]
        assert ids, f"no {kind} to read"
        unknown = self.unknown_id(kind)
        keys = [*reversed(ids), unknown, ids[0]]
        answers = await resource.get_many(keys)
        assert len(answers) == len(keys)
        for key, answer in zip(keys, answers, strict=True):
            if key == unknown:
                assert answer is None
            else:
                assert answer is not None and answer.id == key
        assert await resource.get_many([]) == []

    @pytest.mark.parametrize("kind", ALL_KINDS, ids=str)
    async def test_list_pages_without_loss_or_repetition(self, connector: Connector, kind: Kind) -> None:
        resource = self._require(connector, kind, Operation.LIST)
        everything = await resource.page(ListQuery(limit=1000))
        assert not everything.has_more
        for sort in SortField:
            seen: list[str] = []
            offset = 0
            while True:
                page = await resource.page(ListQuery(sort=sort, offset=offset, limit=2))
                assert len(page.items) <= 2
                seen += [item.id for item in page.items]
                offset += len(page.items)
                if not page.has_more:
                    break
                assert page.items, "has_more with an empty page"
            assert len(seen) == len(set(seen)), f"repeated items sorting by {sort}"
            assert sorted(seen) == sorted(item.id for item in everything.items)

    @pytest.mark.parametrize("kind", [Kind.USER, Kind.GROUP, Kind.QUEUE], ids=str)
    async def test_list_filters_by_extension_and_search(self, connector: Connector, kind: Kind) -> None:
        resource = self._require(connector, kind, Operation.LIST)
        if Operation.CREATE in self._ops(connector, kind):
            target = await self._create(connector, kind)
        else:
            items = (await resource.page(ListQuery(limit=50))).items
            target = next((i for i in items if i.extension), None)
            if target is None:
                pytest.skip("nothing with an extension to filter for")
        if target.extension is not None:
            by_ext = await resource.page(ListQuery(filter=Filter(extension=target.extension)))
            assert [i.id for i in by_ext.items] == [target.id]
        else:
            # A kind this vendor keeps without extensions: no extension filter may match it.
            by_ext = await resource.page(ListQuery(filter=Filter(extension="6001"), limit=100))
            assert target.id not in [i.id for i in by_ext.items]
        word = (target.display_name if isinstance(target, User) and target.display_name else target.name)
        by_name = await resource.page(ListQuery(filter=Filter(search=word.upper()), limit=100))
        assert target.id in [i.id for i in by_name.items]
        nothing = await resource.page(ListQuery(filter=Filter(search="zz-no-such-name-zz")))
        assert nothing.items == [] and not nothing.has_more

    @pytest.mark.parametrize("kind", ALL_KINDS, ids=str)
    async def test_unknown_ids(self, connector: Connector, kind: Kind) -> None:
        resource = self._require(connector, kind, Operation.READ)
        unknown = self.unknown_id(kind)
        assert await resource.get_many([unknown]) == [None]
        if Operation.UPDATE in self._ops(connector, kind):
            with pytest.raises(NotFound):
                await resource.update(unknown, self.patch_for(kind, 1)[0])
        if Operation.DELETE in self._ops(connector, kind):
            with pytest.raises(NotFound):
                await resource.delete(unknown)

    async def test_relation_lookups_answer_every_key_in_order(self, connector: Connector) -> None:
        unknown = self.unknown_id(Kind.USER)
        checked = 0
        for kind, method in [
            (Kind.USER, "groups_of"),
            (Kind.USER, "devices_of"),
            (Kind.GROUP, "members_of"),
            (Kind.QUEUE, "members_of"),
            (Kind.DEVICE, "users_of"),
        ]:
            if Operation.LIST not in self._ops(connector, kind):
                continue
            resource = resource_of(connector, kind)
            ids = [item.id for item in (await resource.page(ListQuery(limit=5))).items]
            keys = [*ids, unknown]
            answers = await getattr(resource, method)(keys)
            assert len(answers) == len(keys), f"{kind}.{method} lost keys"
            assert answers[-1] in ([], None), f"{kind}.{method} answered for an unknown id"
            checked += 1
        if not checked:
            pytest.skip("no relations served")

    async def test_group_membership_round_trip(self, connector: Connector) -> None:
        groups = self._require(connector, Kind.GROUP, Operation.CREATE, Operation.MEMBERS)
        users = self._require(connector, Kind.USER, Operation.CREATE)
        group: Group = await groups.create(self._sample(Kind.GROUP, _unique()))
        first: User = await users.create(self.sample_user(_unique()))
        second: User = await users.create(self.sample_user(_unique()))
        members = await groups.add_members(group.id, [first.id, second.id])
        assert [m.user.id for m in members if m.user] == [first.id, second.id]
        (listed,) = await groups.members_of([group.id])
        assert [m.user.id for m in listed if m.user] == [first.id, second.id]
        (user_groups,) = await users.groups_of([first.id])
        assert group.id in [g.id for g in user_groups]
        members = await groups.remove_members(group.id, [first.id])
        assert [m.user.id for m in members if m.user] == [second.id]
        with pytest.raises(NotFound):
            await groups.remove_members(group.id, [first.id])
        (after,) = await groups.members_of([group.id])
        assert [m.user.id for m in after if m.user] == [second.id]

    async def test_queue_members_round_trip(self, connector: Connector) -> None:
        queues = self._require(connector, Kind.QUEUE, Operation.CREATE, Operation.MEMBERS)
        queue: Queue = await queues.create(self._sample(Kind.QUEUE, _unique()))
        candidates: list[QueueMemberInput] = []
        for member_kind, kind in [(MemberKind.USER, Kind.USER), (MemberKind.GROUP, Kind.GROUP)]:
            if Operation.CREATE in self._ops(connector, kind):
                created = await self._create(connector, kind)
                candidates.append(QueueMemberInput(kind=member_kind, id=created.id, priority=None))
        wanted: list[QueueMemberInput] = []
        for candidate in candidates:
            try:
                await queues.set_members(queue.id, [candidate])
            except PbxError:
                continue  # this vendor's queues take the other member kind
            wanted.append(candidate)
            extra = await self._create(connector, Kind.USER if candidate.kind is MemberKind.USER else Kind.GROUP)
            wanted.append(QueueMemberInput(kind=candidate.kind, id=extra.id, priority=self.queue_member_priority))
            break
        assert wanted, "the queue accepted no member of any kind"
        members = await queues.set_members(queue.id, list(reversed(wanted)))
        ids = [(m.user or m.group).id for m in members]  # type: ignore[union-attr]
        assert ids == [w.id for w in reversed(wanted)]
        (listed,) = await queues.members_of([queue.id])
        assert [(m.user or m.group).id for m in listed] == ids  # type: ignore[union-attr]
        assert [m.position for m in listed] == sorted(m.position for m in listed)

    async def test_device_assignment_round_trip(self, connector: Connector) -> None:
        devices = self._require(connector, Kind.DEVICE, Operation.ASSIGN, Operation.LIST)
        users = self._require(connector, Kind.USER, Operation.LIST)
        if Operation.CREATE in self._ops(connector, Kind.DEVICE):
            device: Device = await devices.create(self.sample_device(_unique()))
        else:
            device = (await devices.page(ListQuery(limit=1))).items[0]
        if Operation.CREATE in self._ops(connector, Kind.USER):
            user: User = await users.create(self.sample_user(_unique()))
        else:
            user = (await users.page(ListQuery(limit=1))).items[0]
        await devices.assign(device.id, user.id)
        (owner,) = await devices.users_of([device.id])
        assert owner is not None and owner.id == user.id
        (owned,) = await users.devices_of([user.id])
        assert device.id in [d.id for d in owned]
        await devices.unassign(device.id)
        assert await devices.users_of([device.id]) == [None]

    async def test_health_never_raises(self, connector: Connector) -> None:
        health = await connector.health()
        assert health.status is not None


__all__ = ["ConnectorContract"]
