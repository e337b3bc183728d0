// schedload keeps the scheduler busy for a while so GODEBUG=schedtrace has
// something to show: more CPU-bound goroutines than Ps (queues fill, the
// time slice preempts), some goroutines that sleep (timers, idle Ms) and a
// few blocking system calls (threads beyond GOMAXPROCS).
//
// Run it with GODEBUG=schedtrace=50 (and scheddetail=1 for per-P/M/G lines);
// the runtime prints to standard error.
package main

import (
	"flag"
	"sync"
	"syscall"
	"time"
)

//go:noinline
func spin(d time.Duration) int {
	x, end := 0, time.Now().Add(d)
	for time.Now().Before(end) {
		for i := 0; i < 1000; i++ {
			x += i
		}
	}
	return x
}

func main() {
	dur := flag.Duration("d", 300*time.Millisecond, "how long to run")
	workers := flag.Int("workers", 6, "CPU-bound goroutines")
	flag.Parse()

	var wg sync.WaitGroup
	stop := time.Now().Add(*dur)
	for i := 0; i < *workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				spin(3 * time.Millisecond)
			}
		}()
	}
	wg.Add(2)
	go func() { // sleeps: timers and idle threads
		defer wg.Done()
		for time.Now().Before(stop) {
			time.Sleep(5 * time.Millisecond)
		}
	}()
	go func() { // blocking system calls: an M leaves with its G
		defer wg.Done()
		for time.Now().Before(stop) {
			ts := syscall.NsecToTimespec(int64(20 * time.Millisecond))
			syscall.Nanosleep(&ts, nil)
		}
	}()
	wg.Wait()
}
