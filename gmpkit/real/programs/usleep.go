// usleep measures what sysmon's sleep really takes on this machine.
//
// sysmon (runtime/proc.go) sleeps between rounds with usleep(delay): 20 µs
// at first, doubling after 50 idle rounds, up to 10 ms.  On Linux the
// runtime's usleep (sys_linux_amd64.s) is one raw nanosleep(2) system call
// made by sysmon's own thread, which holds no P.  This program does the same:
// on a thread of its own (LockOSThread), it calls nanosleep through
// RawSyscall (no entersyscall, like the runtime's assembly) and times each
// call with the monotonic clock.  The kernel wakes the thread no earlier than
// asked, plus up to the thread's timer slack (50 µs by default,
// prctl(PR_GET_TIMERSLACK)) that lets it merge wake-ups, plus the time to
// wake up and get a CPU again.
//
// With -threads N (default 1), N such threads sleep at once, each on its own,
// started a few µs apart, and the figures cover all their sleeps.  A Go program
// whose sysmon retakes anything has at least two sleeping threads: sysmon and
// an M in a system call.  Their timers then share the CPUs' timer interrupts:
// a timer inside its slack window fires with another thread's earlier one, so
// some sleeps end early and others wait for a CPU, a spread that one thread
// sleeping alone never shows.
//
// Output: one JSON line: for each requested sleep (-us, a comma-separated list
// of µs), the median, 10th and 90th percentile of what it really took (ns),
// its spread as nQuantiles quantiles (the i-th at probability (i + 0.5) /
// nQuantiles: 1 %, 3 %, ..., 99 %, each standing for a fiftieth of the sleeps;
// a model of the machine needs the spread as much as the median), how long
// the sleeping threads waited for a CPU after their wake-ups (Linux
// schedstat: time runnable but not running, per sleep: mostly what other
// programs took, a measure of the machine's load), the timer slack, and how
// many sleeps a signal cut short (left out).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

const prGetTimerslack = 30 // PR_GET_TIMERSLACK, <linux/prctl.h>

const nQuantiles = 50

// sleepOnce makes one raw nanosleep(2) of ns nanoseconds and returns how long
// it took, and false if a signal cut it short (EINTR: this goroutine looks
// like a running one to sysmon, which may preempt it with SIGURG after 10 ms;
// sysmon's own thread gets no such signal).
func sleepOnce(ns int64) (int64, bool) {
	ts := syscall.NsecToTimespec(ns)
	t0 := time.Now()
	_, _, errno := syscall.RawSyscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
	return time.Since(t0).Nanoseconds(), errno == 0
}

func percentile(sorted []int64, q float64) int64 {
	return sorted[int(q*float64(len(sorted)-1)+0.5)]
}

// threadWait is how long this thread has been runnable without a CPU, in ns
// (the second field of /proc/thread-self/schedstat); 0 where there is none.
func threadWait() int64 {
	b, err := os.ReadFile("/proc/thread-self/schedstat")
	if err != nil {
		return 0
	}
	var cpu, wait int64
	if _, err := fmt.Sscan(string(b), &cpu, &wait); err != nil {
		return 0
	}
	return wait
}

// sleeper is one thread's share of a measurement: its sleeps (ns), how many a
// signal cut short, and how long it waited for a CPU after its wake-ups (ns).
type sleeper struct {
	took        []int64
	interrupted int
	wait        int64
}

// sleepMany makes n raw nanosleeps of req ns on the calling goroutine's own
// thread (locked), after waiting delay.
func sleepMany(req int64, n int, delay time.Duration) sleeper {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if delay > 0 {
		time.Sleep(delay)
	}
	s := sleeper{took: make([]int64, 0, n)}
	wait0 := threadWait()
	for tries := 0; len(s.took) < n && tries < 2*n; tries++ {
		if d, ok := sleepOnce(req); ok {
			s.took = append(s.took, d)
		} else {
			s.interrupted++
		}
	}
	s.wait = threadWait() - wait0
	return s
}

func main() {
	list := flag.String("us", "20,100,1000", "requested sleeps, µs, comma-separated")
	budget := flag.Duration("budget", 60*time.Millisecond, "time to spend on each requested sleep")
	maxN := flag.Int("n", 400, "at most this many sleeps per request")
	threads := flag.Int("threads", 1, "threads sleeping at once (each makes the sleeps)")
	flag.Parse()
	if *threads < 1 || *threads > 64 {
		os.Stderr.WriteString("usleep: -threads wants 1 to 64\n")
		os.Exit(2)
	}

	runtime.LockOSThread() // one thread, like sysmon's
	slack, _, _ := syscall.RawSyscall(syscall.SYS_PRCTL, prGetTimerslack, 0, 0)
	for i := 0; i < 20; i++ { // warm up
		sleepOnce(20_000)
	}
	type row struct {
		RequestedNs int64   `json:"requested_ns"`
		N           int     `json:"n"`
		MedianNs    int64   `json:"median_ns"`
		P10Ns       int64   `json:"p10_ns"`
		P90Ns       int64   `json:"p90_ns"`
		Quantiles   []int64 `json:"quantiles_ns"` // at (i + 0.5) / nQuantiles
		CPUWaitNs   int64   `json:"cpu_wait_ns_per_sleep"`
	}
	out := map[string]any{"timer_slack_ns": slack, "threads": *threads}
	var rows []row
	interrupted := 0
	for _, f := range strings.Split(*list, ",") {
		us, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || us <= 0 {
			os.Stderr.WriteString("usleep: -us wants positive integers, e.g. -us 20,100,1000\n")
			os.Exit(2)
		}
		req := int64(us) * 1000
		n := int(budget.Nanoseconds() / (req + 60_000))
		if n > *maxN {
			n = *maxN
		}
		if n < 5 {
			n = 5
		}
		var s sleeper
		if *threads == 1 {
			s = sleepMany(req, n, 0)
		} else {
			parts := make([]sleeper, *threads)
			var wg sync.WaitGroup
			for t := range parts {
				wg.Add(1)
				go func(t int) {
					defer wg.Done()
					parts[t] = sleepMany(req, n, time.Duration(7*t)*time.Microsecond)
				}(t)
			}
			wg.Wait()
			for _, p := range parts {
				s.took = append(s.took, p.took...)
				s.interrupted += p.interrupted
				s.wait += p.wait
			}
		}
		interrupted += s.interrupted
		took := s.took
		if len(took) == 0 {
			os.Stderr.WriteString("usleep: every sleep was cut short by a signal\n")
			os.Exit(1)
		}
		sort.Slice(took, func(a, b int) bool { return took[a] < took[b] })
		qs := make([]int64, nQuantiles)
		for i := range qs {
			qs[i] = percentile(took, (float64(i)+0.5)/nQuantiles)
		}
		r := row{req, len(took), percentile(took, 0.5), percentile(took, 0.1), percentile(took, 0.9),
			qs, s.wait / int64(len(took))}
		rows = append(rows, r)
		out["median_ns_"+strconv.Itoa(us)] = r.MedianNs
	}
	out["sleeps"] = rows
	out["interrupted"] = interrupted
	json.NewEncoder(os.Stdout).Encode(out)
}
