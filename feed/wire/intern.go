package wire

import (
	"maps"
	"sync"
	"sync/atomic"
)

// maxInterned bounds the process-wide symbol table used by the client-side
// decoders; beyond it, new names are returned as fresh copies.
const maxInterned = 4096

// internPool maps names to one shared string. Lookups read an immutable map
// through an atomic pointer (no lock, no allocation); an insert copies the
// map. Names are few (symbols, streams) and stable, so inserts are rare.
type internPool struct {
	m  atomic.Pointer[map[string]string]
	mu sync.Mutex
}

// symbols interns symbol names read from server messages.
var symbols internPool

// get returns b as a string, shared when b was seen before.
func (p *internPool) get(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if m := p.m.Load(); m != nil {
		if s, ok := (*m)[string(b)]; ok {
			return s
		}
	}
	if len(b) > MaxNameLen {
		return string(b)
	}
	return p.add(b)
}

func (p *internPool) add(b []byte) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := map[string]string{}
	if old := p.m.Load(); old != nil {
		if s, ok := (*old)[string(b)]; ok {
			return s
		}
		if len(*old) >= maxInterned {
			return string(b)
		}
		m = maps.Clone(*old)
	}
	s := string(b)
	m[s] = s
	p.m.Store(&m)
	return s
}
