// memblocked measures what a blocked goroutine costs in memory: it starts n
// goroutines that all block on one channel, then compares runtime.MemStats
// before and after.  Run it in a fresh process so nothing else allocates.
//
// Output: one JSON line with the per-goroutine deltas of Sys, StackInuse and
// HeapInuse in bytes.
package main

import (
	"encoding/json"
	"flag"
	"os"
	"runtime"
	"sync"
)

func main() {
	n := flag.Int("n", 100000, "goroutines to block")
	flag.Parse()

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	block := make(chan struct{})
	var started sync.WaitGroup
	started.Add(*n)
	for i := 0; i < *n; i++ {
		go func() {
			started.Done()
			<-block
		}()
	}
	started.Wait()
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := func(a, b uint64) float64 { return (float64(a) - float64(b)) / float64(*n) }
	out := map[string]any{
		"n":                   *n,
		"sys_per_g":           per(after.Sys, before.Sys),
		"stack_inuse_per_g":   per(after.StackInuse, before.StackInuse),
		"heap_inuse_per_g":    per(after.HeapInuse, before.HeapInuse),
		"goroutines":          runtime.NumGoroutine(),
	}
	close(block)
	json.NewEncoder(os.Stdout).Encode(out)
}
