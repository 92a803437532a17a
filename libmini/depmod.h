/* depmod: modules.dep and the module indexes of a module tree, byte for byte as kmod's
 * depmod writes them; the depmod applet drives it. Warnings and errors are reported as kmod's depmod
 * reports them. */
#ifndef MODBOX_DEPMOD_H
#define MODBOX_DEPMOD_H

#include <stddef.h>

#include "config.h"
#include "util.h"

/* kmod keeps modules and symbols in hash tables and writes some files in their
 * order: buckets by SuperFastHash, a bucket's keys sorted. So do these. */
#define MOD_BUCKETS 512
#define SYM_BUCKETS 2048
/* Summaries: address space only; the pages used are what the modules need. */
#define SHARED_MAX ((size_t)1 << 30)
#define PENDING 1 /* a summary's status before a reader is done with it */

struct dmod {
	struct dmod *next; /* in its bucket */
	const char *rel; /* path under the module directory, or absolute (external) */
	struct dmod **deps; /* direct, first the order symbols need them, then sorted */
	const char *sum; /* its summary, once read */
	const char *info; /* its alias=, softdep= and weakdep= strings */
	unsigned infolen;
	unsigned order; /* last line in modules.order, 0 for none */
	unsigned idx, users, ndeps, topo, mark, visited;
	char name[];
};

struct sym {
	struct sym *next;
	struct dmod *owner; /* NULL: the kernel's (-E, -F) */
	unsigned crc;
	char name[];
};

/* Where each module's summary is, in memory shared by the readers. A summary: the
 * numbers of exports and needed symbols and the length of the modinfo strings (3 x u32),
 * the exports (u32 CRC, name, NUL), the needed symbols (u32 CRC, u8 weak, name, NUL), then
 * the alias=, softdep= and weakdep= strings of .modinfo. */
struct slot {
	int status; /* PENDING, 0, -errno, -ELF_E*, or UNZ_* << 16 */
	unsigned off;
	unsigned todo; /* the module the k-th read takes: the big ones first */
};
struct shared {
	unsigned next; /* the next module to read */
	unsigned used; /* bytes of summaries */
	size_t size;
	struct slot slot[];
};

struct depmod {
	char dir[4096], out_dir[4096];
	const char *kver;
	int verbose, quick, newer, warn, unknown, symvers, versions;
	char prefix;
	long dep_mtime;
	unsigned n, gen;
	struct dmod *mods[MOD_BUCKETS], **arr;
	struct sym *syms[SYM_BUCKETS];
	struct config cfg;
	struct shared *sh;
	char *free;
	size_t left;
	struct outbuf out;
	int mem[3]; /* DEPMOD_MEMORY: memfds of modules.dep, .alias and .symbols */
	char line[1 << 16];
};
/* Zero r, then set dir (depmod_dir), kver and the options. */
/* dst (4096 bytes) = BASE/MODULEDIR/VERSION, made absolute against the working directory. */
void depmod_dir(char *dst, const char *base, const char *moddir, const char *kver);
/* With -A: whether a module in r->dir is newer than out_dir's modules.dep (1), or
 * there is no modules.dep; 0 when everything is up to date. */
int depmod_stale(struct depmod *r);
/* The kernel's symbols from Module.symvers (r->symvers) or System.map. 0, or 1 after
 * saying why file is unreadable. */
int depmod_kernel(struct depmod *r, const char *file);
/* Every module of r->dir and of depmod.d's external directories (confs: -C's paths,
 * NULL for the default ones). 0, or 1 after an error. */
int depmod_search(struct depmod *r, const char *const *confs);
/* One module file, absolute or relative to r->dir, as an operand names it. 0, or 1 after
 * an error. */
int depmod_add(struct depmod *r, const char *path);
/* Reads the modules and resolves their dependencies. 0, or 1 after reporting a
 * dependency cycle. */
int depmod_resolve(struct depmod *r);
/* Writes the files: DEPMOD_FILES into r->out_dir (each through a temporary name),
 * DEPMOD_SHOW the text ones to stdout, DEPMOD_MEMORY modules.dep, .alias and .symbols
 * into memory files, r->mem (for modprobe on a tree without depmod's files). 0 or 1. */
enum { DEPMOD_FILES, DEPMOD_SHOW, DEPMOD_MEMORY };
int depmod_output(struct depmod *r, int mode);
/* The names of the files, in order, NUL-separated. */
extern const char depmod_files[];

#endif
