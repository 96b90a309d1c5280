package z

// Z is static data: no code runs to set it.
var Z = 1

const C = "z"
