package hub

import "github.com/tickcast/tickcast/feed/wire"

// Stream is one public stream, CHANNEL:SYMBOL. The set of streams is fixed
// when the hub is made; its mutable parts belong to the hub goroutine.
type Stream struct {
	Name     string
	Channel  string
	Symbol   string
	Lossless bool
	key      uint64 // conflation key base (conflatable streams)

	subs   []*Sub
	seq    uint64 // seq of the newest frame
	hist   fifo   // this stream's frames in the history, by seq
	last   *Frame
	mirror *mirror // book streams: the L2 book, for snapshots
}

// conflationKey returns the key under which a frame of this stream may
// replace an older one: the stream for quote and ticker, the stream and
// the candle's start for candles. Lossless streams have none.
func (s *Stream) conflationKey(m wire.Message) uint64 {
	if s.Lossless {
		return 0
	}
	if c, ok := m.(*wire.Candle); ok {
		return s.key ^ (uint64(c.Start) * 0x9E3779B97F4A7C15)
	}
	return s.key
}

func (s *Stream) add(sub *Sub) {
	if _, ok := sub.streams[s]; ok {
		return
	}
	sub.streams[s] = len(s.subs)
	s.subs = append(s.subs, sub)
	sub.stats.subscriptions.Add(1)
}

// remove takes sub out in O(1): the last subscriber fills its slot.
func (s *Stream) remove(sub *Sub) {
	i, ok := sub.streams[s]
	if !ok {
		return
	}
	last := len(s.subs) - 1
	moved := s.subs[last]
	s.subs[i] = moved
	moved.streams[s] = i
	s.subs[last] = nil
	s.subs = s.subs[:last]
	delete(sub.streams, s)
	sub.stats.subscriptions.Add(-1)
}
