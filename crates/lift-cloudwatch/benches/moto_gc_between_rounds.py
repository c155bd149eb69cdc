"""moto_server for the end-to-end benchmark, with Python's cyclic garbage collector moved
out of the timed part of each round.

Stock moto_server collects whenever CPython's allocation counters say so; a full collection
walks every object the emulator holds and stalls the request in progress by 20-60 ms, at a
point that differs from round to round. That noise swamped the difference between the two
shippers being compared. Here automatic collection is off, and a full collection runs at
the end of every DeleteLogGroup call instead: the benchmark deletes each round's log group
after the round (outside the timed part, for both shippers alike), so garbage is still
reclaimed once per round and memory stays flat. Everything else is moto_server unchanged
(same arguments, same application).
"""

import gc
import sys

from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.server import main

_dispatch = DomainDispatcherApplication.__call__


def _dispatch_then_collect_after_group_deletion(self, environ, start_response):
    deleting_group = environ.get("HTTP_X_AMZ_TARGET", "").endswith(".DeleteLogGroup")
    try:
        return _dispatch(self, environ, start_response)
    finally:
        if deleting_group:
            gc.collect()


DomainDispatcherApplication.__call__ = _dispatch_then_collect_after_group_deletion

if __name__ == "__main__":
    gc.disable()
    sys.exit(main())
