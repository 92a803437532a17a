/* util: messages, the tiny formatter, option parsing, files and names shared by all rooms.
 * No stdio and no malloc here: they would cost more than the applets themselves. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#ifdef CONFIG_FEATURE_SYSLOG
#include <sys/socket.h>
#endif

#include "sys.h"

const char *applet_name = "modbox";
int log_syslog;

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		long n = sys_write(fd, p, len);
		if (n < 0) {
			if (n == -EINTR)
				continue;
			return n;
		}
		p += n;
		len -= n;
	}
	return 0;
}

char *utoa(char *end, unsigned long v)
{
	*--end = 0;
	do
		*--end = '0' + v % 10;
	while (v /= 10);
	return end;
}

/* One string into buf at n, cut to what fits before the NUL. Returns the new length. */
static size_t cat_one(char *buf, size_t n, size_t cap, const char *s)
{
	size_t len = strlen(s);

	if (len > cap - 1 - n)
		len = cap - 1 - n;
	memcpy(buf + n, s, len); /* NOLINT(bugprone-not-null-*): cat_v ends it */
	return n + len;
}

size_t cat_v(char *buf, size_t cap, const char *const *s)
{
	size_t n = 0;

	for (; *s; s++)
		n = cat_one(buf, n, cap, *s);
	buf[n] = 0;
	return n;
}

/* The strings of a variadic call, up to its NULL. */
static size_t cat_ap(char *buf, size_t cap, va_list ap)
{
	const char *s;
	size_t n = 0;

	while ((s = va_arg(ap, const char *)))
		n = cat_one(buf, n, cap, s);
	buf[n] = 0;
	return n;
}

size_t cat_va(char *buf, size_t cap, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, cap);
	n = cat_ap(buf, cap, ap);
	va_end(ap);
	return n;
}

void put_va(int fd, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fd);
	write_all(fd, buf, cat_ap(buf, sizeof(buf), ap));
	va_end(ap);
}

void out_flush(struct outbuf *o)
{
	write_all(o->fd, o->buf, o->n);
	o->n = 0;
}

void out_write(struct outbuf *o, const void *p, size_t len)
{
	if (o->n + len > sizeof(o->buf)) {
		out_flush(o);
		if (len > sizeof(o->buf)) {
			write_all(o->fd, p, len);
			return;
		}
	}
	memcpy(o->buf + o->n, p, len);
	o->n += len;
}

void out_cat_va(struct outbuf *o, ...)
{
	const char *s;
	va_list ap;

	va_start(ap, o);
	while ((s = va_arg(ap, const char *)))
		out_write(o, s, strlen(s));
	va_end(ap);
}

void out_pad(struct outbuf *o, const char *s, int width)
{
	size_t len = strlen(s);

	for (; width > (int)len; width--)
		out_write(o, " ", 1);
	out_write(o, s, len);
	for (; - width > (int)len; width++)
		out_write(o, " ", 1);
}

int xopen(const char *path, int flags)
{
	return sys_openat(AT_FDCWD, path, flags | O_CLOEXEC);
}

int usage(const char *text, int code)
{
	write_all(code ? 2 : 1, text, strlen(text));
	return code;
}

int version(void)
{
	put(1, "modbox version " MODBOX_VERSION "\n");
	return 0;
}

int opt_other(int c, const char *text)
{
	return c == 'V' ? version() : usage(text, c != 'h');
}

#ifdef CONFIG_FEATURE_SYSLOG
/* The message at buf + 4 (len bytes, its newline last) as a datagram to /dev/log, after
 * "<11>" (LOG_USER|LOG_ERR) in buf's first 4 bytes. Returns < 0 when there is no log. */
static long send_syslog(char *buf, size_t len)
{
	/* struct sockaddr_un with room for this path only */
	static const struct {
		unsigned short family;
		char path[9];
	} sa = {AF_UNIX, "/dev/log"};
	long fd = sys3(SYS_socket, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = fd;

	if (fd >= 0) {
		r = sys3(SYS_connect, fd, (long)&sa, sizeof(sa));
		if (r >= 0) {
			/* NOLINTNEXTLINE(bugprone-not-null-*): a prefix */
			memcpy(buf, "<11>", 4);
			/* without the newline */
			sys6(SYS_sendto, fd, (long)buf, len + 4 - 1, 0, 0, 0);
		}
		sys_close(fd);
	}
	return r;
}
#endif

/* The message at buf + 4 (n bytes, room for one more) and a newline to stderr, or to
 * syslog with -s. */
static void report_out(char *buf, size_t n)
{
	buf[4 + n++] = '\n';
#ifdef CONFIG_FEATURE_SYSLOG
	if (log_syslog && send_syslog(buf, n) >= 0)
		return;
#endif
	write_all(2, buf + 4, n);
}

static void report_ap(const char *level, const char *first, va_list ap)
{
	char buf[4 + 1024];
	size_t n = cat(buf + 4, sizeof(buf) - 5, applet_name, level, first);

	n += cat_ap(buf + 4 + n, sizeof(buf) - 5 - n, ap);
	report_out(buf, n);
}

void error_va(const char *first, ...)
{
	va_list ap;

	va_start(ap, first);
	report_ap(": ERROR: ", first, ap);
	va_end(ap);
}

void report_va(const char *level, ...)
{
	va_list ap;

	if (!level)
		return;
	va_start(ap, level);
	report_ap(level, va_arg(ap, const char *), ap);
	va_end(ap);
}

void report_v(const char *level, const char *const *s)
{
	char buf[4 + 1024];
	size_t n = cat(buf + 4, sizeof(buf) - 5, applet_name, level);

	n += cat_v(buf + 4 + n, sizeof(buf) - 5 - n, s);
	report_out(buf, n);
}

/* errno byte, text, NUL: the errors that module syscalls, module init functions and file
 * opens give, in glibc's words (musl's differ for some, e.g. EBUSY). Others print as
 * glibc prints unknown ones: a table of all would cost a kilobyte. */
#ifdef CONFIG_FEATURE_ERRNO_TEXTS
static const char errno_table[] = "\001Operation not permitted\0"
				  "\002No such file or directory\0"
				  "\005Input/output error\0"
				  "\006No such device or address\0"
				  "\010Exec format error\0"
				  "\013Resource temporarily unavailable\0"
				  "\014Cannot allocate memory\0"
				  "\015Permission denied\0"
				  "\016Bad address\0"
				  "\020Device or resource busy\0"
				  "\021File exists\0"
				  "\023No such device\0"
				  "\025Is a directory\0"
				  "\026Invalid argument\0"
				  "\032Text file busy\0"
				  "\046Function not implemented\0"
				  "\137Operation not supported\0"
				  "\156Connection timed out\0"
				  "\176Required key not available\0"
				  "\201Key was rejected by service\0";

#else
static const char errno_table[] = "";
#endif

const char *errno_text(int err)
{
	static char unknown[32] = "Unknown error ";
	const char *p = errno_table;

	for (; *p; p += strlen(p) + 1)
		if ((unsigned char)*p == err)
			return p + 1;
	char num[12];

	cat(unknown + 14, sizeof(unknown) - 14, utoa(num + sizeof(num), err));
	return unknown;
}

int opt_next(struct opts *o)
{
	const char *a, *p;
	char c;

	o->arg = 0;
	if (!o->bundle || !*o->bundle) {
		a = o->argv[o->ind];
		if (!a || a[0] != '-' || !a[1])
			return 0;
		o->ind++;
		if (a[1] == '-') {
			if (!a[2])
				return 0;
#ifndef CONFIG_FEATURE_LONG_OPTIONS
			if (!strcmp(a + 2, "help")) /* every applet knows --help */
				return 'h';
#else
			const char *eq = strchr(a, '='), *l = o->longs;
			size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			/* longs has one name per option letter, in the same order */
			for (p = o->shorts; *p; p++) {
				if (*p == ':')
					continue;
				if (strlen(l) == n && !memcmp(l, a + 2, n)) {
					if (p[1] != ':') {
						if (eq)
							break;
						return *p;
					}
					o->arg = eq ? (char *)eq + 1 : o->argv[o->ind++];
					if (!o->arg)
						break;
					return *p;
				}
				l += strlen(l) + 1;
			}
#endif
			put(2, applet_name, ": bad option '", a, "'\n");
			return '?';
		}
		o->bundle = a + 1;
	}
	c = *o->bundle++;
	p = c == ':' ? 0 : strchr(o->shorts, c);
	if (!p) {
		put(2, applet_name, ": invalid option -- '", (char[]){c, 0}, "'\n");
		return '?';
	}
	if (p[1] == ':') {
		o->arg = *o->bundle ? (char *)o->bundle : o->argv[o->ind++];
		o->bundle = 0;
		if (!o->arg) {
			put(2, applet_name, ": option requires an argument -- '",
			    (char[]){c, 0}, "'\n");
			return '?';
		}
	}
	return c;
}

int map_fd(int fd, char **map, size_t *len)
{
	long size = sys_lseek_end(fd); /* fails on pipes, 0 for /proc files */
	size_t cap = 1 << 16, n = 0;
	long p, r;

	*map = 0;
	*len = 0;
	if (size > 0) {
		/* private and writable, so parsers may cut strings in place */
		p = sys_mmap(size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd);
		if (sys_failed(p))
			return p;
		*map = (char *)p;
		*len = size;
		return 0;
	}
	p = sys_mmap(cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	while (!sys_failed(p)) {
		if (n == cap) {
			p = sys_mremap(p, cap, cap * 2);
			cap *= 2;
			continue;
		}
		r = sys_read(fd, (char *)p + n, cap - n);
		if (r > 0) {
			n += r;
		} else if (r == -EINTR) {
			continue;
		} else {
			if (r || !n) {
				sys_munmap(p, cap);
				return r;
			}
			*map = (char *)sys_mremap(p, cap, n); /* shrinks in place */
			*len = n;
			return 0;
		}
	}
	return p;
}

int map_file(const char *path, char **map, size_t *len)
{
	int fd = xopen(path, O_RDONLY), err;

	*map = 0;
	*len = 0;
	if (fd < 0)
		return fd;
	err = map_fd(fd, map, len);
	sys_close(fd);
	return err;
}

void unmap(void *p, size_t len)
{
	if (p)
		sys_munmap(p, len);
}

const char *path_base(const char *path)
{
	const char *b = path;

	for (; *path; path++)
		if (*path == '/')
			b = path + 1;
	return b;
}

char *modname_normalize(char *dst, const char *src)
{
	char *d = dst;

	for (src = path_base(src); *src && *src != '.'; src++)
		*d++ = *src == '-' ? '_' : *src;
	*d = 0;
	return dst;
}
