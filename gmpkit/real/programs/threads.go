// threads measures OS thread creation as the Go runtime does it (newm ->
// clone).  A goroutine that exits while still locked to its thread takes the
// thread with it, so the next locked goroutine needs a brand-new M.
//
// Output: one JSON line {"ns_per_thread": ...}.
package main

import (
	"encoding/json"
	"flag"
	"os"
	"runtime"
	"time"
)

func main() {
	n := flag.Int("n", 2000, "threads to create and destroy")
	flag.Parse()
	done := make(chan struct{})
	life := func() {
		runtime.LockOSThread()
		done <- struct{}{}
		// returning while locked: the runtime destroys this thread
	}
	for i := 0; i < 20; i++ { // warm up
		go life()
		<-done
	}
	start := time.Now()
	for i := 0; i < *n; i++ {
		go life()
		<-done
	}
	elapsed := time.Since(start)
	json.NewEncoder(os.Stdout).Encode(map[string]any{
		"ns_per_thread": float64(elapsed.Nanoseconds()) / float64(*n),
		"n":             *n,
	})
}
