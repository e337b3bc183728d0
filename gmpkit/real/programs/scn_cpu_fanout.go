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
	"encoding/json"
	"flag"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

// compute burns about us microseconds of CPU, calling chunk (a preemption point).
// calibrate returns loop iterations per microsecond (the best of a few tries:
// the fastest try is the one the OS did not interrupt).
func main() {
	goroutines := flag.Int("goroutines", 8, "workers")
	workUs := flag.Int("work_us", 1000, "compute per worker, µs")
	out := flag.String("o", "", "write a runtime/trace to this file")
	flag.Parse()

	ipu := *ipuFlag
	if ipu <= 0 {
		ipu = calibrate()
	}
	threads0 := pprof.Lookup("threadcreate").Count()
	stop := startTrace(*out)
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
	stop()
	json.NewEncoder(os.Stdout).Encode(map[string]any{
		"scenario": "cpu_fanout", "makespan_ns": makespan.Nanoseconds(),
		"threads": pprof.Lookup("threadcreate").Count(), "threads_at_start": threads0,
		"iters_per_us": ipu, "gomaxprocs": runtime.GOMAXPROCS(0),
		"goroutines": *goroutines, "work_us": *workUs,
	})
}
