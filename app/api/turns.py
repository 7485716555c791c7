"""The matching core answers one request at a time per process.

The core is pure Python and holds the GIL while it works. When the thread pool answers two
requests at once, their threads only take turns: every ``sys.getswitchinterval()`` and each time
numpy briefly lets the GIL go, each evicting the other's data from the CPU caches, with nothing
gained, since only one of them runs at any moment. Taking turns request by request instead, the
resolve benchmark (250,000 aliases, two clients, batches of 100 names never sent before) went
from 1.09 to 0.75 ms of CPU per name, and from 920 to 1,323 names/s. A request that arrives
while another is in the core waits for it to finish (it would have shared its time anyway);
parallel work across cores comes from uvicorn workers and replicas. Health, readiness, metrics,
the documentation and the registry's reads and writes do not take turns here.
"""

from __future__ import annotations

import threading

__all__ = ["CORE"]

# Re-entrant, so that code already in the core may call one that takes it (``Registry.resolve``
# inside a route's block) instead of deadlocking; no route does today.
CORE = threading.RLock()
