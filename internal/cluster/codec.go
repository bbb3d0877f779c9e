package cluster

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/tickcast/tickcast/feed/bus"
	"github.com/tickcast/tickcast/market"
)

// Meta is what the engine tells every edge about itself (P:meta).
type Meta struct {
	Epoch         string              `json:"epoch"`
	Instruments   []market.Instrument `json:"instruments"`
	TokenKey      []byte              `json:"token_key"`
	TradeHistory  int                 `json:"trade_history"`
	CandleHistory int                 `json:"candle_history"`
}

// Bounds on what an edge reads from Redis.
const (
	maxMetaBytes  = 1 << 20
	maxStateBytes = 64 << 20
	maxReplyBytes = 16 << 20
)

var errTooLarge = errors.New("cluster: document too large")

func encodeMeta(m *Meta) ([]byte, error) { return json.Marshal(m) }

func decodeMeta(b []byte) (*Meta, error) {
	if len(b) > maxMetaBytes {
		return nil, errTooLarge
	}
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("cluster: meta: %w", err)
	}
	if m.Epoch == "" || len(m.Instruments) == 0 || len(m.TokenKey) < 16 {
		return nil, errors.New("cluster: meta: epoch, instruments or token key missing")
	}
	return &m, nil
}

// marshal encodes v as msgpack the way bus.MarshalBatch does.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	enc.UseCompactInts(true)
	enc.SetOmitEmpty(true)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func unmarshal(b []byte, most int, v any) error {
	if len(b) > most {
		return errTooLarge
	}
	if err := bus.CheckMsgpack(b); err != nil {
		return err
	}
	return msgpack.NewDecoder(bytes.NewReader(b)).Decode(v)
}

// entryID is the stream ID of a batch: hi, the last public offset once
// it is applied, and n, how many batches before it ended at hi.
func entryID(hi, n uint64) string {
	return strconv.FormatUint(hi, 10) + "-" + strconv.FormatUint(n, 10)
}

// parseID splits a stream ID.
func parseID(id string) (hi, n uint64, err error) {
	a, b, ok := strings.Cut(id, "-")
	if !ok {
		return 0, 0, fmt.Errorf("cluster: stream id %q", id)
	}
	if hi, err = strconv.ParseUint(a, 10, 64); err == nil {
		n, err = strconv.ParseUint(b, 10, 64)
	}
	return hi, n, err
}
