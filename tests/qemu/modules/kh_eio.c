// SPDX-License-Identifier: GPL-2.0
/* modbox test: init fails with -EIO. */
#include <linux/module.h>
#include <linux/errno.h>

static int __init kh_eio_init(void)
{
	return -EIO;
}

static void __exit kh_eio_exit(void)
{
}

module_init(kh_eio_init);
module_exit(kh_eio_exit);
MODULE_DESCRIPTION("modbox test: init fails with -EIO");
MODULE_LICENSE("GPL");
