// SPDX-License-Identifier: GPL-2.0
/*
 * ttytop kernel side: time every write(2)-family call that lands on a tty and
 * split it into on-CPU, blocked and run-queue time. Tracepoints only: this
 * must run where kprobes are compiled out and fentry is refused.
 *
 * Cost model: sys_enter_* runs for every write on the machine, so its non-tty
 * path is a handful of direct (BTF) loads and one compare. sys_exit_* and the
 * scheduler hooks return after one inlined array load (the thread's in-flight
 * hint slot) unless that thread is in a tty write: no global counter, so no
 * cache line bounces between CPUs. Everything heavier happens only for tty
 * writes, and stacks only for slow ones.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "ttytop.h"
#include "core_fixes.bpf.h"
#include "maps.bpf.h"

#define TT_NSEC_PER_MSEC 1000000ull
#define TT_NSEC_PER_SEC 1000000000ull
#define TT_U32_MAX 0xffffffffu
/* writev: iovec lengths summed per write, a bound the verifier can unroll */
#define TT_IOV_SUMMED 16
/* termios c_oflag: output post-processing */
#define TT_OPOST 0x1
/* ERESTARTSYS is the kernel's own (include/linux/errno.h), not in the uapi */
#define TT_ERESTARTSYS 512

char LICENSE[] SEC("license") = "GPL";

/* Set by user space before load. */
const volatile __u32 self_tgid = 0;
const volatile __u32 filter_tgid = 0;
const volatile bool filter_comm_on = false;
const volatile char filter_comm[TT_COMM_LEN] = {};
const volatile bool filter_tty_on = false;
const volatile char filter_tty[TT_TTY_NAME_LEN] = {}; /* kernel name, "pts3" */
const volatile __s32 filter_class = -1;
const volatile bool capture_stacks = true;
const volatile __u32 ratelimit_per_cpu = 2000; /* events/s/CPU when threshold is 0 */
const volatile __u32 late_pct = TT_LATE_PCT_DEFAULT; /* --late */
/*
 * From /proc/kallsyms, which user space reads beside the load (tens of ms of
 * start-up) and writes here after it, before any program is attached: so not
 * .rodata, which is frozen at load. tty_write's address (and /dev/console's
 * redirected_tty_write) names a tty's file; irq_ranges is kernel text a waker
 * runs on top of when an interrupt woke the writer: interrupt and softirq
 * entry text, threaded handlers (irq_thread), softirq threads and the softirq
 * body (see src/probe_ksyms.c).
 */
__u64 tty_write_addr = 0;
__u64 redirected_tty_write_addr = 0;
__u64 irq_ranges[TT_IRQ_RANGES][2] = {};
__u32 nr_irq_ranges = 0;

/* Changed at run time by user space (the dashboard's `t`). */
__u64 threshold_ns = 10 * TT_NSEC_PER_MSEC;

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

struct ratelimit {
	__u64 window_ns;
	__u64 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TT_MAX_INFLIGHT);
	__type(key, __u32);
	__type(value, struct tt_inflight);
} inflight SEC(".maps");

/* in-flight count per tid slot: a cheap inlined array load before the hash lookup */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TT_HINT_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} hint SEC(".maps");

/*
 * Terminal statistics live in a preallocated array: taking a slot cannot fail
 * to allocate, and user space reads the slots in use through mmap without a
 * system call per terminal. free_slots holds the numbers of the free slots
 * (filled by user space, which also returns the slots of terminals that went
 * quiet); tty_slot maps a terminal to its slot. free_slots is a stack, so
 * that a slot given back is the next one taken: the slots in use stay the
 * lowest, and user space maps only the part of the array they occupy
 * (slot_used says which; the whole array is 7 MiB of resident memory).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TT_TTY_SLOTS);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct tt_tty_slot);
} slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TT_TTY_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} tty_slot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, TT_TTY_SLOTS);
	__type(value, __u32);
} free_slots SEC(".maps");

/* set when a slot is taken, cleared by user space when it gives it back */
__u8 slot_used[TT_TTY_SLOTS];

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TT_MAX_WRITERS);
	__type(key, struct tt_writer_key);
	__type(value, struct tt_writer_val);
} writers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TT_DROP_NR);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ratelimit);
} rl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TT_MAX_SLEEP_STACKS);
	__type(key, __u32);
	__type(value, struct tt_sleep_stack);
} sleep_stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TT_MAX_SLEEP_STACKS);
	__type(key, __u32);
	__type(value, struct tt_sleep_ustack);
} sleep_ustacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tt_sleep_stack);
} zero_stack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tt_sleep_ustack);
} zero_ustack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tt_sleep_stack);
} scratch_stack SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TT_MAX_GO_PROCS);
	__type(key, __u32);
	__type(value, struct tt_go_proc);
} go_procs SEC(".maps");

/*
 * Processes user space has read (maps, Go layout), set by it: until then a
 * slow write carries what a later attribution needs (struct tt_early).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TT_MAX_PROCS);
	__type(key, __u32);
	__type(value, __u8);
} read_procs SEC(".maps");

/* Per process that writes to a terminal: run-queue and stop-the-world sums. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TT_MAX_PROCS);
	__type(key, __u32);
	__type(value, struct tt_proc_state);
} procs SEC(".maps");

/* Per (terminal, process, goroutine): intervals between writes, period, jitter. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TT_MAX_TICKERS);
	__type(key, struct tt_ticker_key);
	__type(value, struct tt_ticker);
} tickers SEC(".maps");

/* Other ttytop instances (and this one): their output is never timed. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TT_MAX_PEERS);
	__type(key, __u32);
	__type(value, struct tt_peer);
} ttytop_peers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, TT_RINGBUF_BYTES);
} events SEC(".maps");

static __always_inline void count_drop(__u32 why)
{
	__u64 *v = bpf_map_lookup_elem(&drops, &why);

	if (v)
		*v += 1;
}

static __always_inline __u32 hint_slot(__u32 tid)
{
	return tid & (TT_HINT_SLOTS - 1);
}

/*
 * Each hint slot counts the tty writes in flight whose tid falls on it. Only a
 * non-zero count costs a hash lookup; two writers sharing a slot (tids 65536
 * apart) merely both take the hash path, and plain atomic adds work on every
 * kernel ttytop supports.
 */
static __always_inline struct tt_inflight *lookup_inflight(__u32 tid)
{
	__u32 slot = hint_slot(tid);
	__u32 *n = bpf_map_lookup_elem(&hint, &slot);

	struct tt_inflight *s;

	if (!n || !*n)
		return NULL;
	s = bpf_map_lookup_elem(&inflight, &tid);
	return s && s->active ? s : NULL;
}

static __always_inline void hint_add(__u32 tid, int delta)
{
	__u32 slot = hint_slot(tid);
	__u32 *n = bpf_map_lookup_elem(&hint, &slot);

	if (n)
		__sync_fetch_and_add(n, delta);
}

/* fd -> struct file *, the fast way: BTF loads through bpf_rdonly_cast. */
static __always_inline struct file *fd_file_fast(struct task_struct *t, __u64 fd)
{
	struct fdtable *fdt = t->files->fdt;
	struct kiocb *slot;

	if (fd >= fdt->max_fds)
		return NULL;
	/*
	 * fdt->fd is a `struct file **`, which the verifier only sees as a
	 * scalar. Any struct whose first member is a `struct file *` lets us
	 * load the slot as a BTF pointer; kiocb.ki_filp is one (fd_file checks
	 * its offset through CO-RE).
	 */
	slot = bpf_rdonly_cast((void *)((unsigned long)fdt->fd + fd * sizeof(void *)),
	                       bpf_core_type_id_kernel(struct kiocb));
	return slot->ki_filp;
}

/* fd -> struct file *, for kernels without bpf_rdonly_cast. */
static __always_inline struct file *fd_file_compat(struct task_struct *t, __u64 fd)
{
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **arr;
	struct file *f = NULL;

	if (fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	arr = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &arr[fd]);
	return f;
}

static __always_inline bool comm_matches(const char *comm)
{
#pragma unroll
	for (int i = 0; i < TT_COMM_LEN; i++) {
		if (comm[i] != filter_comm[i])
			return false;
		if (!comm[i])
			return true;
	}
	return true;
}

static __always_inline bool name_matches(const char *name)
{
#pragma unroll
	for (int i = 0; i < TT_TTY_NAME_LEN; i++) {
		if (name[i] != filter_tty[i])
			return false;
		if (!name[i])
			return true;
	}
	return true;
}

/*
 * Reads on the tty path come in the entry programs' two flavours: direct BTF
 * loads where bpf_rdonly_cast exists (a load each), bpf_probe_read elsewhere
 * (a helper call each); RD() in core_fixes.bpf.h. `fast` is a constant in
 * every caller, so the compiler keeps one branch and the verifier never sees
 * the other.
 */
static __always_inline void *cast(void *p, __u32 btf_id, bool fast)
{
	return fast ? bpf_rdonly_cast(p, btf_id) : p;
}

/* Driver type and subtype, whatever their width and numbering on this kernel. */
static __always_inline __u8 tty_class(struct tty_driver *drv, bool fast)
{
	int type, subtype;

	tty_driver_type(drv, fast, &type, &subtype);
	switch (type) {
	case TT_DRV_TYPE_CONSOLE:
		return TT_CLASS_CONSOLE;
	case TT_DRV_TYPE_SERIAL:
		return TT_CLASS_SERIAL;
	case TT_DRV_TYPE_PTY:
		return subtype == TT_PTY_TYPE_MASTER ? TT_CLASS_PTY_MASTER : TT_CLASS_PTY;
	default:
		return TT_CLASS_OTHER;
	}
}

static __always_inline void read_backlog(struct tty_struct *tty, __u8 class, struct tt_backlog *b,
                                         bool fast)
{
	bool tco = false;

	b->stopped = tty_output_stopped(tty, fast, &tco);
	b->tco_stopped = tco;
	b->hw_stopped = RD(fast, tty, hw_stopped);
	b->opost = RD(fast, tty, termios.c_oflag) & TT_OPOST;

	if (class == TT_CLASS_PTY || class == TT_CLASS_PTY_MASTER) {
		struct tty_struct *peer = RD(fast, tty, link);
		struct tty_ldisc_ops *ops;
		struct tty_ldisc *ldisc;
		struct tty_port *port;
		struct n_tty_data *ld;

		if (!peer)
			return;
		port = RD(fast, peer, port);
		if (port) {
			b->buf_used = RD(fast, port, buf.mem_used.counter);
			b->buf_limit = RD(fast, port, buf.mem_limit);
		}
		/* the peer's unread input only means something under N_TTY */
		ldisc = RD(fast, peer, ldisc);
		ops = ldisc ? RD(fast, ldisc, ops) : NULL;
		if (ops && RD(fast, ops, num) == 0) {
			ld = cast(RD(fast, peer, disc_data),
			          bpf_core_type_id_kernel(struct n_tty_data), fast);
			if (ld)
				b->reader_unread =
				    RD(fast, ld, read_head) - RD(fast, ld, read_tail);
		}
	} else if (class == TT_CLASS_SERIAL) {
		serial_backlog(tty, fast, &b->buf_used, &b->buf_limit);
	}
}

/* The exec program's record under construction: too big for the BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tt_exe_info);
} exe_scratch SEC(".maps");

/* Executables by tgid, learned at exec (sched_process_exec): see struct tt_exe_info. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TT_MAX_EXES);
	__type(key, __u32);
	__type(value, struct tt_exe_info);
} exes SEC(".maps");

/*
 * The executable's path, leaf first, up to the root of the process's mount
 * namespace (crossing mounts): user space opens it when the process is gone.
 * A loop the verifier walks step by step: only in the exec program, which
 * is verified once, never in the write programs.
 */
#define TT_EXE_MOUNTS 4 /* mount points crossed on the way up; more: too deep */

static __always_inline void exe_path(struct tt_exe_info *x, struct file *exe)
{
	struct dentry *d = BPF_CORE_READ(exe, f_path.dentry);
	struct vfsmount *vm = BPF_CORE_READ(exe, f_path.mnt);
	struct mount *mnt = (void *)vm - bpf_core_field_offset(struct mount, mnt);
	__u32 n = TT_EXE_PARTS + 1; /* too deep, unless the walk reaches the root */

	__u32 parts = 0, crossed = 0;

	/*
	 * Bounded by its two counters, not by a step count: the verifier walks
	 * it once per (components, mount points) pair, not once per (step,
	 * components) pair, which took 39 ms of start-up with room for 8 mount
	 * points. (The condition is the loop's: 5.10's and 6.1's loop check
	 * refuses the fall-through latch clang makes of an endless loop.)
	 */
	while (parts <= TT_EXE_PARTS && crossed <= TT_EXE_MOUNTS) {
		struct dentry *up;

		if (d == BPF_CORE_READ(vm, mnt_root)) {
			struct mount *parent = BPF_CORE_READ(mnt, mnt_parent);

			if (parent == mnt) {
				n = parts;
				break;
			}
			d = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = parent;
			vm = (void *)parent + bpf_core_field_offset(struct mount, mnt);
			crossed++;
			continue;
		}
		up = BPF_CORE_READ(d, d_parent);
		if (!up || up == d) {
			n = parts;
			break;
		}
		if (parts >= TT_EXE_PARTS)
			break;
		bpf_probe_read_kernel_str(x->parts[parts], TT_EXE_PART_LEN,
		                          BPF_CORE_READ(d, d_name.name));
		parts++;
		d = up;
	}
	x->nparts = n;
}

/* The current process's executable file and text start: a few loads, no path. */
static __always_inline struct file *exe_identity(struct tt_exe_info *x)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	struct file *exe = BPF_CORE_READ(mm, exe_file);

	x->dev = 0;
	x->nparts = 0;
	x->start_code = BPF_CORE_READ(mm, start_code);
	x->mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	if (!exe)
		return NULL;
	x->ino = BPF_CORE_READ(exe, f_inode, i_ino);
	x->size = BPF_CORE_READ(exe, f_inode, i_size);
	x->dev = BPF_CORE_READ(exe, f_inode, i_sb, s_dev);
	return exe;
}

/*
 * Every exec on the machine (filtered like the writers where a filter is
 * set): a program that writes and exits within a millisecond is gone before
 * user space can ask /proc which file it ran.
 */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct tt_exe_info *x;
	__u32 zero = 0;
	struct file *exe;

	if (tgid == self_tgid || (filter_tgid && tgid != filter_tgid))
		return 0;
	if (filter_comm_on) {
		char comm[TT_COMM_LEN];

		bpf_get_current_comm(comm, sizeof(comm));
		if (!comm_matches(comm))
			return 0;
	}
	x = bpf_map_lookup_elem(&exe_scratch, &zero);
	if (!x)
		return 0;
	exe = exe_identity(x);
	if (!exe)
		return 0;
	exe_path(x, exe);
	bpf_map_update_elem(&exes, &tgid, x, BPF_ANY);
	return 0;
}

static __always_inline void emit_new_proc(__u32 tgid)
{
	struct tt_new_proc *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	struct tt_exe_info *x;

	if (!r) {
		count_drop(TT_DROP_RINGBUF_FULL);
		return;
	}
	r->hdr.kind = TT_REC_NEW_PROC;
	r->hdr.size = sizeof(*r);
	r->tgid = tgid;
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	x = bpf_map_lookup_elem(&exes, &tgid);
	/* the exec seen is this image's only while the file still is the one mapped */
	if (!exe_identity(&r->exe) || !x || x->ino != r->exe.ino || x->dev != r->exe.dev ||
	    bpf_probe_read_kernel(r->exe.parts, sizeof(r->exe.parts), x->parts))
		r->exe.nparts = 0;
	else
		r->exe.nparts = x->nparts;
	bpf_ringbuf_submit(r, 0);
}

/*
 * First write of a process to a terminal: create the per-writer entry and
 * tell user space while the writer is alive, so it can read its maps and Go
 * runtime layout. Rare by nature.
 */
static __always_inline void first_write(struct tt_writer_key *wk)
{
	struct tt_writer_val nv = {};

	bpf_get_current_comm(nv.comm, sizeof(nv.comm));
	if (bpf_map_update_elem(&writers, wk, &nv, BPF_NOEXIST) == -E2BIG)
		count_drop(TT_DROP_WRITERS_FULL);
	emit_new_proc(wk->tgid);
}

/*
 * The terminal's slot, taken on its first counted write (and again after
 * user space returned it). The identity is written after the mapping wins:
 * a writer on another CPU that lost the race gives its slot back. With no
 * slot free the write is counted in slot 0, the others row.
 */
static __always_inline struct tt_tty_slot *take_slot(struct tt_inflight *s)
{
	struct tty_struct *tty = (struct tty_struct *)s->tty;
	struct tt_tty_slot *sl;
	__u32 idx, *cur;

	if (bpf_map_pop_elem(&free_slots, &idx))
		goto others;
	if (bpf_map_update_elem(&tty_slot, &s->dev, &idx, BPF_NOEXIST)) {
		bpf_map_push_elem(&free_slots, &idx, 0);
		cur = bpf_map_lookup_elem(&tty_slot, &s->dev);
		if (!cur)
			goto others;
		return bpf_map_lookup_elem(&slots, cur);
	}
	sl = bpf_map_lookup_elem(&slots, &idx);
	if (!sl)
		return NULL;
	sl->info.dev = s->dev;
	sl->info.class = s->class;
	bpf_probe_read_kernel_str(sl->info.name, sizeof(sl->info.name), &tty->name);
	bpf_probe_read_kernel_str(sl->info.driver, sizeof(sl->info.driver),
	                          BPF_CORE_READ(tty, driver, name));
	asm volatile("" ::: "memory"); /* identity before the flags user space checks */
	sl->info.in_use = 1;
	if (idx < TT_TTY_SLOTS)
		slot_used[idx] = 1;
	return sl;
others:
	count_drop(TT_DROP_TTY_TABLE_FULL);
	idx = TT_SLOT_OTHERS;
	return bpf_map_lookup_elem(&slots, &idx);
}

static __always_inline struct tt_tty_slot *tty_slot_of(struct tt_inflight *s)
{
	__u32 *idx = bpf_map_lookup_elem(&tty_slot, &s->dev);

	if (!idx)
		return take_slot(s);
	return bpf_map_lookup_elem(&slots, idx);
}

static __always_inline __u32 clamp_u32(__u64 v)
{
	return v > TT_U32_MAX ? TT_U32_MAX : (__u32)v;
}

/*
 * Bytes requested by a writev: sum of the first TT_IOV_SUMMED iovec lengths.
 * A global function, verified once by itself: inlined, each of its exits
 * was a state the verifier walked the rest of the entry program with.
 */
__noinline __u32 iov_bytes(__u64 iov_user, __u64 cnt) /* global: no pointer args */
{
	const struct iovec *iov = (const struct iovec *)iov_user;
	__u64 total = 0;

#pragma unroll
	for (int i = 0; i < TT_IOV_SUMMED; i++) {
		struct iovec v;

		if (i >= cnt)
			break;
		if (bpf_probe_read_user(&v, sizeof(v), &iov[i]))
			break;
		total += v.iov_len;
	}
	return clamp_u32(total);
}

/* The terminal a write goes to, or NULL when f is not a tty. */
static __always_inline struct tty_struct *tty_of_file(struct file *f, bool fast)
{
	const struct file_operations *fops;
	struct tty_file_private *priv;
	__u64 wi;

	if (!f)
		return NULL;
	fops = RD(fast, f, f_op);
	if (!fops)
		return NULL;
	wi = (__u64)RD(fast, fops, write_iter);
	if (wi != tty_write_addr && (!redirected_tty_write_addr || wi != redirected_tty_write_addr))
		return NULL;
	priv =
	    cast(RD(fast, f, private_data), bpf_core_type_id_kernel(struct tty_file_private), fast);
	if (!priv)
		return NULL;
	return RD(fast, priv, tty);
}

/* --pid and --comm; ttytop's own output, and other instances', is never timed. */
static __always_inline bool writer_wanted(__u32 tgid)
{
	if (tgid == self_tgid || bpf_map_lookup_elem(&ttytop_peers, &tgid))
		return false;
	if (filter_tgid && tgid != filter_tgid)
		return false;
	if (filter_comm_on) {
		char comm[TT_COMM_LEN];

		bpf_get_current_comm(comm, sizeof(comm));
		if (!comm_matches(comm))
			return false;
	}
	return true;
}

/* --tty as a class or as one terminal's name. */
static __always_inline bool terminal_wanted(struct tty_struct *tty, __u8 class)
{
	if (filter_class >= 0 && class != filter_class)
		return false;
	if (filter_tty_on) {
		char name[TT_TTY_NAME_LEN] = {};

		bpf_probe_read_kernel_str(name, sizeof(name), &tty->name);
		if (!name_matches(name))
			return false;
	}
	return true;
}

/* The terminal's device number, in the kernel's MKDEV encoding. */
static __always_inline __u32 tty_dev(struct tty_struct *tty, struct tty_driver *drv, bool fast)
{
	return (RD(fast, drv, major) << TT_DEV_MINOR_BITS) |
	       ((RD(fast, drv, minor_start) + RD(fast, tty, index)) & TT_DEV_MINOR_MASK);
}

/*
 * Whether this (terminal, process) has its writer entry is known without a
 * lookup while a thread keeps writing to the same terminal.
 */
static __always_inline void note_writer(struct tt_inflight *s, struct tt_writer_key *wk)
{
	if (s->last_dev == wk->dev && s->last_tgid == wk->tgid)
		return;
	if (!bpf_map_lookup_elem(&writers, wk))
		first_write(wk);
	s->last_dev = wk->dev;
	s->last_tgid = wk->tgid;
}

/* A new write on the thread's reused entry: everything of the last one cleared. */
static __always_inline void start_write(struct tt_inflight *s, struct tty_struct *tty, __u32 dev,
                                        __u8 class, bool fast)
{
	s->start_ns = bpf_ktime_get_ns();
	s->last_ns = s->start_ns;
	s->oncpu_ns = 0;
	s->blocked_ns = 0;
	s->runq_ns = 0;
	s->longest_sleep_ns = 0;
	s->goid = -1;
	s->goid_flags = 0;
	s->tty = (__u64)tty;
	s->dev = dev;
	s->waker_pid = 0;
	s->nr_sleeps = 0;
	s->flags = 0;
	s->state = TT_W_RUNNING;
	s->reason = TT_REASON_NONE;
	s->class = class;
	__builtin_memset(s->waker_comm, 0, sizeof(s->waker_comm));
	__builtin_memset(&s->backlog, 0, sizeof(s->backlog));
	read_backlog(tty, class, &s->backlog, fast);
}

/* The thread's entry, reused from write to write, created on its first. */
static __always_inline struct tt_inflight *inflight_entry(__u32 tid)
{
	struct tt_inflight init = {};

	return map_lookup_or_try_init(&inflight, &tid, &init);
}

#define ADD(p, v) __sync_fetch_and_add(p, v)

/*
 * tt_hist_bucket with a bound the verifier can see: in 64 bits and pinned to
 * one register around the clamp. Otherwise clang compares a truncated copy and
 * indexes with another, and verifiers before ~6.2 (5.10, 6.1) lose the bound
 * between them.
 */
static __always_inline __u32 bucket(__u64 v)
{
	__u64 b = tt_hist_bucket(v); /* 64-bit: no truncated copy to compare */

	barrier_var(b);
	if (b >= TT_HIST_BUCKETS)
		b = TT_HIST_BUCKETS - 1;
	barrier_var(b);
	return b;
}

/*
 * Goroutine of the current thread: g from TLS, confirmed by the g register,
 * or from the register alone where the runtime keeps it nowhere else (arm64
 * without cgo); then m.curg when g is the thread's g0 or gsignal.
 */
static __always_inline __s64 current_goid(struct task_struct *task, struct pt_regs *regs,
                                          struct tt_go_proc *gp, __u32 *flags)
{
	__u64 g = 0, m = 0, g0 = 0, gsig = 0, curg = 0, greg = regs ? g_register(regs) : 0;
	__s64 goid = -1;

	if (gp->g_in_reg) {
		g = greg;
		if (!g)
			return -1;
	} else {
		__u64 tp = thread_pointer(task);

		if (bpf_probe_read_user(&g, sizeof(g), (void *)(tp + (__s64)gp->tls_g_off)) || !g)
			return -1;
	}
	if (!bpf_probe_read_user(&m, sizeof(m), (void *)(g + gp->g_m_off)) && m) {
		bpf_probe_read_user(&g0, sizeof(g0), (void *)(m + gp->m_g0_off));
		bpf_probe_read_user(&gsig, sizeof(gsig), (void *)(m + gp->m_gsignal_off));
		bpf_probe_read_user(&curg, sizeof(curg), (void *)(m + gp->m_curg_off));
	} else if (gp->g_in_reg) {
		return -1;
	}
	/*
	 * A register is believed alone only when its m agrees that g runs
	 * there: a stray value cannot pass for a goroutine.
	 */
	if (gp->g_in_reg) {
		if (g != g0 && g != gsig && g != curg)
			return -1;
		*flags |= TT_EV_GOID_REG | TT_EV_GOID_GREG;
	} else if (greg == g) {
		*flags |= TT_EV_GOID_GREG;
	}
	if (m && (g == g0 || g == gsig)) {
		g = curg;
		if (!g)
			return -1;
	}
	if (bpf_probe_read_user(&goid, sizeof(goid), (void *)(g + gp->goid_off)))
		return -1;
	*flags |= TT_EV_GOID;
	return goid;
}

#include "ticks.bpf.h"

/*
 * Vectored writes pass iov/iovcnt: their byte count is summed from user memory
 * only once the fd is known to be a tty, so other writev callers never pay.
 */
static __always_inline int on_enter(struct file *f, __s32 fd, __u64 count, const struct iovec *iov,
                                    __u8 sys, bool fast)
{
	struct tty_struct *tty = tty_of_file(f, fast);
	struct tt_inflight *s;
	struct tt_writer_key wk;
	struct tty_driver *drv;
	__u64 pid_tgid;
	__u32 tid;
	__u8 class;

	if (!tty)
		return 0;
	/* A tty write. From here on the cost is paid only by terminal output. */
	pid_tgid = bpf_get_current_pid_tgid();
	tid = (__u32)pid_tgid;
	wk.tgid = pid_tgid >> 32;
	if (!writer_wanted(wk.tgid))
		return 0;
	drv = RD(fast, tty, driver);
	if (!drv)
		return 0;
	class = tty_class(drv, fast);
	if (!terminal_wanted(tty, class))
		return 0;
	wk.dev = tty_dev(tty, drv, fast);

	s = inflight_entry(tid);
	if (!s) {
		count_drop(TT_DROP_INFLIGHT_FULL);
		return 0;
	}
	note_writer(s, &wk);
	s->count = iov ? iov_bytes((__u64)iov, count) : clamp_u32(count);
	s->fd = fd;
	s->syscall = sys;
	start_write(s, tty, wk.dev, class, fast);
	tick_enter(s, wk.tgid, sys);
	s->active = 1;
	hint_add(tid, 1);
	return 0;
}

static __always_inline struct file *fd_file(__u64 fd, bool fast)
{
	/* the kiocb trick needs ki_filp first; a CO-RE constant, so free at run time */
	if (fast && bpf_core_field_offset(struct kiocb, ki_filp) == 0)
		return fd_file_fast(bpf_get_current_task_btf(), fd);
	/* plain bpf_get_current_task: the compat flavour must load on 5.8 */
	return fd_file_compat((struct task_struct *)bpf_get_current_task(), fd);
}

/* syscall_nr() and native_syscall() come from arch.bpf.h (through core_fixes.bpf.h). */

/* The write syscall a system call number is, or -1: syscall_nr() is per architecture. */
static __always_inline int write_sys(long id)
{
	if (id == syscall_nr(TT_SYS_WRITE))
		return TT_SYS_WRITE;
	if (id == syscall_nr(TT_SYS_PWRITE64))
		return TT_SYS_PWRITE64;
	if (id == syscall_nr(TT_SYS_WRITEV))
		return TT_SYS_WRITEV;
	if (id == syscall_nr(TT_SYS_PWRITEV))
		return TT_SYS_PWRITEV;
	if (id == syscall_nr(TT_SYS_PWRITEV2))
		return TT_SYS_PWRITEV2;
	return -1;
}

static __always_inline bool vectored(int sys)
{
	return sys == TT_SYS_WRITEV || sys == TT_SYS_PWRITEV || sys == TT_SYS_PWRITEV2;
}

/*
 * Entry programs come in two flavours with the same logic; user space keeps
 * one loaded (bpf_program__set_autoload) after probing for bpf_rdonly_cast,
 * and attaches it to all five sys_enter_* tracepoints (attach_syscalls in
 * collector.c): the record layout is the same and the call is in it, so one
 * program is verified instead of five, start-up's largest cost under emulation.
 */
static __always_inline int enter(struct syscall_trace_enter *ctx, bool fast)
{
	int sys = write_sys(ctx->nr);

	if (sys < 0)
		return 0;
	return on_enter(fd_file(ctx->args[0], fast), ctx->args[0], ctx->args[2],
	                vectored(sys) ? (const struct iovec *)ctx->args[1] : NULL, sys, fast);
}

SEC("tp/syscalls/sys_enter_write")
int enter_write_fast(struct syscall_trace_enter *ctx)
{
	return enter(ctx, true);
}

SEC("tp/syscalls/sys_enter_write")
int enter_write_compat(struct syscall_trace_enter *ctx)
{
	return enter(ctx, false);
}

/*
 * The same programs on the raw sys_enter/sys_exit tracepoints, taken on
 * PREEMPT_RT. There the per-syscall tracepoints run their programs only
 * while the CPU's bpf_prog_active is free, and every BPF map system call
 * (of any process) holds it preemptibly: a writer that runs while such a
 * caller is preempted on its CPU has its programs skipped, uncounted before
 * 6.8. Raw tracepoints guard each program by itself. The price: every system
 * call, not just the writes, runs the entry and exit programs.
 */
static __always_inline int enter_raw(struct pt_regs *regs, long id, bool fast)
{
	int sys = write_sys(id);
	__u64 fd, arg1, count;

	if (sys < 0 || !native_syscall(regs))
		return 0;
	fd = PT_REGS_PARM1_CORE_SYSCALL(regs);
	arg1 = PT_REGS_PARM2_CORE_SYSCALL(regs);
	count = PT_REGS_PARM3_CORE_SYSCALL(regs);
	return on_enter(fd_file(fd, fast), fd, count,
	                vectored(sys) ? (const struct iovec *)arg1 : NULL, sys, fast);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(enter_raw_fast, struct pt_regs *regs, long id)
{
	return enter_raw(regs, id, true);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(enter_raw_compat, struct pt_regs *regs, long id)
{
	return enter_raw(regs, id, false);
}

static __always_inline __u32 errslot(__s64 ret)
{
	switch (-ret) {
	case EAGAIN:
		return TT_ERR_EAGAIN;
	case EIO:
		return TT_ERR_EIO;
	case EINTR:
		return TT_ERR_EINTR;
	case TT_ERESTARTSYS:
		return TT_ERR_ERESTARTSYS;
	case ENOSPC:
		return TT_ERR_ENOSPC;
	case EPIPE:
		return TT_ERR_EPIPE;
	default:
		return TT_ERR_OTHER;
	}
}


static __always_inline bool ratelimited(__u64 now)
{
	struct ratelimit *r = map_first(&rl);

	if (!r)
		return false;
	if (now - r->window_ns >= TT_NSEC_PER_SEC) {
		r->window_ns = now;
		r->count = 0;
	}
	return ++r->count > ratelimit_per_cpu;
}


/* The write's figures as the thread's entry holds them at its exit. */
static __always_inline void fill_event(struct tt_event *e, struct tt_inflight *s, __u32 tid,
                                       __u32 tgid, __u64 lat, __s64 ret)
{
	e->hdr.kind = TT_REC_WRITE;
	e->hdr.size = sizeof(*e);
	e->start_ns = s->start_ns;
	e->latency_ns = lat;
	e->oncpu_ns = s->oncpu_ns;
	e->blocked_ns = s->blocked_ns;
	e->runq_ns = s->runq_ns;
	e->ret = ret;
	e->goid = -1;
	e->user_ret = 0;
	e->pid = tgid;
	e->tid = tid;
	e->dev = s->dev;
	e->count = s->count;
	e->waker_pid = s->waker_pid;
	e->flags = s->flags;
	e->nr_sleeps = s->nr_sleeps;
	e->fd = s->fd;
	e->syscall = s->syscall;
	e->reason = s->reason;
	e->class = s->class;
	e->kind = s->kind;
	e->cause = s->cause;
	e->interval_ns = s->interval_ns;
	e->period_ns = s->period_ns;
	e->cause_ns = s->cause_ns;
	e->gc_overlap_ns = s->gc_overlap_ns;
	e->ustack_len = 0;
	e->kstack_len = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	__builtin_memcpy(e->waker_comm, s->waker_comm, sizeof(e->waker_comm));
	e->backlog = s->backlog;
}

static __always_inline void event_ustack(void *ctx, struct tt_event *e, struct pt_regs *regs)
{
	long n = bpf_get_stack(ctx, e->ustack, sizeof(e->ustack), BPF_F_USER_STACK);

	if (n <= 0) {
		e->flags |= TT_EV_NO_USTACK;
		return;
	}
	e->ustack_len = n / sizeof(__u64);
	/* the frameless syscall wrapper hides its caller from the FP walk */
	if (regs && !frame1_ret(regs, &e->user_ret))
		e->flags |= TT_EV_USER_RET;
}

/* A write that slept is shown where it first slept, not where it returns. */
static __always_inline void event_kstack(void *ctx, struct tt_event *e, struct tt_inflight *s,
                                         __u32 tid)
{
	struct tt_sleep_stack *ss = s->nr_sleeps ? bpf_map_lookup_elem(&sleep_stacks, &tid) : NULL;
	long n;

	if (ss) {
		__u32 kn = ss->n;

		if (kn > TT_KSTACK_MAX)
			kn = TT_KSTACK_MAX;
		bpf_probe_read_kernel(e->kstack, sizeof(e->kstack), ss->ip);
		e->kstack_len = kn;
		e->flags |= TT_EV_KSTACK_AT_SLEEP;
	} else if (!(s->flags & TT_EV_NO_KSTACK)) {
		n = bpf_get_stack(ctx, e->kstack, sizeof(e->kstack), 0);
		if (n > 0)
			e->kstack_len = n / sizeof(__u64);
		else
			e->flags |= TT_EV_NO_KSTACK;
	}
}

/*
 * What user space needs to attribute a write of a process it has not read:
 * the process may be gone by then, its memory and maps with it.
 */
static __always_inline void early_capture(void *ctx, struct tt_early *x, struct task_struct *task,
                                          struct pt_regs *regs)
{
	__u64 ret = 0;
	long n;

	x->flags = 0;
	x->nbuild = 0;
	x->greg = regs ? g_register(regs) : 0;
	x->sp = regs ? PT_REGS_SP_CORE(regs) : 0;
	if (!bpf_probe_read_user(x->tlswin, sizeof(x->tlswin),
	                         (void *)(thread_pointer(task) + TT_TLS_WIN_BASE)))
		x->flags |= TT_EARLY_TLS;
	if (x->greg && !bpf_probe_read_user(x->gwin, sizeof(x->gwin), (void *)x->greg)) {
		x->flags |= TT_EARLY_GWIN;
		/* g.m is at 48 in every Go since 1.4; user space checks the layout */
		if (x->gwin[6] &&
		    !bpf_probe_read_user(x->mwin, sizeof(x->mwin), (void *)x->gwin[6]))
			x->flags |= TT_EARLY_MWIN;
	}
	/* the code before frame 1: user space cannot read it from a process that is gone */
	if (regs && !frame1_ret(regs, &ret) && ret > sizeof(x->ret_code) &&
	    !bpf_probe_read_user(x->ret_code, sizeof(x->ret_code),
	                         (void *)(ret - sizeof(x->ret_code))))
		x->flags |= TT_EARLY_RETCODE;
	if (!capture_stacks)
		return;
	n = bpf_get_stack(ctx, x->build, sizeof(x->build), BPF_F_USER_STACK | BPF_F_USER_BUILD_ID);
	if (n > 0)
		x->nbuild = n / sizeof(x->build[0]);
}

/* A record of its own, ahead of the event: the event's layout and verification stay as they are. */
static __always_inline void emit_early(void *ctx, struct tt_inflight *s, __u32 tid,
                                       struct task_struct *task, struct pt_regs *regs)
{
	struct tt_early_rec *r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);

	if (!r)
		return; /* not a drop: the event itself may still fit, attributed less */
	r->hdr.kind = TT_REC_EARLY;
	r->hdr.size = sizeof(*r);
	r->tid = tid;
	r->start_ns = s->start_ns;
	early_capture(ctx, &r->x, task, regs);
	bpf_ringbuf_submit(r, 0);
}

static __always_inline void emit_event(void *ctx, struct tt_inflight *s, __u32 tid, __u32 tgid,
                                       __u64 lat, __s64 ret)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	/* the user registers saved at syscall entry, read once for g and frame 1 */
	struct pt_regs *regs = user_regs(task, syscall_nr(s->syscall));
	struct tt_go_proc *gp = bpf_map_lookup_elem(&go_procs, &tgid);
	struct tt_event *e;

	/* a process not read yet: its first writes, or all of one that exits at once */
	if (!gp && !bpf_map_lookup_elem(&read_procs, &tgid))
		emit_early(ctx, s, tid, task, regs);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count_drop(TT_DROP_RINGBUF_FULL);
		return;
	}
	fill_event(e, s, tid, tgid, lat, ret);
	if (gp) {
		e->flags |= TT_EV_GO;
		e->goid = current_goid(task, regs, gp, &e->flags);
	}
	if (capture_stacks) {
		event_ustack(ctx, e, regs);
		event_kstack(ctx, e, s, tid);
	} else {
		e->flags |= TT_EV_NO_KSTACK | TT_EV_NO_USTACK;
	}
	bpf_ringbuf_submit(e, 0);
}


/* Atomic adds: the slot is shared by every CPU that writes to the terminal. */
static __always_inline void add_stats(struct tt_tty_stats *st, struct tt_inflight *s, __u64 lat,
                                      __s64 ret)
{
	ADD(&st->writes, 1);
	if (ret > 0)
		ADD(&st->bytes, ret);
	if (ret < 0) {
		__u32 e = errslot(ret);

		ADD(&st->errors, 1);
		if (e < TT_ERR_NR)
			ADD(&st->errs[e], 1);
	} else if ((__u64)ret < s->count) {
		ADD(&st->short_writes, 1);
	}
	ADD(&st->oncpu_ns, s->oncpu_ns);
	if (s->blocked_ns)
		ADD(&st->blocked_ns, s->blocked_ns);
	if (s->runq_ns)
		ADD(&st->runq_ns, s->runq_ns);
	if (lat > st->max_ns)
		st->max_ns = lat;
	/* writes that never slept are the rest: user space derives them */
	if (s->reason != TT_REASON_NONE && s->reason < TT_REASON_NR)
		ADD(&st->reasons[s->reason], 1);
	ADD(&st->hist_lat[bucket(lat)], 1);
	if (s->blocked_ns)
		ADD(&st->hist_blocked[bucket(s->blocked_ns)], 1);
	if (s->runq_ns)
		ADD(&st->hist_runq[bucket(s->runq_ns)], 1);
	if (lat >= threshold_ns)
		ADD(&st->slow, 1);
}

/* The (terminal, process) entry was created at entry; its threads may race here. */
static __always_inline void count_writer(struct tt_inflight *s, __u32 tgid, __s64 ret)
{
	struct tt_writer_key wk = {.dev = s->dev, .tgid = tgid};
	struct tt_writer_val *wv = bpf_map_lookup_elem(&writers, &wk);

	if (!wv)
		return;
	ADD(&wv->writes, 1);
	if (ret > 0)
		ADD(&wv->bytes, ret);
}

static __always_inline int on_exit(void *ctx, __s64 ret)
{
	struct tt_tty_slot *sl;
	struct tt_inflight *s;
	__u64 pid_tgid, now, lat;
	__u32 tid, tgid;

	pid_tgid = bpf_get_current_pid_tgid();
	tid = (__u32)pid_tgid;
	s = lookup_inflight(tid);
	if (!s)
		return 0;
	tgid = pid_tgid >> 32;

	now = bpf_ktime_get_ns();
	lat = now - s->start_ns;
	s->oncpu_ns += now - s->last_ns;

	sl = tty_slot_of(s);
	if (sl)
		add_stats(&sl->st, s, lat, ret);
	else
		count_drop(TT_DROP_TTY_TABLE_FULL);

	count_writer(s, tgid, ret);
	tick_exit(s, tgid);

	/* a late tick is reported however fast its write was; late ticks are rate limited always */
	if (lat >= threshold_ns || s->kind == TT_KIND_LATE_TICK) {
		if ((threshold_ns == 0 || s->kind == TT_KIND_LATE_TICK) && ratelimited(now))
			count_drop(TT_DROP_RATELIMIT);
		else
			emit_event(ctx, s, tid, tgid, lat, ret);
	}

	if (s->nr_sleeps) {
		bpf_map_delete_elem(&sleep_stacks, &tid);
		bpf_map_delete_elem(&sleep_ustacks, &tid);
	}
	s->active = 0;
	s->prev_end_ns = now;
	hint_add(tid, -1);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(exit_raw, struct pt_regs *regs, long ret)
{
	return on_exit(ctx, ret);
}

/* on all five sys_exit_* tracepoints (attach_syscalls in collector.c) */
SEC("tp/syscalls/sys_exit_write")
int exit_write(struct syscall_trace_exit *ctx)
{
	return on_exit(ctx, ctx->ret);
}

/*
 * The tty-layer path, chosen by collector.c where the kernel lets fentry and
 * fexit attach (not on this project's own machine: lockdown refuses them) and
 * offers bpf_task_pt_regs (5.15): the programs run inside tty_write alone, so
 * a write to anything but a terminal runs none of ttytop's code. What the
 * syscall tracepoints handed over is read from the registers the syscall
 * saved: which write call it is, and its fd. Writes that come from no write
 * syscall (io_uring, splice, the kernel) are skipped, as the syscall path
 * never sees them. redirected_tty_write (/dev/console) calls tty_write unless
 * a TIOCCONS redirection is set, whose writes go straight to the target in
 * 6.1+ and are not seen here (attach.lost "console-redirect"); hooking both
 * would need telling a nested call from a stale one. The probe_read flavour
 * throughout: 6.1 has fentry but no bpf_rdonly_cast.
 */
SEC("fentry/tty_write")
int BPF_PROG(enter_tty_write, struct kiocb *iocb, struct iov_iter *from)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	int sys = write_sys(regs_syscall_nr(regs));

	if (sys < 0 || !native_syscall(regs))
		return 0;
	return on_enter(BPF_CORE_READ(iocb, ki_filp), (__s32)PT_REGS_PARM1_CORE_SYSCALL(regs),
	                BPF_CORE_READ(from, count), NULL, sys, false);
}

SEC("fexit/tty_write")
int BPF_PROG(exit_tty_write, struct kiocb *iocb, struct iov_iter *from, long ret)
{
	return on_exit(ctx, ret);
}

/* TASK_INTERRUPTIBLE, alone: not a killable, idle or RT-lock wait */
#define TT_TASK_STATE_MASK 0x3
#define TT_TASK_INTERRUPTIBLE 0x1
/* include/linux/tty.h: n_tty_write is woken below this much pending output */
#define TT_WAKEUP_CHARS 256
/*
 * Room in a pty peer's flip buffer under which a writer counts as out of it:
 * about one buffer chunk (TTY_BUFFER_PAGE, 1792 bytes with 4 KiB pages), the
 * most pty_write asks for at once.
 */
#define TT_PTY_ROOM_LOW 2048

/* Why did the writer go to sleep? Judged from the tty's state at that moment. */
static __always_inline __u8 sleep_reason(struct tt_inflight *s, struct task_struct *prev,
                                         __u64 prev_state)
{
	struct tty_struct *tty = (void *)s->tty;
	__u64 owner = mutex_owner(&tty->atomic_write_lock);
	/*
	 * Past the write lock (another owner, checked first), the only
	 * interruptible wait of a tty write is n_tty_write's for room (the other
	 * locks it takes sleep uninterruptibly, an RT spinlock in
	 * TASK_RTLOCK_WAIT), and it is woken, so does not sleep, once room is
	 * back; but between finding no room and the switch the reader side can
	 * take some (a pty's flush work, a UART), so the fill alone misjudges.
	 */
	bool waits_for_room = (prev_state & TT_TASK_STATE_MASK) == TT_TASK_INTERRUPTIBLE;
	bool tco = false;

	if (owner && owner != (__u64)prev)
		return TT_REASON_WRITE_LOCK;
	if (tty_output_stopped(tty, false, &tco) || tco || BPF_CORE_READ(tty, hw_stopped))
		return TT_REASON_FLOW_STOPPED;
	if (s->class == TT_CLASS_PTY || s->class == TT_CLASS_PTY_MASTER) {
		struct tty_struct *peer = BPF_CORE_READ(tty, link);
		__s32 used, limit;

		if (!peer)
			return TT_REASON_OTHER;
		used = BPF_CORE_READ(peer, port, buf.mem_used.counter);
		limit = BPF_CORE_READ(peer, port, buf.mem_limit);
		/* n_tty_write sleeps when the peer's flip buffer has no room */
		return limit - used < TT_PTY_ROOM_LOW || waits_for_room ? TT_REASON_BUFFER_FULL
		                                                        : TT_REASON_OTHER;
	}
	if (s->class == TT_CLASS_SERIAL) {
		struct tt_backlog b = {};

		read_backlog(tty, s->class, &b, false);
		/*
		 * n_tty_write sleeps when the transmit buffer has no room, but by
		 * the switch the UART may have moved its own FIFO's worth (16 bytes
		 * on a 16550, up to 256 on others) out of it: nearly full is full.
		 */
		if (b.buf_limit && b.buf_limit - b.buf_used < b.buf_limit / 8)
			return TT_REASON_BUFFER_FULL;
		/*
		 * A serial writer is woken below WAKEUP_CHARS; until then the line can
		 * drain far more than a FIFO: 1837 of 4096 bytes left at the switch
		 * in a 5.10 guest whose two vCPUs share one host thread.
		 */
		return waits_for_room && b.buf_used >= TT_WAKEUP_CHARS ? TT_REASON_BUFFER_FULL
		                                                       : TT_REASON_OTHER;
	}
	return TT_REASON_OTHER;
}

static __always_inline void capture_sleep_stack(void *ctx, struct tt_inflight *s, __u32 tid)
{
	struct tt_sleep_stack *ss = map_first(&zero_stack);
	long n;

	if (!ss)
		return;
	ss = map_reset_elem(&sleep_stacks, &tid, ss);
	if (!ss) {
		s->flags |= TT_EV_NO_KSTACK;
		count_drop(TT_DROP_KSTACK_FULL);
		return;
	}
	n = bpf_get_stack(ctx, ss->ip, sizeof(ss->ip), 0);
	ss->n = n > 0 ? n / sizeof(__u64) : 0;
}

/*
 * What a write stuck in the kernel is shown with while it lasts: the user
 * stack and the goroutine cannot change during the system call, and user
 * space cannot read them from another thread, so take them as it first
 * sleeps (the writer is still current here).
 */
static __always_inline void capture_sleep_user(void *ctx, struct tt_inflight *s,
                                               struct task_struct *prev)
{
	struct pt_regs *regs = user_regs(prev, syscall_nr(s->syscall));
	__u32 tid = prev->pid, tgid = s->last_tgid;
	struct tt_sleep_ustack *us;
	struct tt_go_proc *gp;
	long n;

	s->goid_flags = 0;
	gp = bpf_map_lookup_elem(&go_procs, &tgid);
	if (gp)
		s->goid = current_goid(prev, regs, gp, &s->goid_flags);
	if (!capture_stacks)
		return;
	us = map_first(&zero_ustack);
	if (us)
		us = map_reset_elem(&sleep_ustacks, &tid, us);
	if (!us)
		return;
	n = bpf_get_stack(ctx, us->ip, sizeof(us->ip), BPF_F_USER_STACK);
	us->n = n > 0 ? n / sizeof(__u64) : 0;
	if (regs && !frame1_ret(regs, &us->user_ret))
		us->flags |= TT_EV_USER_RET;
}

/*
 * A write that sleeps more than once is reported by its longest sleep: the
 * first can be a moment's wait while the line still drains (a serial writer
 * that filled the transmit buffer before the far end's buffer was full), the
 * second the 300 ms of a stalled reader. True when this sleep is the longest.
 */
static __always_inline bool end_sleep(struct tt_inflight *s, __u64 now)
{
	__u64 d = now - s->last_ns;

	s->blocked_ns += d;
	if (d < s->longest_sleep_ns)
		return false;
	s->longest_sleep_ns = d;
	s->reason = s->sleep_reason;
	return true;
}

static __always_inline void on_switch(void *ctx, bool preempt, struct task_struct *prev,
                                      struct task_struct *next, __u64 prev_state)
{
	struct tt_inflight *ps, *ns;
	__u64 now;

	runq_switch(preempt, prev, next, prev_state);
	ps = lookup_inflight(prev->pid);
	ns = lookup_inflight(next->pid);
	if (!ps && !ns)
		return;
	now = bpf_ktime_get_ns();
	if (ps) {
		ps->oncpu_ns += now - ps->last_ns;
		ps->last_ns = now;
		/* a preempted task stays runnable whatever prev_state says */
		if (!preempt && prev_state) {
			ps->state = TT_W_BLOCKED;
			ps->sleep_reason = sleep_reason(ps, prev, prev_state);
			if (!ps->nr_sleeps++) {
				ps->reason = ps->sleep_reason;
				if (capture_stacks)
					capture_sleep_stack(ctx, ps, prev->pid);
				capture_sleep_user(ctx, ps, prev);
			}
		} else {
			ps->state = TT_W_RUNNABLE;
		}
	}
	if (ns) {
		if (ns->state == TT_W_RUNNABLE)
			ns->runq_ns += now - ns->last_ns;
		else if (ns->state == TT_W_BLOCKED) /* the wake-up was not seen */
			end_sleep(ns, now);
		ns->state = TT_W_RUNNING;
		ns->last_ns = now;
	}
}

/*
 * preempt_count would say this directly, but reading a per-CPU variable needs
 * kallsyms entries that locked-down kernels do not have. The waker's kernel
 * stack does the job: under an interrupt it passes through the entry text,
 * and a threaded handler or softirq thread (all of them under PREEMPT_RT)
 * runs inside one of the functions user space put in irq_ranges. Runs only
 * when a blocked tty writer is woken.
 */
/*
 * Global, verified once by itself: the ranges are set after the load
 * (.bss), so inlined, the verifier walked every (frame, range) pair of
 * in_interrupt with both outcomes (17 ms of load; 3 ms while they were
 * .rodata constants). Alone it verifies in under 1 ms.
 */
__noinline __u32 in_irq_text(__u64 ip)
{
	for (int r = 0; r < TT_IRQ_RANGES; r++) {
		if (r >= nr_irq_ranges)
			break;
		if (ip >= irq_ranges[r][0] && ip < irq_ranges[r][1])
			return 1;
	}
	return 0;
}

static __always_inline bool in_interrupt(void *ctx)
{
	struct tt_sleep_stack *ss = map_first(&scratch_stack);
	long n;

	if (!ss || !nr_irq_ranges)
		return false;
	n = bpf_get_stack(ctx, ss->ip, sizeof(ss->ip), 0);
	if (n <= 0)
		return false;
	n /= sizeof(__u64);
	for (int i = 0; i < TT_KSTACK_MAX; i++) {
		__u64 ip;

		if (i >= n)
			break;
		ip = ss->ip[i];
		if (in_irq_text(ip))
			return true;
	}
	return false;
}

static __always_inline void on_waking(void *ctx, struct task_struct *p)
{
	struct tt_inflight *s;
	__u64 now;

	runq_waking(p);
	s = lookup_inflight(p->pid);
	if (!s || s->state != TT_W_BLOCKED)
		return;
	now = bpf_ktime_get_ns();
	s->state = TT_W_RUNNABLE;
	if (!end_sleep(s, now)) {
		s->last_ns = now;
		return;
	}
	s->last_ns = now;
	if (in_interrupt(ctx)) {
		/* whoever runs under an interrupt did not wake us: do not blame it */
		s->flags |= TT_EV_WAKER_IRQ;
		s->waker_pid = 0;
		__builtin_memset(s->waker_comm, 0, sizeof(s->waker_comm));
	} else {
		s->flags &= ~TT_EV_WAKER_IRQ;
		s->waker_pid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(s->waker_comm, sizeof(s->waker_comm));
	}
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next,
             unsigned int prev_state)
{
	on_switch(ctx, preempt, prev, next, prev_state);
	return 0;
}

/*
 * Before 5.18 ("sched/tracing: Append prev_state to tp args instead") the
 * tracepoint had no prev_state: read it from the task, as the tracepoint did.
 * User space loads this one when the BTF prototype has three arguments.
 */
SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch_btf_pre518, bool preempt, struct task_struct *prev,
             struct task_struct *next)
{
	on_switch(ctx, preempt, prev, next, task_state(prev));
	return 0;
}

SEC("tp_btf/sched_waking")
int BPF_PROG(sched_waking_btf, struct task_struct *p)
{
	on_waking(ctx, p);
	return 0;
}

/*
 * The terminal's state now, for the in-flight write of one thread (the
 * struct's tid): run by user space through BPF_PROG_TEST_RUN each refresh,
 * for the few writes that have been in flight longer than the threshold.
 * Never attached; costs the writers nothing.
 */
struct tt_inflight_now inflight_now = {};

SEC("raw_tp")
int inflight_now_read(void *ctx)
{
	__u32 tid = inflight_now.tid;
	struct tt_inflight *s = bpf_map_lookup_elem(&inflight, &tid);
	struct tty_struct *tty;
	struct task_struct *owner;

	inflight_now.found = 0;
	if (!s || !s->active)
		return 0;
	tty = (void *)s->tty;
	inflight_now.start_ns = s->start_ns;
	read_backlog(tty, s->class, &inflight_now.backlog, false);
	owner = (void *)mutex_owner(&tty->atomic_write_lock);
	inflight_now.lock_pid = owner ? BPF_CORE_READ(owner, tgid) : 0;
	inflight_now.lock_tid = owner ? BPF_CORE_READ(owner, pid) : 0;
	inflight_now.c_iflag = BPF_CORE_READ(tty, termios.c_iflag);
	inflight_now.c_cflag = BPF_CORE_READ(tty, termios.c_cflag);
	inflight_now.c_ospeed = BPF_CORE_READ(tty, termios.c_ospeed);
	BPF_CORE_READ_STR_INTO(&inflight_now.name, tty, name);
	inflight_now.found = 1;
	return 0;
}

/* Go stop-the-world uprobes, attached per process by src/gostw.c */
#include "gostw.bpf.h"
