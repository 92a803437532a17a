/* modprobe's lookups (moddb) over a fuzzed module directory without indexes, so the
 * text fallbacks parse modules.dep, .alias, .symbols, .builtin and .builtin.alias, and
 * a fuzzed modprobe.d file and modules.softdep feed the config. The input is parts
 * separated by "\n~~\n": names to look up (one a line), then those files in that order:
 * modules.dep, modules.alias, modules.symbols, modules.builtin, modules.builtin.alias,
 * modules.softdep, a modprobe.d file. */
#include "fuzz.h"

#include "../../libmini/modules.h"

static const char *const files[] = {
	"modules.dep",		 "modules.alias",   "modules.symbols", "modules.builtin",
	"modules.builtin.alias", "modules.softdep", "fuzz.conf"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mod *found[16], *list[256], *pre[16], *post[16];
	const uint8_t *part[8];
	size_t len[8];
	const char *conf[2] = {fuzz_path("fuzz.conf"), 0};
	struct config cfg;
	struct moddb db;
	char *names, *name, *next, buf[4096];
	int n = fuzz_split(data, size, "\n~~\n", part, len, 8), k, i, npre, npost;

	for (k = 0; k < 7; k++)
		if (k + 1 < n)
			fuzz_write(fuzz_path(files[k]), part[k + 1], len[k + 1]);
		else
			unlink(fuzz_path(files[k]));
	memset(&cfg, 0, sizeof(cfg));
	if (config_load(&cfg, conf, fuzz_path("")))
		return 0;
	if (moddb_open(&db, fuzz_path(""), &cfg)) {
		config_free(&cfg);
		return 0;
	}
	names = fuzz_str(part[0], len[0]);
	for (name = names; name; name = next) {
		next = strchr(name, '\n');
		if (next)
			*next++ = 0;
		k = moddb_lookup(&db, name, found, 16);
		FUZZ_ASSERT(k <= 16);
		db.gen++;
		for (i = 0; i < k; i++) {
			moddb_path(&db, found[i], buf, sizeof(buf));
			moddb_command(&db, found[i], 0);
			moddb_softdeps(&db, found[i], pre, &npre, post, &npost, 16);
			FUZZ_ASSERT(moddb_probe_list(&db, found[i], 0, list, 256) <= 256);
		}
		if (moddb_lookup_name(&db, name, found) == 1)
			FUZZ_ASSERT(found[0]->name);
	}
	free(names);
	moddb_close(&db);
	config_free(&cfg);
	return 0;
}
