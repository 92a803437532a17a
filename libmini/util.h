/* util: messages, the tiny formatter, option parsing, files and names shared by all rooms. */
#ifndef MODBOX_UTIL_H
#define MODBOX_UTIL_H

#include <stddef.h>

#ifndef CONFIG_FEATURE_LONG_OPTIONS
#define LONGOPT(s) ""
#else
#define LONGOPT(s) s
#endif
/* What --help says beyond the usage line, when configured. */
#ifdef CONFIG_FEATURE_HELP_TEXT
#define HELP(s) s
#else
#define HELP(s) ""
#endif

extern const char *applet_name;
extern int log_syslog; /* messages go to syslog instead of stderr (-s) */

/* Writes all of buf to fd; returns 0 or -1. */
int write_all(int fd, const void *buf, size_t len);

/* Messages are strings put one after the other (printf would cost more than an
 * applet). The macros pass them to variadic functions, NULL-terminated: a call costs a
 * third of an array built on the stack. */
#ifdef __x86_64__
/* nor do they save the vector registers no caller passes */
#define VA_STRS __attribute__((sentinel, target("general-regs-only")))
#else
#define VA_STRS __attribute__((sentinel))
#endif
size_t cat_va(char *buf, size_t cap, ...) VA_STRS;
#define cat(buf, cap, ...) cat_va(buf, cap, __VA_ARGS__, (char *)0)
/* The same for an array of strings ending in NULL. */
size_t cat_v(char *buf, size_t cap, const char *const *s);
void put_va(int fd, ...) VA_STRS;
#define put(fd, ...) put_va(fd, __VA_ARGS__, (char *)0)
/* "APPLET: ERROR: " + the strings + "\n" to stderr, or to syslog with -s. */
void error_va(const char *s, ...) VA_STRS;
#define error(...) error_va(__VA_ARGS__, (char *)0)
/* The same with another level: ": FATAL: ", ": WARNING: "; report says nothing when
 * level is NULL. report_v takes an array of strings ending in NULL. */
void report_va(const char *level, ...) VA_STRS;
#define report(level, ...) report_va(level, __VA_ARGS__, (char *)0)
void report_v(const char *level, const char *const *s);
/* The decimal digits of v, written backwards from end (which gets the NUL). */
char *utoa(char *end, unsigned long v);

/* Buffered output for applets that print many lines. */
struct outbuf {
	int fd;
	size_t n;
	char buf[4096];
};
void out_write(struct outbuf *o, const void *p, size_t len);
/* s right-aligned in width columns, or left-aligned in -width. */
void out_pad(struct outbuf *o, const char *s, int width);
void out_flush(struct outbuf *o);
/* The strings one after the other. */
void out_cat_va(struct outbuf *o, ...) VA_STRS;
#define out_cat(o, ...) out_cat_va(o, __VA_ARGS__, (char *)0)

/* Prints an applet's usage text: to stdout with code 0 (--help), else to stderr.
 * Returns code, the exit status. */
int usage(const char *text, int code);
/* -V, --version. Returns 0. */
int version(void);
/* The options an applet leaves to this: -V (version), -h (usage, 0) and anything else
 * (usage to stderr, 1). Returns the exit status. */
int opt_other(int c, const char *usage_text);
/* glibc's text for an errno value (modbox compares its messages with Debian's kmod). */
const char *errno_text(int err);

/* Option parsing, getopt-like: shorts as getopt's ("fk:"), longs one NUL-separated
 * name per letter of shorts in the same order ("" for none), given through OPT_LONGS()
 * so that they vanish without FEATURE_LONG_OPTIONS. Options end at the first operand.
 * opt_next returns the option's letter, 0 when the options end (ind is then the first
 * operand), or '?' after saying what is wrong. */
#ifdef CONFIG_FEATURE_LONG_OPTIONS
#define OPT_LONGS(s) s
#else
#define OPT_LONGS(s) 0
#endif
struct opts {
	char **argv;
	int ind;
	const char *shorts, *longs;
	const char *bundle; /* rest of a "-abc" group */
	char *arg;
};
int opt_next(struct opts *o);

/* open(path, flags | O_CLOEXEC): the fd, or -errno. */
int xopen(const char *path, int flags);

/* Whole file or stream into memory at *map (private, writable): mmap for regular files,
 * an anonymous mapping grown with mremap for pipes and /proc files. An empty input
 * gives *map NULL and *len 0. Returns 0 or -errno. */
int map_fd(int fd, char **map, size_t *len);
void unmap(void *p, size_t len);
/* map_fd of the file at path, opened and closed around it. Returns 0 or -errno. */
int map_file(const char *path, char **map, size_t *len);

/* What follows the last '/' of path (strrchr, which would pull in memrchr). */
const char *path_base(const char *path);

/* Module name from a file name or user input: basename, cut at the first '.',
 * '-' to '_'. dst has room for strlen(src)+1. Returns dst. */
char *modname_normalize(char *dst, const char *src);

#endif
