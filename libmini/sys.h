/* sys: raw system calls that return -errno, so libmini needs no errno and no libc
 * wrappers (which cost bytes and, without libc's start-up code, could not set errno).
 * Inline for the arches modbox is built for (x86_64, aarch64, arm, riscv); any other
 * goes through libc's syscall(). Arguments are longs: a 64-bit one on a 32-bit arch
 * (pread64's offset) must be split by the caller, which passes 0 everywhere today. */
#ifndef MODBOX_SYS_H
#define MODBOX_SYS_H

#include <sys/syscall.h>

#if defined(__x86_64__)
static inline long sys3(long n, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return r;
}
#elif defined(__aarch64__) || defined(__riscv) || defined(__arm__)
#if defined(__aarch64__)
#define SYS_INSN "svc 0"
#define SYS_NR "x8"
#define SYS_A(i) "x" #i
#elif defined(__arm__) /* EABI; r7 is Thumb's frame pointer, unused at -Oz */
#define SYS_INSN "svc 0"
#define SYS_NR "r7"
#define SYS_A(i) "r" #i
#else
#define SYS_INSN "ecall"
#define SYS_NR "a7"
#define SYS_A(i) "a" #i
#endif
static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long nr __asm__(SYS_NR) = n, r0 __asm__(SYS_A(0)) = a;
	register long r1 __asm__(SYS_A(1)) = b, r2 __asm__(SYS_A(2)) = c;
	register long r3 __asm__(SYS_A(3)) = d, r4 __asm__(SYS_A(4)) = e;
	register long r5 __asm__(SYS_A(5)) = f;

	__asm__ volatile(SYS_INSN
			 : "+r"(r0)
			 : "r"(nr), "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5)
			 : "memory");
	return r0;
}
#define sys3(n, a, b, c) sys6(n, a, b, c, 0, 0, 0)
#else
#include <errno.h>
#include <unistd.h>
static inline long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	long r = syscall(n, a, b, c, d, e, f);

	return r == -1 ? -errno : r;
}
#define sys3(n, a, b, c) sys6(n, a, b, c, 0, 0, 0)
#endif

/* riscv64 (like every arch added since 2018) has only renameat2; with flags 0 it is
 * renameat. */
/* 32-bit ARM's musl names the old clock_gettime, whose timespec is two longs, so */
#if !defined(SYS_clock_gettime) && defined(SYS_clock_gettime32)
#define SYS_clock_gettime SYS_clock_gettime32
#endif
#if !defined(SYS_renameat) && defined(SYS_renameat2)
#define SYS_renameat SYS_renameat2
#endif

#define sys_read(fd, buf, n) sys3(SYS_read, fd, (long)(buf), n)
#define sys_write(fd, buf, n) sys3(SYS_write, fd, (long)(buf), n)
#define sys_close(fd) sys3(SYS_close, fd, 0, 0)
#define sys_openat(dir, path, flags) sys3(SYS_openat, dir, (long)(path), flags)
#define sys_access(path) sys3(SYS_faccessat, -100 /* AT_FDCWD */, (long)(path), 0)
#define sys_lseek_end(fd) sys3(SYS_lseek, fd, 0, 2 /* SEEK_END */)
#define sys_munmap(p, n) sys3(SYS_munmap, (long)(p), n, 0)
#define sys_mremap(p, old, new) sys6(SYS_mremap, (long)(p), old, new, 1, 0, 0)
#ifdef SYS_mmap2
#define sys_mmap(len, prot, flags, fd) sys6(SYS_mmap2, 0, len, prot, flags, fd, 0)
#else
#define sys_mmap(len, prot, flags, fd) sys6(SYS_mmap, 0, len, prot, flags, fd, 0)
#endif
#define sys_exit(code) sys3(SYS_exit_group, code, 0, 0)

/* a result in [-4095, -1] is an error */
#define sys_failed(r) ((unsigned long)(r) > -4096UL)

#endif
