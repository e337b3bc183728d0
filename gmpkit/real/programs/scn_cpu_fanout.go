// scn_cpu_fanout mirrors gmpkit.scenarios.cpu_fanout: main starts -goroutines
// workers, each computes -work_us microseconds, and waits for all of them.
//
// "Compute" is a calibrated loop: the program first measures how many loop
// iterations take a microsecond on this CPU, so a worker does real CPU work
// (it takes longer when the OS gives it less CPU, as a real workload would).
// With -o FILE it writes a runtime/trace of the workload.
//
// Output: one JSON line {"makespan_ns", "threads", "threads_at_start", ...}.
package main

import (
	"flag"
	"sync"
	"time"
)

func main() {
	goroutines := flag.Int("goroutines", 8, "workers")
	workUs := flag.Int("work_us", 1000, "compute per worker, µs")
	flag.Parse()

	ipu := itersPerUs()
	r := begin(ipu)
	start := time.Now()
	var wg sync.WaitGroup
	wg.Add(*goroutines)
	for i := 0; i < *goroutines; i++ {
		go func() {
			compute(*workUs, ipu)
			wg.Done()
		}()
	}
	wg.Wait()
	makespan := time.Since(start)
	r.stop()
	r.report(map[string]any{
		"scenario": "cpu_fanout", "makespan_ns": makespan.Nanoseconds(),
		"goroutines": *goroutines, "work_us": *workUs,
	})
}
