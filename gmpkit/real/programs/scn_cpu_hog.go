// scn_cpu_hog mirrors gmpkit.scenarios.cpu_hog: a "hog" goroutine computes
// -hog_ms while a "ticker" goroutine sleeps -tick_us, -ticks times, and
// records how late each wake-up ran.  With -tight the hog is a loop without
// any function call: no cooperative preemption point, so only asynchronous
// preemption (SIGURG, Go 1.14+) can stop it; run it again with
// GODEBUG=asyncpreemptoff=1 to see the difference.  main waits for the ticker
// only (as in the scenario).
//
// Output: one JSON line {"makespan_ns", "latency_ns": [...], "start_delay_ns",
// "worst_delay_ns", ...}.
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

func main() {
	hogMs := flag.Int("hog_ms", 50, "hog's compute, ms")
	tight := flag.Bool("tight", true, "hog has no function calls (no cooperative preemption point)")
	ticks := flag.Int("ticks", 10, "ticker's sleeps")
	tickUs := flag.Int("tick_us", 1000, "each sleep, µs")
	out := flag.String("o", "", "write a runtime/trace to this file")
	flag.Parse()

	ipu := *ipuFlag
	if ipu <= 0 {
		ipu = calibrate()
	}
	threads0 := pprof.Lookup("threadcreate").Count()
	stop := startTrace(*out)
	start := time.Now()
	var startDelay time.Duration
	latency := make([]int64, 0, *ticks)
	var wg sync.WaitGroup
	wg.Add(1)
	spawned := time.Now()
	go func() { // ticker
		startDelay = time.Since(spawned)
		for i := 0; i < *ticks; i++ {
			due := time.Now().Add(time.Duration(*tickUs) * time.Microsecond)
			time.Sleep(time.Duration(*tickUs) * time.Microsecond)
			latency = append(latency, time.Since(due).Nanoseconds())
		}
		wg.Done()
	}()
	n := int(float64(*hogMs) * 1000 * ipu)
	go func() { // hog
		if *tight {
			x := 0
			for i := 0; i < n; i++ { // no call in this loop
				x += i ^ (x >> 3)
			}
			sink += x
		} else {
			compute(*hogMs*1000, ipu)
		}
	}()
	wg.Wait()
	makespan := time.Since(start)
	stop()
	worst := startDelay.Nanoseconds()
	for _, l := range latency {
		if l > worst {
			worst = l
		}
	}
	json.NewEncoder(os.Stdout).Encode(map[string]any{
		"scenario": "cpu_hog", "makespan_ns": makespan.Nanoseconds(),
		"latency_ns": latency, "start_delay_ns": startDelay.Nanoseconds(), "worst_delay_ns": worst,
		"threads": pprof.Lookup("threadcreate").Count(), "threads_at_start": threads0,
		"iters_per_us": ipu, "gomaxprocs": runtime.GOMAXPROCS(0),
		"hog_ms": *hogMs, "tight": *tight, "ticks": *ticks, "tick_us": *tickUs,
	})
}
