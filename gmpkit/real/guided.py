"""The three guided programs of notebook 10, and how their recorded runs are made.

Each entry of :data:`GUIDED` is the Go source the notebook's ``%%go`` cell
holds (a test checks they are the same text), the options it is run with, and
how many goroutines it creates (main not counted): the number the
:class:`~gmpkit.real.tracego.TracedRun` must report.

``python -m gmpkit.real.guided`` runs each one and saves it to
``data/yourprog/NAME.json.gz``: the recorded runs the notebook shows when Go is
not installed.
"""

from __future__ import annotations

__all__ = ["GUIDED", "record_guided"]

POOL = """\
package main

import (
	"fmt"
	"sync"
)

// work is plain CPU work: a loop the compiler cannot remove.
func work(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i % 7
	}
	return s
}

func main() {
	jobs := make(chan int)
	results := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ { // four workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range jobs {
				results <- work(n)
			}
		}()
	}
	go func() { // the feeder: 16 jobs, then close
		for i := 0; i < 16; i++ {
			jobs <- 300000
		}
		close(jobs)
	}()
	go func() { wg.Wait(); close(results) }() // close results when the workers are done
	total, count := 0, 0
	for r := range results {
		total += r
		count++
	}
	fmt.Println("jobs done:", count, "total:", total)
}
"""

PRODCONS = """\
package main

import (
	"fmt"
	"sync"
)

func main() {
	items := make(chan int, 8) // a small buffer between producers and consumers
	var mu sync.Mutex          // guards the shared tally
	tally := map[int]int{}
	var producers, consumers sync.WaitGroup
	for p := 0; p < 2; p++ {
		producers.Add(1)
		go func(p int) {
			defer producers.Done()
			for i := 0; i < 50; i++ {
				items <- p*1000 + i
			}
		}(p)
	}
	for c := 0; c < 3; c++ {
		consumers.Add(1)
		go func() {
			defer consumers.Done()
			for it := range items {
				mu.Lock() // only one consumer at a time in here
				s := 0
				for k := 0; k < 20000; k++ { // work while holding the lock
					s += k ^ it
				}
				tally[it%2] += s & 1
				mu.Unlock()
			}
		}()
	}
	producers.Wait()
	close(items)
	consumers.Wait()
	fmt.Println("consumed, by parity:", tally[0]+tally[1])
}
"""

SERVER = """\
package main

import (
	"bufio"
	"fmt"
	"net"
	"sync"
)

func handle(conn net.Conn) {
	defer conn.Close()
	line, err := bufio.NewReader(conn).ReadString('\\n')
	if err != nil {
		return
	}
	s := 0
	for i := 0; i < 50000; i++ { // a little work per request
		s += i % 3
	}
	fmt.Fprintf(conn, "echo %d %s", s%2, line)
}

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0") // loopback only, any free port
	if err != nil {
		panic(err)
	}
	go func() { // the accept loop: one goroutine per connection
		for {
			conn, err := ln.Accept()
			if err != nil {
				return // the listener was closed
			}
			go handle(conn)
		}
	}()
	var wg sync.WaitGroup
	for c := 0; c < 6; c++ { // six clients, one request each
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			conn, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				panic(err)
			}
			defer conn.Close()
			fmt.Fprintf(conn, "hello %d\\n", c)
			reply, _ := bufio.NewReader(conn).ReadString('\\n')
			_ = reply
		}(c)
	}
	wg.Wait()
	ln.Close()
	fmt.Println("served 6 clients")
}
"""

GUIDED = {
    "pool": {"source": POOL, "procs": 2, "schedtrace": "1ms", "creates": 4 + 1 + 1},
    "prodcons": {"source": PRODCONS, "procs": 2, "schedtrace": None, "creates": 2 + 3},
    "server": {"source": SERVER, "procs": 2, "schedtrace": None, "creates": 1 + 6 + 6},
}


def record_guided(names=None, out=print):
    """Run each guided program for real and save it as ``data/yourprog/NAME.json.gz``."""
    from .tracego import recorded_path, trace_go
    for name, g in GUIDED.items():
        if names and name not in names:
            continue
        run = trace_go(g["source"], procs=g["procs"], schedtrace=g["schedtrace"], name=name,
                       timeout=30)
        run.check()
        if run.stats["goroutines_created"] != g["creates"]:
            raise RuntimeError(f"{name}: created {run.stats['goroutines_created']} goroutines, "
                               f"expected {g['creates']}")
        out(f"recorded {run.save(recorded_path(name))}: {run.status_line}")


if __name__ == "__main__":
    import sys
    record_guided(sys.argv[1:] or None)
