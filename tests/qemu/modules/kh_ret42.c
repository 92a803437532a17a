// SPDX-License-Identifier: GPL-2.0
/* modbox test: init returns 42: the kernel warns and keeps the module. */
#include <linux/module.h>
#include <linux/errno.h>

static int __init kh_ret42_init(void)
{
	return 42;
}

static void __exit kh_ret42_exit(void)
{
}

module_init(kh_ret42_init);
module_exit(kh_ret42_exit);
MODULE_DESCRIPTION("modbox test: init returns 42: the kernel warns and keeps the module");
MODULE_LICENSE("GPL");
