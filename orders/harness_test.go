package orders

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// recorder is a Sink that keeps the events of the current operation.
type recorder struct{ events []Event }

func (r *recorder) Event(e Event) { r.events = append(r.events, e) }

// opKind enumerates the operations the harness drives.
type opKind uint8

const (
	opSubmit opKind = iota
	opCancel
	opAmend
	opCancelAll
	opKinds
)

type op struct {
	kind  opKind
	req   Request // opSubmit
	owner Owner   // others
	id    OrderID
	price int64
	qty   int64
}

func (o op) String() string {
	switch o.kind {
	case opSubmit:
		return fmt.Sprintf("submit%+v", o.req)
	case opCancel:
		return fmt.Sprintf("cancel(owner=%d id=%d)", o.owner, o.id)
	case opAmend:
		return fmt.Sprintf("amend(owner=%d id=%d px=%d qty=%d)", o.owner, o.id, o.price, o.qty)
	}
	return fmt.Sprintf("cancelAll(owner=%d)", o.owner)
}

func (o op) applyBook(b *Book) {
	switch o.kind {
	case opSubmit:
		b.Submit(o.req)
	case opCancel:
		b.Cancel(o.owner, o.id, DoneCanceled)
	case opAmend:
		b.Amend(o.owner, o.id, o.price, o.qty)
	default:
		b.CancelAll(o.owner, DoneDisconnect)
	}
}

func (o op) applyRef(r *refBook) {
	switch o.kind {
	case opSubmit:
		r.submit(o.req)
	case opCancel:
		r.cancel(o.owner, o.id, DoneCanceled)
	case opAmend:
		r.amend(o.owner, o.id, o.price, o.qty)
	default:
		r.cancelAll(o.owner, DoneDisconnect)
	}
}

// gen produces a seeded random stream of every kind of operation, valid and
// invalid, from a few owners, around a slowly drifting mid price, so the
// book stays a few dozen levels deep and crosses often.
type gen struct {
	rng    *rand.Rand
	nextID OrderID
	mid    int64
	live   []liveRef // orders submitted, some long gone (cancels of them are rejected)
}

type liveRef struct {
	id    OrderID
	owner Owner
	price int64
}

const genOwners = 5

func newGen(seed uint64) *gen {
	return &gen{rng: rand.New(rand.NewPCG(seed, seed^0x5eed)), nextID: 1, mid: 1000}
}

// pick returns a recent order to cancel or amend: usually by its owner,
// sometimes by another owner (rejected), an unknown id or id 0.
func (g *gen) pick(owner Owner) liveRef {
	switch {
	case g.rng.IntN(100) == 0:
		return liveRef{owner: owner, price: g.price()}
	case len(g.live) == 0 || g.rng.IntN(20) == 0:
		return liveRef{id: OrderID(g.rng.Uint64N(uint64(g.nextID) + 2)), owner: owner, price: g.price()}
	}
	ref := g.live[len(g.live)-1-g.rng.IntN(min(len(g.live), 400))]
	if g.rng.IntN(10) == 0 {
		ref.owner = owner
	}
	return ref
}

func (g *gen) price() int64 { return g.mid + int64(g.rng.IntN(61)) - 30 }

func (g *gen) qty() int64 {
	if g.rng.IntN(50) == 0 {
		return int64(g.rng.IntN(3)) - 1 // 0 or negative: invalid
	}
	return 1 + int64(g.rng.IntN(20))
}

func (g *gen) next() op {
	r := g.rng
	if r.IntN(200) == 0 {
		g.mid += int64(r.IntN(11)) - 5
		g.mid = max(g.mid, 100)
	}
	owner := Owner(1 + r.IntN(genOwners))
	switch x := r.IntN(100); {
	case x < 55:
		q := Request{ID: g.nextID, Owner: owner, Side: Side(1 + r.IntN(2)), Type: Limit, TIF: GTC, Price: g.price(), Qty: g.qty()}
		g.nextID++
		switch y := r.IntN(100); {
		case y < 8:
			q.Type = Market
			q.Price = g.mid + 40
			if q.Side == Sell {
				q.Price = g.mid - 40
			}
		case y < 14:
			q.TIF = IOC
		case y < 19:
			q.TIF = FOK
		case y < 27:
			q.PostOnly = true
		case y < 28:
			q.ID = g.pick(owner).id // duplicate, unknown-but-fresh, or zero
		case y < 29:
			q.Side = Side(r.IntN(4) * 3 % 4) // 0 or 3: invalid
		case y < 30:
			q.Type = Type(3)
		case y < 31:
			q.TIF = TIF(r.IntN(2) * 4)
		case y < 32:
			q.Price = -int64(r.IntN(3))
		case y < 33:
			q.Price = MaxPrice + 1
		}
		g.live = append(g.live, liveRef{q.ID, q.Owner, q.Price})
		if len(g.live) > 4000 {
			g.live = append(g.live[:0], g.live[2000:]...)
		}
		return op{kind: opSubmit, req: q}
	case x < 85:
		ref := g.pick(owner)
		return op{kind: opCancel, owner: ref.owner, id: ref.id}
	case x < 99:
		ref := g.pick(owner)
		price := ref.price // half the amends keep the price: queue priority rules
		if r.IntN(2) == 0 {
			price = g.price()
		}
		return op{kind: opAmend, owner: ref.owner, id: ref.id, price: price, qty: g.qty()}
	default:
		return op{kind: opCancelAll, owner: owner}
	}
}

// ledger checks quantity conservation from the events alone: everything
// submitted (net of amends) is resting, traded (counted on both sides), or
// canceled/expired.
type ledger struct {
	qty       map[OrderID]int64
	submitted int64
	traded    int64
	gone      int64
}

func newLedger() *ledger { return &ledger{qty: map[OrderID]int64{}} }

func (l *ledger) apply(evs []Event) {
	for _, e := range evs {
		switch e.Kind {
		case EvAccepted:
			l.qty[e.OrderID] = e.Qty
			l.submitted += e.Qty
		case EvAmended:
			l.submitted += e.Qty - l.qty[e.OrderID]
			l.qty[e.OrderID] = e.Qty
		case EvTrade:
			l.traded += 2 * e.Qty
		case EvDone:
			l.gone += e.Qty
			delete(l.qty, e.OrderID)
		}
	}
}

func (l *ledger) check(b *Book) error {
	var resting int64
	for _, s := range []Side{Buy, Sell} {
		for _, lv := range b.Depth(s, 0, nil) {
			resting += lv.Qty
		}
	}
	if l.submitted != resting+l.traded+l.gone {
		return fmt.Errorf("quantity not conserved: submitted %d != resting %d + traded %d + gone %d", l.submitted, resting, l.traded, l.gone)
	}
	return nil
}

// ladderEntries flattens a ladder's chunks, checking their bookkeeping: no
// empty chunk, counts within capacity, the total matching.
func ladderEntries(ld *ladder) (keys []int64, lvls []int32, err error) {
	for ci, c := range ld.chunks {
		if c.n <= 0 || c.n > chunkCap {
			return nil, nil, fmt.Errorf("chunk %d holds %d levels", ci, c.n)
		}
		keys = append(keys, c.keys[:c.n]...)
		lvls = append(lvls, c.lvls[:c.n]...)
	}
	if len(keys) != ld.size() {
		return nil, nil, fmt.Errorf("ladder counts %d levels, its chunks hold %d", ld.size(), len(keys))
	}
	return keys, lvls, nil
}

// checkStructure verifies the book's internal invariants: not crossed,
// ladders strictly sorted, every level's count, total and FIFO links
// consistent, the id index and owner lists matching the resting orders.
func checkStructure(b *Book) error {
	if bid, ok := b.Best(Buy); ok {
		if ask, ok := b.Best(Sell); ok && bid.Price >= ask.Price {
			return fmt.Errorf("crossed: bid %d >= ask %d", bid.Price, ask.Price)
		}
	}
	resting := 0
	for _, ld := range []*ladder{&b.bids, &b.asks} {
		keys, lvls, err := ladderEntries(ld)
		if err != nil {
			return err
		}
		for i, lv := range lvls {
			if i > 0 && keys[i-1] >= keys[i] {
				return fmt.Errorf("ladder not strictly sorted at %d", i)
			}
			l := &b.levels[lv]
			if ld.key(l.price) != keys[i] {
				return fmt.Errorf("level %d price %d does not match its key", lv, l.price)
			}
			var total int64
			var count int32
			prev := int32(0)
			for o := l.head; o != 0; o = b.nodes[o].next {
				n := &b.nodes[o]
				if n.prev != prev || n.level != lv || n.price != l.price || n.side != l.side {
					return fmt.Errorf("order %d: broken links or wrong level", n.id)
				}
				if n.remaining() <= 0 {
					return fmt.Errorf("order %d rests with %d remaining", n.id, n.remaining())
				}
				if s, ok := b.ids.get(n.id); !ok || s != o {
					return fmt.Errorf("order %d missing from the index", n.id)
				}
				total += n.remaining()
				count++
				prev = o
			}
			if l.tail != prev || l.count != count || l.total != total || count == 0 {
				return fmt.Errorf("level %d: count %d/%d total %d/%d", l.price, l.count, count, l.total, total)
			}
			resting += int(count)
		}
	}
	if b.ids.n != resting {
		return fmt.Errorf("index holds %d ids, %d orders rest", b.ids.n, resting)
	}
	owned := 0
	for owner, ol := range b.owners {
		prev := int32(0)
		for o := ol.head; o != 0; o = b.nodes[o].onext {
			if b.nodes[o].owner != owner || b.nodes[o].oprev != prev {
				return fmt.Errorf("owner %d list broken", owner)
			}
			prev = o
			owned++
		}
		if ol.tail != prev {
			return fmt.Errorf("owner %d list tail wrong", owner)
		}
	}
	if owned != resting {
		return fmt.Errorf("owner lists hold %d orders, %d rest", owned, resting)
	}
	return nil
}

// pair drives a Book and the reference with the same operations and
// compares them after each.
type pair struct {
	book *Book
	rec  *recorder
	ref  *refBook
	led  *ledger
	step int
}

func newPair() *pair {
	rec := &recorder{}
	return &pair{book: NewBook(rec), rec: rec, ref: newRefBook(), led: newLedger()}
}

func (p *pair) apply(o op) error {
	p.step++
	p.rec.events = p.rec.events[:0]
	p.ref.events = p.ref.events[:0]
	o.applyBook(p.book)
	o.applyRef(p.ref)
	if !slices.Equal(p.rec.events, p.ref.events) {
		return fmt.Errorf("step %d %v: events differ\nbook: %+v\nref:  %+v", p.step, o, p.rec.events, p.ref.events)
	}
	for _, s := range []Side{Buy, Sell} {
		got, want := p.book.Depth(s, 0, nil), p.ref.depth(s)
		if !slices.Equal(got, want) {
			return fmt.Errorf("step %d %v: %v L2 differs\nbook: %v\nref:  %v", p.step, o, s, got, want)
		}
	}
	// FIFO within every level this operation touched.
	for _, e := range p.rec.events {
		if e.Kind != EvLevel || e.Qty == 0 {
			continue
		}
		got := p.book.Queue(e.Side, e.Price, nil)
		var want []OrderID
		q := p.ref.queue(e.Side)
		for i := p.ref.levelStart(e.Side, e.Price); i < len(q) && q[i].Price == e.Price; i++ {
			want = append(want, q[i].ID)
		}
		if !slices.Equal(got, want) {
			return fmt.Errorf("step %d %v: FIFO at %v %d differs: book %v ref %v", p.step, o, e.Side, e.Price, got, want)
		}
	}
	p.led.apply(p.rec.events)
	if err := p.led.check(p.book); err != nil {
		return fmt.Errorf("step %d %v: %w", p.step, o, err)
	}
	if err := checkStructure(p.book); err != nil {
		return fmt.Errorf("step %d %v: %w", p.step, o, err)
	}
	return nil
}

func TestGeneratorCoversEveryEvent(t *testing.T) {
	p := newPair()
	g := newGen(7)
	seen := map[EventKind]int{}
	reasons := map[Reason]int{}
	for range 50000 {
		if err := p.apply(g.next()); err != nil {
			t.Fatal(err)
		}
		for _, e := range p.rec.events {
			seen[e.Kind]++
			reasons[e.Reason]++
		}
	}
	for k := EvAccepted; k <= EvLevel; k++ {
		if seen[k] == 0 {
			t.Errorf("the generator never produced %v", k)
		}
	}
	for r := RejectInvalidID; r < reasonCount; r++ {
		if r == RejectOverflow { // needs ~1000 maximal orders on one level: covered by the table tests
			continue
		}
		if reasons[r] == 0 {
			t.Errorf("the generator never produced reason %v", r)
		}
	}
}
