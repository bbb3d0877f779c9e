package bus

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/tickcast/tickcast/market"
)

// MaxBatchBytes bounds an encoded batch that UnmarshalBatch accepts. A
// venue batch is one command's events: an order sweeping a deep book makes
// the largest, a few hundred KiB.
const MaxBatchBytes = 16 << 20

// ErrBatchTooLarge is returned by UnmarshalBatch for a document over
// MaxBatchBytes.
var ErrBatchTooLarge = errors.New("bus: encoded batch too large")

// MarshalBatch appends the msgpack encoding of batch to dst: an array of
// events, each a map keyed by the Go field names of market.Event and its
// payloads, empty fields left out, integers in their smallest form, each
// market.Dec as its decimal text (the bytes of the time the events carried
// strings: market.TestEventBytesStable pins them).
func MarshalBatch(dst []byte, batch []*market.Event) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	enc := msgpack.NewEncoder(buf)
	enc.UseCompactInts(true)
	enc.SetOmitEmpty(true)
	if err := enc.Encode(batch); err != nil {
		return dst, fmt.Errorf("bus: encode batch: %w", err)
	}
	return buf.Bytes(), nil
}

// UnmarshalBatch decodes what MarshalBatch encoded. Its input comes from
// the engine through Redis, not from clients, and is still handled as
// hostile: bounded in size, checked (CheckMsgpack) before the library sees
// it, so that what decoding allocates is bounded by its size, and decoded
// into concrete types only; a decimal that is not a Dec's text as the
// venue writes it (market.ParseDec: syntax, at most 40 decimals, within
// int64) is an error.
func UnmarshalBatch(b []byte) ([]*market.Event, error) {
	if len(b) > MaxBatchBytes {
		return nil, ErrBatchTooLarge
	}
	if err := CheckMsgpack(b); err != nil {
		return nil, err
	}
	var batch []*market.Event
	dec := msgpack.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&batch); err != nil {
		return nil, fmt.Errorf("bus: decode batch: %w", err)
	}
	return batch, nil
}
