package hub

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
	"unsafe"

	"github.com/gobwas/ws"

	"github.com/tickcast/tickcast/feed/wire"
)

func testFrame(off uint64, key uint64, size int) *Frame {
	return &Frame{Off: off, Key: key, Bin: make([]byte, size)}
}

func offs(items []Item) []uint64 {
	var out []uint64
	for _, it := range items {
		if it.Frame != nil {
			out = append(out, it.Frame.Off)
		} else {
			out = append(out, 1000+uint64(len(it.Own)))
		}
	}
	return out
}

func TestQueueConflatesKeepingOffsetOrder(t *testing.T) {
	q := NewQueue(Limits{})
	q.Push(testFrame(1, 7, 10)) // quote
	q.Push(testFrame(2, 0, 10)) // trade
	q.Push(testFrame(3, 7, 10)) // newer quote: replaces 1, goes after 2
	q.Push(testFrame(4, 8, 10)) // ticker
	q.Push(testFrame(5, 7, 10)) // newer quote again
	got := offs(q.Pop(nil, 100))
	want := []uint64{2, 4, 5}
	if len(got) != len(want) || got[0] != 2 || got[1] != 4 || got[2] != 5 {
		t.Fatalf("popped %v, want %v", got, want)
	}
	if q.Conflated() != 2 {
		t.Fatalf("conflated %d, want 2", q.Conflated())
	}
	// After popping, the key is free: a new quote is queued normally.
	q.Push(testFrame(6, 7, 10))
	if got := offs(q.Pop(nil, 100)); len(got) != 1 || got[0] != 6 {
		t.Fatalf("popped %v", got)
	}
}

func TestQueueBoundedUnderConflation(t *testing.T) {
	q := NewQueue(Limits{})
	for i := range uint64(100_000) { // a reader that never reads, a busy quote stream
		q.Push(testFrame(i, 7, 100))
	}
	if q.Len() != 1 || len(q.ring) > ringStart+16 { // the first ring, rounded up to its size class
		t.Fatalf("len %d, ring %d: conflated entries must not accumulate", q.Len(), len(q.ring))
	}
	if got := offs(q.Pop(nil, 10)); len(got) != 1 || got[0] != 99_999 {
		t.Fatalf("popped %v", got)
	}
}

func TestQueueOverflowBytes(t *testing.T) {
	q := NewQueue(Limits{MaxBytes: 1000})
	for i := range uint64(10) {
		if !q.Push(testFrame(i, 0, 100)) {
			t.Fatalf("push %d refused below the limit", i)
		}
	}
	select {
	case <-q.Ready():
	default:
		t.Fatal("not signaled")
	}
	if q.Push(testFrame(10, 0, 1)) || !q.Overflowed() {
		t.Fatal("lossless backlog over the limit accepted")
	}
	if q.Push(testFrame(11, 7, 1)) || q.PushOwn([]byte("x")) {
		t.Fatal("an overflowed queue accepts more")
	}
	select {
	case <-q.Ready():
	default:
		t.Fatal("overflow not signaled")
	}
}

func TestQueueOverflowAge(t *testing.T) {
	now := int64(0)
	q := NewQueue(Limits{MaxDelay: time.Second})
	q.clock = func() int64 { return now }
	q.Push(testFrame(1, 7, 10)) // conflatable: its age does not count
	now = int64(5 * time.Second)
	if !q.Push(testFrame(2, 0, 10)) {
		t.Fatal("refused")
	}
	now += int64(500 * time.Millisecond)
	if !q.Push(testFrame(3, 0, 10)) {
		t.Fatal("refused at 0.5 s behind")
	}
	q.Pop(nil, 2) // the reader catches up with the first two
	now += int64(700 * time.Millisecond)
	if !q.Push(testFrame(4, 0, 10)) {
		t.Fatal("refused at 0.7 s behind")
	}
	now += int64(400 * time.Millisecond) // frame 3 is now 1.1 s old
	if q.Push(testFrame(5, 0, 10)) {
		t.Fatal("accepted with the oldest lossless frame over a second old")
	}
}

// TestQueueOverflowAgeAfterPop checks the cached age of the oldest
// lossless ring entry: once it is popped, the age comes from the next
// lossless entry, past conflatable ones, never from the popped one or from
// a conflatable entry.
func TestQueueOverflowAgeAfterPop(t *testing.T) {
	now := int64(0)
	q := NewQueue(Limits{MaxDelay: time.Second})
	q.clock = func() int64 { return now }
	q.Push(testFrame(1, 0, 10)) // lossless A at 0
	now = int64(100 * time.Millisecond)
	q.Push(testFrame(2, 7, 10)) // conflatable Q at 0.1 s
	now = int64(800 * time.Millisecond)
	q.Push(testFrame(3, 0, 10)) // lossless B at 0.8 s
	if got := q.Backlog().Age; got != 800*time.Millisecond {
		t.Fatalf("age with A queued = %v, want 800ms", got)
	}
	if items := q.Pop(nil, 1); len(items) != 1 {
		t.Fatalf("popped %d items, want 1", len(items))
	}
	now = int64(1500 * time.Millisecond) // A would be 1.5 s old, Q 1.4 s, B 0.7 s
	if got := q.Backlog().Age; got != 700*time.Millisecond {
		t.Fatalf("age after popping A = %v, want 700ms (from B)", got)
	}
	if !q.Push(testFrame(4, 0, 10)) {
		t.Fatal("refused with the oldest lossless frame 0.7 s old")
	}
	q2 := NewQueue(Limits{MaxDelay: time.Second}) // a drained queue has no age
	q2.clock = func() int64 { return now }
	q2.Push(testFrame(1, 0, 10))
	q2.Pop(nil, 1)
	if got := q2.Backlog(); got.Messages != 0 || got.Age != 0 {
		t.Fatalf("backlog after draining = %+v, want empty", got)
	}
	now = int64(1900 * time.Millisecond) // B is 1.1 s old
	if q.Push(testFrame(5, 0, 10)) {
		t.Fatal("accepted with the oldest lossless frame 1.1 s old")
	}
}

func TestQueueGrowsAndCompacts(t *testing.T) {
	q := NewQueue(Limits{})
	var want []uint64
	for i := range uint64(1000) {
		key := uint64(0)
		if i%3 == 0 {
			key = 1 + i%4 // a few conflating keys among lossless frames
		}
		q.Push(testFrame(i, key, 1))
	}
	for i := range uint64(1000) {
		if i%3 != 0 || i >= 1000-12 { // survivors: lossless, and the newest per key
			if i%3 != 0 {
				want = append(want, i)
				continue
			}
			last := true
			for j := i + 1; j < 1000; j++ {
				if j%3 == 0 && 1+j%4 == 1+i%4 {
					last = false
				}
			}
			if last {
				want = append(want, i)
			}
		}
	}
	got := offs(q.Pop(nil, 10_000))
	if len(got) != len(want) {
		t.Fatalf("popped %d, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("at %d: %d, want %d", i, got[i], want[i])
		}
		if i > 0 && got[i] <= got[i-1] {
			t.Fatalf("offsets not increasing at %d", i)
		}
	}
}

func TestQueueClose(t *testing.T) {
	q := NewQueue(Limits{})
	q.Push(testFrame(1, 0, 1))
	q.Close()
	if q.Push(testFrame(2, 0, 1)) || len(q.Pop(nil, 10)) != 0 {
		t.Fatal("closed queue still works")
	}
}

// TestFrameHeaders checks the in-place frame headers against gobwas/ws for
// every length class.
func TestFrameHeaders(t *testing.T) {
	for _, n := range []int{0, 1, 125, 126, 127, 65535, 65536, 70000} {
		buf := append(make([]byte, maxHeader), bytes.Repeat([]byte{'x'}, n)...)
		frame := frameInPlace(buf, opBinary)
		h, err := ws.ReadHeader(bytes.NewReader(frame))
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if !h.Fin || h.OpCode != ws.OpBinary || h.Masked || h.Length != int64(n) || ws.HeaderSize(h)+n != len(frame) {
			t.Fatalf("n=%d: header %+v, frame %d bytes", n, h, len(frame))
		}
		want := ws.MustCompileFrame(ws.NewBinaryFrame(bytes.Repeat([]byte{'x'}, n)))
		if !bytes.Equal(frame, want) {
			t.Fatalf("n=%d: differs from ws.CompileFrame", n)
		}
	}
	f := newFrame(&wire.Pong{ID: wire.SomeID(3), Ts: 5}, wire.TypePong)
	if string(f.JSON()) != `{"t":"pong","id":3,"ts":5}` {
		t.Fatalf("JSON payload %q", f.JSON())
	}
	if got := string(f.SSE("ep")); got != "id: ep:0\nevent: pong\ndata: {\"t\":\"pong\",\"id\":3,\"ts\":5}\n\n" {
		t.Fatalf("SSE record %q", got)
	}
}

// TestBacklogInOwnFormat: a frame weighs what its subscriber is sent: the
// msgpack frame, the JSON frame, or the SSE record.
func TestBacklogInOwnFormat(t *testing.T) {
	h := New(Config{Symbols: []string{"BTC-USD"}, Epoch: "ep-123"}, nil)
	f := newFrame(&wire.Trade{Meta: wire.Meta{Ch: "trades", S: "BTC-USD", Seq: 7, Off: 123456, Ts: 1}, ID: 7, Px: "60000.00", Qty: "0.1000", Side: "buy"}, "trade")
	f.Off = 123456
	for tr, want := range map[Transport]int{WSBinary: len(f.Bin), WSText: len(f.Text), SSE: len(f.SSE("ep-123"))} {
		sub := h.NewSub(tr, Limits{})
		sub.Q.Push(f)
		if got := sub.Q.Backlog().Bytes; got != want {
			t.Errorf("transport %v: backlog %d bytes, want %d", tr, got, want)
		}
	}
	if len(f.Text) <= len(f.Bin) {
		t.Fatalf("the JSON frame (%d) is not larger than msgpack (%d): the test proves nothing", len(f.Text), len(f.Bin))
	}
}

// TestBacklogMessageLimit: a backlog of many small messages overflows at
// MaxMessages, however few bytes they are.
func TestBacklogMessageLimit(t *testing.T) {
	q := NewQueue(Limits{MaxMessages: 100})
	for i := range 100 {
		if !q.PushOwn([]byte{byte(i)}) {
			t.Fatalf("message %d refused", i)
		}
	}
	if q.PushOwn([]byte{1}) || !q.Overflowed() || q.Backlog().Messages != 101 {
		t.Fatalf("the 101st message: overflowed %v, backlog %+v", q.Overflowed(), q.Backlog())
	}
}

// TestBacklogBudget: past the hub's budget for all backlogs together, the
// queue whose backlog grows is cut; the hub-wide total comes back down as
// queues drain or close.
func TestBacklogBudget(t *testing.T) {
	h := New(Config{Symbols: []string{"BTC-USD"}, Epoch: "ep", BacklogBudget: 3 * chargeStep}, nil)
	big := make([]byte, chargeStep-entryCost) // with its slot, one step of the budget
	a, b := h.NewSub(WSBinary, Limits{}), h.NewSub(WSBinary, Limits{})
	for range 2 {
		if !a.Q.PushOwn(big) {
			t.Fatal("a refused within the budget")
		}
	}
	if !b.Q.PushOwn(big) {
		t.Fatal("b refused within the budget")
	}
	if h.Stats().Backlog() != 3*chargeStep {
		t.Fatalf("total %d, want %d", h.Stats().Backlog(), 3*chargeStep)
	}
	if b.Q.PushOwn(big) || !b.Q.Overflowed() {
		t.Fatal("b grew past the hub's budget and was not cut")
	}
	if h.Stats().Backlog() != 2*chargeStep {
		t.Fatalf("total after b's cut %d, want a's %d", h.Stats().Backlog(), 2*chargeStep)
	}
	a.Q.Pop(nil, 10)
	if h.Stats().Backlog() != 0 {
		t.Fatalf("total after a drained: %d", h.Stats().Backlog())
	}
	if !a.Q.PushOwn(big) {
		t.Fatal("a refused after the total came down")
	}
	a.Q.Close()
	if h.Stats().Backlog() != 0 {
		t.Fatalf("total after a closed: %d", h.Stats().Backlog())
	}
}

// TestSlowConsumerCountedOnce: a writer that stalls and a queue that
// overflows are one slow consumer, counted (and logged) by the first
// reason reported; before, 1,000 stalled clients were counted 1,002–1,816
// times.
func TestSlowConsumerCountedOnce(t *testing.T) {
	h := New(Config{Symbols: []string{"BTC-USD"}, Epoch: "ep"}, nil)
	a, b := h.NewSub(WSBinary, Limits{}), h.NewSub(SSE, Limits{})
	h.SlowConsumer(a, SlowWrite, Backlog{})
	h.SlowConsumer(a, SlowBacklog, Backlog{})
	h.SlowConsumer(b, SlowBacklog, Backlog{})
	h.SlowConsumer(b, SlowWrite, Backlog{})
	h.SlowConsumer(b, SlowBacklog, Backlog{})
	if w, k := h.Stats().SlowConsumers(SlowWrite), h.Stats().SlowConsumers(SlowBacklog); w != 1 || k != 1 {
		t.Fatalf("counted %d stalled writes and %d backlogs, want 1 and 1", w, k)
	}
}

// TestQueueMatchesModel pushes and pops at random, the head wrapping round
// the ring, against a list that conflates by removing the older entry of a
// key: every pop must give the model's entries, in its order, through
// every compaction and growth.
func TestQueueMatchesModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	q := NewQueue(Limits{MaxMessages: 1 << 20})
	var model []Item
	for step := range 200_000 {
		burst := step%10_000 < 400 // a stall: the ring grows past its first size
		switch r := rng.IntN(12); {
		case r == 0: // an own message in order with the frames (a reply)
			b := []byte(strconv.Itoa(step))
			model = append(model, Item{Own: b})
			q.PushOrdered(b)
			continue
		case r < 8 || burst:
			key := uint64(rng.IntN(6)) // 0: lossless; 1–5: conflating
			f := testFrame(uint64(step), key, 1)
			if key != 0 {
				model = slices.DeleteFunc(model, func(m Item) bool { return m.Frame != nil && m.Frame.Key == key })
			}
			model = append(model, Item{Frame: f})
			q.Push(f)
			continue
		}
		n := 1 + rng.IntN(8)
		got := q.Pop(nil, n)
		if len(got) != min(n, len(model)) {
			t.Fatalf("step %d: popped %d, model has %d", step, len(got), len(model))
		}
		for i, it := range got {
			if it.Frame != model[i].Frame || !bytes.Equal(it.Own, model[i].Own) {
				t.Fatalf("step %d: item %d is %v, want %v", step, i, offs(got[i:i+1]), offs(model[i:i+1]))
			}
		}
		model = model[len(got):]
	}
	if len(q.ring) <= ringStart+16 {
		t.Fatalf("ring of %d slots: the test never made it grow", len(q.ring))
	}
}

// TestQueueRingStartsAtSteadySize: a ring takes ringStart slots at its
// first push and bursts of up to that many messages (what every ring held
// at 10,000 subscribers, after the stalls of its first 30 s) then neither
// grow it nor allocate. It grew by doubling from 2, and every subscriber's
// ring reallocated at once, during the measurement window.
func TestQueueRingStartsAtSteadySize(t *testing.T) {
	if got := unsafe.Sizeof(slot{}); got > 24 {
		t.Fatalf("a ring slot takes %d bytes, want at most 24", got)
	}
	const steady = 64 // messages in the largest bursts seen
	q := NewQueue(Limits{})
	frames := make([]*Frame, steady)
	for i := range frames {
		key := uint64(0) // trades and book deltas
		if i%4 == 0 {
			key = 1 + uint64(i%3) // quotes
		}
		frames[i] = testFrame(uint64(i), key, 100)
	}
	reply := []byte("subscribed")
	buf := make([]Item, 0, 2*ringStart)
	burst := func() {
		q.PushOrdered(reply)
		for _, f := range frames {
			q.Push(f)
		}
		buf = q.Pop(buf[:0], cap(buf))
	}
	q.Push(frames[1])
	if len(q.ring) < steady {
		t.Fatalf("first ring of %d slots, want at least %d", len(q.ring), steady)
	}
	q.Pop(buf[:0], 1)
	first := &q.ring[0]
	if a := testing.AllocsPerRun(100, burst); a != 0 || &q.ring[0] != first {
		t.Fatalf("%.1f allocations per burst of %d, ring reallocated %v: want 0, false", a, len(frames)+1, &q.ring[0] != first)
	}
}

// TestQueueConflationAllocatesNothing: a subscriber that keeps up with
// conflated channels fills its ring with dead entries all the time; once
// the ring has its size, pushing and popping allocate nothing (a new ring
// per compaction was most of the fan-out's garbage).
func TestQueueConflationAllocatesNothing(t *testing.T) {
	q := NewQueue(Limits{})
	frames := make([]*Frame, 64)
	for i := range frames {
		frames[i] = testFrame(uint64(i), uint64(1+i%4), 1) // quotes and tickers of a few symbols
	}
	buf := make([]Item, 0, 64)
	round := func() {
		for _, f := range frames {
			q.Push(f)
		}
		buf = q.Pop(buf[:0], 2)
	}
	for range 100 {
		round()
	}
	if a := testing.AllocsPerRun(1000, round); a != 0 {
		t.Fatalf("%.1f allocations per round, want 0", a)
	}
}

// TestQueueCallbacksMayLookAtQueue: the waker and onOver run without the
// queue's lock, so that a transport's waker may ask the queue (the ws
// session's handOff calls Overflowed, its pool Urgent). They ran under it
// on an overflow and in Close, and the pushing goroutine deadlocked on its
// own queue: a heartbeat's ping, or the hub's fan-out, and with it the
// whole server (seen at 10,000 subscribers with the server starved of CPU).
func TestQueueCallbacksMayLookAtQueue(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(q *Queue)
	}{
		{"own", func(q *Queue) { q.PushOwn([]byte("a")); q.PushOwn([]byte("b")) }},
		{"ordered", func(q *Queue) { q.PushOrdered([]byte("a")); q.PushOrdered([]byte("b")) }},
		{"quiet", func(q *Queue) { q.PushQuiet(testFrame(1, 0, 1)); q.PushQuiet(testFrame(2, 0, 1)) }},
		{"close", func(q *Queue) { q.Close() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := NewQueue(Limits{MaxMessages: 1})
			var wakes, overs int
			q.SetWaker(func() { wakes++; _ = q.Overflowed(); _ = q.Urgent(); _ = q.Len() })
			q.SetOnOverflow(func() { overs++; _ = q.Backlog() })
			done := make(chan struct{})
			go func() { defer close(done); tc.do(q) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("deadlocked: a callback ran with the queue's lock held")
			}
			if tc.name != "close" && (overs != 1 || !q.Overflowed()) {
				t.Fatalf("onOver ran %d times, overflowed %v; want once, true", overs, q.Overflowed())
			}
			if wakes == 0 {
				t.Fatal("the waker never ran")
			}
		})
	}
}
