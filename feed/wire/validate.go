package wire

// isIdent reports whether s is 1–max characters of [A-Za-z0-9_-], the
// charset of client order ids and epochs.
func isIdent(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// ValidCID reports whether s is a valid client order id: 1–36 characters
// of [A-Za-z0-9_-].
func ValidCID(s string) bool { return isIdent(s, MaxCIDLen) }

// ValidEpoch reports whether s is a valid epoch: 1–32 characters of
// [A-Za-z0-9_-].
func ValidEpoch(s string) bool { return isIdent(s, MaxEpochLen) }
