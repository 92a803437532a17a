// SPDX-License-Identifier: GPL-2.0
/* modbox test: needs kh_export_value from kh_export. */
#include <linux/module.h>

extern int kh_export_value;

static int __init kh_import_init(void)
{
	pr_info("kh_import: kh_export_value is %d\n", kh_export_value);
	return 0;
}

static void __exit kh_import_exit(void)
{
}

module_init(kh_import_init);
module_exit(kh_import_exit);
MODULE_DESCRIPTION("modbox test: symbol importer");
MODULE_LICENSE("GPL");
