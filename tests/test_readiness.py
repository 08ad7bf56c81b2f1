"""/readyz: a hosted server in discovery or dynamic mode loads its catalog in a thread as soon as it
listens, and is ready once it has; tools mode is ready from the start."""

from __future__ import annotations

import threading
import time

from helpers import GENERATED
from rest2mcp.runtime.catalog import read_index
from rest2mcp.runtime.hosting import Readiness
from rest2mcp.runtime.options import parser
from rest2mcp.runtime.server import build
from rest2mcp.runtime.surface import SurfaceError

INDEX = read_index((GENERATED / "shop/shop_mcp/generated/index.json").read_bytes())
CATALOG = (GENERATED / "shop/shop_mcp/generated/tools.json").read_bytes()


class Gate:
    """The catalog's bytes, read only once the test opens the gate; counts the reads."""

    def __init__(self, fails: bool = False):
        self.open = threading.Event()
        self.reads = 0
        self.fails = fails

    def __call__(self) -> bytes:
        self.reads += 1
        assert self.open.wait(10)
        if self.fails:
            raise SurfaceError("overrides.py: EXTRA_TOOLS must be a list")
        return CATALOG


def surface(mode: str, catalog) -> object:
    return build(parser(INDEX, "0").parse_args(["--base-url", "http://127.0.0.1:9", "--mode", mode]),
                 INDEX, catalog, None, "0", {})


def settled(readiness: Readiness) -> str:
    deadline = time.monotonic() + 10
    while readiness.state == "starting" and time.monotonic() < deadline:
        time.sleep(0.01)
    return readiness.state


def test_discovery_mode_is_starting_until_the_catalog_and_search_index_are_made_once():
    gate = Gate()
    discovery = surface("discovery", gate)
    readiness = Readiness(discovery)
    assert readiness.state == "starting" and gate.reads == 0  # nothing loads before the server listens
    readiness.start()
    readiness.start()  # a second probe starts nothing more
    first_call = threading.Thread(target=discovery.surface)  # a call that arrives during the warm-up waits for it
    first_call.start()
    time.sleep(0.05)
    assert readiness.state == "starting"
    gate.open.set()
    assert settled(readiness) == "ready"
    first_call.join(10)
    assert gate.reads == 1
    assert discovery._index is not None  # search needs nothing more at the first call


def test_dynamic_mode_without_toolsets_warms_too():
    gate = Gate()
    readiness = Readiness(surface("dynamic", gate))
    readiness.start()
    gate.open.set()
    assert settled(readiness) == "ready" and gate.reads == 1


def test_a_catalog_that_cannot_load_keeps_the_server_unready(caplog):
    gate = Gate(fails=True)
    gate.open.set()
    readiness = Readiness(surface("discovery", gate))
    readiness.start()
    assert settled(readiness) == "failed"
    assert "the tools could not be loaded: overrides.py: EXTRA_TOOLS must be a list" in caplog.text


def test_tools_mode_is_ready_from_the_start():
    readiness = Readiness(surface("tools", lambda: CATALOG))
    assert readiness.state == "ready"
    readiness.start()
    assert readiness.state == "ready"
