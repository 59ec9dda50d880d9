/* libplug2.so: a second library dlopened from a directory no loader search covers; two functions. */
__attribute__((noinline)) int plug2_a(int x)
{
	__asm__ volatile("" ::: "memory");
	return x + 5;
}

__attribute__((noinline)) int plug2_b(int x)
{
	__asm__ volatile("" ::: "memory");
	return x * 3;
}
