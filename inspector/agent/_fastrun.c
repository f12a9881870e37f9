/* The run wrapper's hot path in C: optional, built at install where a C compiler exists.
 *
 * inspector/agent/runs.py holds the same wrapper in pure Python (`python_recorded_run`),
 * which stays the reference and the fallback: this file does, per successful run, what
 * that wrapper's fast path does, and hands everything else back to Python:
 *
 *   - a run with per-run device memory (GPUs)        -> the Python wrapper, whole
 *   - a failed run                                   -> runs._record_run_error_from_c
 *   - the first run of a key (a new call site, ...)  -> runs._new_shape_from_c
 *   - a slot outside the mapped segment              -> RunFileWriter.write_at
 *
 * Why C: TensorFlow's thread pool makes the next run slower as soon as the gap between
 * two runs grows, so every microsecond of Python between runs costs a training step
 * several (docs/performance.md). What is left here is one key tuple, one dict lookup
 * and 24 bytes stored into the shared mapping; no Python frame, no system call.
 *
 * The key is the Python wrapper's: (session id, caller code id, caller lasti, its
 * caller's code id and lasti, thread id, run key), the run key built as
 * summaries.run_key builds it for `run(self, fetches, feed_dict=None, ...)`.
 *
 * Nothing here may change what the script sees: the original is called with the same
 * arguments, its result returned and its exception re-raised untouched; every error of
 * the recording itself is cleared.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>
#include <pythread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

static PyObject *s_recorder, *s_run_devices, *s_run_shapes, *s_runs, *s_slots, *s_seg,
    *s_t0, *s_fetches, *s_feed_dict, *s_dtype, *s_shape, *s_session_attr;

/* What runs.py and this file agree on (the callbacks' arguments, the memo's rules):
 * raised with any change to either side, so that a module built from older source (an
 * editable install not rebuilt) is not used. */
#define CONTRACT 1

/* The run-file layout (inspector/trace/format.py), checked by runs.py at import. */
#define HEADER_SIZE 48
#define RECORD_SIZE 24
#define RUN_TAG 0x52554E31u

typedef struct {
    PyObject_HEAD
    PyObject *original;      /* what the wrapper wraps */
    PyObject *fallback;      /* the pure-Python wrapper of the same original */
    PyObject *session_of;    /* (args, kwargs) -> session, for paths not shaped like run */
    PyObject *key_of;        /* (args, kwargs) -> run key, likewise */
    PyObject *new_shape;     /* (rec, key, frame, args, kwargs) -> shape id */
    PyObject *record_error;  /* (rec, args, kwargs, start, end, exc) -> None */
    PyObject *recorder_dict; /* inspector.agent.recorder.__dict__: `_recorder` */
    PyObject *memory_dict;   /* inspector.agent.memory.__dict__: `run_devices` */
    PyObject *busy;          /* tf_refs.in_run: idents of threads inside a recorded call */
    PyObject *feeds_key;     /* summaries.feeds_key, for feeds that are not plain arrays */
    PyObject *dict;          /* __dict__: functools.update_wrapper's attributes */
    int run_shaped;          /* run(self, fetches, feed_dict=None, ...) */
    vectorcallfunc vectorcall;
    /* The last run's call, remembered after its key was found in the recorder's cache:
     * when the next call is the same (the same session, line, fetches, feed keys, dtypes
     * and shapes: a training loop), its shape id is taken from here, with no key built,
     * hashed or compared (see memo_shape). NULL: nothing remembered. */
    PyObject *memo;          /* (rec, run_shapes, None, code, parent code or None,
                              *  shape id, fetch items..., then key, dtype, shape per feed) */
    long long memo_sid;      /* the session's id: never the session itself, which the memo
                              * would keep alive (and its close by garbage collection away) */
    int memo_lasti, memo_plasti, memo_fkind;
    Py_ssize_t memo_nfetch, memo_nfeed; /* memo_nfeed -1: no feeds */
    unsigned long memo_thread;
    PyObject *t0_rec;        /* the recorder whose t0 is below */
    int64_t t0;
} FastRun;

#define MEMO_MAX 16 /* fetches or feeds beyond this: no memo, the key every time */
enum { FETCH_ONE, FETCH_SEQ, FETCH_DICT };

/* One call's arguments as vectorcall gives them; the tuple and dict that Python callbacks
 * take are made only when one is called (a new key, a failed run, a path not like run). */
typedef struct {
    PyObject *const *args;
    Py_ssize_t nargs;
    PyObject *kwnames;
    PyObject *tuple, *dict; /* NULL until made */
} Call;

static int
call_as_python(Call *c)
{
    if (c->tuple != NULL)
        return 0;
    c->tuple = PyTuple_New(c->nargs);
    if (c->tuple == NULL)
        return -1;
    for (Py_ssize_t i = 0; i < c->nargs; i++)
        PyTuple_SET_ITEM(c->tuple, i, Py_NewRef(c->args[i]));
    c->dict = PyDict_New();
    if (c->dict == NULL)
        return -1;
    Py_ssize_t nkw = c->kwnames ? PyTuple_GET_SIZE(c->kwnames) : 0;
    for (Py_ssize_t i = 0; i < nkw; i++)
        if (PyDict_SetItem(c->dict, PyTuple_GET_ITEM(c->kwnames, i), c->args[c->nargs + i]) < 0)
            return -1;
    return 0;
}

static void
call_release(Call *c)
{
    Py_CLEAR(c->tuple);
    Py_CLEAR(c->dict);
}

static int64_t
now_ns(void)
{
    /* time.monotonic_ns() on Linux and macOS: the recorder's clock (recorder._MONO) */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
frame_lasti(PyFrameObject *f)
{
#if PY_VERSION_HEX >= 0x030B0000
    return PyFrame_GetLasti(f);
#else
    return f->f_lasti;
#endif
}

/* A tuple of n new references, which it takes over (all dropped when one is NULL). */
static PyObject *
tuple_of(PyObject **items, Py_ssize_t n)
{
    PyObject *t = NULL;
    for (Py_ssize_t i = 0; i < n; i++)
        if (items[i] == NULL)
            goto fail;
    t = PyTuple_New(n);
    if (t == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < n; i++)
        PyTuple_SET_ITEM(t, i, items[i]);
    return t;
fail:
    for (Py_ssize_t i = 0; i < n; i++)
        Py_XDECREF(items[i]);
    return NULL;
}

static PyObject *
pair(PyObject *a, PyObject *b)
{
    PyObject *items[2] = {a, b};
    return tuple_of(items, 2);
}

static PyObject *
triple(PyObject *a, PyObject *b, PyObject *c)
{
    PyObject *items[3] = {a, b, c};
    return tuple_of(items, 3);
}

/* tuple(map(id, seq)) for a list or tuple */
static PyObject *
ids_of(PyObject *seq)
{
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    PyObject *out = PyTuple_New(n);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *id = PyLong_FromVoidPtr(items[i]);
        if (id == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyTuple_SET_ITEM(out, i, id);
    }
    return out;
}

/* summaries.fetches_key */
static PyObject *
fetches_key(PyObject *fetches)
{
    if (PyList_CheckExact(fetches) || PyTuple_CheckExact(fetches))
        return ids_of(fetches);
    if (PyDict_CheckExact(fetches)) {
        Py_ssize_t n = PyDict_GET_SIZE(fetches), pos = 0, i = 0;
        PyObject *k, *v, *ks = PyTuple_New(n), *vs = PyTuple_New(n);
        if (ks == NULL || vs == NULL)
            goto fail;
        while (i < n && PyDict_Next(fetches, &pos, &k, &v)) {
            PyObject *a = PyLong_FromVoidPtr(k), *b = PyLong_FromVoidPtr(v);
            if (a == NULL || b == NULL) {
                Py_XDECREF(a);
                Py_XDECREF(b);
                goto fail;
            }
            PyTuple_SET_ITEM(ks, i, a);
            PyTuple_SET_ITEM(vs, i, b);
            i++;
        }
        if (i != n)
            goto fail;
        return pair(ks, vs);
    fail:
        Py_XDECREF(ks);
        Py_XDECREF(vs);
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_RuntimeError, "dict changed size");
        return NULL;
    }
    return PyLong_FromVoidPtr(fetches);
}

/* summaries.feeds_key for a dict of arrays or tensors: ((id(k), id(v.dtype), v.shape), ...);
 * anything else goes to the Python function, which knows the other cases. */
static PyObject *
feeds_key(FastRun *self, PyObject *feeds)
{
    if (!PyDict_CheckExact(feeds))
        return PyObject_CallOneArg(self->feeds_key, feeds);
    Py_ssize_t n = PyDict_GET_SIZE(feeds), pos = 0, i = 0;
    PyObject *k, *v, *out = PyTuple_New(n);
    if (out == NULL)
        return NULL;
    while (i < n && PyDict_Next(feeds, &pos, &k, &v)) {
        PyObject *dtype = PyObject_GetAttr(v, s_dtype);
        PyObject *shape = dtype ? PyObject_GetAttr(v, s_shape) : NULL;
        if (shape == NULL) {
            Py_XDECREF(dtype);
            Py_DECREF(out);
            if (!PyErr_ExceptionMatches(PyExc_AttributeError))
                return NULL;
            PyErr_Clear();
            return PyObject_CallOneArg(self->feeds_key, feeds);
        }
        PyObject *item = triple(PyLong_FromVoidPtr(k), PyLong_FromVoidPtr(dtype), shape);
        Py_DECREF(dtype);
        if (item == NULL) {
            Py_DECREF(out);
            return NULL;
        }
        PyTuple_SET_ITEM(out, i, item);
        i++;
    }
    if (i != n) {
        Py_DECREF(out);
        PyErr_SetString(PyExc_RuntimeError, "dict changed size");
        return NULL;
    }
    return out;
}

static PyObject *
arg_or(Call *c, Py_ssize_t index, PyObject *name)
{
    /* borrowed: args[index], else the keyword argument `name`, else None */
    if (c->nargs > index)
        return c->args[index];
    Py_ssize_t nkw = c->kwnames ? PyTuple_GET_SIZE(c->kwnames) : 0;
    for (Py_ssize_t i = 0; i < nkw; i++) /* keyword names are interned: identity first */
        if (PyTuple_GET_ITEM(c->kwnames, i) == name)
            return c->args[c->nargs + i];
    for (Py_ssize_t i = 0; i < nkw; i++)
        if (PyUnicode_Compare(PyTuple_GET_ITEM(c->kwnames, i), name) == 0)
            return c->args[c->nargs + i];
    PyErr_Clear();
    return Py_None;
}

/* summaries.run_key */
static PyObject *
run_key(FastRun *self, Call *c)
{
    PyObject *fetches = arg_or(c, 1, s_fetches);
    PyObject *feeds = arg_or(c, 2, s_feed_dict);
    int has_feeds = PyObject_IsTrue(feeds);
    if (has_feeds < 0)
        return NULL;
    PyObject *fk = fetches_key(fetches);
    if (fk == NULL || !has_feeds)
        return fk;
    PyObject *dk = feeds_key(self, feeds);
    if (dk == NULL) {
        Py_DECREF(fk);
        return NULL;
    }
    return pair(fk, dk);
}

/* The wrapper's key of this run, or NULL with an error set. */
static PyObject *
run_cache_key(FastRun *self, Call *c, PyFrameObject *frame, PyObject *me)
{
    PyObject *sess, *sid, *rk, *code_id, *lasti, *pcode_id, *plasti;
    if (self->run_shaped) {
        sess = c->nargs > 0 ? c->args[0] : Py_None;
        Py_INCREF(sess);
    }
    else {
        if (call_as_python(c) < 0)
            return NULL;
        sess = PyObject_CallFunctionObjArgs(self->session_of, c->tuple, c->dict, NULL);
        if (sess == NULL)
            return NULL;
    }
    sid = PyObject_GetAttr(sess, s_session_attr);
    Py_DECREF(sess);
    if (sid == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError))
            return NULL;
        PyErr_Clear();
        sid = Py_NewRef(Py_None);
    }
    rk = self->run_shaped ? run_key(self, c)
                          : PyObject_CallFunctionObjArgs(self->key_of, c->tuple, c->dict, NULL);
    if (rk == NULL) {
        Py_DECREF(sid);
        return NULL;
    }
    PyCodeObject *code = PyFrame_GetCode(frame);
    code_id = PyLong_FromVoidPtr(code);
    Py_DECREF(code);
    lasti = PyLong_FromLong(frame_lasti(frame));
    PyFrameObject *back = PyFrame_GetBack(frame);
    if (back != NULL) {
        PyCodeObject *pcode = PyFrame_GetCode(back);
        pcode_id = PyLong_FromVoidPtr(pcode);
        Py_DECREF(pcode);
        plasti = PyLong_FromLong(frame_lasti(back));
        Py_DECREF(back);
    }
    else {
        pcode_id = Py_NewRef(Py_None);
        plasti = Py_NewRef(Py_None);
    }
    PyObject *parts[7] = {sid, code_id, lasti, pcode_id, plasti, Py_NewRef(me), rk};
    return tuple_of(parts, 7);
}


/* ---- the memo of the last call (a training loop runs the same call again and again) --- */

static int
fetch_kind(PyObject *fetches, Py_ssize_t *n)
{
    if (PyList_CheckExact(fetches) || PyTuple_CheckExact(fetches)) {
        *n = PySequence_Fast_GET_SIZE(fetches);
        return FETCH_SEQ;
    }
    if (PyDict_CheckExact(fetches)) {
        *n = 2 * PyDict_GET_SIZE(fetches);
        return FETCH_DICT;
    }
    *n = 1;
    return FETCH_ONE;
}

/* The fetch items in the order the memo keeps them: borrowed, into out[0..n). */
static int
fetch_items(PyObject *fetches, int kind, Py_ssize_t n, PyObject **out)
{
    if (kind == FETCH_ONE) {
        out[0] = fetches;
        return 0;
    }
    if (kind == FETCH_SEQ) {
        PyObject **items = PySequence_Fast_ITEMS(fetches);
        for (Py_ssize_t i = 0; i < n; i++)
            out[i] = items[i];
        return 0;
    }
    Py_ssize_t pos = 0, i = 0, half = n / 2;
    PyObject *k, *v;
    while (i < half && PyDict_Next(fetches, &pos, &k, &v)) {
        out[i] = k;
        out[half + i] = v;
        i++;
    }
    return i == half ? 0 : -1;
}

/* A shape the memo may compare without running Python code: a tuple of ints. */
static int
plain_shape(PyObject *shape)
{
    if (!PyTuple_CheckExact(shape))
        return 0;
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(shape); i++)
        if (!PyLong_CheckExact(PyTuple_GET_ITEM(shape, i)))
            return 0;
    return 1;
}

/* The recorded id of the run's session, or -1 when it has none (or is not a plain id). */
static long long
session_id_of(Call *c)
{
    if (c->nargs < 1)
        return -1;
    PyObject *sid = PyObject_GetAttr(c->args[0], s_session_attr);
    if (sid == NULL) {
        PyErr_Clear();
        return -1;
    }
    long long v = PyLong_CheckExact(sid) ? PyLong_AsLongLong(sid) : -1;
    Py_DECREF(sid);
    if (v == -1)
        PyErr_Clear();
    return v;
}

/* Remember this call after its key was found in `shapes`; nothing when it does not fit. */
static void
memo_store(FastRun *self, PyObject *rec, PyObject *shapes, Call *c, PyFrameObject *frame,
           PyObject *shape_obj, unsigned long thread)
{
    PyObject *fetches = arg_or(c, 1, s_fetches), *feeds = arg_or(c, 2, s_feed_dict);
    Py_ssize_t nfetch, nfeed;
    int kind = fetch_kind(fetches, &nfetch);
    if (feeds == Py_None || (PyDict_CheckExact(feeds) && PyDict_GET_SIZE(feeds) == 0))
        nfeed = -1;
    else if (PyDict_CheckExact(feeds))
        nfeed = PyDict_GET_SIZE(feeds);
    else
        return;
    long long sid = session_id_of(c);
    if (nfetch > MEMO_MAX || nfeed > MEMO_MAX || sid < 0)
        return;
    Py_ssize_t nfeeds = nfeed < 0 ? 0 : nfeed;
    PyObject *m = PyTuple_New(6 + nfetch + 3 * nfeeds);
    if (m == NULL)
        return;
    PyObject *items[2 * MEMO_MAX + 2];
    if (fetch_items(fetches, kind, nfetch, items) < 0)
        goto drop;
    PyFrameObject *back = PyFrame_GetBack(frame);
    PyTuple_SET_ITEM(m, 0, Py_NewRef(rec));
    PyTuple_SET_ITEM(m, 1, Py_NewRef(shapes));
    PyTuple_SET_ITEM(m, 2, Py_NewRef(Py_None));
    PyTuple_SET_ITEM(m, 3, (PyObject *)PyFrame_GetCode(frame));
    PyTuple_SET_ITEM(m, 4, back ? (PyObject *)PyFrame_GetCode(back) : Py_NewRef(Py_None));
    PyTuple_SET_ITEM(m, 5, Py_NewRef(shape_obj));
    for (Py_ssize_t i = 0; i < nfetch; i++)
        PyTuple_SET_ITEM(m, 6 + i, Py_NewRef(items[i]));
    Py_ssize_t pos = 0, i = 0, at = 6 + nfetch;
    PyObject *k, *v;
    while (i < nfeeds && PyDict_Next(feeds, &pos, &k, &v)) {
        PyObject *dtype = PyObject_GetAttr(v, s_dtype);
        PyObject *shape = dtype ? PyObject_GetAttr(v, s_shape) : NULL;
        if (shape == NULL || !plain_shape(shape)) {
            Py_XDECREF(dtype);
            Py_XDECREF(shape);
            Py_XDECREF(back);
            goto drop;
        }
        PyTuple_SET_ITEM(m, at++, Py_NewRef(k));
        PyTuple_SET_ITEM(m, at++, dtype);
        PyTuple_SET_ITEM(m, at++, shape);
        i++;
    }
    if (i != nfeeds) {
        Py_XDECREF(back);
        goto drop;
    }
    self->memo_sid = sid;
    self->memo_lasti = frame_lasti(frame);
    self->memo_plasti = back ? frame_lasti(back) : -1;
    Py_XDECREF(back);
    self->memo_fkind = kind;
    self->memo_nfetch = nfetch;
    self->memo_nfeed = nfeed;
    self->memo_thread = thread;
    Py_XSETREF(self->memo, m);
    return;
drop:
    PyErr_Clear();
    Py_DECREF(m); /* slots not yet set are NULL: tuple dealloc skips them */
}

/* The shape id of this call when it is the memo's call (new reference), else NULL
 * (with no error: a miss). Everything Python may run (a feed value's `dtype` and
 * `shape`) runs before the comparison, which only compares pointers and tuples of
 * ints, so another thread cannot change what is being compared. */
static PyObject *
memo_shape(FastRun *self, PyObject *rec, PyObject *shapes, Call *c, PyFrameObject *frame,
           unsigned long thread)
{
    PyObject *m = self->memo;
    if (m == NULL || thread != self->memo_thread || PyTuple_GET_ITEM(m, 0) != rec
        || PyTuple_GET_ITEM(m, 1) != shapes
        || frame_lasti(frame) != self->memo_lasti)
        return NULL;
    long long memo_sid = self->memo_sid;
    PyObject *fetches = arg_or(c, 1, s_fetches), *feeds = arg_or(c, 2, s_feed_dict);
    Py_ssize_t nfetch, nfeed = self->memo_nfeed;
    if (fetch_kind(fetches, &nfetch) != self->memo_fkind || nfetch != self->memo_nfetch)
        return NULL;
    if (nfeed < 0 ? !(feeds == Py_None || (PyDict_CheckExact(feeds) && PyDict_GET_SIZE(feeds) == 0))
                  : !(PyDict_CheckExact(feeds) && PyDict_GET_SIZE(feeds) == nfeed))
        return NULL;
    PyObject *found[3 * MEMO_MAX]; /* key, dtype, shape of each feed: new references */
    Py_ssize_t pos = 0, got = 0;
    PyObject *k, *v, *result = NULL;
    Py_INCREF(m); /* the getattrs below may run Python code, and another thread with it */
    if (session_id_of(c) != memo_sid)
        goto out;
    while (got < 3 * nfeed && PyDict_Next(feeds, &pos, &k, &v)) {
        PyObject *dtype = PyObject_GetAttr(v, s_dtype);
        PyObject *shape = dtype ? PyObject_GetAttr(v, s_shape) : NULL;
        if (shape == NULL) {
            Py_XDECREF(dtype);
            PyErr_Clear();
            goto out;
        }
        found[got++] = Py_NewRef(k);
        found[got++] = dtype;
        found[got++] = shape;
    }
    if (got != 3 * (nfeed < 0 ? 0 : nfeed))
        goto out;
    PyObject *items[2 * MEMO_MAX + 2];
    if (fetch_items(fetches, self->memo_fkind, nfetch, items) < 0)
        goto out;
    for (Py_ssize_t i = 0; i < nfetch; i++)
        if (items[i] != PyTuple_GET_ITEM(m, 6 + i))
            goto out;
    for (Py_ssize_t i = 0; i < got; i += 3) {
        PyObject **mine = &PyTuple_GET_ITEM(m, 6 + nfetch + i);
        if (found[i] != mine[0] || found[i + 1] != mine[1] || !plain_shape(found[i + 2]))
            goto out;
        int same = PyObject_RichCompareBool(found[i + 2], mine[2], Py_EQ); /* ints only */
        if (same != 1) {
            PyErr_Clear();
            goto out;
        }
    }
    {
        PyCodeObject *code = PyFrame_GetCode(frame);
        int same = (PyObject *)code == PyTuple_GET_ITEM(m, 3);
        Py_DECREF(code);
        PyFrameObject *back = PyFrame_GetBack(frame);
        if (back == NULL)
            same = same && PyTuple_GET_ITEM(m, 4) == Py_None;
        else {
            PyCodeObject *pcode = PyFrame_GetCode(back);
            same = same && (PyObject *)pcode == PyTuple_GET_ITEM(m, 4)
                   && frame_lasti(back) == self->memo_plasti;
            Py_DECREF(pcode);
            Py_DECREF(back);
        }
        if (same && m == self->memo) /* the ints above belong to this memo */
            result = Py_NewRef(PyTuple_GET_ITEM(m, 5));
    }
out:
    for (Py_ssize_t i = 0; i < got; i++)
        Py_DECREF(found[i]);
    Py_DECREF(m);
    return result;
}

static void
store_record(unsigned char *p, uint32_t shape, int64_t ts, int64_t dur)
{
    /* "<IIqq", little-endian whatever the machine */
    uint32_t tag = RUN_TAG;
    for (int i = 0; i < 4; i++) {
        p[i] = (unsigned char)(tag >> (8 * i));
        p[4 + i] = (unsigned char)(shape >> (8 * i));
    }
    for (int i = 0; i < 8; i++) {
        p[8 + i] = (unsigned char)((uint64_t)ts >> (8 * i));
        p[16 + i] = (unsigned char)((uint64_t)dur >> (8 * i));
    }
}

/* One successful run into the run file; returns -1 with an error set when it could not. */
static int
record_run(FastRun *self, PyObject *rec, Call *c, int64_t start, int64_t end, PyObject *me)
{
    PyFrameObject *frame = PyEval_GetFrame(); /* borrowed: the caller's frame */
    PyObject *key = NULL, *shapes = NULL, *shape_obj = NULL, *runs = NULL, *slot = NULL,
             *seg = NULL, *t0_obj = NULL;
    int status = -1;
    if (frame == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "no calling frame");
        return -1;
    }
    unsigned long thread = PyLong_AsUnsignedLong(me);
    shapes = PyObject_GetAttr(rec, s_run_shapes);
    if (shapes == NULL)
        goto done;
    if (self->run_shaped)
        shape_obj = memo_shape(self, rec, shapes, c, frame, thread);
    if (shape_obj != NULL)
        goto write;
    key = run_cache_key(self, c, frame, me);
    if (key == NULL) {
        PyErr_Clear();
        key = Py_NewRef(Py_None);
    }
    shape_obj = PyDict_Check(shapes) ? PyDict_GetItemWithError(shapes, key) : NULL;
    Py_XINCREF(shape_obj);
    if (shape_obj != NULL && self->run_shaped)
        memo_store(self, rec, shapes, c, frame, shape_obj, thread);
    if (shape_obj == NULL) {
        if (PyErr_Occurred()) { /* a feed's shape that cannot be hashed */
            PyErr_Clear();
            Py_SETREF(key, Py_NewRef(Py_None));
        }
        if (call_as_python(c) < 0)
            goto done;
        shape_obj = PyObject_CallFunctionObjArgs(self->new_shape, rec, key, (PyObject *)frame,
                                                 c->tuple, c->dict, NULL);
        if (shape_obj == NULL)
            goto done;
    }
write:;
    unsigned long long shape = PyLong_AsUnsignedLongLong(shape_obj);
    if (shape == (unsigned long long)-1 && PyErr_Occurred())
        goto done;
    if (shape > 0xFFFFFFFFull) { /* what struct.pack_into refuses: the run is not written */
        PyErr_SetString(PyExc_OverflowError, "shape id");
        goto done;
    }
    if (rec != self->t0_rec) {
        t0_obj = PyObject_GetAttr(rec, s_t0);
        if (t0_obj == NULL)
            goto done;
        int64_t t0 = PyLong_AsLongLong(t0_obj);
        if (t0 == -1 && PyErr_Occurred())
            goto done;
        self->t0 = t0;
        Py_XSETREF(self->t0_rec, Py_NewRef(rec));
    }
    int64_t t0 = self->t0;
    runs = PyObject_GetAttr(rec, s_runs);
    if (runs == NULL)
        goto done;
    PyObject *slots = PyObject_GetAttr(runs, s_slots);
    if (slots == NULL)
        goto done;
    slot = PyIter_Next(slots);
    Py_DECREF(slots);
    if (slot == NULL)
        goto done;
    long long n = PyLong_AsLongLong(slot);
    if (n == -1 && PyErr_Occurred())
        goto done;
    long long o = HEADER_SIZE + n * RECORD_SIZE;
    seg = PyObject_GetAttr(runs, s_seg);
    if (seg == NULL)
        goto done;
    if (PyTuple_CheckExact(seg) && PyTuple_GET_SIZE(seg) == 3
        && PyTuple_GET_ITEM(seg, 2) != Py_None) {
        long long first = PyLong_AsLongLong(PyTuple_GET_ITEM(seg, 0));
        long long last = PyLong_AsLongLong(PyTuple_GET_ITEM(seg, 1));
        if (PyErr_Occurred())
            goto done;
        if (first <= o && o + RECORD_SIZE <= last) {
            Py_buffer view;
            if (PyObject_GetBuffer(PyTuple_GET_ITEM(seg, 2), &view, PyBUF_WRITABLE) < 0)
                goto done;
            if (o - first + RECORD_SIZE <= view.len) {
                store_record((unsigned char *)view.buf + (o - first), (uint32_t)shape,
                             start - t0, end - start);
                status = 0;
            }
            PyBuffer_Release(&view);
            if (status == 0)
                goto done;
        }
    }
    /* the slow path: a new segment, an older one, or no mapping (the line writer) */
    {
        PyObject *r = PyObject_CallMethod(runs, "write_at", "LKLL", o, shape, start - t0,
                                          end - start);
        if (r == NULL)
            goto done;
        Py_DECREF(r);
        status = 0;
    }
done:
    Py_XDECREF(key);
    Py_XDECREF(shapes);
    Py_XDECREF(shape_obj);
    Py_XDECREF(runs);
    Py_XDECREF(slot);
    Py_XDECREF(seg);
    Py_XDECREF(t0_obj);
    return status;
}

static PyObject *
fastrun_vectorcall(FastRun *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    PyObject *rec = PyDict_GetItemWithError(self->recorder_dict, s_recorder);
    if (rec == NULL || rec == Py_None) {
        PyErr_Clear();
        return PyObject_Vectorcall(self->original, args, nargsf, kwnames);
    }
    PyObject *devices = PyDict_GetItemWithError(self->memory_dict, s_run_devices);
    if (devices != NULL && devices != Py_None && PyObject_IsTrue(devices) != 0) {
        PyErr_Clear(); /* GPUs: the Python wrapper reads device memory around the run */
        return PyObject_Vectorcall(self->fallback, args, nargsf, kwnames);
    }
    PyErr_Clear();
    PyObject *me = PyLong_FromUnsignedLong(PyThread_get_thread_ident());
    if (me == NULL) {
        PyErr_Clear();
        return PyObject_Vectorcall(self->original, args, nargsf, kwnames);
    }
    /* a run inside a recorded call (Tensor.eval runs session.run): recorded once, outside */
    int inside = PySet_Contains(self->busy, me);
    if (inside != 0 || PySet_Add(self->busy, me) < 0) {
        PyErr_Clear();
        Py_DECREF(me);
        return PyObject_Vectorcall(self->original, args, nargsf, kwnames);
    }
    Py_INCREF(rec); /* the recorder may be stopped during the call */
    Call c = {args, PyVectorcall_NARGS(nargsf), kwnames, NULL, NULL};
    int64_t start = now_ns();
    PyObject *result = PyObject_Vectorcall(self->original, args, nargsf, kwnames);
    int64_t end = now_ns();
    if (result == NULL) {
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        PyErr_NormalizeException(&type, &value, &tb);
        if (tb != NULL && value != NULL)
            PyException_SetTraceback(value, tb);
        if (call_as_python(&c) == 0) {
            PyObject *r = PyObject_CallFunction(self->record_error, "OOOLLO", rec, c.tuple,
                                                c.dict, (long long)start, (long long)end,
                                                value ? value : Py_None);
            Py_XDECREF(r);
        }
        PyErr_Clear();
        if (PySet_Discard(self->busy, me) < 0)
            PyErr_Clear();
        PyErr_Restore(type, value, tb);
    }
    else {
        if (record_run(self, rec, &c, start, end, me) < 0)
            PyErr_Clear();
        if (PySet_Discard(self->busy, me) < 0)
            PyErr_Clear();
    }
    call_release(&c);
    Py_DECREF(rec);
    Py_DECREF(me);
    return result;
}

static PyObject *
fastrun_get(PyObject *self, PyObject *obj, PyObject *Py_UNUSED(type))
{
    /* a function's binding: `sess.run` is a bound method, `BaseSession.run` this object */
    if (obj == NULL || obj == Py_None)
        return Py_NewRef(self);
    return PyMethod_New(self, obj);
}

static int
fastrun_traverse(FastRun *self, visitproc visit, void *arg)
{
    Py_VISIT(self->original);
    Py_VISIT(self->fallback);
    Py_VISIT(self->session_of);
    Py_VISIT(self->key_of);
    Py_VISIT(self->new_shape);
    Py_VISIT(self->record_error);
    Py_VISIT(self->recorder_dict);
    Py_VISIT(self->memory_dict);
    Py_VISIT(self->busy);
    Py_VISIT(self->feeds_key);
    Py_VISIT(self->dict);
    Py_VISIT(self->memo);
    Py_VISIT(self->t0_rec);
    return 0;
}

static int
fastrun_clear(FastRun *self)
{
    Py_CLEAR(self->original);
    Py_CLEAR(self->fallback);
    Py_CLEAR(self->session_of);
    Py_CLEAR(self->key_of);
    Py_CLEAR(self->new_shape);
    Py_CLEAR(self->record_error);
    Py_CLEAR(self->recorder_dict);
    Py_CLEAR(self->memory_dict);
    Py_CLEAR(self->busy);
    Py_CLEAR(self->feeds_key);
    Py_CLEAR(self->dict);
    Py_CLEAR(self->memo);
    Py_CLEAR(self->t0_rec);
    return 0;
}

static void
fastrun_dealloc(FastRun *self)
{
    PyObject_GC_UnTrack(self);
    fastrun_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
fastrun_init(FastRun *self, PyObject *args, PyObject *kwds)
{
    static char *names[] = {"original", "fallback", "session_of", "key_of", "new_shape",
                            "record_error", "recorder_dict", "memory_dict", "busy",
                            "feeds_key", "run_shaped", NULL};
    PyObject *o[10];
    int run_shaped;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOOOOO!O!O!Op", names, &o[0], &o[1], &o[2],
                                     &o[3], &o[4], &o[5], &PyDict_Type, &o[6], &PyDict_Type,
                                     &o[7], &PySet_Type, &o[8], &o[9], &run_shaped))
        return -1;
    Py_XSETREF(self->original, Py_NewRef(o[0]));
    Py_XSETREF(self->fallback, Py_NewRef(o[1]));
    Py_XSETREF(self->session_of, Py_NewRef(o[2]));
    Py_XSETREF(self->key_of, Py_NewRef(o[3]));
    Py_XSETREF(self->new_shape, Py_NewRef(o[4]));
    Py_XSETREF(self->record_error, Py_NewRef(o[5]));
    Py_XSETREF(self->recorder_dict, Py_NewRef(o[6]));
    Py_XSETREF(self->memory_dict, Py_NewRef(o[7]));
    Py_XSETREF(self->busy, Py_NewRef(o[8]));
    Py_XSETREF(self->feeds_key, Py_NewRef(o[9]));
    self->run_shaped = run_shaped;
    self->vectorcall = (vectorcallfunc)fastrun_vectorcall;
    return 0;
}

static PyGetSetDef fastrun_getset[] = {
    {"__dict__", PyObject_GenericGetDict, PyObject_GenericSetDict, NULL, NULL},
    {NULL},
};

static PyTypeObject FastRunType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "inspector.agent._fastrun.FastRun",
    .tp_doc = "A recorded run path: calls the original and writes one run record.",
    .tp_basicsize = sizeof(FastRun),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_METHOD_DESCRIPTOR
                | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_vectorcall_offset = offsetof(FastRun, vectorcall),
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)fastrun_init,
    .tp_dealloc = (destructor)fastrun_dealloc,
    .tp_traverse = (traverseproc)fastrun_traverse,
    .tp_clear = (inquiry)fastrun_clear,
    .tp_call = PyVectorcall_Call,
    .tp_descr_get = fastrun_get,
    .tp_getattro = PyObject_GenericGetAttr,
    .tp_setattro = PyObject_GenericSetAttr,
    .tp_dictoffset = offsetof(FastRun, dict),
    .tp_getset = fastrun_getset,
};

static struct PyModuleDef fastrun_module = {
    PyModuleDef_HEAD_INIT, "_fastrun",
    "The run wrapper's hot path in C (optional; inspector/agent/runs.py falls back to Python).",
    -1, NULL, NULL, NULL, NULL, NULL,
};

#define INTERN(var, text) \
    if ((var = PyUnicode_InternFromString(text)) == NULL) return NULL

PyMODINIT_FUNC
PyInit__fastrun(void)
{
    INTERN(s_recorder, "_recorder");
    INTERN(s_run_devices, "run_devices");
    INTERN(s_run_shapes, "run_shapes");
    INTERN(s_runs, "runs");
    INTERN(s_slots, "slots");
    INTERN(s_seg, "seg");
    INTERN(s_t0, "t0");
    INTERN(s_fetches, "fetches");
    INTERN(s_feed_dict, "feed_dict");
    INTERN(s_dtype, "dtype");
    INTERN(s_shape, "shape");
    INTERN(s_session_attr, "_tfsess_inspect_id"); /* tf_refs.SESSION_ID_ATTR */
    if (PyType_Ready(&FastRunType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&fastrun_module);
    if (m == NULL)
        return NULL;
    if (PyModule_AddObjectRef(m, "FastRun", (PyObject *)&FastRunType) < 0
        || PyModule_AddIntConstant(m, "HEADER_SIZE", HEADER_SIZE) < 0
        || PyModule_AddIntConstant(m, "RECORD_SIZE", RECORD_SIZE) < 0
        || PyModule_AddIntConstant(m, "RUN_TAG", RUN_TAG) < 0
        || PyModule_AddIntConstant(m, "CONTRACT", CONTRACT) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    PyModule_AddStringConstant(m, "SESSION_ID_ATTR", "_tfsess_inspect_id");
    return m;
}
