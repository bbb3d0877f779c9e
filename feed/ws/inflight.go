package ws

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tickcast/tickcast/feed/wire"
)

// Operations waiting for the venue are capped three ways: per session
// (MaxInflight), per account across all its sessions (MaxInflightAccount)
// and per client address across all its sessions (MaxInflightIP). The
// venue's input queue is one FIFO: whatever is in it is ahead of every
// other trader's next order. The per-session cap alone let one address fill
// it (500 sessions x 64); with the other two, what one address, or one
// account, can put in front of others is bounded, whatever number of
// sessions it opens.
//
// Each operation is counted before it is handed to the venue (so that its
// answer can never be counted before it) and stops counting when the hub
// has routed the venue's answer (Sub.Completed), or at once if the venue
// did not take it. A session that ends with operations still waiting keeps
// them counted until they are answered (the hub keeps completing a removed
// subscriber's operations, Sub.Outstanding), or, for answers that never
// come (a venue that lost them), until giveUpAfter.

// giveUpAfter bounds how long an ended session's unanswered operations
// stay counted against its account and address (a variable for tests).
var giveUpAfter = 10 * time.Second

// msgInflight is the refusal of every in-flight cap (protocol.md 4.9).
const msgInflight = "too many operations waiting for the venue: wait for their answers"

// inflightShards spreads the keys of a table over this many locks.
const inflightShards = 64

// inflightTable counts operations waiting for the venue per key (an account
// or a client address). Sessions hold a reference to the slot of each key
// they count against; a slot leaves the table when the last reference goes,
// and since a session holds its references while any of its operations
// waits, its count is then zero. Counting is atomic on the slot: the
// shard's lock is taken only to find or drop a slot (once per session and
// account).
type inflightTable struct {
	seed   maphash.Seed
	shards [inflightShards]inflightShard
}

type inflightShard struct {
	mu sync.Mutex
	m  map[string]*inflightSlot
	_  [48]byte // a cache line each
}

// inflightSlot is one key's count.
type inflightSlot struct {
	n    atomic.Int32
	refs int32 // sessions holding it, under its shard's lock
	key  string
}

func newInflightTable() *inflightTable {
	t := &inflightTable{seed: maphash.MakeSeed()}
	for i := range t.shards {
		t.shards[i].m = map[string]*inflightSlot{}
	}
	return t
}

func (t *inflightTable) shard(key string) *inflightShard {
	return &t.shards[maphash.String(t.seed, key)%inflightShards]
}

// ref returns key's slot, holding a reference to it.
func (t *inflightTable) ref(key string) *inflightSlot {
	sh := t.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sl := sh.m[key]
	if sl == nil {
		sl = &inflightSlot{key: key}
		sh.m[key] = sl
	}
	sl.refs++
	return sl
}

// unref drops a reference taken by ref.
func (t *inflightTable) unref(sl *inflightSlot) {
	sh := t.shard(sl.key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sl.refs--; sl.refs == 0 {
		delete(sh.m, sl.key)
	}
}

// count returns key's count (for tests).
func (t *inflightTable) count(key string) int {
	sh := t.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sl := sh.m[key]; sl != nil {
		return int(sl.n.Load())
	}
	return 0
}

// keys returns how many keys the table holds (for tests).
func (t *inflightTable) keys() int {
	n := 0
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

// take counts one more unless the count is at limit.
func (sl *inflightSlot) take(limit int) bool {
	for {
		n := sl.n.Load()
		if n >= int32(limit) {
			return false
		}
		if sl.n.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

func (sl *inflightSlot) give(n int32) { sl.n.Add(-n) }

// charged counts an operation for account (the session's own, or the one
// an auth's token names) as waiting for the venue, against the session's
// address and that account; or, counting nothing, answers it rate_limited
// at once, like the session's own cap (admit). When account is not the
// session's, the session's other waiting operations move to it with the
// session: an account's count is what its sessions have in flight.
func (s *session) charged(id wire.ID, account string) bool {
	if scope := s.charge(account); scope != "" {
		s.srv.refused(scope)
		s.reply(&wire.Error{ID: id, Code: wire.CodeRateLimited, Msg: msgInflight})
		s.answered(hubAnswerThrottled)
		return false
	}
	return true
}

// charge is charged's counting: "" if counted, else the cap that refused
// it ("address" or "account").
func (s *session) charge(account string) string {
	s.chargeMu.Lock()
	defer s.chargeMu.Unlock()
	if s.ipSlot == nil {
		s.ipSlot = s.srv.addrs.ref(s.ip)
	}
	acct := s.acctSlot
	if acct == nil || acct.key != account {
		acct = s.srv.accounts.ref(account)
	}
	scope := ""
	switch {
	case !s.ipSlot.take(s.cfg.MaxInflightIP):
		scope = "address"
	case !acct.take(s.cfg.MaxInflightAccount):
		s.ipSlot.give(1)
		scope = "account"
	}
	if scope != "" {
		if acct != s.acctSlot {
			s.srv.accounts.unref(acct)
		}
		return scope
	}
	if old := s.acctSlot; old != acct {
		if old != nil {
			k := s.inflight.Load()
			old.give(k)
			acct.n.Add(k)
			s.srv.accounts.unref(old)
		}
		s.acctSlot = acct
	}
	s.inflight.Add(1)
	return ""
}

// uncharge takes back the count of an operation the venue did not take.
func (s *session) uncharge() {
	s.chargeMu.Lock()
	defer s.chargeMu.Unlock()
	s.inflight.Add(-1)
	s.ipSlot.give(1)
	s.acctSlot.give(1)
}

// completed, called by the hub once the venue's answer to one of the
// session's operations is routed (the session may have ended), counts it
// done.
func (s *session) completed() {
	s.chargeMu.Lock()
	defer s.chargeMu.Unlock()
	if s.released || s.inflight.Load() <= 0 {
		return // an answer after giveUpAfter
	}
	s.inflight.Add(-1)
	s.ipSlot.give(1)
	s.acctSlot.give(1)
	if s.ended && s.inflight.Load() == 0 {
		s.releaseLocked()
	}
}

// outstanding reports whether operations of the session are still counted
// as waiting for the venue (Sub.Outstanding).
func (s *session) outstanding() bool {
	s.chargeMu.Lock()
	defer s.chargeMu.Unlock()
	return !s.released && s.inflight.Load() > 0
}

// settle runs once the session has ended and left the hub: what it has in
// flight stays counted until answered (or given up), then its slots go.
// answers is false when the hub has stopped: no answer will come.
func (s *session) settle(answers bool) {
	s.chargeMu.Lock()
	defer s.chargeMu.Unlock()
	s.ended = true
	switch {
	case s.released:
	case s.inflight.Load() == 0 || !answers:
		s.abandonLocked()
	default:
		s.giveUp = time.AfterFunc(giveUpAfter, s.abandon)
	}
}

// abandon stops counting the ended session's unanswered operations.
func (s *session) abandon() {
	s.chargeMu.Lock()
	defer s.chargeMu.Unlock()
	s.abandonLocked()
}

func (s *session) abandonLocked() {
	if s.released {
		return
	}
	if k := s.inflight.Swap(0); k > 0 {
		s.ipSlot.give(k)
		s.acctSlot.give(k)
	}
	s.releaseLocked()
}

func (s *session) releaseLocked() {
	s.released = true
	if s.giveUp != nil {
		s.giveUp.Stop()
	}
	if s.ipSlot != nil {
		s.srv.addrs.unref(s.ipSlot)
	}
	if s.acctSlot != nil {
		s.srv.accounts.unref(s.acctSlot)
	}
}
