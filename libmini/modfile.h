/* modfile: opening module files and handing them to the kernel. */
#ifndef MODBOX_MODFILE_H
#define MODBOX_MODFILE_H

/* Opens a module file, "-" for standard input: the fd, or -errno. */
int modfile_open(const char *path);
/* Loads the module read from fd: finit_module on a regular file; init_module on the
 * contents when the input is a pipe or the kernel predates finit_module (ENOSYS).
 * A compressed module goes to the kernel when it decompresses that format, else it is
 * decompressed here (if built with that format) for init_module.
 * flags are finit_module's; init_module cannot take them (-EOPNOTSUPP).
 * Returns 0, -errno, -KERNEL_ENODECOMP or -(KERNEL_EUNZ + an UNZ_ error). */
int modfile_load(int fd, const char *params, int flags);

#endif
