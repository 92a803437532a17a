/* uevent: the devices the kernel knows, for coldplug: the modaliases found under
 * /sys/devices and those new devices announce on the kernel's uevent socket. */
#ifndef MODBOX_UEVENT_H
#define MODBOX_UEVENT_H

#include <stddef.h>

/* Opens the kernel's uevent socket (NETLINK_KOBJECT_UEVENT, non-blocking, with a large
 * receive buffer): the fd, or -errno. Open it before walking sysfs so that no device
 * that appears during the walk goes unseen. */
int uevent_open(void);

/* Receives one message from the kernel into buf (cap bytes). Returns 1 with *alias the
 * MODALIAS of an "add" event (in buf) or NULL for any other event, 0 when nothing is
 * waiting, or -errno: -ENOBUFS means the kernel dropped events (walk sysfs again). */
int uevent_recv(int fd, char *buf, size_t cap, const char **alias);

/* Calls fn(ctx, alias) for every device under dir (normally /sys/devices) that has a
 * modalias: its modalias file or, where it has none, the MODALIAS= line of its uevent
 * file. Symbolic links are not followed. Returns 0, fn's first non-zero result, or
 * -errno when dir cannot be read. */
int sysfs_modaliases(const char *dir, int (*fn)(void *ctx, const char *alias), void *ctx);

/* A set of strings, in an arena of address space. Zero it before use. */
struct strset {
	char *arena;
	size_t used;
	unsigned n;
};

/* Adds s: 1 when it is new, 0 when it was there, -ENOMEM when the set is full. */
int strset_add(struct strset *set, const char *s);

#endif
