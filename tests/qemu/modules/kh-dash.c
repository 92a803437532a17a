// SPDX-License-Identifier: GPL-2.0
/* modbox test: the file is kh-dash.ko, the module is kh_dash. Its init logs (the
 * softdep order case reads it). */
#include <linux/module.h>

static int __init kh_dash_init(void)
{
	pr_info("kh_dash: init\n");
	return 0;
}

static void __exit kh_dash_exit(void)
{
}

module_init(kh_dash_init);
module_exit(kh_dash_exit);
MODULE_DESCRIPTION("modbox test: dash in the file name");
MODULE_LICENSE("GPL");
