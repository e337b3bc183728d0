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
)

func main() {
	goroutines := flag.Int("goroutines", 8, "workers")
	workUs := flag.Int("work_us", 1000, "compute per worker, µs")
	flag.Parse()

	ipu := itersPerUs()
	r := begin(ipu)
	makespan := fanOut(*goroutines, func() {
		compute(*workUs, ipu)
	})
	r.stop()
	r.report(map[string]any{
		"scenario": "cpu_fanout", "makespan_ns": makespan.Nanoseconds(),
		"goroutines": *goroutines, "work_us": *workUs,
	})
}
