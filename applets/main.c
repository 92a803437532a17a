/* main: the multicall entry. Dispatches on the basename of argv[0], or on argv[1] when
 * called as modbox. */
#include <string.h>

#include "../libmini/sys.h"
#include "../libmini/util.h"

#define APPLET(n) int n##_main(int argc, char **argv);
#include "applets.h"
#undef APPLET

static const struct applet {
	const char *name;
	int (*main)(int argc, char **argv);
} applets[] = {
#define APPLET(n) {#n, n##_main},
#include "applets.h"
#undef APPLET
};

#define N_APPLETS (sizeof(applets) / sizeof(applets[0]))

static void list(int fd, int header)
{
	size_t i;

	if (header)
		put(fd, "Usage: modbox APPLET [ARGS]...  or  APPLET [ARGS]...\n"
			"       modbox --list\nApplets:\n");
	for (i = 0; i < N_APPLETS; i++)
		put(fd, header ? "\t" : "", applets[i].name, "\n");
}

/* The fake kernel of the tests uses stdio, so its build keeps libc's start-up. */
#if defined(CONFIG_FEATURE_OWN_START) && !defined(MODBOX_FAKE_KERNEL)
/* Entered from the kernel with argc, argv[], NULL, envp[] on the stack: no libc
 * start-up (TLS, stdio, atexit), which libmini never needs since it keeps no errno. */
#if defined(__x86_64__)
__asm__(".text\n.global _start\n_start:\n\txor %ebp, %ebp\n\tmov %rsp, %rdi\n"
	"\tand $-16, %rsp\n\tcall modbox_start\n\thlt\n");
#elif defined(__aarch64__)
/* The kernel leaves sp 16-byte aligned, as the ABI wants it (so on arm and riscv). */
__asm__(".text\n.global _start\n.type _start, %function\n_start:\n"
	"\tmov x0, sp\n\tbl modbox_start\n");
#elif defined(__arm__)
/* In the instruction set the rest is compiled for (Thumb-2 on Debian's armhf). */
#ifdef __thumb__
#define START_MODE ".thumb\n.thumb_func\n"
#else
#define START_MODE ".arm\n"
#endif
__asm__(".text\n.global _start\n.type _start, %function\n" START_MODE "_start:\n"
	"\tmov r0, sp\n\tbl modbox_start\n");
#elif defined(__riscv) && __riscv_xlen == 64
/* gp first: the linker relaxes accesses near __global_pointer$ into gp-relative ones. */
__asm__(".text\n.global _start\n.type _start, %function\n_start:\n"
	"\t.option push\n\t.option norelax\n\tlla gp, __global_pointer$\n\t.option pop\n"
	"\tmv a0, sp\n\tcall modbox_start\n");
#else
#error "FEATURE_OWN_START: no start code for this architecture yet"
#endif
int main(int argc, char **argv);
extern char **environ;
void modbox_start(long *sp)
{
#if defined(__x86_64__)
	/* musl's string functions are built with the stack protector, which reads its
	 * canary at %fs:0x28 on x86_64: a thread pointer to a zeroed block that points to
	 * itself, as musl's does, is all they need (the other targets keep the canary in
	 * a global) */
	static long tp[64];

	tp[0] = (long)tp;
	sys3(SYS_arch_prctl, 0x1002 /* ARCH_SET_FS */, (long)tp, 0);
#endif
	environ = (char **)(sp + 2 + sp[0]); /* after argv's NULL */
	sys_exit(main((int)sp[0], (char **)(sp + 1)));
}
#endif

int main(int argc, char **argv)
{
	const char *name = path_base(argv[0]);
	size_t i;

	if (!strncmp(name, "modbox", 6)) {
		argv++;
		argc--;
		if (!argc || !strcmp(argv[0], "--list") || !strcmp(argv[0], "--help")) {
			list(argc ? 1 : 2, !argc || argv[0][2] == 'h');
			return !argc;
		}
		name = argv[0];
	}
	for (i = 0; i < N_APPLETS; i++)
		if (!strcmp(name, applets[i].name)) {
			applet_name = applets[i].name;
			return applets[i].main(argc, argv);
		}
	put(2, "modbox: applet not found: ", name, "\n");
	list(2, 1);
	return 1;
}
