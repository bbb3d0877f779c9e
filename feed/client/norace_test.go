//go:build !race

package client

// raceEnabled reports whether the tests run under the race detector, whose
// sync.Pool drops items at random (the libraries feed/wire encodes and
// validates JSON with pool their state): allocation counts mean nothing then.
const raceEnabled = false
