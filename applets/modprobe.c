/* modprobe: load (or remove) modules by name, alias or symbol, with their dependencies,
 * softdeps, options and install commands, as kmod's modprobe does. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "../libmini/config.h"
#include "../libmini/elf.h"
#include "../libmini/kernel.h"
#include "../libmini/modfile.h"
#include "../libmini/modules.h"
#include "../libmini/params.h"
#include "../libmini/sys.h"
#include "../libmini/util.h"

static const char usage_text[] =
	"Usage: modprobe [-abDfinqRrsv] [-C CONFIG] [-d ROOT] [-S VERSION] MODULE [PARAM...]\n"
	"       modprobe -c | --show-modversions FILE\n" HELP(
		"Load modules by name, alias or symbol:, their dependencies first (-r: remove, and\n"
		"the dependencies left unused; -a: every argument a module). -D: show, load nothing;\n"
		"-R: the names an alias stands for; -c: the configuration; -n: dry run; -i: no\n"
		"install/remove commands; -b: blacklist names too; -f: force; -q, -v, -s: quiet,\n"
		"verbose, syslog; --first-time, --remove-holders as kmod's.\n");

enum {
	O_ALL = 1,
	O_REMOVE = 2,
	O_SHOW = 4,
	O_RESOLVE = 8,
	O_CONFIG = 16,
	O_DRY = 32,
	O_IGNORE_CMD = 64,
	O_BLACKLIST = 128,
	O_QUIET = 256,
	O_VERBOSE = 512,
	O_FIRST = 1024,
	O_HOLDERS = 2048,
	O_IGNORE_LOADED = 4096,
	O_MODVERSIONS = 8192,
};

/* The options that only set a flag, and the flags they set. */
static const char flag_opts[] = "arRi\6bDc\5nqv\1\2\7\10";
static const unsigned short flag_bits[] = {
	O_ALL,
	O_REMOVE,
	O_RESOLVE,
	O_IGNORE_CMD,
	O_IGNORE_CMD,
	O_BLACKLIST,
	O_SHOW | O_DRY | O_IGNORE_LOADED,
	O_CONFIG,
	O_CONFIG,
	O_DRY,
	O_QUIET,
	O_VERBOSE,
	O_FIRST,
	O_HOLDERS,
	O_MODVERSIONS,
	O_MODVERSIONS,
};

#ifdef CONFIG_FEATURE_MODPROBE_ENV
/* MODPROBE_OPTIONS, as the install and remove commands' modprobe calls should see it:
 * the caller's, with our -C, -q, -v and -s added, as kmod passes them on. */
static char env_opts[4096]; /* "MODPROBE_OPTIONS=..." */
extern char **environ;

static void env_add(const char *opt, const char *arg)
{
	size_t n = strlen(env_opts);

	cat(env_opts + n, sizeof(env_opts) - n, n > 17 ? " " : "", opt, arg ? " " : "",
	    arg ? arg : "");
}

/* argv with the words of $MODPROBE_OPTIONS first, as kmod reads them: split at spaces,
 * quotes ("..." or '...') group words and are dropped. */
static char **env_argv(char **argv)
{
	static char words[4096], *nargv[1024];
	char *w = words, q = 0, **v = environ;
	const char *e;
	int n = 1, inword = 0;

	/* getenv, without libc's for one call: env_opts is "MODPROBE_OPTIONS=" */
	while (*v && strncmp(*v, env_opts, 17))
		v++;
	if (!*v || !(*v)[17])
		return argv;
	cat(env_opts, sizeof(env_opts), *v);
	e = *v + 17;
	nargv[0] = argv[0];
	for (; *e && w < words + sizeof(words) - 2 && n < 1000; e++) {
		if (!q && *e == ' ') {
			if (inword)
				*w++ = 0, n++, inword = 0;
			continue;
		}
		if (!inword)
			nargv[n] = w, inword = 1;
		if (q ? *e == q : (*e == '"' || *e == '\'')) {
			q = q ? 0 : *e;
			continue;
		}
		*w++ = *e;
	}
	if (inword)
		*w++ = 0, n++;
	for (argv++; *argv && n < 1023; argv++)
		nargv[n++] = *argv;
	nargv[n] = 0;
	return nargv;
}

#endif

struct run {
	struct moddb db;
	struct config cfg;
	unsigned opt;
	int insflags;
	const char *dir;
	struct outbuf out;
};

/* kmod's LOG(): FATAL, or WARNING with -a; -q silences it (NULL). */
static const char *fatal_level;
#define fatal(r, ...) report(fatal_level, __VA_ARGS__)

static int in_kernel(struct mod *m)
{
	int s = m->flags & MOD_BUILTIN ? MODULE_BUILTIN : kernel_module_state(m->name);

	return s == MODULE_LIVE || s == MODULE_BUILTIN;
}

#ifdef CONFIG_FEATURE_MODPROBE_COMMANDS
/* Runs an install or remove command through /bin/sh, $CMDLINE_OPTS replaced. */
static int run_command(struct run *r, struct mod *m, const char *type, const char *cmd,
		       const char *opts)
{
	static char line[1 << 16];
	size_t n = 0, olen = strlen(opts);
	const char *p;
	long pid, status = 0;

	for (p = cmd; *p && n + olen + 1 < sizeof(line);)
		if (!strncmp(p, "$CMDLINE_OPTS", 13)) {
			memcpy(line + n, opts, olen);
			n += olen;
			p += 13;
		} else {
			line[n++] = *p++;
		}
	line[n] = 0;
	if (*type == 'r' && r->opt & (O_SHOW | O_VERBOSE)) {
		out_cat(&r->out, type, " ", line, "\n");
		out_flush(&r->out);
	}
	if (r->opt & O_DRY)
		return 0;
	pid = sys3(SYS_clone, 17 /* SIGCHLD */, 0, 0);
	if (pid == 0) {
		char env[300];
		const char *argv[] = {"/bin/sh", "-c", line, 0};
		char **e, *envp[256];
		int k = 0;

		cat(env, sizeof(env), "MODPROBE_MODULE=", m->name);
		envp[k++] = env;
		if (env_opts[17])
			envp[k++] = env_opts;
		for (e = environ; *e && k < 255; e++)
			if (strncmp(*e, "MODPROBE_MODULE=", 16) &&
			    (!env_opts[17] || strncmp(*e, env_opts, 17)))
				envp[k++] = *e;
		envp[k] = 0;
		sys3(SYS_execve, (long)argv[0], (long)argv, (long)envp);
		sys_exit(127);
	}
	if (pid < 0 || sys6(SYS_wait4, pid, (long)&status, 0, 0, 0, 0) < 0 ||
	    (status & 0x7f) || (status >> 8 & 0xff)) {
		error("Error running ", type, " command for ", m->name);
		return -1;
	}
	return 0;
}

#endif

/* An option whose code this build left out. */
static __attribute__((unused)) int not_built(const char *opt, const char *sym)
{
	error(opt, ": not in this build (CONFIG_FEATURE_MODPROBE_", sym, ")");
	return 1;
}

static int insert_one(struct run *r, struct mod *m, const char *opts)
{
	char path[4096];
	int fd, err, log = -1;

	if (!moddb_path(&r->db, m, path, sizeof(path)))
		return -ENOENT;
	fd = modfile_open(path);
	if (fd < 0)
		return fd;
#ifdef CONFIG_FEATURE_KMSG
	log = kernel_log_open();
#endif
	err = modfile_load(fd, opts, r->insflags);
	sys_close(fd);
	if (err && err != -EEXIST) {
		const char *why = err == -ENOENT ? "Unknown symbol in module, or unknown "
						   "parameter (see dmesg)"
				  : -err >= KERNEL_ENODECOMP ? kernel_load_error(-err)
							     : errno_text(-err);
		error("could not insert '", m->name, "': ", why);
#ifdef CONFIG_FEATURE_KMSG
		kernel_log_report(log, m->name);
		log = -1;
#endif
	}
	if (log >= 0)
		sys_close(log);
	return err;
}

/* kmod_module_probe_insert_module: m with everything it needs, in order. */
static int probe(struct run *r, struct mod *m, const char *extra)
{
	static char opts[1 << 16];
	struct mod *list[512];
	int n, k, err = 0, show_ = r->opt & (O_SHOW | O_VERBOSE);

	if (!(r->opt & O_IGNORE_LOADED) && in_kernel(m)) {
		if (!(r->opt & O_FIRST))
			return 0;
		error("could not insert '", m->name, "': Module already in kernel");
		return -EEXIST;
	}
	if ((m->alias || (r->opt & O_BLACKLIST)) && config_blacklisted(&r->cfg, m->name))
		return 0;
	n = moddb_probe_list(&r->db, m, r->opt & O_IGNORE_CMD, list, 512);
	if (n < 0) {
		if (n == -ELOOP && r->db.cycle && !strcmp(r->db.cycle, m->name))
			error("dependency cycle: ", m->name,
			      " needs itself (see modules.dep)");
		else if (n == -ELOOP && r->db.cycle)
			error("dependency cycle: ", m->name, " needs ", r->db.cycle,
			      ", which needs ", m->name, " (see modules.dep)");
		else
			error("could not resolve the dependencies of ", m->name, ": ",
			      n == -ELOOP ? "softdeps nested too deep" : errno_text(-n));
		return n;
	}
	for (k = 0; k < n; k++) {
		struct mod *d = list[k];
#ifdef CONFIG_FEATURE_MODPROBE_COMMANDS
		const char *cmd = r->opt & O_IGNORE_CMD
					  ? 0
					  : moddb_command(&r->db, d, CONFIG_INSTALL);
#else
		const char *cmd = 0; /* install commands are not in this build */
#endif
		char path[4096];
		size_t len;

		if (!(r->opt & O_IGNORE_LOADED) && in_kernel(d)) {
			err = -EEXIST;
			goto next;
		}
		/* kmod: the config's options, a space, then the command line's */
		opts[0] = 0;
		config_options(&r->cfg, d->name, d->alias, opts, sizeof(opts));
		len = strlen(opts);
		if (d == m && extra) {
			if (len + strlen(extra) + 2 > sizeof(opts)) {
				error("parameters too long");
				return -E2BIG;
			}
			if (len)
				opts[len++] = ' ';
			strcpy(opts + len, extra);
		} else if (len) {
			strcpy(opts + len, " ");
		}
		if (cmd && !(d->flags & MOD_IGNORECMD)) {
			if (show_) {
				out_cat(&r->out, "install ", cmd, " ", opts, "\n");
				out_flush(&r->out);
			}
#ifdef CONFIG_FEATURE_MODPROBE_COMMANDS
			err = run_command(r, d, "install", cmd, opts);
#endif
			goto next;
		}
		if (show_) {
			if (moddb_path(&r->db, d, path, sizeof(path)))
				out_cat(&r->out, "insmod ", path, " ", opts, "\n");
			else if (d->flags & MOD_BUILTIN ||
				 kernel_module_state(d->name) == MODULE_BUILTIN)
				out_cat(&r->out, "builtin ", d->name, "\n");
			out_flush(&r->out);
		}
		if (!(r->opt & O_DRY))
			err = insert_one(r, d, opts);
	next:
		if (err == -EEXIST && d == m && (r->opt & O_FIRST)) {
			error("could not insert '", m->name,
			      "': Module already in kernel");
			break;
		}
		if (err == -EEXIST || !(d->flags & MOD_REQUIRED))
			err = 0;
		else if (err < 0)
			break;
	}
	return err;
}

#ifdef CONFIG_FEATURE_MODPROBE_REMOVE
static int remove_one(struct run *r, struct mod *m)
{
	int err;

	if (r->opt & (O_SHOW | O_VERBOSE)) {
		out_cat(&r->out, "rmmod ", m->name, "\n");
		out_flush(&r->out);
	}
	if (r->opt & O_DRY)
		return 0;
	err = kernel_delete_module(m->name, O_NONBLOCK | (r->insflags ? O_TRUNC : 0));
	if (err == -ENOENT && !(r->opt & O_FIRST))
		err = 0;
	if (err)
		error("could not remove '", m->name, "': ", errno_text(-err));
	return err;
}

static int remove_module(struct run *r, struct mod *m, int quiet_builtin);

/* --remove-holders: the modules holding m go first. */
static int remove_holders(struct run *r, struct mod *m)
{
	struct proc_module pm;
	char *map, *p, holders[4096], *h, *t;
	size_t len;
	int err = 0;

	if (kernel_modules_map(&map, &len))
		return 0;
	for (p = map; (p = kernel_modules_next(p, map + len, &pm));)
		if (!strcmp(pm.name, m->name)) {
			kernel_module_holders(&pm, ' ', holders, sizeof(holders));
			for (h = holders; *h && !err; h = t) {
				struct mod *hm;

				t = strchr(h, ' ');
				if (t)
					*t++ = 0;
				else
					t = h + strlen(h);
				hm = moddb_get(&r->db, h, 0);
				if (hm)
					err = remove_module(r, hm, 1);
			}
			break;
		}
	unmap(map, len);
	return err;
}

/* kmod's rmmod_do_module: post softdeps, holders (--remove-holders), the module, the
 * dependencies nothing uses any more, pre softdeps. */
static int remove_module(struct run *r, struct mod *m, int quiet_builtin)
{
	struct mod *deps[256], *pre[32], *post[32];
	const char *cmd = 0;
	int n, k, err, state, npre = 0, npost = 0;

	if (!(r->opt & O_IGNORE_CMD)) {
		moddb_softdeps(&r->db, m, pre, &npre, post, &npost, 32);
		cmd = moddb_command(&r->db, m, CONFIG_REMOVE);
	}
	if (!cmd) {
		state = kernel_module_state(m->name);
		if (state == MODULE_ABSENT) {
			if (!(r->opt & O_FIRST))
				return 0;
			fatal(r, "Module ", m->name, " is not in kernel.");
			return -ENOENT;
		}
		if (state == MODULE_BUILTIN) {
			if (quiet_builtin)
				return 0;
			fatal(r, "Module ", m->name, " is builtin.");
			return -ENOENT;
		}
	}
	for (k = npost - 1; k >= 0; k--)
		remove_module(r, post[k], 1);
	if (r->opt & O_HOLDERS && (err = remove_holders(r, m)))
		return err;
	if (!cmd) {
		if (kernel_module_refcnt(m->name) > 0) {
			fatal(r, "Module ", m->name, " is in use.");
			return -EBUSY;
		}
		err = remove_one(r, m);
	} else {
		err = run_command(r, m, "remove", cmd, "");
	}
	if (err)
		return err;
	/* dependencies that nothing uses any more, the modules.dep line's order: each
	 * before what it needs */
	n = cmd ? 0 : moddb_deps(&r->db, m, deps, 256);
	for (k = n - 1; k >= 0; k--)
		if (kernel_module_state(deps[k]->name) == MODULE_LIVE &&
		    kernel_module_refcnt(deps[k]->name) == 0)
			remove_one(r, deps[k]);
	for (k = npre - 1; k >= 0; k--)
		remove_module(r, pre[k], 1);
	return 0;
}

#endif

static int do_one(struct run *r, const char *name, const char *extra)
{
	struct mod *found[64];
	int n, k, err = 0;

	if (!(r->opt & O_REMOVE) && (name[0] == '/' || !strncmp(name, "./", 2))) {
		char mname[256];
		struct mod *m;

		if (sys_access(name)) {
			fatal(r, "Module ", name, " not found.");
			return -ENOENT;
		}
		m = moddb_get(&r->db, modname_normalize(mname, name), 0);
		if (!m)
			return -ENOMEM;
		m->path = name;
		m->flags |= MOD_DEP;
		return probe(r, m, extra);
	}
	n = moddb_lookup(&r->db, name, found, 64);
#ifdef CONFIG_FEATURE_MODPROBE_DEPMOD
	if (n <= 0 && moddb_refresh(&r->db) > 0) /* not found: perhaps depmod never ran */
		n = moddb_lookup(&r->db, name, found, 64);
#endif
	if (n <= 0) {
		if (r->opt & O_REMOVE)
			fatal(r, "Module ", name, " not found.");
		else
			fatal(r, "Module ", name, " not found in directory ", r->dir);
		return -ENOENT;
	}
	for (k = 0; k < n; k++) {
		if (r->opt & O_RESOLVE) {
			put(1, found[k]->name, "\n");
			continue;
		}
#ifdef CONFIG_FEATURE_MODPROBE_REMOVE
		if (r->opt & O_REMOVE) {
			err = remove_module(r, found[k], 0);
			if (err)
				break;
			continue;
		}
#endif
		{
			err = probe(r, found[k], extra);
		}
	}
	return err;
}

#ifdef CONFIG_FEATURE_MODPROBE_MODVERSIONS
/* --show-modversions FILE: the symbol versions (__versions: 64-byte entries, a CRC as
 * wide as the target's long, then the name) as "0x%08x\tNAME". */
static int show_modversions(struct run *r, const char *file)
{
	static const char hex[] = "0123456789abcdef";
	const char *v, *end;
	struct elf e;
	size_t len, size;
	char *map, num[20];
	int fd = modfile_open(file), w;

	if (fd < 0 || map_fd(fd, &map, &len) || elf_open(&e, map, len)) {
		fatal(r, "Module ", file, " not found.");
		return -ENOENT;
	}
	w = e.is64 ? 8 : 4;
	if (elf_find_section(&e, "__versions", &v, &size) > 0)
		for (end = v + size - size % 64; v < end; v += 64) {
			unsigned long long crc = elf_get(&e, v, w);
			int k = 0, d = 0;

			for (; k < 16; k++) { /* %08x: at least eight digits */
				char c = hex[crc >> (60 - 4 * k) & 15];
				if (c != '0' || d || k >= 8)
					num[d++] = c;
			}
			num[d] = 0;
			out_cat(&r->out, "0x", num, "\t");
			out_write(&r->out, v + w, strnlen(v + w, 64 - w));
			out_write(&r->out, "\n", 1);
		}
	out_flush(&r->out);
	return 0;
}

#endif

#ifdef CONFIG_FEATURE_MODPROBE_SHOW_CONFIG
static int dump_index(void *ctx, const char *key, const char *value, unsigned prio)
{
	struct outbuf *o = ctx;

	(void)prio;
	out_cat(o, "alias ", key, " ", value, "\n");
	return 0;
}

static void show_config(struct run *r)
{
	struct index ix;
	char path[4096];

	config_dump(&r->cfg, &r->out);
	out_pad(&r->out, "\n# End of configuration files. Dumping indexes now:\n\n", 0);
	const char *f;

	for (f = "alias"; f; f = *f == 'a' ? "symbols" : 0) {
		cat(path, sizeof(path), r->dir, "/modules.", f, ".bin");
		if (!index_open(&ix, path)) {
			index_walk(&ix, dump_index, &r->out);
			index_close(&ix);
		}
	}
	out_flush(&r->out);
}

#endif

int modprobe_main(int argc, char **argv)
{
	static struct run r;
	static char dir[4096], extra[1 << 16];
	static const char *configs[32];
	struct opts o = {
		argv,
		1,
		"arw:RibfDcnC:d:S:sqvVh\1\2\3\4\5\6\7\10",
		OPT_LONGS(
			"all\0remove\0wait\0resolve-alias\0ignore-install\0"
			"use-blacklist\0force\0show-depends\0show-config\0dry-run\0"
			"config\0dirname\0set-version\0syslog\0quiet\0verbose\0"
			"version\0help\0first-time\0remove-holders\0force-vermagic\0"
			"force-modversion\0showconfig\0ignore-remove\0show-modversions\0"
			"dump-modversions"),
		0,
		0};
	const char *root = 0, *kver = 0, *why, *f;
	struct utsname u;
	char **bad;
	int c, k, err = 0, nconf = 0;

	(void)argc;
#ifdef CONFIG_FEATURE_MODPROBE_ENV
	cat(env_opts, sizeof(env_opts), "MODPROBE_OPTIONS=");
	o.argv = argv = env_argv(argv);
#endif
	r.out.fd = 1;
	while ((c = opt_next(&o))) {
#ifdef CONFIG_FEATURE_MODPROBE_ENV
		if (c == 'C' || c == 'q' || c == 'v' || c == 's')
			env_add((char[]){'-', (char)c, 0}, c == 'C' ? o.arg : 0);
#endif
		if ((f = strchr(flag_opts, c))) {
			r.opt |= flag_bits[f - flag_opts];
			continue;
		}
		switch (c) {
		case 'w':
			break; /* waiting for a busy module: not done */
		case 'f':
			r.insflags = MODULE_INIT_IGNORE_MODVERSIONS |
				     MODULE_INIT_IGNORE_VERMAGIC;
			break;
		case '\3':
			r.insflags |= MODULE_INIT_IGNORE_VERMAGIC;
			break;
		case '\4':
			r.insflags |= MODULE_INIT_IGNORE_MODVERSIONS;
			break;
		case 'C':
			if (nconf < 31)
				configs[nconf++] = o.arg;
			break;
		case 'd':
			root = o.arg;
			break;
		case 'S':
			kver = o.arg;
			break;
		case 's':
#ifdef CONFIG_FEATURE_SYSLOG
			log_syslog = 1;
#endif
			break;
		default:
			return opt_other(c, usage_text);
		}
	}
	fatal_level = r.opt & O_QUIET ? 0 : r.opt & O_ALL ? ": WARNING: " : ": FATAL: ";
	if (!(r.opt & O_CONFIG) && !argv[o.ind]) {
		error("missing parameters. See -h.");
		return 1;
	}
	if (!kver) {
		sys3(SYS_uname, (long)&u, 0, 0);
		kver = u.release;
	}
	cat(dir, sizeof(dir), root ? root : "", "/lib/modules/", kver);
	r.dir = dir;
	if (config_load(&r.cfg, nconf ? configs : 0, dir) ||
	    moddb_open(&r.db, dir, &r.cfg)) {
		error("out of memory");
		return 1;
	}
#ifdef CONFIG_FEATURE_MODPROBE_CMDLINE
	config_cmdline(&r.cfg, 0);
#endif
	if (r.opt & O_CONFIG) {
#ifdef CONFIG_FEATURE_MODPROBE_SHOW_CONFIG
		show_config(&r);
		return 0;
#else
		return not_built("-c", "SHOW_CONFIG");
#endif
	}
	if (r.opt & O_MODVERSIONS) {
#ifdef CONFIG_FEATURE_MODPROBE_MODVERSIONS
		return show_modversions(&r, argv[o.ind]) < 0;
#else
		return not_built("--show-modversions", "MODVERSIONS");
#endif
	}
#ifndef CONFIG_FEATURE_MODPROBE_REMOVE
	if (r.opt & O_REMOVE)
		return not_built("-r", "REMOVE");
#endif
	if (r.opt & (O_ALL | O_REMOVE)) {
		for (k = o.ind; argv[k]; k++) {
			int e = do_one(&r, argv[k], 0);
			if (e < 0)
				err = e;
		}
	} else {
		/* kmod quotes a value with a space, so does params_build */
		if ((why = params_build(extra, sizeof(extra), argv + o.ind + 1, &bad))) {
			error("invalid parameter '", *bad, "': ", why);
			return 1;
		}
		err = do_one(&r, argv[o.ind], argv[o.ind + 1] ? extra : 0);
	}
	out_flush(&r.out);
	return err < 0;
}
