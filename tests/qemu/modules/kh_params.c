// SPDX-License-Identifier: GPL-2.0
/* One parameter of every type, all readable in /sys/module/kh_params/parameters. */
#include <linux/module.h>
#include <linux/moduleparam.h>

static int myint;
static unsigned int myuint;
static long mylong;
static unsigned long myulong;
static short myshort;
static unsigned short myushort;
static unsigned char mybyte;
static unsigned int myhexint;
static bool mybool;
static bool myinvbool;
static char *mycharp = "unset";
static char mystr[32] = "unset";
static int myarr[8];
static int myarr_count;

module_param(myint, int, 0444);
module_param(myuint, uint, 0444);
module_param(mylong, long, 0444);
module_param(myulong, ulong, 0444);
module_param(myshort, short, 0444);
module_param(myushort, ushort, 0444);
module_param(mybyte, byte, 0444);
module_param(myhexint, hexint, 0444);
module_param(mybool, bool, 0444);
module_param(myinvbool, invbool, 0444);
module_param(mycharp, charp, 0444);
module_param_string(mystr, mystr, sizeof(mystr), 0444);
module_param_array(myarr, int, &myarr_count, 0444);

static int __init kh_params_init(void)
{
	return 0;
}

static void __exit kh_params_exit(void)
{
}

module_init(kh_params_init);
module_exit(kh_params_exit);
MODULE_DESCRIPTION("modbox test: parameters of every type");
MODULE_LICENSE("GPL");
