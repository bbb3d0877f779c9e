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

// last returns up to n of the newest values, oldest first.
func (r *ring[T]) last(n int) []T {
	n = min(n, r.len())
	out := make([]T, 0, n)
	for i := r.next - n; i < r.next; i++ {
		out = append(out, r.buf[(i+len(r.buf))%len(r.buf)])
	}
	return out
}
