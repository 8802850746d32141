"""Refuse requests to internal addresses (SSRF guard) unless the office allows them.

A claim link or a redirect must not make shanggao fetch — and archive as
evidence — a loopback, private, link-local (cloud metadata at 169.254.169.254),
multicast or reserved address.  :class:`AddressGuardMiddleware` runs first on
every request Scrapy downloads, redirects and robots.txt included: it takes
the host's address as the crawler will connect to it (an IP literal, or the
name resolved through Scrapy's caching resolver, the same answer the download
then uses) and refuses it with a ``blocked_address`` crawl problem.

An intranet site an office does need is allowed by host name or address
(network) in the config's ``allow_internal`` list or with ``--allow-internal``
(Scrapy setting ``SHANGGAO_ALLOW_INTERNAL``).  Behind an HTTP proxy a name the
machine cannot resolve itself is left to the proxy.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError

from shanggao.spiders.recorder import RunRecorder

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class AllowListError(ValueError):
    """An ``allow_internal`` entry that is neither a host name nor an address or network."""


def address_kind(address: Address) -> str | None:
    """Why an address is internal ("loopback", "private", …); None for a public address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for kind in ("loopback", "link_local", "multicast", "private", "reserved", "unspecified"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    if not address.is_global:
        return "non-global"
    return None


class AllowList:
    """Host names and networks that may be fetched although they are internal."""

    def __init__(self, entries: Iterable[str] = ()):
        self.hosts: set[str] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in entries:
            text = str(entry).strip().lower().strip("[]")
            if not text:
                continue
            try:
                self.networks.append(ipaddress.ip_network(text, strict=False))
                continue
            except ValueError:
                pass
            if not all(part and all(c.isalnum() or c in "-_" for c in part) for part in text.rstrip(".").split(".")):
                raise AllowListError(f"allow_internal entry {entry!r} is neither a host name nor an address/network")
            self.hosts.add(text.rstrip("."))

    def allows(self, host: str, address: Address | None) -> bool:
        if host.lower().rstrip(".") in self.hosts:
            return True
        return address is not None and any(address in net for net in self.networks
                                           if net.version == address.version)


def literal_address(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


class AddressGuardMiddleware:
    """Downloader middleware: every request's address is checked before it is sent."""

    def __init__(self, crawler: Crawler):
        self.allow = AllowList(crawler.settings.getlist("SHANGGAO_ALLOW_INTERNAL"))
        self.recorder = RunRecorder.for_crawler(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        host = (urlsplit(request.url).hostname or "").lower()
        if not host or self.allow.allows(host, None):
            return None
        address = literal_address(host)
        if address is None:
            from twisted.internet import reactor  # the running one; importing it earlier would install a default

            try:
                resolved = await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[arg-type]
            except (DNSLookupError, OSError, ValueError):
                return None  # unresolvable here: the download (or the proxy) reports it
            address = literal_address(str(resolved))
            if address is None:
                return None
        kind = address_kind(address)
        if kind is None or self.allow.allows(host, address):
            return None
        shown = host if str(address) == host else f"{host} ({address})"
        detail = (f"{shown} is a {kind} address; refused (allow an intranet site with allow_internal in the "
                  "config or --allow-internal)")
        origin = (request.meta.get("redirect_urls") or [None])[0]
        if origin:
            detail = f"redirected to {request.url}: {detail}"
        if not request.url.endswith("/robots.txt") or origin:
            self.recorder.record_problem(origin or request.url, "blocked_address", detail, request.meta.get("outlet"))
        raise IgnoreRequest(f"blocked_address: {detail}")
