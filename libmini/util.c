/* util: messages, the tiny formatter, option parsing, files and names shared by all rooms.
 * No stdio and no malloc here: they would cost more than the applets themselves. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef CONFIG_FEATURE_SYSLOG
#include <sys/socket.h>
#include <sys/un.h>
#endif

const char *applet_name = "modbox";
int log_syslog;

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static char *utoa(char *end, unsigned long v)
{
	*--end = 0;
	do
		*--end = '0' + v % 10;
	while (v /= 10);
	return end;
}

size_t vfmt(char *buf, size_t cap, const char *f, va_list ap)
{
	size_t n = 0;
	char num[24];

	for (; *f; f++) {
		const char *s = num;
		int left = 0, width = 0, lng = 0;
		size_t len;

		if (*f != '%') {
			if (n + 1 < cap)
				buf[n++] = *f;
			continue;
		}
		if (*++f == '-')
			left = 1, f++;
		while (*f >= '0' && *f <= '9')
			width = width * 10 + *f++ - '0';
		if (*f == 'l')
			lng = 1, f++;
		switch (*f) {
		case 's':
			s = va_arg(ap, const char *);
			break;
		case 'c':
			num[0] = (char)va_arg(ap, int);
			num[1] = 0;
			break;
		case 'd': {
			long v = lng ? va_arg(ap, long) : va_arg(ap, int);
			s = utoa(num + sizeof(num), v < 0 ? -(unsigned long)v : (unsigned long)v);
			if (v < 0)
				*(char *)--s = '-';
			break;
		}
		default: /* 'u' */
			s = utoa(num + sizeof(num),
				 lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned));
		}
		len = strlen(s);
		for (; !left && width > (int)len; width--)
			if (n + 1 < cap)
				buf[n++] = ' ';
		for (; *s; s++, width--)
			if (n + 1 < cap)
				buf[n++] = *s;
		for (; width > 0; width--)
			if (n + 1 < cap)
				buf[n++] = ' ';
	}
	if (cap)
		buf[n] = 0;
	return n;
}

size_t fmt(char *buf, size_t cap, const char *f, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, f);
	n = vfmt(buf, cap, f, ap);
	va_end(ap);
	return n;
}

void say(int fd, const char *f, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, f);
	write_all(fd, buf, vfmt(buf, sizeof(buf), f, ap));
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

void out_fmt(struct outbuf *o, const char *f, ...)
{
	va_list ap;

	if (o->n + 1024 > sizeof(o->buf))
		out_flush(o);
	va_start(ap, f);
	o->n += vfmt(o->buf + o->n, 1024, f, ap);
	va_end(ap);
}

int usage(const char *text, int code)
{
	write_all(code ? 2 : 1, text, strlen(text));
	return code;
}

int version(void)
{
	say(1, "modbox version %s\n", MODBOX_VERSION);
	return 0;
}

#ifdef CONFIG_FEATURE_SYSLOG
static void send_syslog(const char *msg, size_t len)
{
	static const struct sockaddr_un sa = {AF_UNIX, "/dev/log"};
	char buf[1100] = "<11>"; /* LOG_USER|LOG_ERR */
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (const void *)&sa, sizeof(sa)) < 0) {
		write_all(2, msg, len);
	} else {
		memcpy(buf + 4, msg, len);
		send(fd, buf, len + 4 - 1, 0); /* without the newline */
	}
	if (fd >= 0)
		close(fd);
}
#endif

void error(const char *f, ...)
{
	char buf[1024];
	size_t n = strlen(applet_name);
	va_list ap;

	memcpy(buf, applet_name, n);
	memcpy(buf + n, ": ERROR: ", 9);
	n += 9;
	va_start(ap, f);
	n += vfmt(buf + n, sizeof(buf) - n, f, ap);
	va_end(ap);
#ifdef CONFIG_FEATURE_SYSLOG
	if (log_syslog) {
		send_syslog(buf, n);
		return;
	}
#endif
	write_all(2, buf, n);
}

/* errno byte, text, NUL: the errors that module syscalls, module init functions and file
 * opens give, in glibc's words (musl's differ for some, e.g. EBUSY). Others print as
 * glibc prints unknown ones: a table of all would cost a kilobyte. */
static const char errno_table[] =
	"\001Operation not permitted\0"
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

const char *errno_text(int err)
{
	static char unknown[32];
	const char *p = errno_table;

	for (; p < errno_table + sizeof(errno_table) - 1; p += strlen(p) + 1)
		if ((unsigned char)*p == err)
			return p + 1;
	fmt(unknown, sizeof(unknown), "Unknown error %d", err);
	return unknown;
}

int opt_next(struct opts *o)
{
	const char *a, *p;
	int c;

	o->arg = 0;
	if (!o->bundle || !*o->bundle) {
		a = o->argv[o->ind];
		if (!a || a[0] != '-' || !a[1])
			return 0;
		o->ind++;
		if (a[1] == '-') {
			if (!a[2])
				return 0;
#ifdef CONFIG_FEATURE_LONG_OPTIONS
			const char *eq;
			size_t n;

			eq = strchr(a + 2, '=');
			n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			for (p = o->spec; *p; p += strlen(p) + 1) {
				const char *name = p + 1 + (p[1] == ':');
				if (strlen(name) != n || memcmp(name, a + 2, n))
					continue;
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
#endif
			say(2, "%s: bad option '%s'\n", applet_name, a);
			return '?';
		}
		o->bundle = a + 1;
	}
	c = *o->bundle++;
	for (p = o->spec; *p; p += strlen(p) + 1)
		if (*p == c)
			break;
	if (!*p) {
		say(2, "%s: invalid option -- '%c'\n", applet_name, c);
		return '?';
	}
	if (p[1] == ':') {
		o->arg = *o->bundle ? (char *)o->bundle : o->argv[o->ind++];
		o->bundle = 0;
		if (!o->arg) {
			say(2, "%s: option requires an argument -- '%c'\n", applet_name, c);
			return '?';
		}
	}
	return c;
}

void *map_fd(int fd, size_t *len)
{
	off_t size = lseek(fd, 0, SEEK_END); /* fails on pipes, 0 for /proc files */
	size_t cap = 1 << 16, n = 0;
	char *p;

	if (size > 0) {
		/* private and writable, so parsers may cut strings in place */
		p = mmap(0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		*len = size;
		return p == MAP_FAILED ? 0 : p;
	}
	p = mmap(0, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	while (p != MAP_FAILED) {
		ssize_t r;

		if (n == cap) {
			p = mremap(p, cap, cap * 2, MREMAP_MAYMOVE);
			cap *= 2;
			continue;
		}
		r = read(fd, p + n, cap - n);
		if (r > 0) {
			n += r;
		} else if (!r) {
			*len = n;
			return p;
		} else if (errno != EINTR) {
			int e = errno;
			munmap(p, cap);
			errno = e;
			return 0;
		}
	}
	return 0;
}

void unmap(void *p, size_t len)
{
	if (p && len)
		munmap(p, len);
}

int read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n >= 0) {
		if (n && buf[n - 1] == '\n')
			n--;
		buf[n] = 0;
	}
	return n;
}

char *modname_normalize(char *dst, const char *src)
{
	const char *b = strrchr(src, '/');
	char *d = dst;

	for (src = b ? b + 1 : src; *src && *src != '.'; src++)
		*d++ = *src == '-' ? '_' : *src;
	*d = 0;
	return dst;
}
