/* modfile: opening module files and handing them to the kernel. */
#include "modfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "kernel.h"
#include "sys.h"
#include "unz.h"
#include "util.h"

#if defined(CONFIG_FEATURE_GZIP) || defined(CONFIG_FEATURE_XZ) || \
	defined(CONFIG_FEATURE_ZSTD)
#define USER_DECOMPRESS 1 /* some decoder of ours: unz_any */
#endif
#if defined(CONFIG_FEATURE_KERNEL_DECOMPRESS) || defined(USER_DECOMPRESS)
#define COMPRESSION 1 /* compressed modules are told apart by their magic */
#endif

int modfile_open(const char *path)
{
	return path[0] == '-' && !path[1] ? 0 : xopen(path, O_RDONLY);
}

#ifdef CONFIG_FEATURE_KERNEL_DECOMPRESS
/* Whether the kernel refused MODULE_INIT_COMPRESSED_FILE itself rather than the module:
 * then we decompress. EOPNOTSUPP is what a kernel built without a decompressor answers.
 * EINVAL is what a kernel older than the flag (5.17) answers, but also what bad
 * parameters, the kernel's decompressor or the module's init give: those must be
 * reported, not retried (init would run twice). So EINVAL counts only when the kernel
 * refuses the flag alone too: it checks flags before the fd, so a call with fd -1 loads
 * nothing and gives EBADF when the flag is known. */
static int flag_refused(int err)
{
	return err == -EOPNOTSUPP ||
	       (err == -EINVAL &&
		kernel_finit_module(-1, "", MODULE_INIT_COMPRESSED_FILE) == -EINVAL);
}
#endif

#ifdef CONFIG_FEATURE_INIT_MODULE
/* init_module on the file's contents, decompressed first if need be. */
static int load_image(int fd, const char *params, int flags)
{
	size_t len;
	char *image;
	int err = map_fd(fd, &image, &len);

	if (err)
		return err;
	if (flags) /* init_module takes no flags */
		err = -EOPNOTSUPP;
#ifdef COMPRESSION
	else if (unz_format((unsigned char *)image, len)) {
#ifdef USER_DECOMPRESS
		struct unz u = {0};
		err = unz_any(&u, (unsigned char *)image, len);
		err = err == UNZ_FORMAT ? -KERNEL_ENODECOMP
		      : err		? -(KERNEL_EUNZ + err)
					: kernel_init_module(u.p, u.len, params);
		unz_free(&u);
#else
		err = -KERNEL_ENODECOMP;
#endif
	}
#endif
	else
		err = kernel_init_module(image, len, params);
	unmap(image, len);
	return err;
}
#endif

int modfile_load(int fd, const char *params, int flags)
{
	int err = -ENOSYS;
#ifdef COMPRESSION
	unsigned char magic[8] = {0};
	const char *format = 0;
#endif

	if (sys_lseek_end(fd) >= 0) { /* seekable: a file finit_module can read */
#ifdef COMPRESSION
		sys6(SYS_pread64, fd, (long)magic, 6, 0, 0, 0);
		format = unz_format(magic, 6);
#ifdef CONFIG_FEATURE_KERNEL_DECOMPRESS
		/* the kernel decompresses it, needing no code or memory of ours */
		if (format && kernel_decompresses(format) &&
		    !flag_refused(
			    err = kernel_finit_module(
				    fd, params, flags | MODULE_INIT_COMPRESSED_FILE)))
			return err;
#endif
		if (format) /* decompressed by us, if we can */
			err = -ENOSYS;
		else
#endif
			err = kernel_finit_module(fd, params, flags);
	}
#ifdef CONFIG_FEATURE_INIT_MODULE
	if (err == -ENOSYS)
		err = load_image(fd, params, flags);
#elif defined(COMPRESSION)
	if (format)
		err = -KERNEL_ENODECOMP;
#endif
	return err;
}
