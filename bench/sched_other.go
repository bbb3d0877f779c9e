//go:build !linux

package bench

// schedSupported reports whether Config.CPUs and Config.TraderRT can be
// applied here: not off Linux (Config validation says so first).
const schedSupported = false

// setAffinity is not supported here.
func setAffinity([]int) error { return errSchedUnsupported }

// setTraderRT is not supported here.
func setTraderRT() error { return errSchedUnsupported }
