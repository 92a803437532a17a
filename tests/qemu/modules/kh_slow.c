// SPDX-License-Identifier: GPL-2.0
/* modbox test: init takes about 2 s, so that two loads of it overlap. */
#include <linux/module.h>
#include <linux/delay.h>

static int __init kh_slow_init(void)
{
	msleep(2000);
	return 0;
}

static void __exit kh_slow_exit(void)
{
}

module_init(kh_slow_init);
module_exit(kh_slow_exit);
MODULE_DESCRIPTION("modbox test: slow init");
MODULE_LICENSE("GPL");
