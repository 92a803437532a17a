/* rmmod: unload modules, saying why one cannot go before the kernel is asked. */
#include <fcntl.h>
#include <string.h>

#include "../libmini/kernel.h"
#include "../libmini/util.h"

static const char usage_text[] = "Usage: rmmod [-fsv] MODULE...\n" HELP(
	"Unload modules by name or file path. -f: force (MODULE_FORCE_UNLOAD);\n"
	"-s: errors to syslog; -v: verbose.\n");

/* What /proc/modules says against unloading name: 0 when nothing (or no /proc). Read
 * anew for each module: removing one may free the next. */
static int check_unload(const char *name)
{
	struct proc_module m;
	size_t len;
	char *map, *p;
	int err = 0, perm;

	if (kernel_modules_map(&map, &len))
		return 0;
	p = map;
	while ((p = kernel_modules_next(p, map + len, &m)) && strcmp(m.name, name))
		;
	if (!p) {
		error("Module ", name,
		      kernel_module_builtin(name) ? " is builtin."
						  : " is not currently loaded");
		err = -1;
	} else {
		char holders[strlen(m.users) + 2];

		perm = kernel_module_holders(&m, ' ', holders, sizeof(holders));
		err = -1;
		if (*holders)
			error("Module ", name, " is in use by: ", holders);
		else if (perm)
			error("Module ", name,
			      " is permanent: it has no exit function (rmmod -f forces it)");
		else if (strcmp(m.refcnt, "0") && strcmp(m.refcnt, "-"))
			error("Module ", name, " is in use");
		else
			err = 0;
	}
	unmap(map, len);
	return err;
}

int rmmod_main(int argc, char **argv)
{
	struct opts o = {
		argv,	  1,
		"fsvwhV", OPT_LONGS("force\0syslog\0verbose\0wait\0help\0version"),
		0,	  0};
	int c, err, failed = 0, verbose = 0, flags = O_NONBLOCK;

	(void)argc;
	while ((c = opt_next(&o)))
		switch (c) {
		case 'f':
			flags |= O_TRUNC;
			break;
		case 's':
#ifdef CONFIG_FEATURE_SYSLOG
			log_syslog = 1;
#endif
			break;
		case 'v':
			verbose = 1;
			break;
		case 'w': /* the kernel ignores waiting since 3.13 */
			break;
		default:
			return opt_other(c, usage_text);
		}
	if (!argv[o.ind]) {
		error("missing module name.");
		return 1;
	}
	for (; argv[o.ind]; o.ind++) {
		const char *arg = argv[o.ind];
		char name[strlen(arg) + 1];

		modname_normalize(name, arg);
		if (!(flags & O_TRUNC) && check_unload(name)) {
			failed = 1;
			continue;
		}
		if (verbose)
			put(2, "rmmod: unloading ", name, "\n");
		err = kernel_delete_module(name, flags);
		if (err) {
			error("could not remove module ", arg, ": ", errno_text(-err));
			failed = 1;
		}
	}
	return failed;
}
