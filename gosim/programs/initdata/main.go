// Which package-level variables cost code at run time. The compiler's
// staticinit (cmd/compile/internal/staticinit) writes the value of most of
// them into the binary's data; only what it cannot lay out becomes a
// statement of main's synthetic init function.
package main

import "errors"

type point struct{ x, y int }

func double(x int) int { return 2 * x } // inlined, but 2*21 is no literal

//go:noinline
func triple(x int) int { return 3 * x } // a call that is not inlined

var answer = 42                         // a constant
var greeting = "hello, " + "world"      // a constant expression
var origin = point{1, 2}                // a literal of constants
var where = &origin                     // an address the linker fills in
var primes = []int{2, 3, 5, 7}          // a static array and a slice of it
var errGone = errors.New("gone")        // inlined: return &errorString{s}
var doubled = double(21)                // inlined: return 2 * x
var tripled = triple(14)                // a call
var ages = map[string]int{"gopher": 16} // a map is made at run time

func main() {
	println(answer, greeting, where.y, primes[3], errGone.Error(), doubled,
		tripled, ages["gopher"])
}
