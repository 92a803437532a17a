// SPDX-License-Identifier: GPL-2.0
/* modbox test: a plain module, loaded from .ko.gz, .ko.xz and .ko.zst copies. */
#include <linux/module.h>

static int __init kh_zip_init(void)
{
	return 0;
}

static void __exit kh_zip_exit(void)
{
}

module_init(kh_zip_init);
module_exit(kh_zip_exit);
MODULE_DESCRIPTION("modbox test: compressed copies");
MODULE_LICENSE("GPL");
