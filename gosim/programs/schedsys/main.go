// schedsys: goroutines in system calls, for the chapter's "System calls, end to end".
//
//	schedsys -w syscall -g 20 -d 400ms   goroutines alternate ~50us of work with ~500us nanosleep(2) calls
//	                                     (the same loop as schedwork -w syscall)
//	schedsys -w block -g 8 -d 300ms      goroutines sit in one long nanosleep(2) each (-len, default 1s,
//	                                     cut short by nothing: the program exits when -d has passed)
//	... -notify                          also call signal.Notify: its goroutine waits in entersyscallblock
//	... -maxthreads K                    debug.SetMaxThreads(K) first
//	... -probe US                        meanwhile, a child process times nanosleep(US µs) on this machine
//	... -trace FILE                      also write a runtime/trace (every workload but probe)
//	schedsys -w probe -us 20 -d 400ms    (the child) time nanosleep(20 µs) calls for -d
//	schedsys -w net -c 100 -every 10ms   a loopback TCP server and -c clients in this process (see net.go)
//
// The syscall is a raw nanosleep(2) through syscall.Syscall, which goes through entersyscall/exitsyscall. It
// prints the syscalls done and the process's OS threads (Threads: in /proc/self/status) and the runtime's count
// of created threads (the threadcreate profile) at the end, when main has woken up (block: also threads_mid,
// when main wakes halfway through its sleep, every goroutine still in its system call).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"schedutil"
)

var stop atomic.Bool

// osThreads is the process's OS threads (net.go reads them too).
func osThreads() int { return schedutil.OSThreads() }

// probe times nanosleep(us) for d on a thread of its own (run as a child process).
func probe(us int, d time.Duration) {
	ts := syscall.NsecToTimespec(int64(us) * 1000)
	var took []int64
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		t0 := time.Now()
		syscall.RawSyscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
		took = append(took, int64(time.Since(t0)))
	}
	var sum int64
	for _, t := range took {
		sum += t
	}
	slices.Sort(took)
	n := len(took)
	fmt.Printf("probe %d mean %d median %d p10 %d p90 %d n %d\n", us, sum/int64(n), took[n/2], took[n/10],
		took[n*9/10], n)
}

func main() {
	w := flag.String("w", "syscall", "workload: syscall, block, probe")
	g := flag.Int("g", 20, "goroutines")
	d := flag.Duration("d", 400*time.Millisecond, "duration")
	length := flag.Duration("len", time.Second, "block: the length of each goroutine's nanosleep")
	notify := flag.Bool("notify", false, "call signal.Notify (a goroutine in entersyscallblock)")
	maxThreads := flag.Int("maxthreads", 0, "debug.SetMaxThreads(K) if K > 0")
	probeUS := flag.Int("probe", 0, "time nanosleep(US µs) in a child process meanwhile")
	us := flag.Int("us", 20, "probe: the sleep to time, µs")
	traceFile := flag.String("trace", "", "write a runtime/trace to this file")
	conns := flag.Int("c", 100, "net: connections")
	every := flag.Duration("every", 10*time.Millisecond, "net: each client's period")
	flag.Parse()
	switch *w {
	case "probe":
		probe(*us, *d)
		return
	case "net":
		defer schedutil.StartTrace(*traceFile)()
		network(*conns, *every, *d)
		return
	}
	if *maxThreads > 0 {
		debug.SetMaxThreads(*maxThreads)
	}
	if *notify {
		signal.Notify(make(chan os.Signal, 1), syscall.SIGUSR1)
	}
	var child *os.Process
	var childOut *os.File
	if *probeUS > 0 {
		r, wr, err := os.Pipe()
		if err != nil {
			panic(err)
		}
		args := []string{os.Args[0], "-w", "probe", "-us", strconv.Itoa(*probeUS), "-d", d.String()}
		var env []string // the child's own settings: no GODEBUG (its SCHED lines would mix with ours)
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "GODEBUG=") {
				env = append(env, kv)
			}
		}
		child, err = os.StartProcess(os.Args[0], args, &os.ProcAttr{Env: env, Files: []*os.File{nil, wr, nil}})
		if err != nil {
			panic(err)
		}
		wr.Close()
		childOut = r
	}
	defer schedutil.StartTrace(*traceFile)()
	var calls atomic.Int64
	var wg sync.WaitGroup
	threads := 0
	switch *w {
	case "syscall":
		for i := 0; i < *g; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				r := rand.New(rand.NewSource(int64(i)))
				for !stop.Load() {
					schedutil.Work(schedutil.Exp(r, 50*time.Microsecond))
					schedutil.Nanosleep(schedutil.Exp(r, 500*time.Microsecond))
					calls.Add(1)
				}
			}(i)
		}
		time.Sleep(*d)
		stop.Store(true)
		wg.Wait()
		threads = osThreads()
	case "block":
		for i := 0; i < *g; i++ {
			go func() {
				schedutil.Nanosleep(*length)
				calls.Add(1)
			}()
		}
		time.Sleep(*d / 2)
		fmt.Println("threads_mid", osThreads()) // main asleep: every goroutine in its system call
		time.Sleep(*d / 2)
		threads = osThreads()
	default:
		panic("unknown workload " + *w)
	}
	fmt.Println("syscalls", calls.Load())
	fmt.Println("threads", threads)
	fmt.Println("threadcreate", pprof.Lookup("threadcreate").Count())
	if child != nil {
		child.Wait()
		line, _ := bufio.NewReader(childOut).ReadString('\n')
		fmt.Print(line)
	}
}
