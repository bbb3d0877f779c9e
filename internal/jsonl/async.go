package jsonl

import "github.com/tickcast/tickcast/market"

// Async is a market.Publisher that hands the venue's batches to a Writer
// running on a goroutine of its own, so that formatting and writing the
// lines (a tenth of `tickcast simulate`'s time) run beside the venue, on
// another core, instead of inside its loop. Batches go over in chunks of
// about asyncChunk events; the lines are the same, in the same order, as
// the Writer's alone.
type Async struct {
	w     *Writer
	cur   [][]*market.Event
	n     int // events in cur
	work  chan [][]*market.Event
	free  chan [][]*market.Event
	done  chan struct{}
	ended bool
}

var _ market.Publisher = (*Async)(nil)

// asyncChunk is how many events a chunk holds before it is handed over;
// asyncChunks is how many chunks exist (one filling, the others queued or
// being written).
const (
	asyncChunk  = 4096
	asyncChunks = 4
)

// NewAsync starts w's goroutine. Flush must be called once, at the end:
// it writes what is left and stops the goroutine.
func NewAsync(w *Writer) *Async {
	a := &Async{w: w, work: make(chan [][]*market.Event, asyncChunks), free: make(chan [][]*market.Event, asyncChunks), done: make(chan struct{})}
	for range asyncChunks - 1 {
		a.free <- make([][]*market.Event, 0, 256)
	}
	a.cur = make([][]*market.Event, 0, 256)
	go a.run()
	return a
}

func (a *Async) run() {
	defer close(a.done)
	for chunk := range a.work {
		for i, b := range chunk {
			a.w.Publish(b)
			chunk[i] = nil // the events can go once written
		}
		a.free <- chunk[:0]
	}
}

// Publish queues the batch; the venue's batches are never modified once
// published (market.Publisher), so they are read later, on the writer's
// goroutine.
func (a *Async) Publish(batch []*market.Event) {
	a.cur = append(a.cur, batch)
	if a.n += len(batch); a.n >= asyncChunk {
		a.work <- a.cur
		a.cur, a.n = <-a.free, 0
	}
}

// Flush hands over the last chunk, waits for every line to be written,
// stops the goroutine and flushes the Writer. Nothing may be published
// after it.
func (a *Async) Flush() error {
	if !a.ended {
		a.ended = true
		a.work <- a.cur
		close(a.work)
		<-a.done
	}
	return a.w.Flush()
}
