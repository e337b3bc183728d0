// scn_syscall_storm mirrors gmpkit.scenarios.syscall_storm: -goroutines
// workers each compute -compute_us, make one blocking system call of
// -syscall_us (nanosleep(2): the thread really sleeps in the kernel), and
// compute -compute_us again.  The syscall keeps its P (entersyscall); sysmon
// retakes the P after a tick and hands it to another M, so the runtime
// creates threads.
//
// Output: one JSON line {"makespan_ns", "threads", "threads_at_start", ...}.
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
	"syscall"
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
	goroutines := flag.Int("goroutines", 32, "workers")
	syscallUs := flag.Int("syscall_us", 1000, "length of each blocking system call, µs")
	computeUs := flag.Int("compute_us", 50, "compute before and after the call, µs")
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
			compute(*computeUs, ipu)
			ts := syscall.NsecToTimespec(int64(*syscallUs) * 1000)
			syscall.Nanosleep(&ts, nil)
			compute(*computeUs, ipu)
			wg.Done()
		}()
	}
	wg.Wait()
	makespan := time.Since(start)
	stop()
	json.NewEncoder(os.Stdout).Encode(map[string]any{
		"scenario": "syscall_storm", "makespan_ns": makespan.Nanoseconds(),
		"threads": pprof.Lookup("threadcreate").Count(), "threads_at_start": threads0,
		"iters_per_us": ipu, "gomaxprocs": runtime.GOMAXPROCS(0),
		"goroutines": *goroutines, "syscall_us": *syscallUs, "compute_us": *computeUs,
	})
}
