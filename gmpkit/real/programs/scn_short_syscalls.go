// scn_short_syscalls mirrors gmpkit.scenarios.short_syscalls: -goroutines
// workers each do -rounds times: compute -compute_us, then one short blocking
// system call of -syscall_us (nanosleep(2)).  A call keeps its P
// (entersyscall); sysmon takes the P only from a call it sees on two of its
// rounds, so how many threads the runtime adds depends on sysmon's real tick.
//
// Output: one JSON line {"makespan_ns", "threads", "threads_at_start", ...}.
package main

import (
	"flag"
	"syscall"
)

func main() {
	goroutines := flag.Int("goroutines", 32, "workers")
	rounds := flag.Int("rounds", 4, "short system calls per worker")
	syscallUs := flag.Int("syscall_us", 100, "length of each blocking system call, µs")
	computeUs := flag.Int("compute_us", 20, "compute before each call, µs")
	flag.Parse()

	ipu := itersPerUs()
	r := begin(ipu)
	makespan := fanOut(*goroutines, func() {
		ts := syscall.NsecToTimespec(int64(*syscallUs) * 1000)
		for k := 0; k < *rounds; k++ {
			compute(*computeUs, ipu)
			syscall.Nanosleep(&ts, nil)
		}
	})
	r.stop()
	r.report(map[string]any{
		"scenario": "short_syscalls", "makespan_ns": makespan.Nanoseconds(),
		"goroutines": *goroutines, "rounds": *rounds, "syscall_us": *syscallUs,
		"compute_us": *computeUs,
	})
}
