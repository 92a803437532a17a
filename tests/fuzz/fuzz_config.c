/* The modprobe.d and depmod.d parsers and the kernel command line. The first byte
 * chooses: bit 0, read the rest as depmod.d (c->kver set); bit 1, read it as
 * /proc/cmdline after an empty configuration. */
#include "fuzz.h"

#include "../../libmini/config.h"
#include "../../libmini/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct outbuf o;
	const char *path = fuzz_path("fuzz.conf"), *paths[2] = {path, 0};
	const char *none[2] = {fuzz_path("none"), 0};
	const struct config_entry *e;
	struct config_deps d;
	struct config c;
	char opts[4096];
	const char *w;
	size_t wl;
	unsigned i, pos;

	if (!size)
		return 0;
	fuzz_write(path, data + 1, size - 1);
	memset(&c, 0, sizeof(c));
	if (data[0] & 1)
		c.kver = "6.1.0-fuzz";
	if (data[0] & 2) {
		if (config_load(&c, none, 0) || config_cmdline(&c, path))
			goto out;
	} else if (config_load(&c, paths, 0)) {
		return 0;
	}
	for (i = 0; i < c.n; i++) {
		e = config_entry(&c, i);
		FUZZ_ASSERT(e->key);
		if (c.kver)
			continue;
		pos = 0;
		config_find(&c, e->kind, e->key, &pos);
		config_options(&c, e->key, e->key, opts, sizeof(opts));
		if (e->kind == CONFIG_SOFTDEP || e->kind == CONFIG_WEAKDEP)
			for (config_deps_init(&d, e); config_deps_next(&d, &w, &wl);)
				FUZZ_ASSERT(wl && memchr(w, 0, wl) == 0);
	}
	if (!c.kver) {
		o.fd = -1; /* the dump is made, its writes fail */
		config_dump(&c, &o);
		o.n = 0;
	}
out:
	config_free(&c);
	return 0;
}
