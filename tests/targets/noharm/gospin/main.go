// gospin: the Go target of tests/noharm.bats. It calls main.work every
// millisecond until SIGTERM, then prints how many calls it made. A uretprobe
// on any of its functions would kill it ("fatal error: unknown caller pc").
package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

var sink int

//go:noinline
func work(i int) int {
	return i*3 + 1
}

func main() {
	fmt.Fprintf(os.Stderr, "gospin: pid %d\n", os.Getpid())
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	tick := time.NewTicker(time.Millisecond)
	calls := 0
	for {
		select {
		case <-stop:
			fmt.Fprintf(os.Stderr, "gospin: calls %d\n", calls)
			return
		case <-tick.C:
			sink += work(calls)
			calls++
		}
	}
}
