package bench

import (
	"fmt"
	"strconv"
	"strings"
)

// Prices travel as decimal strings (protocol.md 1.3). The traders need a little
// arithmetic on them (a limit price a fraction away from the quote, on the
// instrument's tick), done here in integers of the tick's last decimal.

// fracDigits returns the number of decimals of a plain decimal string.
func fracDigits(s string) int {
	if _, f, ok := strings.Cut(s, "."); ok {
		return len(f)
	}
	return 0
}

// toUnits parses s as an integer count of 10^-dec; s may have at most dec
// decimals.
func toUnits(s string, dec int) (int64, error) {
	ip, fp, _ := strings.Cut(s, ".")
	if len(fp) > dec || ip == "" {
		return 0, fmt.Errorf("bench: decimal %q: want at most %d decimals", s, dec)
	}
	v, err := strconv.ParseInt(ip+fp+strings.Repeat("0", dec-len(fp)), 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("bench: decimal %q: %v", s, err)
	}
	return v, nil
}

// fromUnits formats v units of 10^-dec as a decimal with dec decimals.
func fromUnits(v int64, dec int) string {
	s := strconv.FormatInt(v, 10)
	if dec == 0 {
		return s
	}
	if len(s) <= dec {
		s = strings.Repeat("0", dec-len(s)+1) + s
	}
	return s[:len(s)-dec] + "." + s[len(s)-dec:]
}

// crossingPrice returns a limit price that crosses the book by slipBP
// basis points from the best opposite price: above the ask for a buy,
// below the bid for a sell, on the tick (both in units of 10^-dec).
func crossingPrice(best, tick int64, buy bool, slipBP int64) int64 {
	slip := best * slipBP / 10_000
	if buy {
		px := best + slip
		return (px + tick - 1) / tick * tick
	}
	px := best - slip
	return max(tick, px/tick*tick)
}
