/* uevent: the devices the kernel knows: a walk of /sys/devices for modaliases, the
 * kernel's uevent netlink socket for devices that appear later, and a string set that
 * keeps each modalias once. */
#include "uevent.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "sys.h"

/* linux/netlink.h's, which musl's headers lack */
struct sockaddr_nl {
	unsigned short nl_family, nl_pad;
	unsigned nl_pid, nl_groups;
};
#define NETLINK_KOBJECT_UEVENT 15

int uevent_open(void)
{
	struct sockaddr_nl a = {.nl_family = AF_NETLINK, .nl_groups = 1};
	int size = 16 << 20; /* a burst of module loads must not overflow it */
	long fd = sys3(SYS_socket, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		       NETLINK_KOBJECT_UEVENT);
	long err;

	if (fd < 0)
		return fd;
	sys6(SYS_setsockopt, fd, SOL_SOCKET, SO_RCVBUFFORCE, (long)&size, sizeof(size),
	     0);
	err = sys3(SYS_bind, fd, (long)&a, sizeof(a));
	if (err < 0) {
		sys_close(fd);
		return err;
	}
	return fd;
}

int uevent_recv(int fd, char *buf, size_t cap, const char **alias)
{
	struct sockaddr_nl a = {0};
	unsigned alen = sizeof(a);
	long n = sys6(SYS_recvfrom, fd, (long)buf, cap - 1, 0, (long)&a, (long)&alen);
	char *p;

	*alias = 0;
	if (n == -EAGAIN)
		return 0;
	if (n < 0)
		return n;
	buf[n] = 0;
	/* only the kernel's own messages (port 0) announce devices */
	if (a.nl_pid || strncmp(buf, "add@", 4))
		return 1;
	for (p = buf; p < buf + n; p += strlen(p) + 1)
		if (!strncmp(p, "MODALIAS=", 9)) {
			*alias = p + 9;
			break;
		}
	return 1;
}

struct walk {
	int (*fn)(void *ctx, const char *alias);
	void *ctx;
	char buf[4096]; /* one attribute: at most a page */
};

/* Reads the attribute name of directory dfd into w->buf; its length (0 when missing). */
static long read_attr(struct walk *w, int dfd, const char *name)
{
	long fd = sys_openat(dfd, name, O_RDONLY | O_CLOEXEC), n;

	if (fd < 0)
		return 0;
	n = sys_read(fd, w->buf, sizeof(w->buf) - 1);
	sys_close(fd);
	if (n < 0)
		n = 0;
	w->buf[n] = 0;
	return n;
}

struct dirent64 {
	unsigned long long ino;
	long long off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static int walk(struct walk *w, int dfd, int depth)
{
	char d[2048], *a = 0;
	long n, off;
	int has = 0, err = 0;

	while (!err && (n = sys3(SYS_getdents64, dfd, (long)d, sizeof(d))) > 0)
		for (off = 0; off < n && !err;) {
			struct dirent64 *e = (struct dirent64 *)(d + off);

			off += e->reclen;
			if (e->type == 4 /* DT_DIR */ && e->name[0] != '.' &&
			    depth < 40) {
				long sub = sys_openat(dfd, e->name,
						      O_RDONLY | O_DIRECTORY |
							      O_NOFOLLOW | O_CLOEXEC);
				if (sub >= 0) {
					err = walk(w, sub, depth + 1);
					sys_close(sub);
				}
			} else if (e->type == 8 /* DT_REG */) {
				if (!strcmp(e->name, "modalias"))
					has |= 1;
				else if (!strcmp(e->name, "uevent"))
					has |= 2;
			}
		}
	if (err)
		return err;
	if (has & 1 && read_attr(w, dfd, "modalias")) {
		a = w->buf;
	} else if (has == 2 && read_attr(w, dfd, "uevent")) {
		for (a = w->buf; a && strncmp(a, "MODALIAS=", 9);)
			if ((a = strchr(a, '\n')))
				a++;
		if (a)
			a += 9;
	}
	if (!a)
		return 0;
	a[strcspn(a, "\n")] = 0;
	return *a ? w->fn(w->ctx, a) : 0;
}

int sysfs_modaliases(const char *dir, int (*fn)(void *ctx, const char *alias), void *ctx)
{
	static struct walk w;
	long fd =
		sys_openat(-100 /* AT_FDCWD */, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err;

	if (fd < 0)
		return fd;
	w.fn = fn;
	w.ctx = ctx;
	err = walk(&w, fd, 0);
	sys_close(fd);
	return err;
}

#define SET_SLOTS (1 << 15)
#define SET_ARENA (16 << 20) /* address space: the slots, then the strings */

int strset_add(struct strset *set, const char *s)
{
	unsigned *slot, h = 5381;
	size_t len = strlen(s) + 1;
	const char *p;

	if (!set->arena) {
		long m = sys_mmap(SET_ARENA, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1);
		if (sys_failed(m))
			return -ENOMEM;
		set->arena = (char *)m;
		set->used = SET_SLOTS * sizeof(unsigned);
	}
	for (p = s; *p; p++)
		h = h * 33 + (unsigned char)*p;
	for (slot = (unsigned *)set->arena + h % SET_SLOTS; *slot;
	     slot = slot + 1 < (unsigned *)set->arena + SET_SLOTS
			    ? slot + 1
			    : (unsigned *)set->arena)
		if (!strcmp(set->arena + *slot, s))
			return 0;
	if (set->n >= SET_SLOTS / 2 || set->used + len > SET_ARENA)
		return -ENOMEM;
	memcpy(set->arena + set->used, s, len);
	*slot = set->used;
	set->used += len;
	set->n++;
	return 1;
}
