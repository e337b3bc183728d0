// tracedemo runs a small workload under runtime/trace and writes the trace to
// the file given by -o.  It shows, in about a tenth of a second, each thing
// the course talks about:
//
//   - go statements (spawns) and an unbuffered channel ping-pong (wake-ups),
//   - runtime.Gosched (a G goes back to the run queue of its own accord),
//   - CPU-bound goroutines longer than the 10 ms time slice (preemption),
//   - a blocking system call long enough for sysmon to retake its P,
//   - a sleep (a timer wakes the G).
//
// Read the result with: go tool trace -d=parsed trace.out
package main

import (
	"flag"
	"log"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"syscall"
	"time"
)

//go:noinline
func spin(d time.Duration) int {
	x, end := 0, time.Now().Add(d)
	for time.Now().Before(end) {
		for i := 0; i < 1000; i++ {
			x += i
		}
	}
	return x
}

func main() {
	out := flag.String("o", "trace.out", "trace file to write")
	cpu := flag.Duration("cpu", 25*time.Millisecond, "work per CPU-bound goroutine")
	block := flag.Duration("block", 15*time.Millisecond, "length of the blocking system call")
	flag.Parse()

	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	if err := trace.Start(f); err != nil {
		log.Fatal(err)
	}

	// 1. ping-pong: each send wakes the other goroutine.
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	for i := 0; i < 5; i++ {
		ping <- i
		<-pong
	}
	close(ping)

	var wg sync.WaitGroup
	// 2. a blocking system call: nanosleep holds the M, sysmon retakes the P.
	wg.Add(1)
	go func() {
		defer wg.Done()
		ts := syscall.NsecToTimespec(int64(*block))
		syscall.Nanosleep(&ts, nil)
	}()
	// 3. CPU-bound goroutines, more than GOMAXPROCS, each longer than a time slice.
	for i := 0; i < runtime.GOMAXPROCS(0)+1; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); spin(*cpu) }()
	}
	// 4. a polite goroutine that yields a few times, and a sleeper.
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; i < 3; i++ {
			spin(100 * time.Microsecond)
			runtime.Gosched()
		}
	}()
	go func() { defer wg.Done(); time.Sleep(2 * time.Millisecond) }()
	wg.Wait()

	trace.Stop()
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
