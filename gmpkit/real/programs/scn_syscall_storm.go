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
	"flag"
	"syscall"
)

func main() {
	goroutines := flag.Int("goroutines", 32, "workers")
	syscallUs := flag.Int("syscall_us", 1000, "length of each blocking system call, µs")
	computeUs := flag.Int("compute_us", 50, "compute before and after the call, µs")
	flag.Parse()

	ipu := itersPerUs()
	r := begin(ipu)
	makespan := fanOut(*goroutines, func() {
		compute(*computeUs, ipu)
		ts := syscall.NsecToTimespec(int64(*syscallUs) * 1000)
		syscall.Nanosleep(&ts, nil)
		compute(*computeUs, ipu)
	})
	r.stop()
	r.report(map[string]any{
		"scenario": "syscall_storm", "makespan_ns": makespan.Nanoseconds(),
		"goroutines": *goroutines, "syscall_us": *syscallUs, "compute_us": *computeUs,
	})
}
