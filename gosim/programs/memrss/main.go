// memrss is the seed's VMS/RSS program without third-party modules: it reads its own /proc/self/status.
//
// It allocates one 10 MiB array, new([10][1 << 20]byte), and writes to it one OS page at a time, printing the
// process's virtual size (VmSize) and resident set (VmRSS) before, right after the allocation, and after each
// MiB written. Then it drops the array, collects, and asks the runtime to return free memory to the OS
// (debug.FreeOSMemory, which madvises the pages away), printing the sizes after each. Each line reads
//
//	mem step=N what=WHAT touched=BYTES VmSize=KB VmRSS=KB
//
// one line "heap addr=0x..." gives the array's address (the heap's base is randomized unless the binary is
// built with GOEXPERIMENT=norandomizedheapbase64), and after the allocation the anonymous mappings of at least
// 1 MiB, from /proc/self/maps, one line each: "map lo=0x... hi=0x... perm=rw-p kb=N". They are where VmSize
// goes: most of it is address space the runtime reserves (perm ---p) and never touches.
package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"unsafe"
)

var data *[10][1 << 20]byte

var step int

// status reads VmSize and VmRSS (in kB) from /proc/self/status.
func status() (vmsize, vmrss int64) {
	text, err := os.ReadFile("/proc/self/status")
	if err != nil {
		fmt.Fprintln(os.Stderr, "memrss needs Linux's /proc:", err)
		os.Exit(1)
	}
	for _, line := range bytes.Split(text, []byte("\n")) {
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		fields := bytes.Fields(value) // "  123456 kB"
		if len(fields) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(string(fields[0]), 10, 64)
		switch string(name) {
		case "VmSize":
			vmsize = n
		case "VmRSS":
			vmrss = n
		}
	}
	return
}

// mappings prints the anonymous mappings of at least 1 MiB.
func mappings() {
	text, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return
	}
	for _, line := range bytes.Split(text, []byte("\n")) {
		f := bytes.Fields(line) // lo-hi perm offset dev inode [path]
		if len(f) != 5 {
			continue
		}
		lo, hi, _ := bytes.Cut(f[0], []byte("-"))
		a, _ := strconv.ParseUint(string(lo), 16, 64)
		b, _ := strconv.ParseUint(string(hi), 16, 64)
		if b-a >= 1<<20 {
			fmt.Printf("map lo=%#x hi=%#x perm=%s kb=%d\n", a, b, f[1], (b-a)>>10)
		}
	}
}

func mem(what string, touched int) {
	step++
	vmsize, vmrss := status()
	fmt.Printf("mem step=%d what=%s touched=%d VmSize=%d VmRSS=%d\n", step, what, touched, vmsize, vmrss)
}

func main() {
	mem("start", 0)
	data = new([10][1 << 20]byte)
	fmt.Printf("heap addr=%#x\n", uintptr(unsafe.Pointer(data)))
	mem("new", 0)
	mappings()

	page := os.Getpagesize()
	touched := 0
	for i := range data {
		for x := 0; x < len(data[i]); x += page {
			data[i][x] = 1
			touched += page
		}
		mem("touch", touched)
	}

	data = nil
	runtime.GC()
	mem("collected", touched)
	debug.FreeOSMemory()
	mem("released", touched)
}
