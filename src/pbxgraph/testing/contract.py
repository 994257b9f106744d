"""The connector contract suite: every connector runs it by supplying one fixture.

Subclass :class:`ConnectorContract` in a test module and provide an async
``connector`` fixture that yields an opened connector (the local store, or a
vendor connector talking to its emulator over HTTP)::

    class TestMyVendorContract(ConnectorContract):
        @pytest.fixture
        async def connector(self):
            ...
            yield connector

Override the ``sample_*`` methods where a vendor needs other valid inputs,
``patch_for`` and ``kept_fields`` where it cannot change the suite's field,
and ``unknown_id`` where "999999999" could exist. The suite reads the
connector's declared capabilities and checks exactly what it declares: CRUD
round trips, batched look-ups answering for every key in order, unknown ids,
the one ordering every listing follows (both directions, with ties and
records lacking the sort field), ``NOT_SUPPORTED`` for every operation
declared missing (reads as well as writes), and health, up and down with a
code. A connector whose vendor has an emulator (the ``pbxgraph.emulators``
entry points) also meets the vendor faults of :class:`VendorFaults`.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import pytest

from pbxgraph.connectors.contract import ACCESS, DEVICES, GROUPS, QUEUES, TRUNKS, USERS, Connector
from pbxgraph.domain import (
    CRUD,
    DeviceAction,
    DeviceCreate,
    DeviceUpdate,
    Filter,
    GroupCreate,
    GroupUpdate,
    HealthStatus,
    Kind,
    ListQuery,
    MemberKind,
    Operation,
    QueueCreate,
    QueueMemberInput,
    QueueUpdate,
    Record,
    SortField,
    Transport,
    TrunkCreate,
    TrunkUpdate,
    User,
    UserCreate,
    UserUpdate,
)
from pbxgraph.errors import NotFound, NotSupported, PbxError
from pbxgraph.ordering import precedes, sort_key
from pbxgraph.testing.faults import VendorFaults

_counter = itertools.count(1)

ALL_KINDS = list(Kind)
#: Kinds whose records carry an extension: the ones a listing filters by it.
NUMBERED = [Kind.USER, Kind.GROUP, Kind.QUEUE]

Call = Callable[[], Awaitable[object]]


def _unique() -> int:
    return next(_counter)


class ConnectorContract(VendorFaults):
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
        return DeviceCreate(
            mac=f"00:04:f2:{n // 65536 % 256:02x}:{n // 256 % 256:02x}:{n % 256:02x}",
            model="VVX 450",
            name=f"Desk phone {n}",
        )

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

    # --- typed access to any kind ------------------------------------------------------

    def sample(self, kind: Kind, n: int) -> object:
        return {
            Kind.USER: self.sample_user,
            Kind.GROUP: self.sample_group,
            Kind.QUEUE: self.sample_queue,
            Kind.TRUNK: self.sample_trunk,
            Kind.DEVICE: self.sample_device,
        }[kind](n)

    async def create(self, connector: Connector, kind: Kind, n: int | None = None) -> Record:
        """A new record of ``kind`` from the kind's sample ``n`` (a fresh one by default)."""
        n = _unique() if n is None else n
        if kind is Kind.USER:
            return await USERS.of(connector).create(self.sample_user(n))
        if kind is Kind.GROUP:
            return await GROUPS.of(connector).create(self.sample_group(n))
        if kind is Kind.QUEUE:
            return await QUEUES.of(connector).create(self.sample_queue(n))
        if kind is Kind.TRUNK:
            return await TRUNKS.of(connector).create(self.sample_trunk(n))
        return await DEVICES.of(connector).create(self.sample_device(n))

    async def update(self, connector: Connector, kind: Kind, native_id: str, patch: Any) -> Record:
        if kind is Kind.USER:
            return await USERS.of(connector).update(native_id, patch)
        if kind is Kind.GROUP:
            return await GROUPS.of(connector).update(native_id, patch)
        if kind is Kind.QUEUE:
            return await QUEUES.of(connector).update(native_id, patch)
        if kind is Kind.TRUNK:
            return await TRUNKS.of(connector).update(native_id, patch)
        return await DEVICES.of(connector).update(native_id, patch)

    def operation_calls(self, connector: Connector, kind: Kind) -> dict[Operation, list[Call]]:
        """Every method of ``kind``'s resource, by the operation that declares it, on unknown ids."""
        unknown = self.unknown_id(kind)
        resource = ACCESS[kind].of(connector)
        calls: dict[Operation, list[Call]] = {
            Operation.LIST: [lambda: resource.page(ListQuery())],
            Operation.READ: [lambda: resource.get_many([unknown])],
            Operation.CREATE: [lambda: self.create(connector, kind)],
            Operation.UPDATE: [lambda: self.update(connector, kind, unknown, self.patch_for(kind, 0)[0])],
            Operation.DELETE: [lambda: resource.delete(unknown)],
        }
        if kind is Kind.USER:
            users = USERS.of(connector)
            calls[Operation.READ] += [lambda: users.groups_of([unknown]), lambda: users.devices_of([unknown])]
        elif kind is Kind.GROUP:
            groups = GROUPS.of(connector)
            calls[Operation.READ].append(lambda: groups.members_of([unknown]))
            calls[Operation.MEMBERS] = [
                lambda: groups.add_members(unknown, [unknown]),
                lambda: groups.remove_members(unknown, [unknown]),
            ]
        elif kind is Kind.QUEUE:
            queues = QUEUES.of(connector)
            calls[Operation.READ].append(lambda: queues.members_of([unknown]))
            calls[Operation.MEMBERS] = [lambda: queues.set_members(unknown, [])]
        elif kind is Kind.DEVICE:
            devices = DEVICES.of(connector)
            calls[Operation.READ].append(lambda: devices.users_of([unknown]))
            calls[Operation.ASSIGN] = [
                lambda: devices.assign(unknown, self.unknown_id(Kind.USER)),
                lambda: devices.unassign(unknown),
            ]
            calls[Operation.RESYNC] = [lambda: devices.act(unknown, DeviceAction.RESYNC)]
            calls[Operation.RESTART] = [lambda: devices.act(unknown, DeviceAction.RESTART)]
        return calls

    @staticmethod
    def _ops(connector: Connector, kind: Kind) -> frozenset[Operation]:
        return frozenset(connector.capabilities.kinds.get(kind, frozenset()))

    def _require(self, connector: Connector, kind: Kind, *ops: Operation) -> None:
        declared = self._ops(connector, kind)
        missing = [op for op in ops if op not in declared]
        if missing:
            pytest.skip(f"{connector.vendor} does not declare {', '.join(missing)} for {kind}")

    @staticmethod
    def _names_no_other_backend(error: PbxError, connector: Connector) -> None:
        """The service names the backend of any error that leaves a connector without one: never another."""
        assert error.backend in (None, connector.name), error.backend

    # --- what a connector declares ------------------------------------------------

    async def test_declares_name_vendor_and_capabilities(self, connector: Connector) -> None:
        assert connector.name
        assert connector.vendor
        assert connector.capabilities.kinds, "a connector serves at least one kind"
        for kind, ops in connector.capabilities.kinds.items():
            assert isinstance(kind, Kind)
            assert ops, f"{kind} declared with no operations"

    @pytest.mark.parametrize("kind", ALL_KINDS, ids=str)
    async def test_resource_present_exactly_for_declared_kinds(self, connector: Connector, kind: Kind) -> None:
        resource = ACCESS[kind].get(connector)
        if kind in connector.capabilities.kinds:
            assert resource is not None
        else:
            assert resource is None
            with pytest.raises(NotSupported) as info:
                ACCESS[kind].of(connector)
            assert info.value.backend == connector.name
            assert kind.value in info.value.message

    @pytest.mark.parametrize("kind", ALL_KINDS, ids=str)
    async def test_undeclared_operations_raise_not_supported(self, connector: Connector, kind: Kind) -> None:
        """Every operation a served kind does not declare, reads included, is NOT_SUPPORTED, nothing else."""
        if kind not in connector.capabilities.kinds:
            pytest.skip("kind not served")
        declared = self._ops(connector, kind)
        checked = 0
        for operation, calls in self.operation_calls(connector, kind).items():
            if operation in declared:
                continue
            for call in calls:
                checked += 1
                with pytest.raises(NotSupported) as info:
                    await call()
                self._names_no_other_backend(info.value, connector)
        if not checked:
            pytest.skip("every operation of this kind is declared")

    # --- reads ---------------------------------------------------------------------

    @pytest.mark.parametrize("kind", ALL_KINDS, ids=str)
    async def test_crud_round_trip(self, connector: Connector, kind: Kind) -> None:
        self._require(connector, kind, *sorted(CRUD))
        resource = ACCESS[kind].of(connector)
        n = _unique()
        sample = self.sample(kind, n)
        created = await self.create(connector, kind, n)
        assert created.id
        for secret in (getattr(sample, "sip_password", None), getattr(sample, "password", None)):
            if secret:
                assert secret not in repr(created), "a write-only secret came back"

        fetched = await resource.get_many([created.id])
        assert fetched[0] is not None and fetched[0].id == created.id

        patch, attribute, expected = self.patch_for(kind, _unique())
        updated = await self.update(connector, kind, created.id, patch)
        assert getattr(updated, attribute) == expected
        for name in self.kept_fields(kind):
            assert getattr(updated, name) == getattr(created, name), f"update blanked {name}"
        (reread,) = await resource.get_many([created.id])
        assert reread is not None and getattr(reread, attribute) == expected

        await resource.delete(created.id)
        assert list(await resource.get_many([created.id])) == [None]
        with pytest.raises(NotFound) as info:
            await resource.delete(created.id)
        self._names_no_other_backend(info.value, connector)

    @pytest.mark.parametrize("kind", ALL_KINDS, ids=str)
    async def test_get_many_answers_every_key_in_order(self, connector: Connector, kind: Kind) -> None:
        self._require(connector, kind, Operation.LIST, Operation.READ)
        resource = ACCESS[kind].of(connector)
        page = await resource.page(ListQuery(limit=3))
        if len(page.items) < 2 and Operation.CREATE in self._ops(connector, kind):
            await self.create(connector, kind)
            await self.create(connector, kind)
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
        assert list(await resource.get_many([])) == []

    async def _ties_and_nulls(self, connector: Connector, kind: Kind) -> None:
        """Records that sort alike by name, and ones without an extension, where the backend takes them."""
        if Operation.CREATE not in self._ops(connector, kind):
            return
        rules = connector.capabilities.rules_for(kind)
        for n in (_unique(), _unique()):
            sample = self.sample(kind, n)
            if isinstance(sample, UserCreate):
                sample.display_name = "Contract Tie"
            elif isinstance(sample, (GroupCreate, QueueCreate, TrunkCreate)):
                sample.name = f"contract-tie-{kind.value}"
            elif isinstance(sample, DeviceCreate):
                sample.name = "Contract Tie"
            if hasattr(sample, "extension") and "extension" not in rules.required and rules.creatable("extension"):
                sample.extension = None
            try:
                await self._create_sample(connector, kind, sample)
            except PbxError:
                return  # the backend refuses the tie (a unique name, say): its seed has to do

    async def _create_sample(self, connector: Connector, kind: Kind, sample: object) -> Record:
        if isinstance(sample, UserCreate):
            return await USERS.of(connector).create(sample)
        if isinstance(sample, GroupCreate):
            return await GROUPS.of(connector).create(sample)
        if isinstance(sample, QueueCreate):
            return await QUEUES.of(connector).create(sample)
        if isinstance(sample, TrunkCreate):
            return await TRUNKS.of(connector).create(sample)
        assert isinstance(sample, DeviceCreate), kind
        return await DEVICES.of(connector).create(sample)

    @pytest.mark.parametrize("kind", ALL_KINDS, ids=str)
    async def test_listings_follow_the_one_ordering_in_pages(self, connector: Connector, kind: Kind) -> None:
        """Ascending and descending by every field: ties by native id, records lacking the field last.

        The service merges backends' pages by this ordering, so a backend
        that orders otherwise loses or repeats items across backends. Pages
        of two read one after the other give exactly the whole listing.
        """
        self._require(connector, kind, Operation.LIST)
        await self._ties_and_nulls(connector, kind)
        resource = ACCESS[kind].of(connector)
        for sort, descending in itertools.product(SortField, (False, True)):
            whole = await resource.page(ListQuery(sort=sort, descending=descending, limit=1000))
            assert not whole.has_more
            keys = [sort_key(record, sort) for record in whole.items]
            for earlier, later in itertools.pairwise(keys):
                assert precedes(earlier, later, descending), (
                    f"{kind} by {sort} {'descending' if descending else 'ascending'}: {earlier} before {later}"
                )
            seen: list[str] = []
            offset = 0
            while True:
                page = await resource.page(ListQuery(sort=sort, descending=descending, offset=offset, limit=2))
                assert len(page.items) <= 2
                seen += [item.id for item in page.items]
                offset += len(page.items)
                if not page.has_more:
                    break
                assert page.items, "has_more with an empty page"
            assert seen == [item.id for item in whole.items], f"{kind} paged by {sort} is not the whole listing"

    @pytest.mark.parametrize("kind", NUMBERED, ids=str)
    async def test_list_filters_by_extension_and_search(self, connector: Connector, kind: Kind) -> None:
        self._require(connector, kind, Operation.LIST)
        resource = ACCESS[kind].of(connector)
        target: Any
        if Operation.CREATE in self._ops(connector, kind):
            target = await self.create(connector, kind)
        else:
            items = (await resource.page(ListQuery(limit=50))).items
            target = next((i for i in items if getattr(i, "extension", None)), None)
            if target is None:
                pytest.skip("nothing with an extension to filter for")
        if target.extension is not None:
            by_ext = await resource.page(ListQuery(filter=Filter(extension=target.extension)))
            assert [i.id for i in by_ext.items] == [target.id]
        else:
            # A kind this vendor keeps without extensions: no extension filter may match it.
            by_ext = await resource.page(ListQuery(filter=Filter(extension="6001"), limit=100))
            assert target.id not in [i.id for i in by_ext.items]
        word = target.display_name if isinstance(target, User) and target.display_name else target.name
        by_name = await resource.page(ListQuery(filter=Filter(search=word.upper()), limit=100))
        assert target.id in [i.id for i in by_name.items]
        nothing = await resource.page(ListQuery(filter=Filter(search="zz-no-such-name-zz")))
        assert list(nothing.items) == [] and not nothing.has_more

    @pytest.mark.parametrize("kind", ALL_KINDS, ids=str)
    async def test_unknown_ids(self, connector: Connector, kind: Kind) -> None:
        self._require(connector, kind, Operation.READ)
        resource = ACCESS[kind].of(connector)
        unknown = self.unknown_id(kind)
        assert list(await resource.get_many([unknown])) == [None]
        if Operation.UPDATE in self._ops(connector, kind):
            with pytest.raises(NotFound):
                await self.update(connector, kind, unknown, self.patch_for(kind, 1)[0])
        if Operation.DELETE in self._ops(connector, kind):
            with pytest.raises(NotFound):
                await resource.delete(unknown)

    async def test_relation_lookups_answer_every_key_in_order(self, connector: Connector) -> None:
        checked = 0
        for kind in ALL_KINDS:
            if Operation.LIST not in self._ops(connector, kind) or Operation.READ not in self._ops(connector, kind):
                continue
            unknown = self.unknown_id(kind)
            ids = [item.id for item in (await ACCESS[kind].of(connector).page(ListQuery(limit=5))).items]
            keys = [*ids, unknown]
            lookups: list[tuple[str, Callable[[list[str]], Awaitable[Sequence[object]]]]] = []
            if kind is Kind.USER:
                lookups = [("groups_of", USERS.of(connector).groups_of), ("devices_of", USERS.of(connector).devices_of)]
            elif kind is Kind.GROUP:
                lookups = [("members_of", GROUPS.of(connector).members_of)]
            elif kind is Kind.QUEUE:
                lookups = [("members_of", QUEUES.of(connector).members_of)]
            elif kind is Kind.DEVICE:
                lookups = [("users_of", DEVICES.of(connector).users_of)]
            for name, lookup in lookups:
                answers = await lookup(keys)
                assert len(answers) == len(keys), f"{kind}.{name} lost keys"
                assert answers[-1] in ([], None), f"{kind}.{name} answered for an unknown id"
                checked += 1
        if not checked:
            pytest.skip("no relations served")

    # --- membership and devices ------------------------------------------------------

    async def test_group_membership_round_trip(self, connector: Connector) -> None:
        self._require(connector, Kind.GROUP, Operation.CREATE, Operation.MEMBERS)
        self._require(connector, Kind.USER, Operation.CREATE)
        groups, users = GROUPS.of(connector), USERS.of(connector)
        group = await groups.create(self.sample_group(_unique()))
        first = await users.create(self.sample_user(_unique()))
        second = await users.create(self.sample_user(_unique()))
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
        self._require(connector, Kind.QUEUE, Operation.CREATE, Operation.MEMBERS)
        queues = QUEUES.of(connector)
        queue = await queues.create(self.sample_queue(_unique()))
        candidates: list[QueueMemberInput] = []
        for member_kind, kind in [(MemberKind.USER, Kind.USER), (MemberKind.GROUP, Kind.GROUP)]:
            if Operation.CREATE in self._ops(connector, kind):
                created = await self.create(connector, kind)
                candidates.append(QueueMemberInput(kind=member_kind, id=created.id, priority=None))
        wanted: list[QueueMemberInput] = []
        for candidate in candidates:
            try:
                await queues.set_members(queue.id, [candidate])
            except PbxError:
                continue  # this vendor's queues take the other member kind
            wanted.append(candidate)
            extra = await self.create(connector, Kind.USER if candidate.kind is MemberKind.USER else Kind.GROUP)
            wanted.append(QueueMemberInput(kind=candidate.kind, id=extra.id, priority=self.queue_member_priority))
            break
        assert wanted, "the queue accepted no member of any kind"
        members = await queues.set_members(queue.id, list(reversed(wanted)))
        ids = [m.user.id if m.user else m.group.id if m.group else None for m in members]
        assert ids == [w.id for w in reversed(wanted)]
        (listed,) = await queues.members_of([queue.id])
        assert [m.user.id if m.user else m.group.id if m.group else None for m in listed] == ids
        assert [m.position for m in listed] == sorted(m.position for m in listed)

    async def test_device_assignment_round_trip(self, connector: Connector) -> None:
        self._require(connector, Kind.DEVICE, Operation.ASSIGN, Operation.LIST)
        self._require(connector, Kind.USER, Operation.LIST)
        devices, users = DEVICES.of(connector), USERS.of(connector)
        if Operation.CREATE in self._ops(connector, Kind.DEVICE):
            device = await devices.create(self.sample_device(_unique()))
        else:
            device = (await devices.page(ListQuery(limit=1))).items[0]
        if Operation.CREATE in self._ops(connector, Kind.USER):
            user = await users.create(self.sample_user(_unique()))
        else:
            user = (await users.page(ListQuery(limit=1))).items[0]
        await devices.assign(device.id, user.id)
        (owner,) = await devices.users_of([device.id])
        assert owner is not None and owner.id == user.id
        (owned,) = await users.devices_of([user.id])
        assert device.id in [d.id for d in owned]
        await devices.unassign(device.id)
        assert await devices.users_of([device.id]) == [None]

    # --- health and lifecycle -----------------------------------------------------------

    async def test_health_is_up_and_survives_closing_and_opening_again(self, connector: Connector) -> None:
        """Health never raises: UP with a latency; after ``aclose`` whatever it finds, and UP once reopened.

        DOWN with its code is checked against vendor faults (:class:`VendorFaults`).
        """
        up = await connector.health()
        assert up.status is HealthStatus.UP and up.code is None, up
        assert up.latency_ms is None or up.latency_ms >= 0
        await connector.aclose()
        closed = await connector.health()
        assert closed.status is HealthStatus.UP or (closed.code is not None and closed.code.isupper()), closed
        await connector.open()
        assert (await connector.health()).status is HealthStatus.UP


__all__ = ["ConnectorContract"]
