package testkit

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tickcast/tickcast/feed/client/eventstream"
)

// SSEEvent is one event of a tickcast SSE stream (protocol.md 7.6) with
// the routing fields of its JSON data.
type SSEEvent struct {
	eventstream.Record
	T, Ch, S string
	Seq, Off uint64
	TS       int64
	Reason   string    // of a reset
	At       time.Time // when it was decoded
}

// Stream is the event's stream name, CHANNEL:SYMBOL.
func (e SSEEvent) Stream() string { return e.Ch + ":" + e.S }

// DecodeSSE reads an event record's JSON data, failing the test if it is
// not JSON or its t differs from the event's type.
func DecodeSSE(t testing.TB, r eventstream.Record) SSEEvent {
	t.Helper()
	var m struct {
		T      string `json:"t"`
		Ch     string `json:"ch"`
		S      string `json:"s"`
		Seq    uint64 `json:"seq"`
		Off    uint64 `json:"off"`
		TS     int64  `json:"ts"`
		Reason string `json:"reason"`
	}
	if err := json.Unmarshal([]byte(r.Data), &m); err != nil {
		t.Fatalf("event %q: data is not JSON: %v: %q", r.Type, err, r.Data)
	}
	if m.T != r.Type {
		t.Fatalf("event field %q but data t %q", r.Type, m.T)
	}
	return SSEEvent{Record: r, T: m.T, Ch: m.Ch, S: m.S, Seq: m.Seq, Off: m.Off, TS: m.TS, Reason: m.Reason, At: time.Now()}
}
