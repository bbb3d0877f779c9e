//go:build race

package sim

// raceEnabled reports whether the tests run under the race detector, which
// makes the simulator about seven times slower.
const raceEnabled = true
