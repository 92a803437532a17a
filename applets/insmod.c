/* insmod: load one module file, with parameters, into the kernel. */
#include <string.h>

#include "../libmini/kernel.h"
#include "../libmini/modfile.h"
#include "../libmini/params.h"
#include "../libmini/util.h"

static const char usage_text[] = "Usage: insmod [-f] FILE [NAME[=VALUE]]...\n" HELP(
	"Load FILE ('-': standard input) with parameters. -f: force.\n");

int insmod_main(int argc, char **argv)
{
	static char params[1 << 16]; /* bss: costs no bytes in the file */
	struct opts o = {argv, 1, "fsphV", OPT_LONGS("force\0syslog\0\0help\0version"),
			 0,    0};
	const char *file, *why;
	char **bad;
	int c, fd, err, flags = 0;

	(void)argc;
	while ((c = opt_next(&o)))
		switch (c) {
		case 'f':
			flags = MODULE_INIT_IGNORE_MODVERSIONS |
				MODULE_INIT_IGNORE_VERMAGIC;
			break;
		case 's': /* accepted and ignored, as kmod does */
		case 'p':
			break;
		default:
			return opt_other(c, usage_text);
		}
	file = argv[o.ind];
	if (!file) {
		error("missing filename.");
		return 1;
	}
	if ((why = params_build(params, sizeof(params), argv + o.ind + 1, &bad))) {
		error("invalid parameter '", *bad, "': ", why);
		return 1;
	}
	fd = modfile_open(file);
	if (fd < 0) {
		error("could not load module ", file, ": ", errno_text(-fd));
		return 1;
	}
#ifdef CONFIG_FEATURE_KMSG
	int log = kernel_log_open();
#endif
	err = modfile_load(fd, params, flags);
	if (!err)
		return 0;
	error("could not insert module ", file, ": ", kernel_load_error(-err));
#ifdef CONFIG_FEATURE_KMSG
	char name[strlen(file) + 1];
	kernel_log_report(log, modname_normalize(name, file));
#endif
	return 1;
}
