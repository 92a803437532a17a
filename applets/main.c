/* main: the multicall entry. Dispatches on the basename of argv[0], or on argv[1] when
 * called as modbox. */
#include <string.h>

#include "../libmini/util.h"

#define APPLET(n) int n##_main(int argc, char **argv);
#include "applets.h"
#undef APPLET

static const struct applet {
	const char *name;
	int (*main)(int argc, char **argv);
} applets[] = {
#define APPLET(n) {#n, n##_main},
#include "applets.h"
#undef APPLET
};

#define N_APPLETS (sizeof(applets) / sizeof(applets[0]))

static void list(int fd, int header)
{
	size_t i;

	if (header)
		put(fd, "Usage: modbox APPLET [ARGS]...  or  APPLET [ARGS]...\n"
			"       modbox --list\nApplets:\n");
	for (i = 0; i < N_APPLETS; i++)
		put(fd, header ? "\t" : "", applets[i].name, "\n");
}

int main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/');
	size_t i;

	name = name ? name + 1 : argv[0];
	if (!strncmp(name, "modbox", 6)) {
		argv++;
		argc--;
		if (!argc || !strcmp(argv[0], "--list") || !strcmp(argv[0], "--help")) {
			list(argc ? 1 : 2, !argc || argv[0][2] == 'h');
			return !argc;
		}
		name = argv[0];
	}
	for (i = 0; i < N_APPLETS; i++)
		if (!strcmp(name, applets[i].name)) {
			applet_name = applets[i].name;
			return applets[i].main(argc, argv);
		}
	put(2, "modbox: applet not found: ", name, "\n");
	list(2, 1);
	return 1;
}
