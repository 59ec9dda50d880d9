/* libtreelib.so: the library tree_exec calls, probed as -x libtreelib.so. */
__attribute__((noinline)) int treelib_work(int x)
{
	__asm__ volatile("" ::: "memory");
	return x * 2;
}
