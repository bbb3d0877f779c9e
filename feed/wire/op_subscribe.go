package wire

import (
	"slices"
	"strings"
)

// Subscribe subscribes to every stream channel × symbol. For a resume
// (protocol.md 7.1) Epoch is the epoch of the last welcome and Since maps each
// stream ("CHANNEL:SYMBOL") to the last seq processed; both are omitted
// when empty.
type Subscribe struct {
	ID       ID                `json:"id,omitempty,omitzero"`
	Channels []string          `json:"channels"`
	Symbols  []string          `json:"symbols"`
	Epoch    string            `json:"epoch,omitempty"`
	Since    map[string]uint64 `json:"since,omitempty"`
}

// Unsubscribe removes every stream channel × symbol.
type Unsubscribe struct {
	ID       ID       `json:"id,omitempty,omitzero"`
	Channels []string `json:"channels"`
	Symbols  []string `json:"symbols"`
}

// OpName returns "subscribe".
func (Subscribe) OpName() string { return OpSubscribe }

// OpID returns the operation id.
func (o Subscribe) OpID() ID { return o.ID }

// OpName returns "unsubscribe".
func (Unsubscribe) OpName() string { return OpUnsubscribe }

// OpID returns the operation id.
func (o Unsubscribe) OpID() ID { return o.ID }

func (o *Subscribe) validate(keys) *OpError {
	if e := validStreams(o.Channels, o.Symbols); e != nil {
		return e
	}
	if o.Epoch != "" && !ValidEpoch(o.Epoch) {
		return badRequest("invalid epoch")
	}
	for k := range o.Since {
		if !validStream(k) {
			return badRequest("invalid since")
		}
	}
	return nil
}

func (o *Unsubscribe) validate(keys) *OpError { return validStreams(o.Channels, o.Symbols) }

// validStreams checks the channels and symbols of (un)subscribe.
func validStreams(channels, symbols []string) *OpError {
	switch {
	case channels == nil:
		return badRequest("missing channels")
	case symbols == nil:
		return badRequest("missing symbols")
	case slices.Contains(channels, ""):
		return badRequest("invalid channels")
	case slices.Contains(symbols, ""):
		return badRequest("invalid symbols")
	}
	return nil
}

// validStream reports whether s looks like "CHANNEL:SYMBOL" with both
// parts non-empty.
func validStream(s string) bool {
	i := strings.IndexByte(s, ':')
	return i > 0 && i < len(s)-1
}
