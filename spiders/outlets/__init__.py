"""One module per outlet: its versioned parsers and its spider (``scrapy list`` finds them here).

``spider_for(slug)`` returns the spider class registered for an outlet slug;
``spider_for_host(host)`` the one owning a host (used by ``shanggao fetch``).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

import scrapy


@cache
def spider_classes() -> dict[str, type[scrapy.Spider]]:
    """Every spider class defined in this package, by name."""
    found: dict[str, type[scrapy.Spider]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, scrapy.Spider)
                    and value.__module__ == module.__name__ and getattr(value, "name", None)):
                found[value.name] = value
    return found


def spider_for(slug: str) -> type[scrapy.Spider] | None:
    return spider_classes().get(slug)


def spider_for_host(host: str) -> type[scrapy.Spider] | None:
    """The outlet spider whose registry entry owns ``host`` (None for unknown sites)."""
    from shanggao.db.outlets import outlet_for_host

    info = outlet_for_host(host)
    return spider_for(info.slug) if info else None
