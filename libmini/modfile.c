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

#ifdef CONFIG_FEATURE_KERNEL_DECOMPRESS
/* The format a compressed module is in, by its magic bytes (not its name). */
static const char *compression(const unsigned char *m)
{
	if (m[0] == 0x1f && m[1] == 0x8b)
		return "gzip";
	if (!memcmp(m,
		    "\xfd"
		    "7zXZ",
		    6))
		return "xz";
	if (!memcmp(m, "\x28\xb5\x2f\xfd", 4))
		return "zstd";
	return 0;
}
#endif

int modfile_load(int fd, const char *params, int flags)
{
	int err = -ENOSYS;
#ifdef CONFIG_FEATURE_KERNEL_DECOMPRESS
	unsigned char magic[8] = {0};
	const char *format;
#endif

	if (sys_lseek_end(fd) >= 0) { /* seekable: a file finit_module can read */
#ifdef CONFIG_FEATURE_KERNEL_DECOMPRESS
		sys6(SYS_pread64, fd, (long)magic, 6, 0, 0, 0);
		if ((format = compression(magic))) {
			/* the kernel decompresses it, needing no code or memory of ours */
			if (!kernel_decompresses(format))
				return -KERNEL_ENODECOMP;
			flags |= MODULE_INIT_COMPRESSED_FILE;
		}
#endif
		err = kernel_finit_module(fd, params, flags);
	}
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
