// bootids stops at the first line of main.main with a panic: run with GOTRACEBACK=system, the crash dump lists
// every goroutine the runtime created before main.main, the runtime's own included, with its id, its state and
// who created it. Chapter 1 reads the ids (which P's batch of goroutine ids each came from). No imports, so
// nothing but the runtime initialises, as in hello.
package main

func main() {
	panic("bootids: the goroutines at main.main")
}
