/* depmod: the applet; libmini/depmod.c does the work. */
#include <string.h>
#include <sys/utsname.h>

#include "../libmini/depmod.h"
#include "../libmini/sys.h"
#include "../libmini/util.h"

static const char usage_text[] =
	"Usage: depmod [-aAenvw] [-b BASE] [-m DIR] [-o OUT] [-C CONF] [-E SYMVERS|-F MAP]\n"
	"\t[-P C] [VERSION [MODULE...]]\n" HELP(
		"Write BASE/DIR/VERSION's modules.dep and indexes. -A: if a module is newer;\n"
		"-e: show unknown symbols; -n: to stdout; -w: warn on duplicates.\n");

/* kmod's is_version_number: "%u.%u" at the start. */
static int is_version(const char *a)
{
	size_t n = strspn(a, "0123456789");

	return n && a[n] == '.' && a[n + 1] >= '0' && a[n + 1] <= '9';
}

int depmod_main(int argc, char **argv)
{
	static struct depmod r;
	static const char *confs[9];
	struct opts o = {
		argv,
		1,
		"aAb:C:E:F:em:no:P:wvVhuqr",
		OPT_LONGS("all\0quick\0basedir\0config\0symvers\0filesyms\0errsyms\0"
			  "moduledir\0show\0outdir\0symbol-prefix\0warn\0verbose\0"
			  "version\0help\0unresolved-error\0quiet\0root"),
		0,
		0};
	const char *base = "", *outdir = 0, *moddir = "/lib/modules", *kfile = 0;
	char opt[3] = "-?";
	struct utsname u;
	int c, dry = 0, nconf = 0;

	(void)argc;
	while ((c = opt_next(&o))) {
		if (c == 'A')
			r.quick = 1;
		else if (c == 'b')
			base = o.arg;
		else if (c == 'C' && nconf < 8)
			confs[nconf++] = o.arg;
		else if (c == 'E' || c == 'F') {
			if (!r.symvers)
				kfile = o.arg;
			r.symvers |= c == 'E';
		} else if (c == 'e')
			r.unknown = 1;
		else if (c == 'm')
			moddir = o.arg;
		else if (c == 'n')
			dry = 1;
		else if (c == 'o')
			outdir = o.arg;
		else if (c == 'P') {
			if (o.arg[0] && o.arg[1]) {
				report_v(": FATAL: ",
					 (const char *const[]){
						 "-P only takes a single char", 0});
				return 1;
			}
			r.prefix = o.arg[0];
		} else if (c == 'w')
			r.warn = 1;
		else if (c == 'v')
			r.verbose = 1;
		else if (c == 'V')
			return version();
		else if (c == 'h')
			return usage(usage_text, 0);
		else if (c == '?')
			return 1;
		else if (c != 'a') {
			opt[1] = c;
			report_v(": WARNING: ",
				 (const char *const[]){"Ignored deprecated option ", opt,
						       0});
		}
	}
	if (argv[o.ind]) {
		if (!is_version(argv[o.ind])) {
			error("Bad version passed ", argv[o.ind]);
			return 1;
		}
		r.kver = argv[o.ind++];
	} else {
		sys3(SYS_uname, (long)&u, 0, 0);
		r.kver = u.release;
	}
	depmod_dir(r.dir, base, moddir, r.kver);
	depmod_dir(r.out_dir, outdir ? outdir : base, moddir, r.kver);
	if (r.quick && (dry || !depmod_stale(&r)))
		return 0;
#ifdef CONFIG_FEATURE_DEPMOD_SYMCHECK
	if (r.unknown && !kfile) {
		report_v(": WARNING: ", (const char *const[]){"-e needs -E or -F", 0});
		r.unknown = 0;
	}
	r.versions = r.unknown;
	if (kfile && depmod_kernel(&r, kfile))
		return 1;
#else
	(void)kfile; /* -e -E -F: accepted, the files are the same */
#endif
	confs[nconf] = 0;
	if (!argv[o.ind] && depmod_search(&r, nconf ? confs : 0))
		return 1;
	for (; argv[o.ind]; o.ind++) { /* named modules alone: absolute paths */
		if (*argv[o.ind] != '/') {
			report_v(": FATAL: ",
				 (const char *const[]){argv[o.ind],
						       ": not absolute path.", 0});
			return 1;
		}
		if (depmod_add(&r, argv[o.ind]))
			return 1;
	}
	return depmod_resolve(&r) || depmod_output(&r, dry ? DEPMOD_SHOW : DEPMOD_FILES);
}
