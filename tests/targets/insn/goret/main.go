// SPDX-License-Identifier: BSD-2-Clause
//
// goret: the Go target of tests/insn_go.bats. Every round runs in new
// goroutines, so rec()'s recursion (512-byte frames, 24 deep) grows each
// goroutine's 8 KiB starting stack mid-call; slow() sleeps mid-call, so its
// goroutine may resume on another thread. Prints how many times each
// function was called and, with -v, every leaf argument and result
// ("leaf X Y"), so a tracer's counts, arguments and return values can be
// checked against the program's own. Usage: goret [-v] ROUNDS
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

var recCalls, leafCalls, slowCalls int64

//go:noinline
func rec(depth int, pad [64]int64) int64 {
	atomic.AddInt64(&recCalls, 1)
	if depth == 0 {
		return pad[0]
	}
	pad[depth%64] += int64(depth)
	return rec(depth-1, pad) + pad[depth%64]
}

//go:noinline
func leaf(x int64, y int64) int64 {
	atomic.AddInt64(&leafCalls, 1)
	return x*3 + y
}

//go:noinline
func slow(i int64) int64 {
	atomic.AddInt64(&slowCalls, 1)
	time.Sleep(200 * time.Microsecond)
	return i + 1
}

func main() {
	args := os.Args[1:]
	verbose := len(args) > 0 && args[0] == "-v"
	if verbose {
		args = args[1:]
	}
	n := 1
	if len(args) > 0 {
		n, _ = strconv.Atoi(args[0])
	}
	var mu sync.Mutex
	var lines []string
	var sum int64
	for r := 0; r < n; r++ {
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				var pad [64]int64
				x, y := int64(r*4+g), int64(g+7)
				v := leaf(x, y)
				atomic.AddInt64(&sum, rec(24, pad)+v+slow(x))
				if verbose {
					mu.Lock()
					lines = append(lines, fmt.Sprintf("leaf %d %d %d", x, y, v))
					mu.Unlock()
				}
			}(g)
		}
		wg.Wait()
	}
	for _, l := range lines {
		fmt.Println(l)
	}
	fmt.Printf("calls main.rec %d\ncalls main.leaf %d\ncalls main.slow %d\n", recCalls, leafCalls, slowCalls)
	if sum == 42 {
		os.Exit(3)
	}
}
