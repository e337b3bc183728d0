// scn_lib.go is built together with every scn_*.go program (see
// gmpkit.real.toolchain): the compute loop the mirrors share with the simulator's
// gk.compute, its calibration, the runtime/trace of the measured part, and the one
// JSON line each mirror prints.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"time"
)

var outFlag = flag.String("o", "", "write a runtime/trace to this file")

var sink int

// -ipu skips the calibration (gmpkit measures it once and passes it on), so the
// workload starts as soon as the program does, as in the simulator.
var ipuFlag = flag.Float64("ipu", 0, "loop iterations per µs (0: calibrate first)")

// itersPerUs is -ipu, or the calibrated speed when -ipu is not given.
func itersPerUs() float64 {
	if *ipuFlag > 0 {
		return *ipuFlag
	}
	return calibrate()
}

// run is the measured part of a mirror: the threads that existed before it and
// the trace (-o) that records it.
type run struct {
	ipu       float64
	threads0  int
	stopTrace func()
	cpu0      int64
	wait0     int64
	cpu, wait int64
}

// begin starts the measured part: it notes the threads made so far and starts
// the trace.
func begin(ipu float64) *run {
	threads0 := pprof.Lookup("threadcreate").Count()
	cpu, wait := schedstat()
	return &run{ipu: ipu, threads0: threads0, stopTrace: startTrace(*outFlag), cpu0: cpu, wait0: wait}
}

// stop ends the measured part (and the trace).
func (r *run) stop() {
	cpu, wait := schedstat()
	r.cpu, r.wait = cpu-r.cpu0, wait-r.wait0
	r.stopTrace()
}

// schedstat sums, over this process's threads, the CPU time they got and the
// time they spent runnable but waiting for a CPU (ns), from Linux's
// /proc/self/task/*/schedstat.  The wait is the operating system's share of a
// slow run: other programs held the CPUs.  Zeros where there is no /proc.
func schedstat() (cpu, wait int64) {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return 0, 0
	}
	for _, t := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + t.Name() + "/schedstat")
		if err != nil {
			continue
		}
		var c, w int64
		if _, err := fmt.Sscan(string(b), &c, &w); err == nil {
			cpu += c
			wait += w
		}
	}
	return cpu, wait
}

// report prints the mirror's metrics as one JSON line, with what every mirror
// reports: threads created (in all, and before the measured part), the compute
// speed, GOMAXPROCS, and the CPU time the threads got and the time they waited
// for a CPU during the measured part and before it (the program's start-up).
func (r *run) report(fields map[string]any) {
	fields["threads"] = pprof.Lookup("threadcreate").Count()
	fields["threads_at_start"] = r.threads0
	fields["iters_per_us"] = r.ipu
	fields["gomaxprocs"] = runtime.GOMAXPROCS(0)
	fields["cpu_ns"] = r.cpu
	fields["os_wait_ns"] = r.wait
	fields["startup_cpu_ns"] = r.cpu0
	fields["startup_wait_ns"] = r.wait0
	if err := json.NewEncoder(os.Stdout).Encode(fields); err != nil {
		log.Fatal(err)
	}
}

//go:noinline
func chunk(n int) int {
	x := 0
	for i := 0; i < n; i++ {
		x += i ^ (x >> 3)
	}
	return x
}

// compute burns about us microseconds of CPU, calling chunk (a preemption point).
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

// calibrate returns loop iterations per microsecond (the best of a few tries:
// the fastest try is the one the OS did not interrupt).
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

// fanOut is the simulator's _fan_out (gmpkit.scenarios): main starts n workers,
// each running work, and waits for them all; it returns the time from the first
// go statement to the last worker's end (the makespan).
func fanOut(n int, work func()) time.Duration {
	start := time.Now()
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			work()
			wg.Done()
		}()
	}
	wg.Wait()
	return time.Since(start)
}
