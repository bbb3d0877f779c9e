//go:build race

package sockopt

// raceEnabled reports whether the tests run under the race detector, whose
// sync.Pool drops items at random: allocation counts are meaningless then.
const raceEnabled = true
