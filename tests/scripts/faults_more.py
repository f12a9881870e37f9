"""Makes 20 runs, then meets the fault named by argv[1]; see tests/test_faults_more.py.

oom       a memory limit (RLIMIT_AS) a little above what the process uses: Python
          allocates until MemoryError (caught), 20 more runs, then a run whose tensor
          does not fit (TensorFlow's ResourceExhaustedError, uncaught: exit 1)
oom-kill  the same limit; at MemoryError the process is SIGKILLed, as the OOM killer
          would do (exit 137)
fork      os.fork() before the parent's first session: the child makes a session and
          5 runs of its own and leaves by sys.exit(3); the parent makes 20 runs
spawn     a subprocess of sys.executable (exit 3) and a multiprocessing "spawn" pool
stdio     closes fd 0, prints into a replaced sys.stdout, points fds 1 and 2 at
          /dev/null, then makes its runs and exits 4
"""
import io
import os
import resource
import signal
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def work(n):
    print("worker", n, flush=True)
    return n * 2


def limit_memory():
    with open("/proc/self/statm") as f:
        vm = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    resource.setrlimit(resource.RLIMIT_AS, (vm + (256 << 20), resource.RLIM_INFINITY))


def hog_until_memory_error():
    hog = []
    try:
        while True:
            hog.append(bytearray(16 << 20))
    except MemoryError:
        hog.clear()
        return


if __name__ == "__main__":
    import tensorflow as tf

    tf.compat.v1.disable_eager_execution()
    fault = sys.argv[1]
    c = tf.constant(1.0) + 1.0
    child = None
    if fault == "fork":
        sys.stdout.flush()
        # TensorFlow is not fork-safe while the threads its import started are still
        # settling: forking right after the import hung the child in Executor::Run now and
        # then, with or without the recorder (2 of ~17 plain runs at load average 3-4;
        # none of 12 with this pause).
        import time
        time.sleep(1.0)
        child = os.fork()
        if child == 0:
            g = tf.Graph()
            with g.as_default():
                d = tf.constant(2.0) * 3.0
            with tf.compat.v1.Session(graph=g) as s:
                for _ in range(5):
                    s.run(d)
            print("child: 5 runs", flush=True)
            sys.exit(3)
    sess = tf.compat.v1.Session()
    for _ in range(20):
        sess.run(c)
    print("20 runs", flush=True)
    if fault == "oom":
        limit_memory()
        hog_until_memory_error()
        print("caught MemoryError", flush=True)
        for _ in range(20):
            sess.run(c)
        n = tf.compat.v1.placeholder(tf.int32, [])
        sess.run(tf.reduce_sum(tf.fill([n], 1.0)), {n: 1 << 30})  # 4 GiB
    elif fault == "oom-kill":
        limit_memory()
        hog_until_memory_error()
        os.kill(os.getpid(), signal.SIGKILL)
    elif fault == "fork":
        _, status = os.waitpid(child, 0)
        print("parent: child exited", os.waitstatus_to_exitcode(status), flush=True)
    elif fault == "spawn":
        p = subprocess.run([sys.executable, "-c", "import sys; print('sub', sys.argv[1]); sys.exit(3)", "x"])
        print("subprocess exited", p.returncode, flush=True)
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(1) as pool:
            print("pool", pool.map(work, [1, 2]), flush=True)
    elif fault == "stdio":
        os.close(0)
        real = sys.stdout
        sys.stdout = io.StringIO()
        print("into a StringIO")
        sess.run(c)
        sys.stdout = real
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        print("to /dev/null", flush=True)
        os.dup2(devnull, 2)
        sys.stderr.write("stderr to /dev/null\n")
        sys.stderr.flush()
        sess.run(c)
    sess.close()
    if fault == "stdio":
        sys.exit(4)
