// bootspawn starts 12 goroutines from main.main and then stops with a panic: run with GOTRACEBACK=system, the
// crash dump lists every goroutine with its id, the runtime's own included. Chapter 1's exercise 1.4 reads
// which ids the twelve got. No imports, so nothing but the runtime initialises, as in hello.
package main

func main() {
	block := make(chan int)
	for i := 0; i < 12; i++ {
		go func() { <-block }()
	}
	panic("bootspawn: twelve goroutines started")
}
