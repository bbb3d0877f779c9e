package market

// ring keeps the last cap values pushed.
type ring[T any] struct {
	buf  []T
	next int // where the next value goes
	full bool
}

func newRing[T any](n int) ring[T] { return ring[T]{buf: make([]T, n)} }

func (r *ring[T]) push(x T) {
	r.buf[r.next] = x
	r.next++
	if r.next == len(r.buf) {
		r.next, r.full = 0, true
	}
}

func (r *ring[T]) len() int {
	if r.full {
		return len(r.buf)
	}
	return r.next
}

// each calls fn on up to n of the newest values in place, oldest first.
func (r *ring[T]) each(n int, fn func(*T)) {
	n = min(n, r.len())
	for i := r.next - n; i < r.next; i++ {
		fn(&r.buf[(i+len(r.buf))%len(r.buf)])
	}
}
