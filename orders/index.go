package orders

// idIndex maps live order ids to node slots: an open-addressed hash table
// with linear probing and backward-shift deletion, so it never accumulates
// tombstones and never allocates in steady state (only when it grows).
// Key 0 marks an empty slot; order id 0 is refused before it gets here.
type idIndex struct {
	keys  []OrderID
	vals  []int32
	mask  uint64
	shift uint8
	n     int
}

const minIndexBits = 6

func (x *idIndex) init(bits uint8) {
	size := 1 << bits
	x.keys = make([]OrderID, size)
	x.vals = make([]int32, size)
	x.mask = uint64(size - 1)
	x.shift = 64 - bits
	x.n = 0
}

// slot is the home slot of id (Fibonacci hashing: sequential ids spread).
func (x *idIndex) slot(id OrderID) uint64 {
	return (uint64(id) * 0x9E3779B97F4A7C15) >> x.shift
}

func (x *idIndex) get(id OrderID) (int32, bool) {
	for i := x.slot(id); ; i = (i + 1) & x.mask {
		switch x.keys[i] {
		case id:
			return x.vals[i], true
		case 0:
			return 0, false
		}
	}
}

// put inserts id, which must not be present.
func (x *idIndex) put(id OrderID, v int32) {
	if (x.n+1)*2 > len(x.keys) {
		x.grow()
	}
	i := x.slot(id)
	for x.keys[i] != 0 {
		i = (i + 1) & x.mask
	}
	x.keys[i] = id
	x.vals[i] = v
	x.n++
}

// del removes id, which must be present, shifting later members of its
// probe run back so that lookups never need tombstones.
func (x *idIndex) del(id OrderID) {
	i := x.slot(id)
	for x.keys[i] != id {
		i = (i + 1) & x.mask
	}
	for j := (i + 1) & x.mask; x.keys[j] != 0; j = (j + 1) & x.mask {
		home := x.slot(x.keys[j])
		// Move j into the hole at i unless j's home lies cyclically in (i, j].
		if (j-home)&x.mask >= (j-i)&x.mask {
			x.keys[i], x.vals[i] = x.keys[j], x.vals[j]
			i = j
		}
	}
	x.keys[i] = 0
	x.vals[i] = 0
	x.n--
}

func (x *idIndex) grow() {
	keys, vals := x.keys, x.vals
	x.init(64 - x.shift + 1)
	for i, k := range keys {
		if k != 0 {
			x.put(k, vals[i])
		}
	}
}
