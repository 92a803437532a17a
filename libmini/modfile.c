/* modfile: opening module files and handing them to the kernel. */
#include "modfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "kernel.h"
#include "sys.h"
#include "util.h"

int modfile_open(const char *path)
{
	return path[0] == '-' && !path[1] ? 0 : xopen(path, O_RDONLY);
}

int modfile_load(int fd, const char *params, int flags)
{
	int err = -ENOSYS;

	if (sys_lseek_end(fd) >= 0) /* seekable: a file finit_module can read */
		err = kernel_finit_module(fd, params, flags);
#ifdef CONFIG_FEATURE_INIT_MODULE
	if (err == -ENOSYS) {
		size_t len;
		char *image;

		if (flags)
			return -EOPNOTSUPP;
		err = map_fd(fd, &image, &len);
		if (!err)
			err = kernel_init_module(image, len, params);
		unmap(image, len);
	}
#endif
	return err;
}
