package client

import "sync/atomic"

// Stats are a client's counters since Dial.
type Stats struct {
	Messages       uint64 // messages received and delivered
	Bytes          uint64 // payload bytes of those messages
	Reconnects     uint64 // successful reconnections
	Gaps           uint64 // seq jumps on lossless streams (public and private)
	Resets         uint64 // reset messages received
	Resyncs        uint64 // stream resubscriptions started by the client
	Duplicates     uint64 // messages dropped because their seq was not new
	ChecksumErrors uint64 // book checksum mismatches
	Malformed      uint64 // messages that could not be decoded
}

// counters is the live, atomically updated form of Stats.
type counters struct {
	messages, bytes, reconnects, gaps, resets atomic.Uint64
	resyncs, duplicates, checksums, malformed atomic.Uint64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Messages:       c.messages.Load(),
		Bytes:          c.bytes.Load(),
		Reconnects:     c.reconnects.Load(),
		Gaps:           c.gaps.Load(),
		Resets:         c.resets.Load(),
		Resyncs:        c.resyncs.Load(),
		Duplicates:     c.duplicates.Load(),
		ChecksumErrors: c.checksums.Load(),
		Malformed:      c.malformed.Load(),
	}
}
