//go:build !race

package app

// raceEnabled reports whether the tests run under the race detector, which
// makes the simulated market about seven times slower.
const raceEnabled = false
