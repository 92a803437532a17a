/* depmod's reading of a module tree: parts separated by "~~MOD~~\n", two fuzzed
 * modules, then modules.order, modules.builtin, modules.builtin.modinfo and a
 * Module.symvers (or a System.map, when the input's length has bit 1 set), in a
 * temporary tree, through depmod_kernel, depmod_search, depmod_resolve and depmod_output
 * into the tree's files (DEPMOD_FILES) or to stdout (DEPMOD_SHOW, when the input's
 * length is odd). depmod.c never frees its memory (the
 * process ends soon), so this target includes it with its mappings recorded and unmaps
 * them after each run. */
#include "fuzz.h"

#include <sys/mman.h>

#include "../../libmini/sys.h"

static struct {
	long p, len;
} maps[4096];
static int nmaps;

static long mmap_tracked(long len, long prot, long flags, long fd)
{
	long p = sys6(SYS_mmap, 0, len, prot, flags, fd, 0);

	if (!sys_failed(p) && nmaps < 4096)
		maps[nmaps].p = p, maps[nmaps++].len = len;
	return p;
}
#undef sys_mmap
#define sys_mmap(len, prot, flags, fd) mmap_tracked(len, prot, flags, fd)

/* NOLINTNEXTLINE(bugprone-suspicious-include): its static functions are the target */
#include "../../libmini/depmod.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct depmod r;
	static int made;
	const char *kver = "6.1.0-fuzz";
	const char *confs[2] = {fuzz_path("no.conf"), 0};
	static const char *const files[] = {"kernel/m0.ko",
					    "kernel/m1.ko",
					    "modules.order",
					    "modules.builtin",
					    "modules.builtin.modinfo",
					    "symvers"};
	const uint8_t *part[6];
	size_t len[6];
	char path[600];
	int n = fuzz_split(data, size, "~~MOD~~\n", part, len, 6), k;

	if (!made) {
		snprintf(path, sizeof(path), "mkdir -p %s/lib/modules/%s/kernel",
			 fuzz_path(""), kver);
		if (system(path))
			abort();
		made = 1;
	}
	for (k = 0; k < 6; k++) {
		snprintf(path, sizeof(path), "lib/modules/%s/%s", kver, files[k]);
		if (k < n)
			fuzz_write(fuzz_path(path), part[k], len[k]);
		else
			unlink(fuzz_path(path));
	}
	memset(&r, 0, sizeof(r));
	r.kver = kver;
	r.out.fd = 1;
	depmod_dir(r.dir, fuzz_path(""), "/lib/modules", kver);
	memcpy(r.out_dir, r.dir, sizeof(r.dir));
	r.symvers = !(size & 2);
	r.unknown = r.versions = 1;
	snprintf(path, sizeof(path), "%s/symvers", r.dir);
	if (n == 6 && depmod_kernel(&r, path))
		goto out;
	if (!depmod_search(&r, confs) && !depmod_resolve(&r))
		depmod_output(&r, size & 1 ? DEPMOD_SHOW : DEPMOD_FILES);
out:
	config_free(&r.cfg);
	while (nmaps--)
		sys_munmap(maps[nmaps].p, maps[nmaps].len);
	nmaps = 0;
	return 0;
}
