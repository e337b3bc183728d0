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
	"flag"
	"sync"
	"time"
)

func main() {
	hogMs := flag.Int("hog_ms", 50, "hog's compute, ms")
	tight := flag.Bool("tight", true, "hog has no function calls (no cooperative preemption point)")
	ticks := flag.Int("ticks", 10, "ticker's sleeps")
	tickUs := flag.Int("tick_us", 1000, "each sleep, µs")
	flag.Parse()

	ipu := itersPerUs()
	r := begin(ipu)
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
	r.stop()
	worst := startDelay.Nanoseconds()
	for _, l := range latency {
		if l > worst {
			worst = l
		}
	}
	r.report(map[string]any{
		"scenario": "cpu_hog", "makespan_ns": makespan.Nanoseconds(),
		"latency_ns": latency, "start_delay_ns": startDelay.Nanoseconds(), "worst_delay_ns": worst,
		"hog_ms": *hogMs, "tight": *tight, "ticks": *ticks, "tick_us": *tickUs,
	})
}
