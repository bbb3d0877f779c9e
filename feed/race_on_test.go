//go:build race

package feed_test

// raceEnabled reports whether the tests run under the race detector,
// which slows the server several times over and stalls it now and then
// for hundreds of milliseconds on this shared machine.
const raceEnabled = true
