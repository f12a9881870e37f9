"""Names and numbers of the trace format (see docs/trace-format.md).

Every line is one JSON object whose first key is ``ev``, so the event type can be
read from the line's first bytes without parsing it.
"""

FORMAT_NAME = "tfsess-trace"
FORMAT_VERSION = 1

# Event types (the value of "ev").
HEADER = "header"
PROC = "proc"  # reserved for child processes of the script
TF = "tf"
SITE = "site"
SOURCE = "src"
FETCHES = "fs"
THREAD = "thread"
GRAPH = "graph"
SESSION = "sess"
ENTER = "enter"
EXIT = "exit"
CLOSE = "close"
RESET = "reset"
RUN_OK = "run"
RUN_ERROR = "runerr"
OUTPUT = "out"
WARNING = "warn"
EXCEPTION = "exc"
SCRIPT_END = "script_end"
END = "end"

# The fixed prefixes an indexer can test with bytes.startswith().
RUN_OK_PREFIX = b'{"ev":"run",'
RUN_ERROR_PREFIX = b'{"ev":"runerr",'
OUTPUT_PREFIX = b'{"ev":"out",'

# Run call kinds (the value of "k" in run events).
RUN_KINDS = ("run", "partial_run_setup", "partial_run", "callable", "eval", "operation-run", "monitored-run")
