// scn_spawn_burst mirrors gmpkit.scenarios.spawn_burst: one goroutine (main)
// runs -goroutines go statements in a row, each child computes -work_us.
// More than 256 children overflow main's P's local ring: runqputslow moves
// half of it (plus the new G) to the global queue, which GODEBUG=schedtrace
// shows as runqueue=N.
//
// Output: one JSON line {"makespan_ns", "spawn_ns", "threads", ...}.
package main

import (
	"flag"
	"sync"
	"time"
)

func main() {
	goroutines := flag.Int("goroutines", 300, "children started in one burst")
	workUs := flag.Int("work_us", 10, "compute per child, µs")
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
	spawned := time.Since(start)
	wg.Wait()
	makespan := time.Since(start)
	r.stop()
	r.report(map[string]any{
		"scenario": "spawn_burst", "makespan_ns": makespan.Nanoseconds(),
		"spawn_ns":   spawned.Nanoseconds(),
		"goroutines": *goroutines, "work_us": *workUs,
	})
}
