/* kernel: the only room that makes module syscalls and reads what the kernel says about
 * its modules (/proc/modules, /sys/module, /dev/kmsg). Functions return 0 or -errno. */
#ifndef MODBOX_KERNEL_H
#define MODBOX_KERNEL_H

#include <stddef.h>

#define MODULE_INIT_IGNORE_MODVERSIONS 1
#define MODULE_INIT_IGNORE_VERMAGIC 2
#define MODULE_INIT_COMPRESSED_FILE 4

int kernel_finit_module(int fd, const char *params, int flags);
int kernel_init_module(const void *image, size_t len, const char *params);
int kernel_delete_module(const char *name, int flags);

/* modfile_load's errors beyond errno: a compressed module the kernel cannot decompress
 * (and this build neither), and KERNEL_EUNZ + an UNZ_ error when our decompression
 * failed. kernel_load_error words them. */
#define KERNEL_ENODECOMP 4200
#define KERNEL_EUNZ 4300
/* Whether the kernel decompresses modules of this format itself ("gzip", "xz", "zstd"):
 * /sys/module/compression names the one it can (Linux 6.0 and later). */
int kernel_decompresses(const char *format);

/* kmod's words for a failed load (insmod's, which name the module's fault). */
const char *kernel_load_error(int err);

/* One line of /proc/modules, cut in place: "name size refcnt users state addr". users
 * is "-" or a comma-terminated list that may hold "[permanent]". */
struct proc_module {
	char *name, *size, *refcnt, *users, *state;
};
/* Maps /proc/modules: 0 or -errno. */
int kernel_modules_map(char **map, size_t *len);
/* Parses the line at p (before end) into m; returns where the next line starts, or
 * NULL at the end. */
char *kernel_modules_next(char *p, char *end, struct proc_module *m);
/* The modules that hold m, as kmod lists them: in the order of the directory
 * /sys/module/NAME/holders (the kernel's users list in /proc has another order; with
 * fewer than two there is nothing to order), joined by sep into buf. Returns 1 when
 * /proc/modules calls the module [permanent] (no exit function), else 0. */
int kernel_module_holders(const struct proc_module *m, char sep, char *buf, size_t cap);
/* What /sys/module/NAME says of a module, as kmod reads it. */
enum { MODULE_ABSENT, MODULE_LIVE, MODULE_COMING, MODULE_GOING, MODULE_BUILTIN };
int kernel_module_state(const char *name);
/* /sys/module/NAME/refcnt, or -errno. */
int kernel_module_refcnt(const char *name);
/* The module is built into the kernel: /sys/module/NAME exists without initstate. */
int kernel_module_builtin(const char *name);

#ifdef CONFIG_FEATURE_KMSG
/* Opens the kernel log at its end, before a load (-1 when there is none). */
int kernel_log_open(void);
/* After a failed load: prints what the kernel logged since kernel_log_open() about
 * the module (or, if nothing names it, all it logged), as "APPLET: kernel: LINE". */
void kernel_log_report(int fd, const char *modname);
#endif

#endif
