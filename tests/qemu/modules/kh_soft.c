// SPDX-License-Identifier: GPL-2.0
/* modbox test: the target of a modprobe.d softdep (pre: kh_export, post: kh-dash); its
 * init logs, so that dmesg shows the order the three were loaded in. */
#include <linux/module.h>

static int __init kh_soft_init(void)
{
	pr_info("kh_soft: init\n");
	return 0;
}

static void __exit kh_soft_exit(void)
{
}

module_init(kh_soft_init);
module_exit(kh_soft_exit);
MODULE_DESCRIPTION("modbox test: softdep target");
MODULE_LICENSE("GPL");
