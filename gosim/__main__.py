import os
import sys

from . import cli

# The process ends when the command returns: os._exit, once the output is flushed, without freeing what the
# command made (`cli.fast_exit`: a simulated run of 100,000 goroutines is ~50 ms of deallocation).
cli.fast_exit = True
rc = cli.main()
try:
    sys.stdout.flush()
    sys.stderr.flush()
except BrokenPipeError:  # `python -m gosim sched ... | head`
    pass
os._exit(rc if isinstance(rc, int) else 1)
