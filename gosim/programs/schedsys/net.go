// The netpoller's witness: a loopback TCP server and its clients, in one process (schedsys -w net).
//
//	schedsys -w net -c 100 -every 10ms -d 400ms
//
// listens on 127.0.0.1 (a port the kernel picks), opens -c client connections to itself, and runs one server
// goroutine per connection (read one byte, write it back) and one client goroutine per connection (every -every,
// write one byte and read the answer). Nothing leaves the machine; it stops by itself after -d. Halfway through
// it counts its goroutines by state (the goroutine profile's "goroutine N [state]:" headers) and its OS threads
// (Threads: in /proc/self/status), and prints
//
//	state <state> <count>     one line per state, e.g. "state IO wait 100"
//	threads <n>
//	requests <n>              round trips done
package main

import (
	"bytes"
	"fmt"
	"net"
	"regexp"
	"runtime/pprof"
	"sort"
	"sync/atomic"
	"time"
)

var header = regexp.MustCompile(`(?m)^goroutine \d+ \[([^,\]]+)`)

func states() map[string]int {
	var buf bytes.Buffer
	pprof.Lookup("goroutine").WriteTo(&buf, 2)
	out := map[string]int{}
	for _, m := range header.FindAllStringSubmatch(buf.String(), -1) {
		out[m[1]]++
	}
	return out
}

func network(conns int, every, d time.Duration) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	var stop atomic.Bool
	var requests atomic.Int64
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { // the server side: echo each byte
				b := make([]byte, 1)
				for {
					if _, err := conn.Read(b); err != nil {
						return
					}
					conn.Write(b)
				}
			}()
		}
	}()
	for i := 0; i < conns; i++ {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			panic(err)
		}
		go func(i int) { // the client side
			b := []byte{1}
			time.Sleep(every * time.Duration(i) / time.Duration(conns)) // spread the clients over a period
			for !stop.Load() {
				conn.Write(b)
				if _, err := conn.Read(b); err != nil {
					return
				}
				requests.Add(1)
				time.Sleep(every)
			}
		}(i)
	}
	time.Sleep(d / 2)
	st, threads := states(), osThreads()
	time.Sleep(d / 2)
	stop.Store(true)
	names := make([]string, 0, len(st))
	for k := range st {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Printf("state %s %d\n", k, st[k])
	}
	fmt.Println("threads", threads)
	fmt.Println("requests", requests.Load())
}
