// scn_spawn_burst mirrors gmpkit.scenarios.spawn_burst: one goroutine (main)
// runs -goroutines go statements in a row, each child computes -work_us.
// More than 256 children overflow main's P's local ring: runqputslow moves
// half of it (plus the new G) to the global queue, which GODEBUG=schedtrace
// shows as runqueue=N.
//
// Output: one JSON line {"makespan_ns", "spawn_ns", "threads", ...}.
package main

import (
	"encoding/json"
	"flag"
	"log"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"time"
)

var sink int

// -ipu skips the calibration (gmpkit measures it once and passes it on), so the
// workload starts as soon as the program does, as in the simulator.
var ipuFlag = flag.Float64("ipu", 0, "loop iterations per µs (0: calibrate first)")

//go:noinline
func chunk(n int) int {
	x := 0
	for i := 0; i < n; i++ {
		x += i ^ (x >> 3)
	}
	return x
}

func compute(us int, itersPerUs float64) {
	n := int(float64(us) * itersPerUs)
	for n > 0 {
		k := 1000
		if n < k {
			k = n
		}
		sink += chunk(k)
		n -= k
	}
}

func calibrate() float64 {
	best := time.Duration(1 << 62)
	const n = 2_000_000
	for t := 0; t < 7; t++ {
		t0 := time.Now()
		sink += chunk(n)
		if d := time.Since(t0); d < best {
			best = d
		}
	}
	return n / (float64(best.Nanoseconds()) / 1000)
}

func startTrace(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}
	return func() {
		trace.Stop()
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}
}

func main() {
	goroutines := flag.Int("goroutines", 300, "children started in one burst")
	workUs := flag.Int("work_us", 10, "compute per child, µs")
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
	spawned := time.Since(start)
	wg.Wait()
	makespan := time.Since(start)
	stop()
	json.NewEncoder(os.Stdout).Encode(map[string]any{
		"scenario": "spawn_burst", "makespan_ns": makespan.Nanoseconds(),
		"spawn_ns": spawned.Nanoseconds(),
		"threads":  pprof.Lookup("threadcreate").Count(), "threads_at_start": threads0,
		"iters_per_us": ipu, "gomaxprocs": runtime.GOMAXPROCS(0),
		"goroutines": *goroutines, "work_us": *workUs,
	})
}
