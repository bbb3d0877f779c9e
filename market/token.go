package market

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// tokenMACLen is how many bytes of the HMAC-SHA256 a token carries.
const tokenMACLen = 18

// signToken returns the opaque token for account: the account id and a
// truncated HMAC-SHA256 of it under key. Anyone holding the key can check
// it without state; nobody without it can forge one.
func signToken(key []byte, account string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(account))
	return account + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:tokenMACLen])
}

// verifyToken returns the account a token was issued for, in constant time
// with respect to the MAC.
func verifyToken(key []byte, token string) (string, bool) {
	if len(token) > 128 {
		return "", false
	}
	account, mac, ok := strings.Cut(token, ".")
	if !ok || account == "" {
		return "", false
	}
	want := signToken(key, account)
	return account, hmac.Equal([]byte(want[len(account)+1:]), []byte(mac))
}
