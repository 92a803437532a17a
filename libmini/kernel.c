/* kernel: the only room that makes module syscalls and reads /proc/modules, /sys/module
 * and /dev/kmsg. The test build swaps the syscalls and the root of those paths for a
 * fake kernel whose state lives in a directory (tests/fake/). */
#include "kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "unz.h"
#include "util.h"

#ifdef MODBOX_FAKE_KERNEL
#include "../tests/fake/fake_kernel.h"
#else
#include "sys.h"
#define sys_finit_module(fd, p, f) sys3(SYS_finit_module, fd, (long)(p), f)
#define sys_init_module(img, len, p) sys3(SYS_init_module, (long)(img), len, (long)(p))
#define sys_delete_module(name, f) sys3(SYS_delete_module, (long)(name), f, 0)
#define KPATH(buf, p) ((void)(buf), (p))
#endif

int kernel_finit_module(int fd, const char *params, int flags)
{
	return sys_finit_module(fd, params, flags);
}

int kernel_init_module(const void *image, size_t len, const char *params)
{
	return sys_init_module(image, len, params);
}

int kernel_delete_module(const char *name, int flags)
{
	return sys_delete_module(name, flags);
}

const char *kernel_load_error(int err)
{
	switch (err) {
	case ENOEXEC:
		return "Invalid module format";
	case ENOENT:
		return "Unknown symbol in module";
	case ESRCH:
		return "Module has wrong symbol version";
	case EINVAL:
		return "Invalid parameters";
	case KERNEL_ENODECOMP:
		return "compressed, and the kernel does not decompress this format";
	}
#if defined(CONFIG_FEATURE_GZIP) || defined(CONFIG_FEATURE_XZ) || \
	defined(CONFIG_FEATURE_ZSTD)
	if (err > KERNEL_EUNZ)
		return unz_error(err - KERNEL_EUNZ);
#endif
	return errno_text(err);
}

int kernel_modules_map(char **map, size_t *len)
{
	char buf[4096];

	return map_file(KPATH(buf, "/proc/modules"), map, len);
}

static char *field(char **p, char *end)
{
	char *s = *p;

	while (*p < end && **p != ' ' && **p != '\n')
		(*p)++;
	if (*p < end && **p == ' ')
		*(*p)++ = 0;
	return s;
}

char *kernel_modules_next(char *p, char *end, struct proc_module *m)
{
	char *nl;

	if (p >= end)
		return 0;
	nl = memchr(p, '\n', end - p);
	if (!nl) /* a line cut short: no room to end its last field */
		return 0;
	*nl = 0;
	m->name = field(&p, nl);
	m->size = field(&p, nl);
	m->refcnt = field(&p, nl);
	m->users = field(&p, nl);
	m->state = field(&p, nl);
	return nl + 1;
}

static size_t append(char *buf, size_t n, size_t cap, char sep, const char *s, size_t len)
{
	if (n && n + 1 < cap)
		buf[n++] = sep;
	for (; len && n + 1 < cap; len--)
		buf[n++] = *s++;
	buf[n] = 0;
	return n;
}

int kernel_module_holders(const struct proc_module *m, char sep, char *buf, size_t cap)
{
	char path[300], pbuf[4096], d[2048], *u, *t;
	int perm = 0, count = 0, fd;
	size_t n = 0;
	long r, off;

	*buf = 0;
	for (u = m->users; *u && *u != '-'; u = t + 1) { /* "a,b,[permanent]," */
		t = strchr(u, ',');
		if (!t)
			break;
		if (!strncmp(u, "[permanent]", 11))
			perm = 1;
		else
			n = append(buf, n, cap, sep, u, t - u), count++;
	}
	if (count < 2)
		return perm;
	cat(path, sizeof(path), "/sys/module/", m->name, "/holders");
	fd = xopen(KPATH(pbuf, path), O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return perm;
	n = 0;
	while ((r = sys3(SYS_getdents64, fd, (long)d, sizeof(d))) > 0)
		for (off = 0; off < r; off += *(unsigned short *)(d + off + 16)) {
			const char *name = d + off + 19; /* struct linux_dirent64 */
			if (*name != '.')
				n = append(buf, n, cap, sep, name, strlen(name));
		}
	sys_close(fd);
	return perm;
}

static int read_sys(const char *name, const char *file, char *val, size_t cap)
{
	char path[300], pbuf[4096];
	long fd, n;

	cat(path, sizeof(path), "/sys/module/", name, file);
	fd = xopen(KPATH(pbuf, path), O_RDONLY);
	if (fd < 0)
		return fd;
	n = sys_read(fd, val, cap - 1);
	sys_close(fd);
	if (n < 0)
		return n;
	while (n && (val[n - 1] == '\n' || val[n - 1] == ' '))
		n--;
	val[n] = 0;
	return 0;
}

int kernel_module_state(const char *name)
{
	char s[16];

	if (read_sys(name, "/initstate", s, sizeof(s)))
		return kernel_module_builtin(name) ? MODULE_BUILTIN : MODULE_ABSENT;
	return !strcmp(s, "live")     ? MODULE_LIVE
	       : !strcmp(s, "coming") ? MODULE_COMING
	       : !strcmp(s, "going")  ? MODULE_GOING
				      : MODULE_ABSENT;
}

int kernel_decompresses(const char *format)
{
	char s[16];

	return !read_sys("compression", "", s, sizeof(s)) && !strcmp(s, format);
}

int kernel_module_refcnt(const char *name)
{
	char s[16], *p;
	int n = 0, err = read_sys(name, "/refcnt", s, sizeof(s));

	if (err)
		return err;
	for (p = s; *p >= '0' && *p <= '9'; p++)
		n = n * 10 + *p - '0';
	return n;
}

int kernel_module_builtin(const char *name)
{
	char path[300], buf[4096];

	cat(path, sizeof(path), "/sys/module/", name, "/");
	if (sys_access(KPATH(buf, path)))
		return 0;
	cat(path, sizeof(path), "/sys/module/", name, "/initstate");
	return sys_access(KPATH(buf, path)) != 0;
}

#ifdef CONFIG_FEATURE_KMSG
int kernel_log_open(void)
{
	char buf[4096];
	int fd = xopen(KPATH(buf, "/dev/kmsg"), O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		sys_lseek_end(fd);
	return fd;
}

/* strstr without musl's two-way search, a kilobyte we don't need for log lines */
static int mentions(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (; *text; text++)
		if (!strncmp(text, name, n))
			return 1;
	return 0;
}

void kernel_log_report(int fd, const char *modname)
{
	char buf[16384], *p, *end = buf, *text, *nl;
	int pass, named = 0;
	long n;

	if (fd < 0)
		return;
	/* /dev/kmsg gives one record per read, "prio,seq,time,flags;text\n" and maybe
	 * " KEY=value" lines; EPIPE means records were overwritten: read on. */
	while (end < buf + sizeof(buf) - 1) {
		n = sys_read(fd, end, buf + sizeof(buf) - 1 - end);
		if (n > 0)
			end += n;
		else if (n != -EPIPE)
			break;
	}
	sys_close(fd);
	for (pass = 0; pass < 2; pass++) {
		for (p = buf; p < end; p = nl + 1) {
			nl = memchr(p, '\n', end - p);
			if (!nl)
				break;
			*nl = 0;
			text = *p == ' ' ? 0 : strchr(p, ';');
			if (text && (!named || mentions(text, modname))) {
				if (!pass)
					named |= mentions(text, modname);
				else
					put(2, applet_name, ": kernel: ", text + 1, "\n");
			}
			*nl = '\n';
		}
	}
}
#endif
