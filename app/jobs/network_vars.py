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


def _parse_address(text: str):
    if "/" in text:
        raise ValueError("Enter an address without a mask.")
    return netaddr.IPAddress(text)


def _parse_with_mask(text: str):
    if "/" not in text:
        raise ValueError("Enter an address with a mask, such as 192.0.2.1/24.")
    return netaddr.IPNetwork(text)


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
        """The WTForms field: text parsed into an address with its mask."""
        return fields.NetaddrField(parse=_parse_with_mask, **kwargs)

    def field_validators(self):
        return [fields.PrefixLength(self.min_prefix_length, self.max_prefix_length)]

    def deserialize(self, value):
        return None if value is None else netaddr.IPNetwork(value)
