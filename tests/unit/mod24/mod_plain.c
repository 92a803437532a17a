/* No __ksymtab: with MOD24_EXPORT_ALL every global symbol is exported, as 2.4's insmod
 * did; statics are not. */
int plain_value = 5;
int plain_common;
static int plain_hidden = 3;

int plain_get(void)
{
	return plain_value + plain_hidden + plain_common;
}

int init_module(void)
{
	return plain_get() - 8;
}
