/* fake_kernel: the module syscalls of a pretend kernel whose state is a directory tree
 * ($MODBOX_FAKE_ROOT), for the command-line tests. Test-only: stdio is fine here.
 *
 * A fake module is a text file whose first line is "fakemod NAME [permanent]", or a real
 * module (ELF): its name and "depends=" come from libmini/elf, every dependency must be
 * loaded (else ENOENT, as an unknown symbol), and each gains it as a holder, as the
 * kernel counts them. Anything else is ENOEXEC. Knobs, files under the root:
 *   finit.errno       finit_module fails with this errno (e.g. 38, ENOSYS)
 *   finit.flags       the finit_module flags this kernel knows (default 7): others give
 *                     EINVAL before the fd is looked at (3: a kernel before 5.17)
 *   compressed.errno  finit_module with MODULE_INIT_COMPRESSED_FILE fails with this
 *                     errno once the file is read (95: a kernel without a decompressor)
 *   sys/module/compression  the format it decompresses (else: EINVAL, as the kernel's
 *                     decompressor gives for another format or bad data)
 *   errno.NAME        loading NAME fails with this errno
 *   kmsg.NAME         lines the kernel logs when loading NAME fails
 *   errno.rm.NAME     delete_module(NAME) fails with this errno
 * What a load leaves: sys/module/NAME/{initstate,refcnt,params,flags,via}, a line in
 * proc/modules. Each call is logged: finit_module in finit.log as "FILE FLAGS",
 * init_module in init.log as "LENGTH", delete_module in delete.log as "NAME FLAGS". */
#include "fake_kernel.h"

#include "../../libmini/elf.h"
#include "../../libmini/kernel.h"
#include "../../libmini/unz.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *fake_path(char *buf, const char *path)
{
	const char *root = getenv("MODBOX_FAKE_ROOT");

	snprintf(buf, PATH_MAX, "%s%s", root ? root : "/nonexistent", path);
	return buf;
}

static int read_int(const char *path, int *v)
{
	char buf[PATH_MAX];
	FILE *f = fopen(fake_path(buf, path), "r");
	int ok;

	if (!f)
		return 0;
	ok = fscanf(f, "%d", v) == 1; /* NOLINT(cert-err34-c): its own files */
	fclose(f);
	return ok;
}

static void put(const char *path, const char *mode, const char *text)
{
	char buf[PATH_MAX];
	FILE *f = fopen(fake_path(buf, path), mode);

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static int fail(int err)
{
	errno = err;
	return -1;
}

/* kmsg.NAME's lines become /dev/kmsg records, as the kernel would log them */
static void log_failure(const char *name)
{
	char path[PATH_MAX], buf[PATH_MAX], line[1024];
	FILE *in, *out;

	snprintf(path, sizeof(path), "/kmsg.%s", name);
	in = fopen(fake_path(buf, path), "r");
	if (!in)
		return;
	out = fopen(fake_path(buf, "/dev/kmsg"), "a");
	while (out && fgets(line, sizeof(line), in))
		fprintf(out, "3,100,2000,-;%s", line);
	if (out)
		fclose(out);
	fclose(in);
}

/* The module dep gains holder (or loses it, drop): its refcnt in /proc/modules and
 * /sys/module/DEP/refcnt, and holder in its users column. */
static void hold(const char *dep, const char *holder)
{
	char path[PATH_MAX], buf[PATH_MAX], tmp[PATH_MAX], line[512], out[1024];
	char mod[64], size[32], users[256], rest[256];
	int refcnt;
	FILE *in = fopen(fake_path(buf, "/proc/modules"), "r");
	FILE *o = fopen(fake_path(tmp, "/proc/modules.new"), "w");

	while (in && o && fgets(line, sizeof(line), in)) {
		/* NOLINTNEXTLINE(cert-err34-c): the fake kernel's own files */
		if (sscanf(line, "%63s %31s %d %255s %255[^\n]", mod, size, &refcnt,
			   users, rest) == 5 &&
		    !strcmp(mod, dep)) {
			snprintf(out, sizeof(out), "%s %s %d %s%s, %s\n", mod, size,
				 refcnt + 1, strcmp(users, "-") ? users : "", holder,
				 rest);
			fputs(out, o);
			snprintf(path, sizeof(path), "/sys/module/%s/refcnt", dep);
			snprintf(out, sizeof(out), "%d\n", refcnt + 1);
			put(path, "w", out);
			continue;
		}
		fputs(line, o);
	}
	if (in)
		fclose(in);
	if (o) {
		fclose(o);
		rename(tmp, buf);
	}
}

/* A real module: its name, and ENOENT unless what it depends on is loaded. */
static int elf_load(const char *image, size_t len, char *name, size_t cap, char *deps,
		    size_t dcap)
{
	struct elf e;
	const char *d;
	char path[PATH_MAX], buf[PATH_MAX], fp[PATH_MAX], *p;
	struct stat st;

	if (elf_open(&e, image, len) || elf_module_name(&e, name, cap))
		return ENOEXEC;
	d = elf_modinfo_get(&e, "depends");
	snprintf(deps, dcap, "%s", d ? d : "");
	for (p = strtok(strcpy(buf, deps), ","); p; p = strtok(0, ",")) {
		snprintf(path, sizeof(path), "/sys/module/%s/initstate", p);
		if (stat(fake_path(fp, path), &st))
			return ENOENT;
	}
	return 0;
}

static long load(const char *image, size_t len, const char *params, int flags,
		 const char *via)
{
	char name[64], word[64], path[PATH_MAX], buf[PATH_MAX], line[256],
		deps[1024] = "", text[256];
	int n = 0, err, permanent = 0;
	struct stat st;

	snprintf(text, sizeof(text), "%.*s", (int)(len < 255 ? len : 255), image);
	if (len > 4 && !memcmp(image, "\177ELF", 4)) {
		if ((err = elf_load(image, len, name, sizeof(name), deps, sizeof(deps))))
			return fail(err);
	} else if (len < 8 || memcmp(text, "fakemod ", 8) ||
		   sscanf(text + 8, "%63s%n %63s", name, &n, word) < 1) {
		return fail(ENOEXEC);
	} else {
		permanent = strncmp(text + 8 + n, " permanent", 10) == 0;
	}
	snprintf(path, sizeof(path), "/sys/module/%s", name);
	if (!stat(fake_path(buf, path), &st))
		return fail(EEXIST);
	snprintf(path, sizeof(path), "/errno.%s", name);
	if (read_int(path, &err)) {
		log_failure(name);
		return fail(err);
	}
	snprintf(path, sizeof(path), "/sys/module/%s", name);
	mkdir(fake_path(buf, path), 0755);
	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	put(path, "w", "live\n");
	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", name);
	put(path, "w", "0\n");
	snprintf(path, sizeof(path), "/sys/module/%s/params", name);
	put(path, "w", params);
	snprintf(path, sizeof(path), "/sys/module/%s/via", name);
	put(path, "w", via);
	snprintf(line, sizeof(line), "%d", flags);
	snprintf(path, sizeof(path), "/sys/module/%s/flags", name);
	put(path, "w", line);
	snprintf(line, sizeof(line), "%s 16384 0 %s Live 0x0000000000000000\n", name,
		 permanent ? "[permanent]," : "-");
	put("/proc/modules", "a", line);
	{
		char *p, copy[1024];
		for (p = strtok(strcpy(copy, deps), ","); p; p = strtok(0, ","))
			hold(p, name);
	}
	return 0;
}

/* The kernel's decompressor (kernel/module/decompress.c): the format it was built
 * with, which the data must be in; any fault is EINVAL. */
static long load_compressed(const char *image, size_t len, const char *params, int flags)
{
	char buf[PATH_MAX], format[16] = "";
	struct unz u = {0};
	FILE *f = fopen(fake_path(buf, "/sys/module/compression"), "r");
	const char *is = unz_format((const unsigned char *)image, len);
	long r;
	int err;

	if (f) {
		if (fscanf(f, "%15s", format) != 1)
			format[0] = 0;
		fclose(f);
	}
	if (!is || strcmp(is, format)) {
		put("/dev/kmsg", "a", "3,100,2000,-;not a compressed module of the kernel's format\n");
		return fail(EINVAL);
	}
	if ((err = unz_any(&u, (const unsigned char *)image, len))) {
		put("/dev/kmsg", "a", "3,100,2000,-;module decompression failed\n");
		unz_free(&u);
		return fail(EINVAL);
	}
	r = load(u.p, u.len, params, flags, "finit");
	unz_free(&u);
	return r;
}

long fake_finit_module(int fd, const char *params, int flags)
{
	static char image[64 << 20];
	ssize_t n;
	int err, known = 7;

	if (read_int("/finit.errno", &err))
		return fail(err);
	read_int("/finit.flags", &known);
	if (flags & ~known)
		return fail(EINVAL);
	if (fd < 0)
		return fail(EBADF);
	/* finit.log: "FILE FLAGS" of each call, the file's name from /proc/self/fd */
	{
		char link[64], target[PATH_MAX], line[PATH_MAX + 32];
		ssize_t k;
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		k = readlink(link, target, sizeof(target) - 1);
		target[k > 0 ? k : 0] = 0;
		snprintf(line, sizeof(line), "%s %d\n",
			 strrchr(target, '/') ? strrchr(target, '/') + 1 : target, flags);
		put("/finit.log", "a", line);
	}
	n = pread(fd, image, sizeof(image) - 1, 0); /* the kernel reads from offset 0 */
	if (n < 0)
		return fail(EINVAL);
	image[n] = 0;
	if (flags & MODULE_INIT_COMPRESSED_FILE) {
		if (read_int("/compressed.errno", &err))
			return fail(err);
		return load_compressed(image, n, params, flags);
	}
	return load(image, n, params, flags, "finit");
}

long fake_init_module(const void *image, unsigned long len, const char *params)
{
	char line[32];

	snprintf(line, sizeof(line), "%lu\n", len);
	put("/init.log", "a", line);
	return load(image, len, params, 0, "init");
}

/* The module that held others lets go: "NAME," leaves their users, their refcnt drops. */
static void drop_holder(const char *file, const char *name)
{
	char lines[64][512], mod[64], size[32], users[256], rest[256], *u;
	int n = 0, refcnt, i;
	size_t len = strlen(name);
	FILE *f = fopen(file, "r");

	while (f && n < 64 && fgets(lines[n], sizeof(lines[n]), f))
		n++;
	if (f)
		fclose(f);
	f = fopen(file, "w");
	for (i = 0; f && i < n; i++) {
		/* NOLINTNEXTLINE(cert-err34-c): the fake kernel's own files */
		if (sscanf(lines[i], "%63s %31s %d %255s %255[^\n]", mod, size, &refcnt,
			   users, rest) == 5) {
			for (u = users; (u = strstr(u, name));)
				if ((u == users || u[-1] == ',') && u[len] == ',') {
					memmove(u, u + len + 1, strlen(u + len + 1) + 1);
					refcnt--;
				} else {
					u++;
				}
			fprintf(f, "%s %s %d %s %s\n", mod, size, refcnt,
				*users ? users : "-", rest);
			{
				char path[PATH_MAX], num[16];
				snprintf(path, sizeof(path), "/sys/module/%s/refcnt",
					 mod);
				snprintf(num, sizeof(num), "%d\n", refcnt);
				put(path, "w", num);
			}
		} else {
			fputs(lines[i], f);
		}
	}
	if (f)
		fclose(f);
}

long fake_delete_module(const char *name, int flags)
{
	char path[PATH_MAX], buf[PATH_MAX], tmp[PATH_MAX], line[512], users[256];
	char mod[64], refcnt[16];
	FILE *in, *out;
	struct stat st;
	int err = 0, found = 0;

	snprintf(line, sizeof(line), "%s %d\n", name, flags);
	put("/delete.log", "a", line);
	snprintf(path, sizeof(path), "/errno.rm.%s", name);
	if (read_int(path, &err))
		return fail(err);
	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	if (stat(fake_path(buf, path), &st))
		return fail(ENOENT);
	in = fopen(fake_path(buf, "/proc/modules"), "r");
	out = fopen(fake_path(tmp, "/proc/modules.new"), "w");
	while (in && out && fgets(line, sizeof(line), in)) {
		if (sscanf(line, "%63s %*s %15s %255s", mod, refcnt, users) == 3 &&
		    !strcmp(mod, name)) {
			found = 1;
			if (!(flags & O_TRUNC) && strstr(users, "[permanent]"))
				err = EBUSY;
			else if (!(flags & O_TRUNC) && strcmp(refcnt, "0"))
				err = EWOULDBLOCK;
			else
				continue;
		}
		fputs(line, out);
	}
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	if (found && err == 0) {
		drop_holder(tmp, name);
		rename(tmp, fake_path(buf, "/proc/modules"));
		const char *files[] = {"initstate", "refcnt", "params", "via", "flags"};
		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			snprintf(path, sizeof(path), "/sys/module/%s/%s", name, files[i]);
			unlink(fake_path(buf, path));
		}
		snprintf(path, sizeof(path), "/sys/module/%s/holders", name);
		rmdir(fake_path(buf, path));
		snprintf(path, sizeof(path), "/sys/module/%s", name);
		rmdir(fake_path(buf, path));
		return 0;
	}
	unlink(tmp);
	return fail(found ? err : ENOENT);
}
