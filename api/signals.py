"""How long-running CLI commands (project, relay, smtp) learn that they should stop."""

import signal
import threading


def stop_on_signals() -> threading.Event:
    """Set on SIGTERM or SIGINT, so a command finishes its batch and closes cleanly."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop
