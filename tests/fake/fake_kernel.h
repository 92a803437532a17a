/* fake_kernel: stands in for the module syscalls in the command-line tests. Its state
 * lives under $MODBOX_FAKE_ROOT: proc/modules, sys/module/NAME/, dev/kmsg, as the real
 * kernel shows them, so libmini/kernel.c reads them the same way. */
#ifndef MODBOX_FAKE_KERNEL_H
#define MODBOX_FAKE_KERNEL_H

#include <stddef.h>

long fake_finit_module(int fd, const char *params, int flags);
long fake_init_module(const void *image, unsigned long len, const char *params);
long fake_delete_module(const char *name, int flags);
/* path under the fake root, in buf (PATH_MAX) */
const char *fake_path(char *buf, const char *path);

#include <errno.h>
#define sys_finit_module(fd, p, f) (fake_finit_module(fd, p, f) < 0 ? -errno : 0)
#define sys_init_module(i, n, p) (fake_init_module(i, n, p) < 0 ? -errno : 0)
#define sys_delete_module(name, f) (fake_delete_module(name, f) < 0 ? -errno : 0)
#define KPATH(buf, p) fake_path(buf, p)
#include "../../libmini/sys.h"

#endif
