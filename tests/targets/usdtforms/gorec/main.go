// SPDX-License-Identifier: BSD-2-Clause
//
// gorec: Go functions whose stack must grow while they run (deep recursion
// with a big frame, in goroutines), so that runtime.morestack re-enters them
// from their first instruction. Prints how many times each was really called,
// so a tracer's entry counts can be checked against it. Usage: gorec N
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
)

var recCalls, leafCalls int64

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
func leaf(x int64) int64 {
	atomic.AddInt64(&leafCalls, 1)
	return x * 3
}

func main() {
	n := 1
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	var wg sync.WaitGroup
	var sum int64
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < n; i++ {
				var pad [64]int64
				atomic.AddInt64(&sum, rec(200+g, pad)+leaf(int64(i)))
			}
		}(g)
	}
	wg.Wait()
	fmt.Printf("main.rec %d\nmain.leaf %d\n", recCalls, leafCalls)
	if sum == 42 {
		os.Exit(3)
	}
}
