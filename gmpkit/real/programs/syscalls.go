// syscalls compares a plain function call with two ways of asking the kernel
// for the parent's pid: syscall.RawSyscall (no scheduler involvement) and
// syscall.Syscall, which brackets the call with entersyscall/exitsyscall so
// the P can be retaken if the call blocks.
//
// Output: one JSON line with ns per call for each.
package main

import (
	"encoding/json"
	"flag"
	"os"
	"syscall"
	"time"
)

//go:noinline
func plain(x uintptr) uintptr { return x + 1 }

func main() {
	n := flag.Int("n", 1000000, "calls per kind")
	flag.Parse()
	per := func(f func()) float64 {
		start := time.Now()
		for i := 0; i < *n; i++ {
			f()
		}
		return float64(time.Since(start).Nanoseconds()) / float64(*n)
	}
	var sink uintptr
	per(func() { sink = plain(sink) }) // warm up
	out := map[string]any{
		"n":              *n,
		"call_ns":        per(func() { sink = plain(sink) }),
		"raw_syscall_ns": per(func() { r, _, _ := syscall.RawSyscall(syscall.SYS_GETPPID, 0, 0, 0); sink += r }),
		"syscall_ns":     per(func() { r, _, _ := syscall.Syscall(syscall.SYS_GETPPID, 0, 0, 0); sink += r }),
	}
	_ = sink
	json.NewEncoder(os.Stdout).Encode(out)
}
