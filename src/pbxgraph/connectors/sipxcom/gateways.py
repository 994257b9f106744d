"""sipXcom gateways as trunks: every model, its kind, and what its fields mean.

Every gateway ``/api/gateways`` lists is a trunk, whatever its model; the
model (``model.modelId``) gives ``Trunk.model`` and ``Trunk.kind``, for the
models the document's ``/api/gateways/models`` example lists:

====================================================  ==========
``sipTrunkStandard`` (SIP trunk)                      SIP
``audiocodesMediant1000``/``2000``/``3000`` (PRI),
``audiocodesTP260``                                   PRI
``audiocodesMediantBRI``                              BRI
``audiocodesMP1X4_4_FXO``, ``audiocodesMP1X8_8_FXO``  ANALOG
``genericGatewayStandard`` (Unmanaged gateway)        UNMANAGED
``acmeGatewayStandard`` (Acme 1000)                   OTHER
====================================================  ==========

A model the server has beyond these is read by its label (``FXO``, ``PRI``,
``BRI``, ``SIP trunk``), else OTHER.

What the address fields mean depends on the model:

* A SIP trunk is an account with a carrier (an ITSP): its ``address`` is
  the carrier's SIP domain (the document's example has the account's
  preferred identity ``5568@192.168.1.14`` for the address
  ``192.168.1.14``), so ``domain`` is the ``address``; signalling goes to the
  setting ``itsp-account/itsp-proxy-address``, which defaults to that
  address (the example shows both), so ``host`` is that setting and
  ``port`` the ``addressPort``. The account's user name, password and
  whether it registers are settings too.
* Every other model is a device sipXcom routes calls to: ``host`` and
  ``port`` are its ``address`` and ``addressPort``; it has no SIP domain,
  account, password or registration of its own, and writing one is
  NOT_SUPPORTED naming the field.

``addressPort`` 0 and ``addressTransport`` ``none`` mean "not set".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pbxgraph.connectors.sipxcom.payload import flag, integer, items, text
from pbxgraph.domain import Transport, Trunk, TrunkKind
from pbxgraph.errors import BadUserInput, NotSupported
from pbxgraph.redaction import redact

SIP_TRUNK_MODEL = "sipTrunkStandard"
SETTING_USERNAME = "itsp-account/user-name"
SETTING_PASSWORD = "itsp-account/password"  # noqa: S105 - the setting's path, not a password
SETTING_REGISTER = "itsp-account/register-on-initialization"
SETTING_PROXY = "itsp-account/itsp-proxy-address"

#: The documented gateway models and the kind of trunk each is.
MODEL_KINDS: Mapping[str, TrunkKind] = {
    "acmeGatewayStandard": TrunkKind.OTHER,
    "audiocodesMP1X4_4_FXO": TrunkKind.ANALOG,
    "audiocodesMP1X8_8_FXO": TrunkKind.ANALOG,
    "audiocodesMediant1000": TrunkKind.PRI,
    "audiocodesMediant2000": TrunkKind.PRI,
    "audiocodesMediant3000": TrunkKind.PRI,
    "audiocodesMediantBRI": TrunkKind.BRI,
    "audiocodesTP260": TrunkKind.PRI,
    "genericGatewayStandard": TrunkKind.UNMANAGED,
    SIP_TRUNK_MODEL: TrunkKind.SIP,
}

#: The model a new trunk of each kind gets when the caller names none.
MODEL_OF_KIND: Mapping[TrunkKind, str] = {
    TrunkKind.SIP: SIP_TRUNK_MODEL,
    TrunkKind.PRI: "audiocodesMediant1000",
    TrunkKind.BRI: "audiocodesMediantBRI",
    TrunkKind.ANALOG: "audiocodesMP1X4_4_FXO",
    TrunkKind.UNMANAGED: "genericGatewayStandard",
    TrunkKind.OTHER: "acmeGatewayStandard",
}

#: Trunk fields only a SIP trunk (an account with a carrier) has, and what they are.
ACCOUNT_FIELDS: Mapping[str, str] = {
    "domain": "SIP domain",
    "username": "account user name",
    "password": "account password",
    "register": "registration with a carrier",
}

_SECRET_PATH = re.compile(r"pass(word|wd)|secret|token|credential|(^|[/-])pin($|[/-])", re.IGNORECASE)
_LABEL_KINDS = (
    (re.compile(r"\bFXO\b", re.IGNORECASE), TrunkKind.ANALOG),
    (re.compile(r"\bPRI\b", re.IGNORECASE), TrunkKind.PRI),
    (re.compile(r"\bBRI\b", re.IGNORECASE), TrunkKind.BRI),
    (re.compile(r"\bSIP trunk\b", re.IGNORECASE), TrunkKind.SIP),
)


def model_of(gateway: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """A gateway's ``(modelId, label)``."""
    model = gateway.get("model")
    if isinstance(model, Mapping):
        return text(model.get("modelId")), text(model.get("label"))
    return text(model), None


def kind_of(gateway: Mapping[str, Any]) -> TrunkKind:
    model_id, label = model_of(gateway)
    known = MODEL_KINDS.get(model_id or "")
    if known is not None:
        return known
    for pattern, kind in _LABEL_KINDS:
        if label and pattern.search(label):
            return kind
    return TrunkKind.OTHER


def model_for(kind: TrunkKind, model: str | None, backend: str) -> str:
    """The model a new trunk gets: the one named (which must be of ``kind``), else ``kind``'s."""
    if model is None:
        return MODEL_OF_KIND[kind]
    found = MODEL_KINDS.get(model)
    if found is None:
        raise BadUserInput(
            f"model: backend '{backend}' knows no gateway model '{model[:64]}'", backend=backend, field="model"
        )
    if found is not kind:
        raise BadUserInput(
            f"model: '{model}' is a {found.name} gateway; give kind {found.name} with it, "
            f"or leave the model out for a {kind.name} trunk",
            backend=backend,
            field="model",
        )
    return model


def refuse_account_fields(gateway_kind: TrunkKind, model: str, values: Mapping[str, Any], backend: str) -> None:
    """NOT_SUPPORTED naming the first field a non-SIP gateway cannot have that ``values`` sets."""
    if gateway_kind is TrunkKind.SIP:
        return
    for field, what in ACCOUNT_FIELDS.items():
        if values.get(field) is not None:
            raise NotSupported(
                f"{field}: a {gateway_kind.name} gateway ('{model}') on backend '{backend}' has no "
                f"{what}; only SIP trunks do",
                backend=backend,
                field=field,
            )


def settings_map(settings: Any) -> dict[str, str | None]:
    """A gateway's settings list as ``{path: value}`` (secrets included: handle with care)."""
    found: dict[str, str | None] = {}
    container = settings.get("settings") if isinstance(settings, Mapping) else settings
    for entry in items(container, "setting", "Setting"):
        if isinstance(entry, Mapping) and text(entry.get("path")):
            found[str(text(entry.get("path")))] = text(entry.get("value"))
    return found


def is_secret_setting(path: str) -> bool:
    return bool(_SECRET_PATH.search(path))


def _transport(value: str | None) -> Transport | None:
    try:
        return Transport(value.lower()) if value else None
    except ValueError:
        return None


def trunk_record(gateway: Mapping[str, Any], settings: Mapping[str, str | None] | None) -> Trunk:
    """A gateway as a trunk; ``settings`` are a SIP trunk's (None: not read)."""
    raw = redact(dict(gateway))
    kind = kind_of(gateway)
    model_id, _ = model_of(gateway)
    address = text(gateway.get("address"))
    username = register = None
    domain: str | None = None
    host = address
    if kind is TrunkKind.SIP:
        domain = address
        if settings is not None:
            raw["settings"] = {path: value for path, value in settings.items() if not is_secret_setting(path)}
            username = settings.get(SETTING_USERNAME)
            register = flag(settings.get(SETTING_REGISTER))
            host = settings.get(SETTING_PROXY) or address
    return Trunk(
        id=str(integer(gateway.get("id"))),
        name=text(gateway.get("name")) or "",
        host=host,
        port=integer(gateway.get("addressPort")) or None,
        transport=_transport(text(gateway.get("addressTransport"))),
        username=username,
        enabled=bool(flag(gateway.get("enabled"))),
        register=register,
        domain=domain,
        kind=kind,
        model=model_id,
        registration=None,  # gateways do not register with sipXcom: it cannot tell
        raw=raw,
    )


def gateway_body(gateway: Mapping[str, Any]) -> dict[str, Any]:
    """A gateway read back for a PUT: every field as the server wrote it, minus the id."""
    return {k: v for k, v in gateway.items() if k != "id"}
