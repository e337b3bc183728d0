//go:build linux

// futexpingpong measures a thread hand-off the way a C program makes one: two
// OS threads pass a turn back and forth through one shared word, sleeping in
// futex(FUTEX_WAIT) until the other stores the turn and calls
// futex(FUTEX_WAKE).  The system calls go through syscall.RawSyscall6, so the
// Go scheduler takes no part: no channel, no P hand-off, no gopark -- only the
// kernel's wake-up and context switch.  (Each thread keeps its P while it
// sleeps, so the program needs GOMAXPROCS >= 2 and sets it.)
//
// This is the like-for-like partner of pingpong: one goroutine hand-off vs
// one bare thread hand-off.  pingpong -locked also hands the P over between
// the two threads on every turn (startlockedm/stoplockedm), which costs more.
//
// With -cpu K both threads are pinned to CPU K (sched_setaffinity): every hand-off is then
// a wake-up and a context switch on that one CPU, like two goroutines on one P. Without
// it the kernel may run the two threads on two CPUs, and a hand-off includes waking the
// other CPU, which on an idle virtual machine can take several microseconds.
//
// Output: one JSON line {"ns_per_handoff": ..., "n": ..., "gomaxprocs": ..., "cpu": ...}.
package main

import (
	"encoding/json"
	"flag"
	"os"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

const (
	futexWait    = 0
	futexWake    = 1
	futexPrivate = 128
)

var turn uint32

// sleep until the word at addr no longer holds val (or a spurious wake-up).
func futexWaitWhile(addr *uint32, val uint32) {
	syscall.RawSyscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(addr)),
		futexWait|futexPrivate, uintptr(val), 0, 0, 0)
}

func futexWakeOne(addr *uint32) {
	syscall.RawSyscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(addr)),
		futexWake|futexPrivate, 1, 0, 0, 0)
}

// pin binds the calling thread to one CPU (cpu < 0: leave it to the kernel).
func pin(cpu int) {
	if cpu < 0 {
		return
	}
	var mask [16]uint64
	mask[cpu/64] |= 1 << (uint(cpu) % 64)
	if _, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, 0, unsafe.Sizeof(mask),
		uintptr(unsafe.Pointer(&mask))); e != 0 {
		panic("sched_setaffinity: " + e.Error())
	}
}

// player waits for its turn, then gives the turn to the other thread, n times.
func player(me, other uint32, n, cpu int, done chan<- struct{}) {
	runtime.LockOSThread()
	pin(cpu)
	for i := 0; i < n; i++ {
		for atomic.LoadUint32(&turn) != me {
			futexWaitWhile(&turn, other)
		}
		atomic.StoreUint32(&turn, other)
		futexWakeOne(&turn)
	}
	done <- struct{}{}
}

func run(n, cpu int) time.Duration {
	atomic.StoreUint32(&turn, 0)
	done := make(chan struct{}, 2)
	start := time.Now()
	go player(0, 1, n, cpu, done)
	go player(1, 0, n, cpu, done)
	<-done
	<-done
	return time.Since(start)
}

func main() {
	n := flag.Int("n", 20000, "turns per thread (hand-offs = 2n)")
	cpu := flag.Int("cpu", -1, "pin both threads to this CPU (-1: let the kernel place them)")
	flag.Parse()
	if runtime.GOMAXPROCS(0) < 2 {
		runtime.GOMAXPROCS(2)
	}
	run(*n/10, *cpu) // warm up: both threads exist and have run once
	elapsed := run(*n, *cpu)
	json.NewEncoder(os.Stdout).Encode(map[string]any{
		"ns_per_handoff": float64(elapsed.Nanoseconds()) / float64(2**n),
		"n":              *n,
		"gomaxprocs":     runtime.GOMAXPROCS(0),
		"cpu":            *cpu,
	})
}
