/* A module as 2.4's insmod saw one, compiled by test_mod24 (-c -O1 -fno-pic -fcommon):
 * calls between its functions, a table of function pointers and data pointers
 * (absolute relocations), PC-relative calls and data references into the "kernel" (the
 * test program), common symbols, a weak symbol nobody has, __this_module, __ksymtab,
 * __ex_table and .modinfo. init_module checks what it can and answers 42. */
struct module;
extern struct module __this_module;
extern int kernel_add(int a, int b);
extern int kernel_counter;
extern void kernel_absent(void) __attribute__((weak));

int mod_commons[64]; /* common symbols, zeroed by the linker */
int mod_flag;

static __attribute__((noinline)) int twice(int x)
{
	return 2 * x;
}

static __attribute__((noinline)) int thrice(int x)
{
	return 3 * x;
}

int (*mod_ops[])(int) = {twice, thrice};
int *mod_flag_ptr = &mod_flag;
struct module *mod_self = &__this_module;
const char *mod_greeting = "hello from 2.4";
int mod_exported = 7;

/* An address in an instruction: R_X86_64_32 (R_X86_64_32S with -mcmodel=kernel),
 * R_386_32 */
__attribute__((noinline)) unsigned long mod_flag_addr(void)
{
	return (unsigned long)&mod_flag;
}

#ifdef __i386__
/* call through the PLT, as PIC code would: R_386_PLT32 */
int mod_call_plt(int a, int b);
__asm__(".text\n.globl mod_call_plt\nmod_call_plt:\n\tpushl 8(%esp)\n\tpushl 8(%esp)\n"
	"\tcall kernel_add@PLT\n\taddl $8, %esp\n\tret\n");
#else
#define mod_call_plt kernel_add
#endif

int init_module(void)
{
	int i, any = 0;

	for (i = 0; i < 64; i++)
		any |= mod_commons[i];
	if (any || mod_flag)
		return -1;
	if (mod_flag_addr() != (unsigned long)mod_flag_ptr)
		return -2;
	if (kernel_absent)
		return -3;
	mod_flag = mod_ops[0](5) + mod_ops[1](7); /* 31 */
	kernel_counter += mod_call_plt(mod_flag, 11);
	for (i = 0; i < 64; i++)
		mod_commons[i] = i;
	return 42;
}

void cleanup_module(void)
{
	mod_flag = -1;
}

/* EXPORT_SYMBOL of 2.4: struct module_symbol {value, name} in __ksymtab */
struct ksym {
	const void *value;
	const char *name;
};
const char mod_kstr[][16]
	__attribute__((section(".kstrtab"))) = {"mod_exported", "mod_flag"};
const struct ksym mod_ksyms[] __attribute__((section("__ksymtab"))) = {
	{&mod_exported, mod_kstr[0]},
	{&mod_flag, mod_kstr[1]},
};

/* exception table entries: instruction and fixup addresses */
const unsigned long mod_ex[2] __attribute__((section("__ex_table"))) = {
	(unsigned long)init_module, (unsigned long)cleanup_module};

const char mod_info[] __attribute__((section(".modinfo"))) = "kernel_version=2.4.37";
