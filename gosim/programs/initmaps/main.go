// Ten package-level maps that nothing uses, m1 with one constant entry,
// m2 with two, ... m10 with ten. go tool nm shows which of them the
// binary still has.
package main

var m1 = map[string]int{"k0": 0}
var m2 = map[string]int{"k0": 0, "k1": 1}
var m3 = map[string]int{"k0": 0, "k1": 1, "k2": 2}
var m4 = map[string]int{"k0": 0, "k1": 1, "k2": 2, "k3": 3}
var m5 = map[string]int{"k0": 0, "k1": 1, "k2": 2, "k3": 3, "k4": 4}
var m6 = map[string]int{"k0": 0, "k1": 1, "k2": 2, "k3": 3, "k4": 4, "k5": 5}
var m7 = map[string]int{"k0": 0, "k1": 1, "k2": 2, "k3": 3, "k4": 4, "k5": 5, "k6": 6}
var m8 = map[string]int{"k0": 0, "k1": 1, "k2": 2, "k3": 3, "k4": 4, "k5": 5, "k6": 6, "k7": 7}
var m9 = map[string]int{"k0": 0, "k1": 1, "k2": 2, "k3": 3, "k4": 4, "k5": 5, "k6": 6, "k7": 7, "k8": 8}
var m10 = map[string]int{"k0": 0, "k1": 1, "k2": 2, "k3": 3, "k4": 4, "k5": 5, "k6": 6, "k7": 7, "k8": 8, "k9": 9}

func main() {}
