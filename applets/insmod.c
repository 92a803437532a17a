/* insmod: load one module file, with parameters, into the kernel. */
#include <string.h>

#include "../libmini/kernel.h"
#include "../libmini/modfile.h"
#include "../libmini/params.h"
#include "../libmini/util.h"

static const char usage_text[] =
	"Usage: insmod [-f] FILE [NAME[=VALUE]]...\n"
	"Load the module in FILE ('-': standard input) with the given parameters.\n"
	"  -f  " LONGOPT("--force   ") "ignore the module's version magic and symbol versions\n";

static const char opt_spec[] = "f" LONGOPT("force") "\0s" LONGOPT("syslog") "\0p\0"
			       "h" LONGOPT("help") "\0V" LONGOPT("version") "\0";

int insmod_main(int argc, char **argv)
{
	struct opts o = {argv, 1, opt_spec, 0, 0};
	size_t room = 1;
	const char *file, *why;
	int c, i, fd, err, flags = 0;

	while ((c = opt_next(&o)))
		switch (c) {
		case 'f':
			flags = MODULE_INIT_IGNORE_MODVERSIONS | MODULE_INIT_IGNORE_VERMAGIC;
			break;
		case 's': /* accepted and ignored, as kmod does */
		case 'p':
			break;
		case 'h':
			return usage(usage_text, 0);
		case 'V':
			return version();
		default:
			return usage(usage_text, 1);
		}
	file = argv[o.ind];
	if (!file) {
		error("missing filename.\n");
		return 1;
	}
	for (i = o.ind + 1; i < argc; i++)
		room += PARAMS_ROOM(strlen(argv[i]));
	char params[room];
	params[0] = 0;
	for (i = o.ind + 1; i < argc; i++)
		if ((why = params_append(params, argv[i]))) {
			error("invalid parameter '%s': %s\n", argv[i], why);
			return 1;
		}
	fd = modfile_open(file);
	if (fd < 0) {
		error("could not load module %s: %s\n", file, errno_text(-fd));
		return 1;
	}
#ifdef CONFIG_FEATURE_KMSG
	int log = kernel_log_open();
#endif
	err = modfile_load(fd, params, flags);
	if (!err)
		return 0;
	error("could not insert module %s: %s\n", file, kernel_load_error(-err));
#ifdef CONFIG_FEATURE_KMSG
	char name[strlen(file) + 1];
	kernel_log_report(log, modname_normalize(name, file));
#endif
	return 1;
}
