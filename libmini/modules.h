/* modules: what modprobe resolves, as kmod does: a name, alias or symbol to modules (the
 * lookup order of kmod_module_new_from_lookup), and a module to the list that loading it
 * loads (its dependencies from modules.dep and the softdeps of each, in kmod's order). */
#ifndef MODBOX_MODULES_H
#define MODBOX_MODULES_H

#include <stddef.h>

#include "config.h"
#include "index.h"

enum {
	MOD_VISITED = 1,
	MOD_REQUIRED = 2,
	MOD_IGNORECMD = 4,
	MOD_BUILTIN = 8,
	MOD_DEP = 16
};

/* One module as kmod sees it: kmod keeps one object per name and per (name, alias)
 * pair, each with its own visited flag; so does this table. */
struct mod {
	const char *name; /* '-' turned to '_' */
	const char *alias; /* the query it was found through, or NULL */
	const char *path; /* from modules.dep, relative to the module directory */
	const char *deps; /* the rest of its modules.dep line */
	const char *install; /* its install command, when found through one */
	const char *remove; /* its remove command, when found through one */
	unsigned flags;
	unsigned gen; /* the probe that flags' VISITED, REQUIRED and IGNORECMD are of */
	struct mod *next; /* in its hash bucket */
};

#define MODDB_BUCKETS 512

struct moddb {
	const char *dir; /* the module directory, /lib/modules/VERSION */
	const struct config *cfg;
	struct index ix[5]; /* dep, alias, symbols, builtin, builtin.alias */
	unsigned opened, missing;
	char *text[5]; /* the text files, when a .bin is missing: lines cut with NULs */
	size_t text_len[5];
	unsigned text_read;
	int built; /* moddb_refresh ran */
	char *arena;
	size_t used;
	struct mod **buckets; /* MODDB_BUCKETS, in the arena: zero pages, no memset */
	unsigned gen;
	const char *cycle; /* after -ELOOP: the dependency that needs the module back */
};

int moddb_open(struct moddb *db, const char *dir, const struct config *cfg);
void moddb_close(struct moddb *db);

/* When db->dir's modules.dep is missing or older than a module (depmod -A's test), once:
 * warns, builds modules.dep, .alias and .symbols in memory with the depmod code and uses
 * them instead of the files. 1 when it did, 0 when the files are fresh, or -errno. */
int moddb_refresh(struct moddb *db);

/* The modules name (a module name, an alias or "symbol:NAME") stands for, in kmod's
 * order: config aliases, modules.dep, symbols, install/remove commands, modules.alias,
 * modules.builtin, modules.builtin.alias; the first that finds something wins.
 * Returns how many were stored in out (0: not found), or -errno. */
int moddb_lookup(struct moddb *db, const char *name, struct mod **out, int cap);

/* kmod_module_new_from_name_lookup (modinfo -m): name, already normalised, in
 * modules.dep, then modules.builtin, then modules.builtin.alias; the first module found.
 * Returns 1 with *out, 0 when not found, or -errno. */
int moddb_lookup_name(struct moddb *db, const char *name, struct mod **out);

/* The modules loading m loads, in order: for each dependency (the modules.dep line
 * read backwards) its pre softdeps, itself and its post softdeps, then m's (or m alone
 * with ignorecmd). Returns the count stored in list, or -errno (-ELOOP for a cycle). */
int moddb_probe_list(struct moddb *db, struct mod *m, int ignorecmd, struct mod **list,
		     int cap);

/* m's softdeps, from the first softdep line whose pattern matches its name, each looked
 * up like a name given to modprobe: pre ones into pre, post ones into post (cap each).
 * Returns 0 or -E2BIG. */
int moddb_softdeps(struct moddb *db, struct mod *m, struct mod **pre, int *npre,
		   struct mod **post, int *npost, int cap);

/* m's dependencies from modules.dep, in load order (the line read backwards). */
int moddb_deps(struct moddb *db, struct mod *m, struct mod **list, int cap);

/* The install (or remove) command of m, from a command lookup or the first config line
 * whose pattern matches its name; NULL when there is none. */
const char *moddb_command(struct moddb *db, struct mod *m, int kind);

/* m's file: dir + "/" + path, or path when it is absolute; NULL without a path. */
const char *moddb_path(struct moddb *db, struct mod *m, char *buf, size_t cap);

/* A module table entry for name (no alias), made on first use. */
struct mod *moddb_get(struct moddb *db, const char *name, const char *alias);

/* kmod's alias_normalize: '-' to '_' outside [...]; -EINVAL for an unclosed ']'. */
int modname_alias_normalize(char *dst, const char *src, size_t cap);

#endif
