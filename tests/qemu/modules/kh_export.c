// SPDX-License-Identifier: GPL-2.0
/* modbox test: exports kh_export_value for kh_import. Its init logs (the softdep order
 * case reads it). */
#include <linux/module.h>

int kh_export_value = 42;
EXPORT_SYMBOL_GPL(kh_export_value);

static int __init kh_export_init(void)
{
	pr_info("kh_export: init\n");
	return 0;
}

static void __exit kh_export_exit(void)
{
}

module_init(kh_export_init);
module_exit(kh_export_exit);
MODULE_DESCRIPTION("modbox test: symbol exporter");
MODULE_LICENSE("GPL");
