// hello is the seed's first program: the smallest Go program, used to follow the runtime's boot chain.
// It prints with the builtin println (no imports), so nothing but the runtime itself initialises.
package main

func main() {
	println("hello, world")
}
