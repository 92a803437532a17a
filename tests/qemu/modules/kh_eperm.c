// SPDX-License-Identifier: GPL-2.0
/* modbox test: init returns -1 (the kernel reports EPERM). */
#include <linux/module.h>
#include <linux/errno.h>

static int __init kh_eperm_init(void)
{
	return -1;
}

static void __exit kh_eperm_exit(void)
{
}

module_init(kh_eperm_init);
module_exit(kh_eperm_exit);
MODULE_DESCRIPTION("modbox test: init returns -1 (the kernel reports EPERM)");
MODULE_LICENSE("GPL");
