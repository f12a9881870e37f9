"""Names and numbers of the trace format (see docs/trace-format.md).

Every line is one JSON object whose first key is ``ev``, so the event type can be
read from the line's first bytes without parsing it.
"""

FORMAT_NAME = "tfsess-trace"
FORMAT_VERSION = 2  # 2: successful runs as binary records in TRACE.runs (see below)

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
GRAPH_RESET = "graph_reset"  # tf.compat.v1.reset_default_graph()
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

# Interned run shape (version 2): what repeats from run to run of one call site, named
# once by a JSON line and then by its id in each binary run record.
RUN_SHAPE = "rshape"

# -- The run-record file (version 2): TRACE + RUNS_SUFFIX, written through a shared
# memory mapping (inspector/trace/run_writer.py), read by inspector/trace/run_reader.py.
RUNS_SUFFIX = ".runs"
RUNS_MAGIC = b"TFSRUNS\x00"
RUNS_VERSION = 1
# File header, RUNS_HEADER_SIZE bytes: magic (8), version (u32), record size (u32), the
# trace's id (16 bytes, also in the JSON header's "runs" field), 16 bytes reserved.
RUNS_HEADER = "<8sII16s16x"
RUNS_HEADER_SIZE = 48
# One successful run, little-endian: tag (u32, always RUN_TAG: a slot never written
# reads as 0), shape id (u32), start in ns since t0 (i64), duration in ns (i64).
RUN_RECORD = "<IIqq"
RUN_RECORD_SIZE = 24
RUN_TAG = 0x52554E31  # "1NUR" on disk: not 0, not text
# The file grows by segments, each mapped on its own: 12 KiB, doubling up to 6 MiB
# (multiples of both the record size and the page size, so that no record straddles).
RUNS_FIRST_SEGMENT = 12288
RUNS_MAX_SEGMENT = 12288 << 9
