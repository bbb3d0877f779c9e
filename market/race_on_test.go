//go:build race

package market

// raceEnabled reports whether the tests run under the race detector (it
// allocates on its own account).
const raceEnabled = true
