/* lsmod: the loaded modules, in kmod's format, from /proc/modules. */
#include <errno.h>
#include <string.h>

#include "../libmini/kernel.h"
#include "../libmini/util.h"

static const char usage_text[] = "Usage: lsmod\n" HELP("List the loaded modules.\n");

int lsmod_main(int argc, char **argv)
{
	struct opts o = {argv, 1, "hV", OPT_LONGS("help\0version"), 0, 0};
	struct outbuf out;
	struct proc_module m;
	char *p, *end;
	size_t len;
	int c;

	(void)argc;
	while ((c = opt_next(&o)))
		return opt_other(c, usage_text);
	if (argv[o.ind])
		return usage(usage_text, 1);
	c = kernel_modules_map(&p, &len);
	if (c) {
		error("could not open /proc/modules: ", errno_text(-c));
		return 1;
	}
	end = p + len;
	out.fd = 1;
	out.n = 0;
	out_pad(&out, "Module                  Size  Used by\n", 0);
	while ((p = kernel_modules_next(p, end, &m))) {
		char holders[strlen(m.users) + 2];
		int perm = kernel_module_holders(&m, ',', holders, sizeof(holders));

		out_pad(&out, m.name, -19);
		out_cat(&out, " ");
		out_pad(&out, m.size, 8);
		/* beyond kmod: a module without an exit function says so, as /proc does */
		out_cat(&out, "  ", m.refcnt, *holders || perm ? " " : "", holders,
			!perm	   ? ""
			: *holders ? ",[permanent]"
				   : "[permanent]",
			"\n");
	}
	out_flush(&out);
	return 0;
}
