// scn_netio_server mirrors gmpkit.scenarios.netio_server: -connections
// goroutines ("conn") each send a request over their own loopback TCP
// connection and wait for the answer, which the server part of this program
// sends after -io_us (a timed response); then they compute -compute_us.
// They repeat that -requests times.  A goroutine waiting on a socket parks on
// the netpoller (epoll): no thread blocks, so few threads are created.
//
// The server's goroutines (one per connection, reading a byte, sleeping -io_us,
// answering) run in the same process; they do almost no work.
//
// Output: one JSON line {"makespan_ns", "threads", "threads_at_start", ...}.
package main

import (
	"flag"
	"log"
	"net"
	"sync"
	"time"
)

func serve(c net.Conn, io time.Duration) {
	buf := make([]byte, 1)
	for {
		if _, err := c.Read(buf); err != nil {
			c.Close()
			return
		}
		time.Sleep(io)
		if _, err := c.Write(buf); err != nil {
			c.Close()
			return
		}
	}
}

func main() {
	connections := flag.Int("connections", 32, "client connections (one goroutine each)")
	ioUs := flag.Int("io_us", 1000, "server's response time, µs")
	computeUs := flag.Int("compute_us", 50, "compute after each response, µs")
	requests := flag.Int("requests", 1, "requests per connection")
	flag.Parse()

	ipu := itersPerUs()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	io := time.Duration(*ioUs) * time.Microsecond
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c, io)
		}
	}()
	conns := make([]net.Conn, *connections)
	for i := range conns {
		if conns[i], err = net.Dial("tcp", ln.Addr().String()); err != nil {
			log.Fatal(err)
		}
	}
	r := begin(ipu)
	start := time.Now()
	var wg sync.WaitGroup
	wg.Add(*connections)
	for i := 0; i < *connections; i++ {
		go func(c net.Conn) {
			buf := []byte{1}
			for r := 0; r < *requests; r++ {
				if _, err := c.Write(buf); err != nil {
					log.Fatal(err)
				}
				if _, err := c.Read(buf); err != nil {
					log.Fatal(err)
				}
				compute(*computeUs, ipu)
			}
			wg.Done()
		}(conns[i])
	}
	wg.Wait()
	makespan := time.Since(start)
	r.stop()
	ln.Close()
	r.report(map[string]any{
		"scenario": "netio_server", "makespan_ns": makespan.Nanoseconds(),
		"connections": *connections, "io_us": *ioUs, "compute_us": *computeUs,
		"requests": *requests,
	})
}
