/* coldplug: loads the modules of every device present and of the devices that appear
 * while they load, several loads at once, each after its dependencies: udev's coldplug
 * without udev, for initramfs and rescue systems. Resolution is modprobe's (libmini). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h> /* abs */
#include <string.h>
#include <sys/utsname.h>

#include "../libmini/config.h"
#include "../libmini/kernel.h"
#include "../libmini/modfile.h"
#include "../libmini/modules.h"
#include "../libmini/sys.h"
#include "../libmini/uevent.h"
#include "../libmini/util.h"

static const char usage_text[] =
	"Usage: coldplug [-nqv] [-j N] [-t MS] [-C CONFIG] [-d ROOT] [-S VERSION] [DIR]\n" HELP(
		"Load the modules of the devices under DIR (/sys/devices) and of those that appear\n"
		"meanwhile, with modprobe's aliases, blacklist and options, N loads at once (default:\n"
		"one per CPU), until nothing loads and no device comes for MS ms (default 250).\n"
		"-n: show, load nothing; -v: show each load; -q: no summary.\n");

#define JOBS 2048
#define EDGES 16384
/* J_GONE: not loaded: refused, no device for it (init said ENODEV), or a dependency
 * is gone */
enum { J_WAIT = 1, J_RUN, J_DONE, J_GONE };

/* A module to load, and the jobs it must wait for (edges: its dependencies, which must
 * load, and its pre softdeps and the module whose post softdep it is, which need only
 * have been tried). */
struct job {
	struct mod *key; /* the module by name alone: one job per name */
	struct mod *m; /* as first resolved: its alias selects options */
	int pid;
	unsigned gen; /* the resolution that made it and has yet to give it edges */
	short state;
	short edges; /* first edge + 1; 0: none */
	unsigned short
		waiters; /* jobs that wait for it: the more, the sooner it starts */
};

static struct {
	struct moddb db;
	struct config cfg;
	struct strset seen;
	struct job jobs[JOBS]; /* in the order they were found */
	short slot[2 * JOBS]; /* hash of the keys: index + 1 */
	struct {
		short job, next; /* job: index + 1, negative for a softdep */
	} edge[EDGES];
	int nedges, njobs, running, max, dry, verbose;
	unsigned gen, loaded, failed, aliases, unmatched;
	char buf[8192];
} c;

static struct job *job_of(struct mod *m, int create)
{
	struct mod *k = moddb_get(&c.db, m->name, 0);
	/* NOLINTNEXTLINE(bugprone-implicit-widening-*): a constant */
	unsigned h = (unsigned long)k / 8 % (2 * JOBS);

	if (!k)
		return 0;
	for (; c.slot[h]; h = (h + 1) % (2 * JOBS))
		if (c.jobs[c.slot[h] - 1].key == k)
			return &c.jobs[c.slot[h] - 1];
	if (!create || c.njobs >= JOBS)
		return 0;
	c.jobs[c.njobs] = (struct job){k, m, 0, c.gen, J_WAIT, 0, 0};
	c.slot[h] = ++c.njobs;
	return &c.jobs[c.njobs - 1];
}

/* j waits for p: hard 1 for a dependency, -1 for a softdep. */
static void need(struct job *j, struct job *p, int hard)
{
	if (!p || p == j || c.nedges >= EDGES)
		return;
	c.edge[c.nedges].job = (p - c.jobs + 1) * hard;
	c.edge[c.nedges].next = j->edges;
	p->waiters++;
	j->edges = ++c.nedges;
}

/* A new modalias: what modprobe would load for it, as jobs with their edges. */
static int add_alias(void *ctx, const char *alias)
{
	static struct mod *found[64], *list[512], *deps[256], *pre[64], *post[64];
	int n, k, i, len, npre, npost;

	(void)ctx;
	if (strset_add(&c.seen, alias) <= 0)
		return 0;
	c.aliases++;
	n = moddb_lookup(&c.db, alias, found, 64);
	if (n <= 0)
		c.unmatched++;
	for (k = 0; k < n; k++) {
		/* kmod: a module found through an alias is not loaded when blacklisted */
		if (found[k]->flags & MOD_BUILTIN ||
		    config_blacklisted(&c.cfg, found[k]->name))
			continue;
		c.gen++;
		len = moddb_probe_list(&c.db, found[k], 0, list, 512);
		if (len < 0) {
			error("could not resolve the dependencies of ", found[k]->name,
			      ": ", errno_text(-len));
			c.failed++;
		}
		for (i = 0; i < len; i++) {
			struct job *j = job_of(list[i], 1);
			int d;

			if (!j || j->gen != c.gen)
				continue; /* known before: its edges are there */
			j->gen = 0;
			d = moddb_deps(&c.db, list[i], deps, 256);
			while (d-- > 0)
				need(j, job_of(deps[d], 0), 1);
			if (moddb_softdeps(&c.db, list[i], pre, &npre, post, &npost, 64))
				continue;
			while (npre-- > 0)
				need(j, job_of(pre[npre], 0), -1);
			while (npost-- > 0) {
				struct job *p = job_of(post[npost], 1);
				if (p && p->gen == c.gen)
					need(p, j, -1);
			}
		}
	}
	return 0;
}

/* In the child: loads m from path. Exit status 0: loaded, 1: refused, 2: was there,
 * 3: no device for it (a CPU feature module on another CPU: not a failure). */
static int load(struct mod *m, const char *path)
{
	static char opts[1 << 16];
	int fd, err, log = -1;

	config_options(&c.cfg, m->name, m->alias, opts, sizeof(opts));
	if (c.verbose)
		put(1, "insmod ", path, " ", opts, "\n");
	fd = modfile_open(path);
#ifdef CONFIG_FEATURE_KMSG
	log = kernel_log_open();
#endif
	err = fd < 0 ? fd : modfile_load(fd, opts, 0);
	if (!err || err == -EEXIST)
		return err ? 2 : 0;
	if (err == -ENODEV)
		return 3;
	error("could not insert '", m->name, "': ",
	      err == -ENOENT ? "Unknown symbol in module, or unknown parameter"
	      : err == -KERNEL_ENODECOMP ? kernel_load_error(-err)
					 : errno_text(-err));
#ifdef CONFIG_FEATURE_KMSG
	kernel_log_report(log, m->name);
#endif
	(void)log;
	return 1;
}

/* Whether everything j waits for has been tried. */
static int ready(struct job *j)
{
	int e;

	for (e = j->edges; e; e = c.edge[e - 1].next)
		if (c.jobs[abs(c.edge[e - 1].job) - 1].state < J_DONE)
			return 0;
	return 1;
}

/* Starts a ready j; returns 0 when no load can start now. */
static int start(struct job *j)
{
	static char path[4096];
	struct mod *m = j->m;
	long pid;
	int e, s;

	j->state = J_GONE;
	for (e = j->edges; e; e = c.edge[e - 1].next)
		if (c.edge[e - 1].job > 0 &&
		    c.jobs[c.edge[e - 1].job - 1].state == J_GONE)
			return 1; /* kmod too stops at a dependency that did not load */
	j->state = J_DONE;
	if (m->flags & MOD_BUILTIN || !moddb_path(&c.db, m, path, sizeof(path)) ||
	    (s = kernel_module_state(m->name)) == MODULE_LIVE || s == MODULE_BUILTIN)
		return 1;
	if (c.dry) {
		put(1, "insmod ", path, "\n");
		return 1;
	}
	if (c.running >= c.max) {
		j->state = J_WAIT;
		return 0;
	}
	pid = sys3(SYS_clone, 17 /* SIGCHLD */, 0, 0);
	if (!pid)
		sys_exit(load(m, path));
	if (pid < 0) {
		pid = load(m, path);
		c.loaded += !pid;
		c.failed += pid == 1;
		j->state = pid & 1 ? J_GONE : J_DONE;
		return 1;
	}
	j->pid = pid;
	j->state = J_RUN;
	c.running++;
	return 1;
}

static long now_ms(void)
{
	long ts[2];

	sys3(SYS_clock_gettime, 1 /* CLOCK_MONOTONIC */, (long)ts, 0);
	return ts[0] * 1000 + ts[1] / 1000000;
}

static void reap(void)
{
	long pid;
	int st, k;

	while ((pid = sys6(SYS_wait4, -1, (long)&st, 1 /* WNOHANG */, 0, 0, 0)) > 0)
		for (k = 0; k < c.njobs; k++)
			if (c.jobs[k].state == J_RUN && c.jobs[k].pid == pid) {
				c.running--;
				/* killed: refused as well */
				st = st & 0x7f ? 1 : st >> 8;
				c.loaded += !st;
				c.failed += st == 1;
				c.jobs[k].state = st & 1 ? J_GONE : J_DONE;
			}
}

/* A decimal number (libc's strtoul would bring 2 KiB of scanner). */
static int decimal(const char *s)
{
	int n = 0;

	while (*s >= '0' && *s <= '9')
		n = n * 10 + *s++ - '0';
	return n;
}

static int cpus(void)
{
	unsigned long mask[16] = {0};
	long n = sys3(SYS_sched_getaffinity, 0, sizeof(mask), (long)mask);
	int k, count = 0;

	for (k = 0; k < n / (long)sizeof(long); k++)
		for (; mask[k]; mask[k] &= mask[k] - 1)
			count++;
	return count ? count : 1;
}

int coldplug_main(int argc, char **argv)
{
	static char dir[4096];
	struct opts o = {
		argv, 1, "nqvj:t:C:d:S:Vh", OPT_LONGS("\0\0\0\0\0\0\0\0version\0help"),
		0,    0};
	const char *root = 0, *kver = 0, *sys = "/sys/devices", *a, *conf[2] = {0};
	struct pollfd fds[2] = {{-1, POLLIN, 0}, {-1, POLLIN, 0}};
	unsigned long sigchld = 1 << 16;
	long t0 = now_ms(), last, t;
	int ch, k, quiet = 250, moved, r, nl = -1, q = 0;
	struct utsname u;
	char num[24], ms[24];

	(void)argc;
	c.max = cpus();
	while ((ch = opt_next(&o))) {
		switch (ch) {
		case 'n':
			c.dry = 1;
			break;
		case 'q':
			q = 1;
			break;
		case 'v':
			c.verbose = 1;
			break;
		case 'j':
			c.max = decimal(o.arg);
			break;
		case 't':
			quiet = decimal(o.arg);
			break;
		case 'C':
			conf[0] = o.arg;
			break;
		case 'd':
			root = o.arg;
			break;
		case 'S':
			kver = o.arg;
			break;
		case 'V':
			return version();
		case 'h':
			return usage(usage_text, 0);
		default:
			return usage(usage_text, 1);
		}
	}
	if (argv[o.ind])
		sys = argv[o.ind];
	if (c.max < 1)
		c.max = 1;
	if (!kver) {
		sys3(SYS_uname, (long)&u, 0, 0);
		kver = u.release;
	}
	cat(dir, sizeof(dir), root ? root : "", "/lib/modules/", kver);
	if (config_load(&c.cfg, conf[0] ? conf : 0, dir) ||
	    moddb_open(&c.db, dir, &c.cfg)) {
		error("out of memory");
		return 1;
	}
	config_cmdline(&c.cfg, 0);
#ifdef CONFIG_FEATURE_MODPROBE_DEPMOD
	/* before any load: the depmod code's readers are children, and it waits for any */
	moddb_refresh(&c.db);
#endif
	/* listening before the walk: a device that appears meanwhile is seen either way */
	if (!c.dry) {
		nl = fds[0].fd = uevent_open();
		if (nl < 0)
			error("no uevents (", errno_text(-nl), "): one walk only");
		sys6(SYS_rt_sigprocmask, 0 /* SIG_BLOCK */, (long)&sigchld, 0, 8, 0, 0);
		fds[1].fd = sys6(SYS_signalfd4, -1, (long)&sigchld, 8,
				 O_NONBLOCK | O_CLOEXEC, 0, 0);
	}
	r = sysfs_modaliases(sys, add_alias, 0);
	if (r < 0) {
		error("could not read ", sys, ": ", errno_text(-r));
		return 1;
	}
	last = now_ms();
	for (;;) {
		/* the ready job most others wait for first: libraries and bus drivers
		 * early shorten the longest chain */
		do {
			struct job *best = 0;

			for (k = 0; k < c.njobs; k++)
				if (c.jobs[k].state == J_WAIT && ready(&c.jobs[k]) &&
				    (!best || c.jobs[k].waiters > best->waiters))
					best = &c.jobs[k];
			moved = best && start(best);
		} while (moved);
		t = now_ms();
		if (c.dry || (!c.running && t - last >= quiet))
			break;
		t = quiet - (t - last);
		if (sys6(SYS_ppoll, (long)fds, 2,
			 c.running ? 0 : (long)(long[]){t / 1000, t % 1000 * 1000000}, 0,
			 8, 0) <= 0)
			continue;
		if (fds[0].revents)
			while ((r = uevent_recv(nl, c.buf, sizeof(c.buf), &a))) {
				last = now_ms();
				if (r == -ENOBUFS) /* events were lost: look again */
					sysfs_modaliases(sys, add_alias, 0);
				else if (r < 0)
					break;
				else if (a)
					add_alias(0, a);
			}
		if (fds[1].revents) {
			while (sys_read(fds[1].fd, c.buf, sizeof(c.buf)) > 0)
				;
			reap();
			last = now_ms();
		}
	}
	if (!q) {
		char n[5][24];

		t = last - t0;
		cat(ms, sizeof(ms), utoa(num + sizeof(num), 1000 + t % 1000));
		ms[0] = '.';
		put(1, "coldplug: ", utoa(n[0] + 24, c.loaded), " loaded, ",
		    utoa(n[1] + 24, c.failed), " failed, ", utoa(n[2] + 24, c.aliases),
		    " device aliases (", utoa(n[3] + 24, c.unmatched),
		    " without a module), ", utoa(n[4] + 24, t / 1000), ms, " s\n");
	}
	return c.failed != 0;
}
