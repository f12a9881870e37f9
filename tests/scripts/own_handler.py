"""Installs its own SIGTERM handler (prints, exits 5), prints 'ready', then waits."""
import signal
import sys
import time


def on_term(signum, frame):
    print("handler ran", flush=True)
    sys.exit(5)


signal.signal(signal.SIGTERM, on_term)
print("ready", flush=True)
while True:
    time.sleep(0.05)
