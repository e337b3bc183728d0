// spawn measures the cost of a goroutine's whole life: the go statement
// (newproc), being scheduled once, and exiting (goexit0), in batches so the
// run queue never grows long.
//
// Output: one JSON line {"ns_per_op": ..., "n": ..., "gomaxprocs": ...}.
package main

import (
	"encoding/json"
	"flag"
	"os"
	"runtime"
	"sync"
	"time"
)

func main() {
	n := flag.Int("n", 200000, "goroutines to create")
	batch := flag.Int("batch", 100, "goroutines per batch (each batch is waited for)")
	flag.Parse()

	var wg sync.WaitGroup
	run := func(count int) time.Duration {
		start := time.Now()
		for done := 0; done < count; done += *batch {
			wg.Add(*batch)
			for i := 0; i < *batch; i++ {
				go wg.Done()
			}
			wg.Wait()
		}
		return time.Since(start)
	}
	run(*batch * 10) // warm up: the free-G list and stack cache are filled
	elapsed := run(*n)
	json.NewEncoder(os.Stdout).Encode(map[string]any{
		"ns_per_op":  float64(elapsed.Nanoseconds()) / float64(*n),
		"n":          *n,
		"batch":      *batch,
		"gomaxprocs": runtime.GOMAXPROCS(0),
	})
}
