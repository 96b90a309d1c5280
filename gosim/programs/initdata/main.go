// Which package-level variables cost code at run time. The compiler's
// staticinit (cmd/compile/internal/staticinit) writes the value of most of
// them into the binary's data; only what it cannot lay out becomes a
// statement of main's synthetic init function.
package main

import (
	"errors"
	"io"
)

type point struct{ x, y int }

func double(x int) int { return 2 * x } // inlined, but 2*21 is no literal

var count int // no initializer: zero, nothing to do

func bump() int { count++; return count } // inlined, but it sets count

//go:noinline
func triple(x int) int { return 3 * x } // a call that is not inlined

var answer = 42                         // a constant
var greeting = "hello, " + "world"      // a constant expression
var same = answer                       // a copy of this package's int
var origin = point{1, 2}                // a literal of constants
var where = &origin                     // an address the linker fills in
var primes = []int{2, 3, 5, 7}          // a static array and a slice of it
var errGone = errors.New("gone")        // inlined: return &errorString{s}
var hello = greeting                    // a copy of a string
var eof = io.EOF                        // a copy of another package's var
var doubled = double(21)                // inlined: return 2 * x
var again = answer                      // a copy, after inlined calls only
var bumped = bump()                     // inlined, but it changes count
var after = answer                      // a copy, after that
var half = point{3, triple(3)}          // a constant, and a call
var later = answer                      // a copy, after a call
var ages = map[string]int{"gopher": 16} // a small map
var days = map[string]int{"mon": 1, "tue": 2, "wed": 3, "thu": 4,
	"fri": 5, "sat": 6, "sun": 7} // a large map: map.init.0

func main() {
	println(answer, greeting, same, where.y, primes[3], errGone.Error(),
		hello, eof.Error(), doubled, again, bumped, after, half.y, later,
		ages["gopher"], days["sun"])
}
