// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The runtime's waitReason strings, one table per Go version, in the order
 * of the waitReason constants (runtime/runtime2.go, waitReasonStrings).
 * Checked by tools against Debian's sources: go1.19 from golang-1.19-src
 * (/usr/share/go-1.19/src/runtime/runtime2.go), go1.23 and go1.24 from
 * golang-1.23-src / golang-1.24-src unpacked by tools/gotoolchain.sh
 * (/var/cache/ttytop/go/<ver>/usr/lib/go-1.NN/src/runtime/runtime2.go), and
 * by tests/unit/test_goroutines.c against each fixture build's own
 * runtime.waitReasonStrings. Other versions were not checked and get no
 * string (goroutines.c then reads the binary's own table if it has symbols)
 * rather than one that may be another reason's.
 */
#include "gowait.h"

#include <stddef.h>

static const char *const wait_119[] = {
    "",                        /* 0 */
    "GC assist marking",       /* 1 */
    "IO wait",                 /* 2 */
    "chan receive (nil chan)", /* 3 */
    "chan send (nil chan)",    /* 4 */
    "dumping heap",            /* 5 */
    "garbage collection",      /* 6 */
    "garbage collection scan", /* 7 */
    "panicwait",               /* 8 */
    "select",                  /* 9 */
    "select (no cases)",       /* 10 */
    "GC assist wait",          /* 11 */
    "GC sweep wait",           /* 12 */
    "GC scavenge wait",        /* 13 */
    "chan receive",            /* 14 */
    "chan send",               /* 15 */
    "finalizer wait",          /* 16 */
    "force gc (idle)",         /* 17 */
    "semacquire",              /* 18 */
    "sleep",                   /* 19 */
    "sync.Cond.Wait",          /* 20 */
    "timer goroutine (idle)",  /* 21 */
    "trace reader (blocked)",  /* 22 */
    "wait for GC cycle",       /* 23 */
    "GC worker (idle)",        /* 24 */
    "preempted",               /* 25 */
    "debug call",              /* 26 */
};

static const char *const wait_123[] = {
    "",                        /* 0 */
    "GC assist marking",       /* 1 */
    "IO wait",                 /* 2 */
    "chan receive (nil chan)", /* 3 */
    "chan send (nil chan)",    /* 4 */
    "dumping heap",            /* 5 */
    "garbage collection",      /* 6 */
    "garbage collection scan", /* 7 */
    "panicwait",               /* 8 */
    "select",                  /* 9 */
    "select (no cases)",       /* 10 */
    "GC assist wait",          /* 11 */
    "GC sweep wait",           /* 12 */
    "GC scavenge wait",        /* 13 */
    "chan receive",            /* 14 */
    "chan send",               /* 15 */
    "finalizer wait",          /* 16 */
    "force gc (idle)",         /* 17 */
    "semacquire",              /* 18 */
    "sleep",                   /* 19 */
    "sync.Cond.Wait",          /* 20 */
    "sync.Mutex.Lock",         /* 21 */
    "sync.RWMutex.RLock",      /* 22 */
    "sync.RWMutex.Lock",       /* 23 */
    "trace reader (blocked)",  /* 24 */
    "wait for GC cycle",       /* 25 */
    "GC worker (idle)",        /* 26 */
    "GC worker (active)",      /* 27 */
    "preempted",               /* 28 */
    "debug call",              /* 29 */
    "GC mark termination",     /* 30 */
    "stopping the world",      /* 31 */
    "flushing proc caches",    /* 32 */
    "trace goroutine status",  /* 33 */
    "trace proc status",       /* 34 */
    "page trace flush",        /* 35 */
    "coroutine",               /* 36 */
    "GC weak to strong wait",  /* 37 */
};

/* 1.24 inserted sync.WaitGroup.Wait at 24 and appended the synctest reasons */
static const char *const wait_124[] = {
    "",                        /* 0 */
    "GC assist marking",       /* 1 */
    "IO wait",                 /* 2 */
    "chan receive (nil chan)", /* 3 */
    "chan send (nil chan)",    /* 4 */
    "dumping heap",            /* 5 */
    "garbage collection",      /* 6 */
    "garbage collection scan", /* 7 */
    "panicwait",               /* 8 */
    "select",                  /* 9 */
    "select (no cases)",       /* 10 */
    "GC assist wait",          /* 11 */
    "GC sweep wait",           /* 12 */
    "GC scavenge wait",        /* 13 */
    "chan receive",            /* 14 */
    "chan send",               /* 15 */
    "finalizer wait",          /* 16 */
    "force gc (idle)",         /* 17 */
    "semacquire",              /* 18 */
    "sleep",                   /* 19 */
    "sync.Cond.Wait",          /* 20 */
    "sync.Mutex.Lock",         /* 21 */
    "sync.RWMutex.RLock",      /* 22 */
    "sync.RWMutex.Lock",       /* 23 */
    "sync.WaitGroup.Wait",     /* 24 */
    "trace reader (blocked)",  /* 25 */
    "wait for GC cycle",       /* 26 */
    "GC worker (idle)",        /* 27 */
    "GC worker (active)",      /* 28 */
    "preempted",               /* 29 */
    "debug call",              /* 30 */
    "GC mark termination",     /* 31 */
    "stopping the world",      /* 32 */
    "flushing proc caches",    /* 33 */
    "trace goroutine status",  /* 34 */
    "trace proc status",       /* 35 */
    "page trace flush",        /* 36 */
    "coroutine",               /* 37 */
    "GC weak to strong wait",  /* 38 */
    "synctest.Run",            /* 39 */
    "synctest.Wait",           /* 40 */
    "chan receive (synctest)", /* 41 */
    "chan send (synctest)",    /* 42 */
    "select (synctest)",       /* 43 */
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *tt_go_wait_reason(int major, int minor, unsigned reason)
{
	const char *const *t = NULL;
	size_t n = 0;

	if (major != 1)
		return NULL;
	if (minor == 19) {
		t = wait_119;
		n = N(wait_119);
	} else if (minor == 23) {
		t = wait_123;
		n = N(wait_123);
	} else if (minor == 24) {
		t = wait_124;
		n = N(wait_124);
	}
	return t && reason < n ? t[reason] : NULL;
}

int tt_go_wait_reasons(int major, int minor)
{
	if (major != 1)
		return 0;
	if (minor == 19)
		return (int)N(wait_119);
	return minor == 23 ? (int)N(wait_123) : minor == 24 ? (int)N(wait_124) : 0;
}
