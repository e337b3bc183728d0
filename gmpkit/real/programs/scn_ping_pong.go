// scn_ping_pong mirrors gmpkit.scenarios.ping_pong: main and a "pong"
// goroutine bounce a value over two unbuffered channels -rounds times; pong
// computes -work_ns before each answer.  A hand-off is half a round trip.
//
// Output: one JSON line {"makespan_ns", "handoff_ns", "threads", ...}.
package main

import (
	"flag"
	"sync"
	"time"
)

func main() {
	rounds := flag.Int("rounds", 1000, "round trips")
	workNs := flag.Int("work_ns", 0, "compute by pong before each answer, ns")
	flag.Parse()

	ipu := itersPerUs()
	r := begin(ipu)
	start := time.Now()
	ping, pong := make(chan int), make(chan int)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for v := range ping {
			if *workNs > 0 {
				sink += chunk(int(float64(*workNs) * ipu / 1000))
			}
			pong <- v + 1
		}
	}()
	t0 := time.Now()
	v := 0
	for i := 0; i < *rounds; i++ {
		ping <- v
		v = <-pong
	}
	t1 := time.Now()
	close(ping)
	makespan := time.Since(start)
	wg.Wait()
	r.stop()
	r.report(map[string]any{
		"scenario": "ping_pong", "makespan_ns": makespan.Nanoseconds(),
		"handoff_ns": float64(t1.Sub(t0).Nanoseconds()) / float64(2**rounds), "final": v,
		"rounds": *rounds, "work_ns": *workNs,
	})
}
