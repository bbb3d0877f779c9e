package orders

import (
	"math"
	"slices"
	"testing"
)

// Helpers that keep the table readable: owners A and B, prices in ticks.
const (
	A Owner = 1
	B Owner = 2
)

func lim(id OrderID, o Owner, s Side, px, qty int64) Request {
	return Request{ID: id, Owner: o, Side: s, Type: Limit, TIF: GTC, Price: px, Qty: qty}
}

func with(r Request, f func(*Request)) Request { f(&r); return r }

func acc(r Request) Event {
	return Event{Kind: EvAccepted, Side: r.Side, OrderID: r.ID, Owner: r.Owner, Price: r.Price, Qty: r.Qty}
}

func rej(id OrderID, o Owner, why Reason) Event {
	return Event{Kind: EvRejected, Reason: why, OrderID: id, Owner: o}
}

func trade(taker OrderID, to Owner, s Side, maker OrderID, mo Owner, px, qty int64) Event {
	return Event{Kind: EvTrade, Side: s, OrderID: taker, Owner: to, MakerID: maker, MakerOwner: mo, Price: px, Qty: qty}
}

func done(id OrderID, o Owner, s Side, px int64, why Reason, left int64) Event {
	return Event{Kind: EvDone, Reason: why, Side: s, OrderID: id, Owner: o, Price: px, Qty: left}
}

func lvl(s Side, px, qty int64) Event { return Event{Kind: EvLevel, Side: s, Price: px, Qty: qty} }

func amended(id OrderID, o Owner, s Side, px, qty int64) Event {
	return Event{Kind: EvAmended, Side: s, OrderID: id, Owner: o, Price: px, Qty: qty}
}

func sub(r Request) op { return op{kind: opSubmit, req: r} }
func cxl(o Owner, id OrderID) op {
	return op{kind: opCancel, owner: o, id: id}
}
func amd(o Owner, id OrderID, px, qty int64) op {
	return op{kind: opAmend, owner: o, id: id, price: px, qty: qty}
}

// A standard book: asks 101×5 (id 1, A) then 101×3 (id 2, B), 102×4 (id 3,
// A); bids 99×2 (id 4, B), 98×6 (id 5, A).
var standard = []op{
	sub(lim(1, A, Sell, 101, 5)),
	sub(lim(2, B, Sell, 101, 3)),
	sub(lim(3, A, Sell, 102, 4)),
	sub(lim(4, B, Buy, 99, 2)),
	sub(lim(5, A, Buy, 98, 6)),
}

func TestBook(t *testing.T) {
	const C Owner = 3
	mkt := func(id OrderID, o Owner, s Side, limit, qty int64) Request {
		return Request{ID: id, Owner: o, Side: s, Type: Market, TIF: IOC, Price: limit, Qty: qty}
	}
	cases := []struct {
		name  string
		setup []op
		op    op
		want  []Event
		bids  []Level // after the op, best first
		asks  []Level
	}{
		{
			name: "limit rests on an empty book",
			op:   sub(lim(10, A, Buy, 100, 7)),
			want: []Event{acc(lim(10, A, Buy, 100, 7)), lvl(Buy, 100, 7)},
			bids: []Level{{100, 7, 1}},
		},
		{
			name:  "limit joins the back of an existing level",
			setup: standard,
			op:    sub(lim(10, C, Buy, 99, 1)),
			want:  []Event{acc(lim(10, C, Buy, 99, 1)), lvl(Buy, 99, 3)},
			bids:  []Level{{99, 3, 2}, {98, 6, 1}},
			asks:  []Level{{101, 8, 2}, {102, 4, 1}},
		},
		{
			name:  "crossing limit trades oldest first at the maker's price and rests the remainder",
			setup: standard,
			op:    sub(lim(10, C, Buy, 101, 10)),
			want: []Event{
				acc(lim(10, C, Buy, 101, 10)),
				trade(10, C, Buy, 1, A, 101, 5), done(1, A, Sell, 101, DoneFilled, 0), lvl(Sell, 101, 3),
				trade(10, C, Buy, 2, B, 101, 3), done(2, B, Sell, 101, DoneFilled, 0), lvl(Sell, 101, 0),
				lvl(Buy, 101, 2),
			},
			bids: []Level{{101, 2, 1}, {99, 2, 1}, {98, 6, 1}},
			asks: []Level{{102, 4, 1}},
		},
		{
			name:  "aggressive limit sweeps several levels and fills",
			setup: standard,
			op:    sub(lim(10, C, Buy, 105, 10)),
			want: []Event{
				acc(lim(10, C, Buy, 105, 10)),
				trade(10, C, Buy, 1, A, 101, 5), done(1, A, Sell, 101, DoneFilled, 0), lvl(Sell, 101, 3),
				trade(10, C, Buy, 2, B, 101, 3), done(2, B, Sell, 101, DoneFilled, 0), lvl(Sell, 101, 0),
				trade(10, C, Buy, 3, A, 102, 2), lvl(Sell, 102, 2),
				done(10, C, Buy, 105, DoneFilled, 0),
			},
			bids: []Level{{99, 2, 1}, {98, 6, 1}},
			asks: []Level{{102, 2, 1}},
		},
		{
			name:  "partial fill of the maker keeps it at the front",
			setup: standard,
			op:    sub(lim(10, C, Sell, 99, 1)),
			want: []Event{
				acc(lim(10, C, Sell, 99, 1)),
				trade(10, C, Sell, 4, B, 99, 1), lvl(Buy, 99, 1),
				done(10, C, Sell, 99, DoneFilled, 0),
			},
			bids: []Level{{99, 1, 1}, {98, 6, 1}},
			asks: []Level{{101, 8, 2}, {102, 4, 1}},
		},
		{
			name:  "market order trades up to its band limit and the rest expires",
			setup: standard,
			op:    sub(mkt(10, C, Buy, 101, 10)),
			want: []Event{
				acc(mkt(10, C, Buy, 101, 10)),
				trade(10, C, Buy, 1, A, 101, 5), done(1, A, Sell, 101, DoneFilled, 0), lvl(Sell, 101, 3),
				trade(10, C, Buy, 2, B, 101, 3), done(2, B, Sell, 101, DoneFilled, 0), lvl(Sell, 101, 0),
				done(10, C, Buy, 101, DoneIOCRemainder, 2),
			},
			bids: []Level{{99, 2, 1}, {98, 6, 1}},
			asks: []Level{{102, 4, 1}},
		},
		{
			name:  "market order with GTC never rests",
			setup: standard,
			op:    sub(with(mkt(10, C, Sell, 90, 9), func(r *Request) { r.TIF = GTC })),
			want: []Event{
				acc(with(mkt(10, C, Sell, 90, 9), func(r *Request) { r.TIF = GTC })),
				trade(10, C, Sell, 4, B, 99, 2), done(4, B, Buy, 99, DoneFilled, 0), lvl(Buy, 99, 0),
				trade(10, C, Sell, 5, A, 98, 6), done(5, A, Buy, 98, DoneFilled, 0), lvl(Buy, 98, 0),
				done(10, C, Sell, 90, DoneIOCRemainder, 1),
			},
			asks: []Level{{101, 8, 2}, {102, 4, 1}},
		},
		{
			name:  "market order against an empty side is rejected no_liquidity",
			setup: []op{sub(lim(1, A, Buy, 99, 1))},
			op:    sub(mkt(10, C, Buy, 200, 1)),
			want:  []Event{rej(10, C, RejectNoLiquidity)},
			bids:  []Level{{99, 1, 1}},
		},
		{
			name:  "ioc trades what it can and the remainder expires",
			setup: standard,
			op:    sub(with(lim(10, C, Sell, 99, 5), func(r *Request) { r.TIF = IOC })),
			want: []Event{
				acc(with(lim(10, C, Sell, 99, 5), func(r *Request) { r.TIF = IOC })),
				trade(10, C, Sell, 4, B, 99, 2), done(4, B, Buy, 99, DoneFilled, 0), lvl(Buy, 99, 0),
				done(10, C, Sell, 99, DoneIOCRemainder, 3),
			},
			bids: []Level{{98, 6, 1}},
			asks: []Level{{101, 8, 2}, {102, 4, 1}},
		},
		{
			name:  "ioc that does not cross expires whole",
			setup: standard,
			op:    sub(with(lim(10, C, Buy, 100, 5), func(r *Request) { r.TIF = IOC })),
			want: []Event{
				acc(with(lim(10, C, Buy, 100, 5), func(r *Request) { r.TIF = IOC })),
				done(10, C, Buy, 100, DoneIOCRemainder, 5),
			},
			bids: []Level{{99, 2, 1}, {98, 6, 1}},
			asks: []Level{{101, 8, 2}, {102, 4, 1}},
		},
		{
			name:  "fok that can fill trades in full",
			setup: standard,
			op:    sub(with(lim(10, C, Buy, 102, 12), func(r *Request) { r.TIF = FOK })),
			want: []Event{
				acc(with(lim(10, C, Buy, 102, 12), func(r *Request) { r.TIF = FOK })),
				trade(10, C, Buy, 1, A, 101, 5), done(1, A, Sell, 101, DoneFilled, 0), lvl(Sell, 101, 3),
				trade(10, C, Buy, 2, B, 101, 3), done(2, B, Sell, 101, DoneFilled, 0), lvl(Sell, 101, 0),
				trade(10, C, Buy, 3, A, 102, 4), done(3, A, Sell, 102, DoneFilled, 0), lvl(Sell, 102, 0),
				done(10, C, Buy, 102, DoneFilled, 0),
			},
			bids: []Level{{99, 2, 1}, {98, 6, 1}},
		},
		{
			name:  "fok that cannot fill expires untouched",
			setup: standard,
			op:    sub(with(lim(10, C, Buy, 102, 13), func(r *Request) { r.TIF = FOK })),
			want: []Event{
				acc(with(lim(10, C, Buy, 102, 13), func(r *Request) { r.TIF = FOK })),
				done(10, C, Buy, 102, DoneFOKUnfillable, 13),
			},
			bids: []Level{{99, 2, 1}, {98, 6, 1}},
			asks: []Level{{101, 8, 2}, {102, 4, 1}},
		},
		{
			name:  "fok does not count the owner's own orders as liquidity",
			setup: standard,
			op:    sub(with(lim(10, A, Buy, 102, 4), func(r *Request) { r.TIF = FOK })),
			want: []Event{
				acc(with(lim(10, A, Buy, 102, 4), func(r *Request) { r.TIF = FOK })),
				done(10, A, Buy, 102, DoneFOKUnfillable, 4),
			},
			bids: []Level{{99, 2, 1}, {98, 6, 1}},
			asks: []Level{{101, 8, 2}, {102, 4, 1}},
		},
		{
			name:  "post-only that rests is accepted",
			setup: standard,
			op:    sub(with(lim(10, C, Buy, 100, 1), func(r *Request) { r.PostOnly = true })),
			want:  []Event{acc(with(lim(10, C, Buy, 100, 1), func(r *Request) { r.PostOnly = true })), lvl(Buy, 100, 1)},
			bids:  []Level{{100, 1, 1}, {99, 2, 1}, {98, 6, 1}},
			asks:  []Level{{101, 8, 2}, {102, 4, 1}},
		},
		{
			name:  "post-only that would cross is rejected",
			setup: standard,
			op:    sub(with(lim(10, C, Buy, 101, 1), func(r *Request) { r.PostOnly = true })),
			want:  []Event{rej(10, C, RejectPostOnlyCross)},
			bids:  []Level{{99, 2, 1}, {98, 6, 1}},
			asks:  []Level{{101, 8, 2}, {102, 4, 1}},
		},
		{
			name:  "self-trade prevention cancels the resting order and goes on matching",
			setup: standard,
			op:    sub(lim(10, A, Buy, 101, 4)),
			want: []Event{
				acc(lim(10, A, Buy, 101, 4)),
				done(1, A, Sell, 101, DoneSelfTrade, 5), lvl(Sell, 101, 3),
				trade(10, A, Buy, 2, B, 101, 3), done(2, B, Sell, 101, DoneFilled, 0), lvl(Sell, 101, 0),
				lvl(Buy, 101, 1),
			},
			bids: []Level{{101, 1, 1}, {99, 2, 1}, {98, 6, 1}},
			asks: []Level{{102, 4, 1}},
		},
		{
			name:  "cancel removes the order and reports the level",
			setup: standard,
			op:    cxl(A, 1),
			want:  []Event{done(1, A, Sell, 101, DoneCanceled, 5), lvl(Sell, 101, 3)},
			bids:  []Level{{99, 2, 1}, {98, 6, 1}},
			asks:  []Level{{101, 3, 1}, {102, 4, 1}},
		},
		{
			name:  "cancel of the last order removes the level",
			setup: standard,
			op:    cxl(A, 3),
			want:  []Event{done(3, A, Sell, 102, DoneCanceled, 4), lvl(Sell, 102, 0)},
			bids:  []Level{{99, 2, 1}, {98, 6, 1}},
			asks:  []Level{{101, 8, 2}},
		},
		{
			name:  "cancel of an unknown id is rejected",
			setup: standard,
			op:    cxl(A, 99),
			want:  []Event{rej(99, A, RejectUnknownOrder)},
			bids:  []Level{{99, 2, 1}, {98, 6, 1}},
			asks:  []Level{{101, 8, 2}, {102, 4, 1}},
		},
		{
			name:  "cancel of another owner's order is rejected as unknown",
			setup: standard,
			op:    cxl(B, 1),
			want:  []Event{rej(1, B, RejectUnknownOrder)},
			bids:  []Level{{99, 2, 1}, {98, 6, 1}},
			asks:  []Level{{101, 8, 2}, {102, 4, 1}},
		},
		{
			name:  "cancel all cancels the owner's orders oldest first",
			setup: standard,
			op:    op{kind: opCancelAll, owner: A},
			want: []Event{
				done(1, A, Sell, 101, DoneDisconnect, 5), lvl(Sell, 101, 3),
				done(3, A, Sell, 102, DoneDisconnect, 4), lvl(Sell, 102, 0),
				done(5, A, Buy, 98, DoneDisconnect, 6), lvl(Buy, 98, 0),
			},
			bids: []Level{{99, 2, 1}},
			asks: []Level{{101, 3, 1}},
		},
		{
			name:  "amend down keeps queue priority",
			setup: standard,
			op:    amd(A, 1, 101, 2),
			want:  []Event{amended(1, A, Sell, 101, 2), lvl(Sell, 101, 5)},
			bids:  []Level{{99, 2, 1}, {98, 6, 1}},
			asks:  []Level{{101, 5, 2}, {102, 4, 1}},
		},
		{
			name:  "amend up moves the order to the back",
			setup: standard,
			op:    amd(A, 1, 101, 6),
			want:  []Event{amended(1, A, Sell, 101, 6), lvl(Sell, 101, 9)},
			bids:  []Level{{99, 2, 1}, {98, 6, 1}},
			asks:  []Level{{101, 9, 2}, {102, 4, 1}},
		},
		{
			name:  "amend to a new price moves the order to that level's back",
			setup: standard,
			op:    amd(A, 1, 102, 5),
			want:  []Event{amended(1, A, Sell, 102, 5), lvl(Sell, 101, 3), lvl(Sell, 102, 9)},
			bids:  []Level{{99, 2, 1}, {98, 6, 1}},
			asks:  []Level{{101, 3, 1}, {102, 9, 2}},
		},
		{
			name:  "amend to a crossing price trades like an incoming order",
			setup: standard,
			op:    amd(B, 4, 101, 4),
			want: []Event{
				amended(4, B, Buy, 101, 4), lvl(Buy, 99, 0),
				trade(4, B, Buy, 1, A, 101, 4), lvl(Sell, 101, 4),
				done(4, B, Buy, 101, DoneFilled, 0),
			},
			bids: []Level{{98, 6, 1}},
			asks: []Level{{101, 4, 2}, {102, 4, 1}},
		},
		{
			name:  "amend of a post-only order to a crossing price is rejected",
			setup: append(slices.Clone(standard), sub(with(lim(10, C, Buy, 97, 1), func(r *Request) { r.PostOnly = true }))),
			op:    amd(C, 10, 101, 1),
			want:  []Event{rej(10, C, RejectPostOnlyCross)},
			bids:  []Level{{99, 2, 1}, {98, 6, 1}, {97, 1, 1}},
			asks:  []Level{{101, 8, 2}, {102, 4, 1}},
		},
		{
			name:  "amend to at most the filled quantity is rejected",
			setup: append(slices.Clone(standard), sub(lim(10, C, Buy, 99, 1))),
			op:    amd(B, 4, 99, 0),
			want:  []Event{rej(4, B, RejectInvalidQty)},
			bids:  []Level{{99, 3, 2}, {98, 6, 1}},
			asks:  []Level{{101, 8, 2}, {102, 4, 1}},
		},
		{
			name:  "amend of an unknown order is rejected",
			setup: standard,
			op:    amd(A, 77, 100, 1),
			want:  []Event{rej(77, A, RejectUnknownOrder)},
			bids:  []Level{{99, 2, 1}, {98, 6, 1}},
			asks:  []Level{{101, 8, 2}, {102, 4, 1}},
		},
		{
			name:  "amend to an invalid price is rejected",
			setup: standard,
			op:    amd(A, 1, 0, 5),
			want:  []Event{rej(1, A, RejectInvalidPrice)},
			bids:  []Level{{99, 2, 1}, {98, 6, 1}},
			asks:  []Level{{101, 8, 2}, {102, 4, 1}},
		},
		{name: "zero id", op: sub(lim(0, A, Buy, 1, 1)), want: []Event{rej(0, A, RejectInvalidID)}},
		{name: "duplicate id", setup: standard, op: sub(lim(2, C, Buy, 1, 1)), want: []Event{rej(2, C, RejectDuplicateID)},
			bids: []Level{{99, 2, 1}, {98, 6, 1}}, asks: []Level{{101, 8, 2}, {102, 4, 1}}},
		{name: "invalid side", op: sub(with(lim(1, A, Buy, 1, 1), func(r *Request) { r.Side = 0 })), want: []Event{rej(1, A, RejectInvalidSide)}},
		{name: "invalid type", op: sub(with(lim(1, A, Buy, 1, 1), func(r *Request) { r.Type = 9 })), want: []Event{rej(1, A, RejectInvalidType)}},
		{name: "invalid tif", op: sub(with(lim(1, A, Buy, 1, 1), func(r *Request) { r.TIF = 0 })), want: []Event{rej(1, A, RejectInvalidTIF)}},
		{name: "zero price", op: sub(lim(1, A, Buy, 0, 1)), want: []Event{rej(1, A, RejectInvalidPrice)}},
		{name: "negative price", op: sub(lim(1, A, Buy, -5, 1)), want: []Event{rej(1, A, RejectInvalidPrice)}},
		{name: "price over the maximum", op: sub(lim(1, A, Buy, MaxPrice+1, 1)), want: []Event{rej(1, A, RejectInvalidPrice)}},
		{name: "zero quantity", op: sub(lim(1, A, Buy, 1, 0)), want: []Event{rej(1, A, RejectInvalidQty)}},
		{name: "negative quantity", op: sub(lim(1, A, Buy, 1, -1)), want: []Event{rej(1, A, RejectInvalidQty)}},
		{name: "quantity over the maximum", op: sub(lim(1, A, Buy, 1, MaxQty+1)), want: []Event{rej(1, A, RejectInvalidQty)}},
		{name: "max int64 quantity", op: sub(lim(1, A, Buy, 1, math.MaxInt64)), want: []Event{rej(1, A, RejectInvalidQty)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			b := NewBook(rec)
			for _, o := range tc.setup {
				o.applyBook(b)
			}
			rec.events = nil
			tc.op.applyBook(b)
			if !slices.Equal(rec.events, tc.want) {
				t.Errorf("events\n got: %+v\nwant: %+v", rec.events, tc.want)
			}
			if got := b.Depth(Buy, 0, nil); !slices.Equal(got, tc.bids) {
				t.Errorf("bids %v, want %v", got, tc.bids)
			}
			if got := b.Depth(Sell, 0, nil); !slices.Equal(got, tc.asks) {
				t.Errorf("asks %v, want %v", got, tc.asks)
			}
			if err := checkStructure(b); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestQueuePriority(t *testing.T) {
	b := NewBook(SinkFunc(func(Event) {}))
	for id := OrderID(1); id <= 4; id++ {
		b.Submit(lim(id, Owner(id), Sell, 101, 5))
	}
	b.Amend(2, 2, 101, 3) // down: keeps its place
	b.Amend(1, 1, 101, 6) // up: to the back
	if got, want := b.Queue(Sell, 101, nil), []OrderID{2, 3, 4, 1}; !slices.Equal(got, want) {
		t.Fatalf("queue %v, want %v", got, want)
	}
	b.Amend(3, 3, 102, 5) // away and back: to the back
	b.Amend(3, 3, 101, 5)
	if got, want := b.Queue(Sell, 101, nil), []OrderID{2, 4, 1, 3}; !slices.Equal(got, want) {
		t.Fatalf("queue %v, want %v", got, want)
	}
}

func TestOverflowRejected(t *testing.T) {
	b := NewBook(SinkFunc(func(Event) {}))
	n := math.MaxInt64 / MaxQty // this many maximal orders fit on one level
	for i := range n {
		if !b.Submit(lim(OrderID(i+1), A, Buy, 10, MaxQty)) {
			t.Fatalf("order %d refused", i+1)
		}
	}
	rec := &recorder{}
	b.sink = rec
	b.Submit(lim(OrderID(n+1), A, Buy, 10, MaxQty))
	b.Submit(lim(OrderID(n+2), A, Buy, 11, MaxQty))
	b.Amend(A, OrderID(n+2), 10, MaxQty) // move onto the full level
	b.Amend(A, 1, 10, MaxQty)            // unchanged: fine
	want := []Event{
		rej(OrderID(n+1), A, RejectOverflow),
		acc(lim(OrderID(n+2), A, Buy, 11, MaxQty)), lvl(Buy, 11, MaxQty),
		rej(OrderID(n+2), A, RejectOverflow),
		amended(1, A, Buy, 10, MaxQty),
	}
	if !slices.Equal(rec.events, want) {
		t.Fatalf("events\n got: %+v\nwant: %+v", rec.events, want)
	}
	if err := checkStructure(b); err != nil {
		t.Fatal(err)
	}
}

func TestQueries(t *testing.T) {
	b := NewBook(SinkFunc(func(Event) {}))
	for _, o := range standard {
		o.applyBook(b)
	}
	if l, ok := b.Best(Buy); !ok || l != (Level{99, 2, 1}) {
		t.Errorf("best bid %v %v", l, ok)
	}
	if l, ok := b.Best(Sell); !ok || l != (Level{101, 8, 2}) {
		t.Errorf("best ask %v %v", l, ok)
	}
	if got := b.Depth(Sell, 1, nil); !slices.Equal(got, []Level{{101, 8, 2}}) {
		t.Errorf("top 1 asks %v", got)
	}
	if got := b.Depth(Sell, 10, nil); len(got) != 2 {
		t.Errorf("top 10 asks %v", got)
	}
	if o, ok := b.Order(3); !ok || o != (Order{ID: 3, Owner: A, Side: Sell, TIF: GTC, Price: 102, Qty: 4}) {
		t.Errorf("order 3: %+v %v", o, ok)
	}
	if _, ok := b.Order(42); ok {
		t.Error("unknown order found")
	}
	var ids []OrderID
	for _, o := range b.OwnerOrders(A, nil) {
		ids = append(ids, o.ID)
	}
	if !slices.Equal(ids, []OrderID{1, 3, 5}) {
		t.Errorf("owner A orders %v", ids)
	}
	if b.Len() != 5 || b.Levels(Buy) != 2 || b.Levels(Sell) != 2 {
		t.Errorf("len %d levels %d/%d", b.Len(), b.Levels(Buy), b.Levels(Sell))
	}
	b2 := NewBook(SinkFunc(func(Event) {}))
	if _, ok := b2.Best(Buy); ok {
		t.Error("empty book has a best bid")
	}
}

// TestSteadyStateAllocs guards the hot path: once the book has grown to its
// working size, adding, matching, amending and canceling allocate nothing.
func TestSteadyStateAllocs(t *testing.T) {
	b, _ := benchBook(&nopSink{})
	stream := mixedStream(20_000, 5)
	for _, o := range stream { // warm up: slabs and ladders reach their size
		o.applyBook(b)
	}
	b, _ = benchBook(&nopSink{})
	i := 0
	allocs := testing.AllocsPerRun(len(stream)-1, func() {
		stream[i].applyBook(b)
		i++
	})
	if allocs != 0 {
		t.Fatalf("%.3f allocations per operation in steady state, want 0", allocs)
	}
}
