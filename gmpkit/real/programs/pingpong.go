// pingpong measures one hand-off: goroutine A sends on an unbuffered channel,
// B receives and answers, n round trips.  A hand-off is half a round trip.
//
// With -locked both goroutines call runtime.LockOSThread, so every hand-off
// must wake another OS thread (the runtime's startlockedm / stoplockedm path)
// instead of switching goroutines on the same thread.
//
// Output: one JSON line {"ns_per_handoff": ..., "n": ..., ...}.
package main

import (
	"encoding/json"
	"flag"
	"os"
	"runtime"
	"time"
)

func main() {
	n := flag.Int("n", 200000, "round trips")
	locked := flag.Bool("locked", false, "lock both goroutines to their own OS threads")
	flag.Parse()

	ping, pong := make(chan int), make(chan int)
	go func() {
		if *locked {
			runtime.LockOSThread()
		}
		for v := range ping {
			pong <- v
		}
		close(pong)
	}()
	if *locked {
		runtime.LockOSThread()
	}
	for i := 0; i < *n/10; i++ { // warm up
		ping <- i
		<-pong
	}
	start := time.Now()
	for i := 0; i < *n; i++ {
		ping <- i
		<-pong
	}
	elapsed := time.Since(start)
	close(ping)
	json.NewEncoder(os.Stdout).Encode(map[string]any{
		"ns_per_handoff": float64(elapsed.Nanoseconds()) / float64(2**n),
		"n":              *n,
		"locked":         *locked,
		"gomaxprocs":     runtime.GOMAXPROCS(0),
	})
}
