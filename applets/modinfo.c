/* modinfo: what a module file says of itself (.modinfo and its signature), or what
 * modules.builtin.modinfo says of a builtin module, in kmod's format. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "../libmini/config.h"
#include "../libmini/elf.h"
#include "../libmini/index.h"
#include "../libmini/modules.h"
#include "../libmini/sig.h"
#include "../libmini/sys.h"
#include "../libmini/unz.h"
#include "../libmini/util.h"

static const char usage_text[] =
	"Usage: modinfo [-0adlmnp] [-F FIELD] [-k VERSION] [-b BASEDIR] MODULE|FILE...\n" HELP(
		"Module fields; -F: one field; -a -d -l -p -n: author, description, license,\n"
		"parm, filename; -0: NUL ends; -m: MODULE is a name.\n");

/* A parameter from its parm= and parmtype= strings, merged as kmod merges them. */
struct parm {
	const char *name; /* "NAME:..." */
	const char *text[2]; /* description (parm=), type (parmtype=) */
	size_t namelen;
};

#ifndef SYS_fstat64 /* 64-bit: one struct stat */
#define SYS_fstat64 SYS_fstat
#endif

#define MAX_PARMS 1024
/* kmod reads compressed modules; modbox cannot yet */
#define ECOMPRESSED 4200

struct run {
	struct outbuf out;
	struct moddb db;
	const char *field; /* -F */
	char sep; /* '\n', or NUL with -0 */
	char parms; /* parm= strings are merged: without -F, or with -F parm */
	char *map; /* the module file or modules.builtin.modinfo; parms point into it */
	size_t len;
	int kept; /* map is the decompression buffer, kept for the next file */
	int nparm;
	struct parm parm[MAX_PARMS];
};

static void wr(struct run *r, const void *p, size_t n)
{
	if (n)
		out_write(&r->out, p, n);
}

static void str(struct run *r, const char *s)
{
	wr(r, s, strlen(s));
}

static void end(struct run *r)
{
	wr(r, &r->sep, 1);
}

/* kmod's "%s:%-*s" with the width 15 - strlen(key): printf takes a negative width as
 * left-justification, so a key longer than 15 gets the excess in spaces. */
static void key(struct run *r, const char *k, size_t n)
{
	size_t pad = n < 15 ? 15 - n : n - 15;

	wr(r, k, n);
	wr(r, ":", 1);
	while (pad--)
		wr(r, " ", 1);
}

/* One field: key (n bytes) and value (len bytes, as they are or in kmod's hex: AB:CD:...,
 * 20 bytes a line). With -F only FIELD's values; with -0 "key=value". */
static void field(struct run *r, const char *k, size_t n, const void *v, size_t len,
		  int hex)
{
	const unsigned char *p = v;

	if (r->field) {
		if (strlen(r->field) != n || memcmp(r->field, k, n))
			return;
	} else if (!r->sep) {
		wr(r, k, n);
		wr(r, "=", 1);
	} else {
		key(r, k, n);
	}
	if (!hex)
		wr(r, v, len);
	for (size_t i = 0; hex && i < len; i++) {
		char b[2] = {"0123456789ABCDEF"[p[i] >> 4],
			     "0123456789ABCDEF"[p[i] & 15]};

		wr(r, b, 2);
		if (i + 1 < len)
			wr(r, ":\n\t\t", (i + 1) % 20 ? 1 : 4);
	}
	end(r);
}

/* One "key=value" string (without '=': a key with an empty value). */
static void string(struct run *r, const char *s)
{
	size_t n = strcspn(s, "=");
	const char *v = s + n + !!s[n], *colon;
	struct parm *p;
	int k;

	if (!r->parms || (n != 4 && n != 8) || memcmp(s, "parmtype", n)) {
		field(r, s, n, v, strlen(v), 0);
		return;
	}
	colon = strchr(v, ':');
	if (!colon) {
		error("Found invalid \"", s, "\": missing ':'");
		return;
	}
	for (k = 0; k < r->nparm; k++)
		if (r->parm[k].namelen == (size_t)(colon - v) &&
		    !memcmp(r->parm[k].name, v, colon - v))
			break;
	if (k == MAX_PARMS)
		return;
	p = &r->parm[k];
	if (k == r->nparm) {
		r->nparm++;
		p->name = v;
		p->namelen = colon - v;
		p->text[0] = p->text[1] = 0;
	}
	p->text[n == 8] = colon + 1;
}

/* kmod lists parameters newest first: in reverse order of their first string.
 * Without -F: "parm: NAME:DESC (TYPE)", "NAME:DESC" or "NAME:TYPE"; with -F parm
 * "NAME: (TYPE)" for the last. */
static void parms(struct run *r)
{
	while (r->nparm) {
		struct parm *p = &r->parm[--r->nparm];
		int paren = p->text[0] || r->field;

		if (!r->field)
			key(r, "parm", 4);
		wr(r, p->name, p->namelen + 1);
		if (p->text[0])
			str(r, p->text[0]);
		if (p->text[1]) {
			str(r, paren ? " (" : "");
			str(r, p->text[1]);
			str(r, paren ? ")" : "");
		}
		end(r);
	}
}

static int from_file(struct run *r, const char *path)
{
	static const char sig_keys[] = "sig_id\0signer\0sig_key\0sig_hashalgo\0signature";
	struct elf e;
	struct sig_info si;
	const unsigned char *m;
	const char *s = 0;
	int k, err = map_file(path, &r->map, &r->len);

	if (err)
		return err;
	m = (const unsigned char *)r->map;
	/* kmod's errors: EINVAL for a file shorter than the longest compression magic, or
	 * an ELF header it rejects; ENOEXEC for 16 bytes or less, or no ELF magic */
	if (r->len < 6)
		return -EINVAL;
	if (unz_format(m, r->len)) {
		/* kept from file to file: its pages stay mapped (no page faults for each) */
		static struct unz u;

		u.len = 0;
		err = unz_any(&u, m, r->len);
		unmap(r->map, r->len);
		r->map = u.p;
		r->len = u.len;
		r->kept = 1;
		if (err)
			return -ECOMPRESSED - err;
		m = (const unsigned char *)r->map;
	}
	if (elf_open(&e, m, r->len))
		return r->len <= 16 || memcmp(m, "\177ELF", 4) ? -ENOEXEC : -EINVAL;
	if (!e.modinfo)
		return -ENOENT;
	while (elf_modinfo_next(&e, &s) > 0)
		string(r, s);
	if (e.is_signed && !sig_read(m, &e.sig, &si))
		for (k = 0, s = sig_keys; k < SIG_FIELDS; k++, s += strlen(s) + 1)
			field(r, s, strlen(s), si.val[k], si.len[k],
			      k == SIG_KEY || k == SIG_SIGNATURE);
	return 0;
}

/* The strings "NAME.key=value" of the first run of NAME's in modules.builtin.modinfo,
 * as kmod reads them; -ENOSYS, as kmod, when there are none. */
static int from_builtin(struct run *r, const char *name)
{
	char path[4096];
	const char *p, *z;
	size_t n = strlen(name);
	int err, found = 0;

	cat(path, sizeof(path), r->db.dir, "/modules.builtin.modinfo");
	err = map_file(path, &r->map, &r->len);
	if (err)
		return err;
	for (p = r->map; p < r->map + r->len && (z = memchr(p, 0, r->map + r->len - p));
	     p = z + 1) {
		if (!strncmp(p, name, n) && p[n] == '.') {
			string(r, p + n + 1);
			found = 1;
		} else if (found) {
			break;
		}
	}
	return found ? 0 : -ENOSYS;
}

/* kmod's modinfo_do: the fields of module name, from path or, without one, from
 * modules.builtin.modinfo. */
static int show(struct run *r, const char *name, const char *path, int builtin)
{
	const char *f = r->field, *filename = path ? path : "(builtin)";
	int err;

	if (!path) {
		if (!f)
			key(r, "name", 4);
		if (!f || !strcmp(f, "name")) {
			str(r, name);
			end(r);
		}
	}
	if (!f)
		key(r, "filename", 8);
	if (!f || !strcmp(f, "filename")) {
		str(r, filename);
		end(r);
		if (f)
			return 0;
	}
	r->map = 0;
	r->len = 0;
	err = path ? from_file(r, path) : builtin ? from_builtin(r, name) : -ENOENT;
	if (err == -ENOENT && !path) {
		err = 0; /* no modules.builtin.modinfo: kernels before 5.2 */
	} else if (err) {
		error("could not get modinfo from '", name, "': ",
		      err == -ECOMPRESSED - UNZ_FORMAT ? "this build cannot decompress it"
		      : err < -ECOMPRESSED	       ? unz_error(-err - ECOMPRESSED)
						       : errno_text(-err));
		r->nparm = 0;
	}
	parms(r);
	if (!r->kept)
		unmap(r->map, r->len);
	r->kept = 0;
	return err;
}

static int show_mod(struct run *r, struct mod *m)
{
	char path[4096];

	return show(r, m->name, moddb_path(&r->db, m, path, sizeof(path)),
		    m->flags & MOD_BUILTIN);
}

/* path made absolute as kmod makes it: the working directory, '/', path. */
static const char *absolute(char *buf, size_t cap, const char *path)
{
	long n = 0;

	if (path[0] != '/') {
		n = sys3(SYS_getcwd, (long)buf, cap, 0);
		if (n <= 0)
			return 0;
		buf[n - 1] = '/';
	}
	cat(buf + n, cap - n, path);
	return buf;
}

/* kmod's rule: a regular file whose name ends in a module extension. */
static int is_module_file(const char *a)
{
	static const char exts[] = ".ko\0.ko.gz\0.ko.xz\0.ko.zst";
	struct stat st;
	size_t n = strlen(a), l;
	const char *e;
	int fd, ok = 0;

	for (e = exts; *e; e += l + 1) {
		l = strlen(e);
		if (n >= l && !strcmp(a + n - l, e)) {
			fd = xopen(a, O_PATH);
			ok = fd >= 0 && !sys3(SYS_fstat64, fd, (long)&st, 0) &&
			     S_ISREG(st.st_mode);
			if (fd >= 0)
				sys_close(fd);
			break;
		}
	}
	return ok;
}

/* Modules by name (-m, kmod_module_new_from_name_lookup: modules.dep, modules.builtin,
 * modules.builtin.alias; the first module found) or by name or alias (kmod's lookup,
 * without modprobe.d: kmod's modinfo reads none). */
static int lookup(struct run *r, const char *a, int modname)
{
	char name[4096];
	struct mod *found[256];
	int n, k, err = 0, e;

	if (modname) {
		/* kmod's modname_normalize: up to the first '.', '-' as '_' */
		for (k = 0; a[k] && a[k] != '.' && k < (int)sizeof(name) - 1; k++)
			name[k] = a[k] == '-' ? '_' : a[k];
		name[k] = 0;
		n = moddb_lookup_name(&r->db, name, found);
	} else {
		n = moddb_lookup(&r->db, a, found, 256);
	}
	if (n <= 0) {
		error("Module ", modname ? "name " : n ? "alias " : "", a, " not found.");
		return n ? n : -ENOENT;
	}
	for (k = 0; k < n; k++)
		if ((e = show_mod(r, found[k])) < 0)
			err = e;
	return err;
}

int modinfo_main(int argc, char **argv)
{
	static const char shortcuts[] =
		"aauthor\0ddescription\0llicense\0pparm\0nfilename";
	static struct run r;
	static struct config cfg;
	static char dir[4096], buf[4096], name[4096];
	struct opts o = {
		argv,
		1,
		"adlpn0mF:k:b:Vh",
		OPT_LONGS("author\0description\0license\0parameters\0filename\0null\0"
			  "modname\0field\0set-version\0basedir\0version\0help"),
		0,
		0};
	const char *root = 0, *kver = 0, *a, *p;
	struct utsname u;
	int c, k, e, err = 0, modname = 0;

	(void)argc;
	r.out.fd = 1;
	r.sep = '\n';
	while ((c = opt_next(&o))) {
		switch (c) {
		case '0':
			r.sep = 0;
			break;
		case 'm':
			modname = 1;
			break;
		case 'F':
			r.field = o.arg;
			break;
		case 'k':
			kver = o.arg;
			break;
		case 'b':
			root = o.arg;
			break;
		case 'V':
			return version();
		case 'h':
			return usage(usage_text, 0);
		case '?':
			return 1; /* opt_next said why, as getopt says it for kmod */
		default: /* -a -d -l -p -n */
			for (p = shortcuts; *p != c; p += strlen(p) + 1)
				;
			r.field = p + 1;
		}
	}
	r.parms = !r.field || !strcmp(r.field, "parm");
	if (!argv[o.ind]) {
		error("missing module or filename.");
		return 1;
	}
	if (!kver) {
		sys3(SYS_uname, (long)&u, 0, 0);
		kver = u.release;
	}
	cat(buf, sizeof(buf), root ? root : "", "/lib/modules/", kver);
	if (!absolute(dir, sizeof(dir), buf) || moddb_open(&r.db, dir, &cfg)) {
		error("out of memory");
		return 1;
	}
	for (k = o.ind; (a = argv[k]); k++) {
		if (modname || !is_module_file(a))
			e = lookup(&r, a, modname);
		else if (!absolute(buf, sizeof(buf), a))
			e = -ENOENT;
		else
			e = show(&r, modname_normalize(name, a), buf, 0);
		if (e < 0)
			err = e;
	}
	out_flush(&r.out);
	return err < 0;
}
