/* Uses two symbols nobody supplies and one the test does. */
extern int kernel_add(int a, int b);
extern int nowhere_function(void);
extern int nowhere_variable;

int init_module(void)
{
	return kernel_add(nowhere_function(), nowhere_variable);
}
