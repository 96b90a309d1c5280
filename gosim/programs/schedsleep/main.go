// schedsleep: how long a short sleep really lasts on this machine. sysmon sleeps with usleep, which on linux is
// the nanosleep(2) system call; this program makes the same call (through package syscall) on a thread of its
// own and times it with the monotonic clock. For each requested length (µs, sysmon's sleeps by default) it prints
//
//	sleep <requested µs> <median ns> <p10 ns> <p90 ns>
//
// over -n calls. With -timer it calls time.Sleep instead, on no thread of its own, in a process with nothing
// else to do: the goroutine's timer is the only one, the M that finds no work blocks in the network poller until
// it is due, and netpoll (netpoll_epoll.go) waits in whole milliseconds.
package main

import (
	"flag"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	n := flag.Int("n", 50, "calls per length")
	lengths := flag.String("us", "20,40,80,160,320,640,1280,2560,5120,10000", "requested lengths in µs")
	timer := flag.Bool("timer", false, "time.Sleep (a timer) instead of nanosleep(2) on a locked thread")
	flag.Parse()
	if !*timer {
		runtime.LockOSThread()
	}
	for _, field := range strings.Split(*lengths, ",") {
		us, err := strconv.Atoi(field)
		if err != nil {
			panic(err)
		}
		ts := syscall.NsecToTimespec(int64(us) * 1000)
		took := make([]int64, *n)
		for i := range took {
			t0 := time.Now()
			if *timer {
				time.Sleep(time.Duration(us) * time.Microsecond)
			} else {
				syscall.Nanosleep(&ts, nil)
			}
			took[i] = int64(time.Since(t0))
		}
		slices.Sort(took)
		fmt.Printf("sleep %d %d %d %d\n", us, took[len(took)/2], took[len(took)/10], took[len(took)*9/10])
	}
}
