// Package schedutil holds what the scheduler chapter's programs (cpubound, schedspin, schedsys, schedwork) share:
// a busy loop on the clock, a raw nanosleep(2) system call, exponentially distributed durations, the process's
// OS threads, and a runtime/trace written to a file.
package schedutil

import (
	"bufio"
	"math/rand"
	"os"
	"runtime/trace"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// Work computes for d: a loop reading the monotonic clock.
func Work(d time.Duration) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
	}
}

// Nanosleep is a raw nanosleep(2) through syscall.Syscall, which goes through entersyscall/exitsyscall
// (time.Sleep would park the goroutine on a timer instead).
func Nanosleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	syscall.Syscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
}

// Exp draws a duration from the exponential distribution of this mean.
func Exp(r *rand.Rand, mean time.Duration) time.Duration {
	return time.Duration(r.ExpFloat64() * float64(mean))
}

// OSThreads is the process's OS threads (Threads: in /proc/self/status), -1 if it cannot be read.
func OSThreads() int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if line := s.Text(); strings.HasPrefix(line, "Threads:") { // not CutPrefix: Go 1.19 builds this
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "Threads:")))
			return n
		}
	}
	return -1
}

// StartTrace starts a runtime/trace into file (nothing if file is ""); the function it returns stops it.
func StartTrace(file string) func() {
	if file == "" {
		return func() {}
	}
	f, err := os.Create(file)
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	return func() {
		trace.Stop()
		f.Close()
	}
}
