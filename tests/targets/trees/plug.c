/* libplug.so: dlopened by tree_dlopen from a directory no loader search covers. */
__attribute__((noinline)) int plug_work(int x)
{
	__asm__ volatile("" ::: "memory");
	return x + 3;
}
