/* config: the modprobe configuration as kmod reads it: modprobe.d, the module directory's
 * modules.softdep and modules.weakdep, and the kernel command line. */
#ifndef MODBOX_CONFIG_H
#define MODBOX_CONFIG_H

#include <stddef.h>

struct outbuf;

/* Kinds of entries, in the order `modprobe -c` prints them. */
enum {
	CONFIG_BLACKLIST,
	CONFIG_INSTALL,
	CONFIG_REMOVE,
	CONFIG_ALIAS,
	CONFIG_OPTIONS,
	CONFIG_SOFTDEP,
	CONFIG_WEAKDEP,
	CONFIG_KINDS
};
/* Or'ed into a kind for config_find: compare the name exactly, not as a pattern. */
#define CONFIG_EXACT 0x10

/* One line of configuration. key is the name or pattern, '-' turned to '_' outside
 * brackets. val is the module (alias), the rest of the line as written (options, with
 * tabs turned to spaces; install, remove, softdep, weakdep), or NULL (blacklist). */
struct config_entry {
	const char *key;
	const char *val;
	int kind;
};

/* Zero it before the first call. All strings live in one arena that the entries point
 * into; nothing is allocated per line. */
struct config {
	const char *kver; /* set: the files are depmod.d's, for this kernel version */
	char *base;
	size_t len; /* bytes of text at base; the entries grow down from the arena's end */
	unsigned n;
};

/* Reads the *.conf files of paths (NULL: /etc, /run, /usr/local/lib, /usr/lib and /lib
 * modprobe.d; a path that is a file is read alone) and moddir's modules.softdep and
 * modules.weakdep (moddir may be NULL), as kmod does: all names merged and sorted, the
 * first directory's file winning a name. Bad lines are reported with error() and
 * skipped. Returns 0, or -ENOMEM when no arena could be mapped. */
int config_load(struct config *c, const char *const *paths, const char *moddir);

/* depmod.d, read by config_load when c->kver is set (default paths: /etc, /run,
 * /usr/local/lib, /usr/lib and /lib depmod.d; moddir NULL). The entries: one per word of
 * search and exclude (key: the word), override (key: module, val: subdirectory) and
 * external (key and val: the directory), the last two only when their kernel version
 * pattern matches c->kver; kmod's include and make_map_files are ignored. */
enum { DEPMOD_SEARCH, DEPMOD_OVERRIDE, DEPMOD_EXTERNAL, DEPMOD_EXCLUDE };
/* The i-th entry (0: the first line read). */
const struct config_entry *config_entry(const struct config *c, unsigned i);

/* Adds "MOD.PARAM=VALUE" options and "modprobe.blacklist=A,B" entries from the kernel
 * command line at path (NULL: /proc/cmdline). kmod reads it after the files: call it after
 * config_load. Returns 0 or -errno. */
int config_cmdline(struct config *c, const char *path);

void config_free(struct config *c);

/* The next entry of kind at or after *pos whose key matches name, *pos moving past it, or
 * NULL. Alias, install, remove, softdep and weakdep keys are shell patterns (kmod's
 * fnmatch), options and blacklist names compare exactly, as does any kind | CONFIG_EXACT
 * (kmod's lookup of a name that has only an install command). kmod uses every alias that
 * matches but only the first install, remove, softdep or weakdep. Start with *pos = 0. */
const struct config_entry *config_find(const struct config *c, int kind, const char *name,
				       unsigned *pos);

static inline int config_blacklisted(const struct config *c, const char *name)
{
	unsigned pos = 0;

	return config_find(c, CONFIG_BLACKLIST, name, &pos) != 0;
}

/* Appends to dst (a string in cap bytes) the options of module name and of alias (the
 * config alias key it was found through, or NULL), one space apart, in kmod's order:
 * the files', then the command line's. Returns 0, or -E2BIG (dst then unchanged past
 * what fitted before). */
int config_options(const struct config *c, const char *name, const char *alias, char *dst,
		   size_t cap);

/* Walks the modules of a softdep or weakdep entry's value. */
enum { CONFIG_DEP_PRE = 1, CONFIG_DEP_POST, CONFIG_DEP_WEAK };
struct config_deps {
	const char *p;
	int mode;
};

static inline void config_deps_init(struct config_deps *d, const struct config_entry *e)
{
	d->p = e->val;
	d->mode = e->kind == CONFIG_WEAKDEP ? CONFIG_DEP_WEAK : 0;
}

/* The next module: *word (len bytes, not NUL-terminated) and what it is, CONFIG_DEP_PRE,
 * CONFIG_DEP_POST or CONFIG_DEP_WEAK; 0 at the end. Softdep modules before any "pre:" or
 * "post:" are skipped, as kmod skips them. */
int config_deps_next(struct config_deps *d, const char **word, size_t *len);

/* The configuration as `modprobe -c` prints it, before its index dump. */
void config_dump(const struct config *c, struct outbuf *o);

#endif
