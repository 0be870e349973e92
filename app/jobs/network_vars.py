"""Variables whose values are IP addresses and networks (``netaddr`` objects)."""

from __future__ import annotations

import netaddr

from app.jobs import fields
from app.jobs.vars import ScriptVariable

__all__ = ["IPAddressVar", "IPAddressWithMaskVar", "IPNetworkVar"]


class _NetaddrVar(ScriptVariable):
    def api_values(self, value):
        return [value]

    def serialize(self, value):
        return None if value is None else str(value)


ADDRESS = "Enter an IPv4 or IPv6 address, e.g. 192.0.2.1."
ADDRESS_WITH_MASK = "Enter an IPv4 or IPv6 address with a mask, e.g. 192.0.2.1/24."
NETWORK = "Enter an IPv4 or IPv6 network, e.g. 192.0.2.0/24."


def _parse_address(text: str):
    if "/" in text:
        raise ValueError("Enter an address without a mask, e.g. 192.0.2.1.")
    try:
        return netaddr.IPAddress(text)
    except (netaddr.AddrFormatError, ValueError):
        raise ValueError(ADDRESS) from None


def _mask_range(address_text: str) -> str:
    """`` (an IPv4 mask is /0 to /32)`` when the address part is valid, so the mask is what is wrong."""
    try:
        version = netaddr.IPAddress(address_text).version
    except (netaddr.AddrFormatError, ValueError):
        return ""
    return f" (an IPv{version} mask is /0 to /{32 if version == 4 else 128})"


def _with_mask(message: str):
    def parse(text: str):
        address, slash, _mask = text.partition("/")
        if not slash:
            raise ValueError(message)
        try:
            return netaddr.IPNetwork(text)
        except (netaddr.AddrFormatError, ValueError):
            raise ValueError(message[:-1] + _mask_range(address) + ".") from None

    return parse


_parse_with_mask = _with_mask(ADDRESS_WITH_MASK)
_parse_network = _with_mask(NETWORK)


class IPAddressVar(_NetaddrVar):
    """An IPv4 or IPv6 address without a mask; ``run()`` receives a ``netaddr.IPAddress``::

        gateway = IPAddressVar(description="Default gateway")
    """

    def form_field(self, **kwargs):
        """The WTForms field: text parsed into an address."""
        return fields.NetaddrField(parse=_parse_address, **kwargs)

    def deserialize(self, value):
        return None if value is None else netaddr.IPAddress(value)


class IPAddressWithMaskVar(_NetaddrVar):
    """An address with its mask; ``run()`` receives a ``netaddr.IPNetwork`` (host bits kept)::

        loopback = IPAddressWithMaskVar(description="e.g. 192.0.2.1/32")
    """

    def form_field(self, **kwargs):
        """The WTForms field: text parsed into an address with its mask."""
        return fields.NetaddrField(parse=_parse_with_mask, **kwargs)

    def deserialize(self, value):
        return None if value is None else netaddr.IPNetwork(value)


class IPNetworkVar(_NetaddrVar):
    """A network with a mask; ``run()`` receives a ``netaddr.IPNetwork``.

    Options: ``min_prefix_length``, ``max_prefix_length``::

        subnet = IPNetworkVar(min_prefix_length=16, max_prefix_length=30)
    """

    def __init__(self, min_prefix_length=None, max_prefix_length=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.min_prefix_length = min_prefix_length
        self.max_prefix_length = max_prefix_length

    def form_field(self, **kwargs):
        """The WTForms field: text parsed into a network."""
        return fields.NetaddrField(parse=_parse_network, **kwargs)

    def field_validators(self):
        return [fields.PrefixLength(self.min_prefix_length, self.max_prefix_length)]

    def deserialize(self, value):
        return None if value is None else netaddr.IPNetwork(value)
