"""Runs until interrupted (no TensorFlow: starts fast)."""
import time

print("sleeping", flush=True)
try:
    while True:
        time.sleep(0.05)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    raise SystemExit(130) from None
