/* util: messages, the tiny formatter, option parsing, files and names shared by all rooms. */
#ifndef MODBOX_UTIL_H
#define MODBOX_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#ifndef CONFIG_FEATURE_LONG_OPTIONS
#define LONGOPT(s) ""
#else
#define LONGOPT(s) s
#endif

extern const char *applet_name;
extern int log_syslog; /* messages go to syslog instead of stderr (-s) */

/* Writes all of buf to fd; returns 0 or -1. */
int write_all(int fd, const void *buf, size_t len);

/* printf-like into buf (always NUL-terminated), knowing %s %c %d %u %lu and a width
 * with an optional '-' flag: enough for every message modbox prints. */
size_t vfmt(char *buf, size_t cap, const char *f, va_list ap);
size_t fmt(char *buf, size_t cap, const char *f, ...);
void say(int fd, const char *f, ...);

/* Buffered output for applets that print many lines. */
struct outbuf {
	int fd;
	size_t n;
	char buf[4096];
};
void out_write(struct outbuf *o, const void *p, size_t len);
/* One formatted piece of at most 1 KiB (longer ones are cut: use out_write). */
void out_fmt(struct outbuf *o, const char *f, ...);
void out_flush(struct outbuf *o);

/* "APPLET: ERROR: ..." to stderr, or to syslog with -s. */
void error(const char *f, ...);
/* Prints an applet's usage text: to stdout with code 0 (--help), else to stderr.
 * Returns code, the exit status. */
int usage(const char *text, int code);
/* -V, --version. Returns 0. */
int version(void);
/* glibc's text for an errno value (modbox compares its messages with Debian's kmod). */
const char *errno_text(int err);

/* Option parsing. spec: one entry per option, each "c" or "c:" (takes an argument)
 * followed by its long name (may be empty), entries separated by NULs, "" at the end.
 * Returns the option's short char, 0 when the options end (*ind is the first operand),
 * or '?' after saying what is wrong. -h/--help and -V/--version are the caller's. */
struct opts {
	char **argv;
	int ind;
	const char *spec;
	const char *bundle; /* rest of a "-abc" group */
	char *arg;
};
int opt_next(struct opts *o);

/* Whole file or stream into memory: mmap for regular files, an anonymous mapping grown
 * with mremap for pipes and /proc files. Returns the start or NULL with errno set. */
void *map_fd(int fd, size_t *len);
void unmap(void *p, size_t len);
/* Reads at most cap-1 bytes of a small file (sysfs), NUL-terminated, final newline cut.
 * Returns the length or -errno. */
int read_small(const char *path, char *buf, size_t cap);

/* Module name from a file name or user input: basename, cut at the first '.',
 * '-' to '_'. dst has room for strlen(src)+1. Returns dst. */
char *modname_normalize(char *dst, const char *src);

#endif
