//go:build !unix

package bench

// noFileLimit is unknown here.
func noFileLimit() uint64 { return 0 }
