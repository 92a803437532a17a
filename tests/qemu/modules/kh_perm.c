// SPDX-License-Identifier: GPL-2.0
/* modbox test: an init function and no exit function, so the module is permanent. */
#include <linux/module.h>

static int __init kh_perm_init(void)
{
	return 0;
}

module_init(kh_perm_init);
MODULE_DESCRIPTION("modbox test: permanent module (no exit function)");
MODULE_LICENSE("GPL");
