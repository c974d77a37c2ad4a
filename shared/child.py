"""`python -m shared.child PARENT_PID MODULE ARGS...`: run `python -m MODULE ARGS...` as a
child that stops by itself once its parent is gone (even by SIGKILL).

The watch starts before anything heavy is imported: a child that is still loading the product
when its parent dies must not go on to work on the parent's data. Only the standard library is
imported here for that reason.
"""

import os
import runpy
import sys
import threading
import time

_PARENT_CHECK_SECONDS = 0.2


def exit_when_orphaned(parent: int) -> None:
    """Watch the parent from a thread of its own: a busy or blocked event loop cannot delay it.
    The child's work is transactional, so ending abruptly loses nothing (as after a SIGKILL)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


if __name__ == "__main__":
    parent, module, *args = sys.argv[1:]
    exit_when_orphaned(int(parent))
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)
