// scn_lib.go is built together with every scn_*.go program (see
// gmpkit.real.toolchain): the compute loop the mirrors share with the simulator's
// gk.compute, its calibration, and starting a runtime/trace.
package main

import (
	"flag"
	"log"
	"os"
	"runtime/trace"
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
