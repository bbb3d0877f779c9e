//go:build !race

// The crash test is heavy: under the race detector (its child processes
// too) it takes over a minute on a busy 2-core machine, so `make test`
// runs it in its second pass, without it (go test -run '^TestHeavy'). The
// durable venue's other tests run under the race detector.

package market

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tickcast/tickcast/orders"
)

// TestHeavyCrashRecovery: a child process (this test binary, TestCrashChild) runs
// a durable venue with a simulated trader and takes orders and cancels
// from several accounts on its stdin at a steady rate; it writes every
// order, fill and trade event it publishes to stdout as JSON (published
// means durable). The parent kills it with SIGKILL at random moments,
// restarts it on the same directory, and at the end recovers the
// directory itself and checks that every event the child ever published
// is in the journal's replay unchanged (every acknowledged order is
// there, with its later outcome; no trade happened twice or differently),
// that balances are conserved, and that the recovered state equals a
// clean replay of the whole journal.

const crashDirEnv = "TICKCAST_CRASH_CHILD_DIR"

// crashConfig is the child's venue, and the parent's when it checks.
func crashConfig(dir string, pub Publisher) Config {
	cfg := durableConfig(dir, pub)
	cfg.Actors = []Actor{newRandActor(11, 5*time.Millisecond)}
	cfg.WarmStart = 3 * time.Second
	cfg.SnapshotInterval, cfg.ReplayWindow = 100*time.Millisecond, 200*time.Millisecond
	cfg.keepJournal = true // the clean replay below starts from the first record
	return cfg
}

// linePublisher writes the events the crash test follows as JSON lines.
type linePublisher struct{ w *bufio.Writer }

func (p linePublisher) Publish(batch []*Event) {
	for _, e := range batch {
		if e.Kind == KindTrade || (e.Kind == KindOrder || e.Kind == KindFill) && !e.Direct {
			b, _ := json.Marshal(e)
			p.w.Write(b)
			p.w.WriteByte('\n')
		}
	}
	p.w.Flush()
}

func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("the child of TestHeavyCrashRecovery")
	}
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex // out is shared by the venue's publisher and this loop
	pub := lockedPublisher{mu: &mu, p: linePublisher{out}}
	v, err := New(crashConfig(dir, pub))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(3)
	}
	ctx, stop := context.WithCancel(context.Background())
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		if err := v.Run(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "child: Run:", err)
			os.Exit(4)
		}
	}()
	<-v.Live()
	say := func(s string) { mu.Lock(); out.WriteString(s + "\n"); out.Flush(); mu.Unlock() }
	say("ready")
	in := bufio.NewScanner(os.Stdin)
	var n int64
	for in.Scan() {
		f := strings.Fields(in.Text())
		n++
		switch {
		case len(f) == 1 && f[0] == "c":
			a, _, err := v.CreateAccount(ctx)
			if err != nil {
				os.Exit(5)
			}
			say("acct " + a)
		case len(f) == 6 && f[0] == "o":
			o := limit(f[3], f[4], "0.0010", f[5])
			o.CID = f[2]
			_ = v.PlaceOrder(Origin{Session: 1, ID: n, HasID: true}, f[1], o)
		case len(f) == 3 && f[0] == "x":
			_ = v.CancelOrder(Origin{Session: 1, ID: n, HasID: true}, f[1], OrderRef{CID: f[2]})
		}
	}
	stop()
	<-ran
	b, _ := json.Marshal(stateDigest(v))
	say("digest " + string(b))
	os.Exit(0)
}

type lockedPublisher struct {
	mu *sync.Mutex
	p  Publisher
}

func (l lockedPublisher) Publish(b []*Event) { l.mu.Lock(); l.p.Publish(b); l.mu.Unlock() }

// eventKey identifies an event the child published: a trade by symbol
// and id, a private event by account and seq.
func eventKey(e *Event) string {
	if e.Kind == KindTrade {
		return "T " + e.Symbol + " " + strconv.FormatUint(e.Trade.ID, 10)
	}
	return "P " + e.Account + " " + strconv.FormatUint(e.Seq, 10)
}

type crashRun struct {
	t      *testing.T
	dir    string
	seen   map[string]string // eventKey → the JSON the child published
	acked  map[string]uint64 // account/cid → order id, of orders acknowledged
	accts  []string
	rng    *rand.Rand
	sent   int
	rounds int
	digest string // the child's state at its clean stop
}

func (r *crashRun) round(kill bool) {
	t := r.t
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+r.dir)
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		br := bufio.NewReaderSize(stdout, 1<<20)
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return // a line cut by the kill has no newline: dropped
			}
			lines <- strings.TrimSuffix(l, "\n")
		}
	}()
	next := func() (string, bool) {
		select {
		case l, ok := <-lines:
			return l, ok
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			t.Fatal("child silent for 60 s")
			return "", false
		}
	}
	for {
		l, ok := next()
		if !ok {
			t.Fatalf("child ended before ready (round %d)", r.rounds)
		}
		if l == "ready" {
			break
		}
		r.record(l)
	}
	for len(r.accts) < 4 {
		io.WriteString(stdin, "c\n")
		for {
			l, ok := next()
			if !ok {
				t.Fatal("child ended")
			}
			if a, found := strings.CutPrefix(l, "acct "); found {
				r.accts = append(r.accts, a)
				break
			}
			r.record(l)
		}
	}
	// Orders at a steady rate until the kill.
	deadline := time.Now().Add(time.Duration(30+r.rng.IntN(250)) * time.Millisecond)
	stopSend := make(chan struct{})
	sendDone := make(chan struct{})
	go func() {
		defer close(sendDone)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			select {
			case <-stopSend:
				return
			case <-tick.C:
			}
			a := r.accts[r.sent%len(r.accts)]
			cid := fmt.Sprintf("r%dn%d", r.rounds, r.sent)
			side := []string{"buy", "sell"}[r.rng.IntN(2)]
			px := fmt.Sprintf("%d.00", 59995+r.rng.IntN(11))
			line := fmt.Sprintf("o %s %s BTC-USD %s %s\n", a, cid, side, px)
			if r.sent%5 == 4 {
				line += fmt.Sprintf("x %s r%dn%d\n", a, r.rounds, r.sent-2)
			}
			r.sent++
			if _, err := io.WriteString(stdin, line); err != nil {
				return
			}
		}
	}()
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		for l := range lines {
			r.record(l)
		}
	}()
	if kill {
		time.Sleep(time.Until(deadline))
		cmd.Process.Signal(syscall.SIGKILL)
	} else {
		time.Sleep(time.Until(deadline))
		stdin.Close()
	}
	close(stopSend)
	<-sendDone
	stdin.Close()
	<-readDone
	err := cmd.Wait()
	if kill {
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("round %d: child was not killed: %v", r.rounds, err)
		}
	} else if err != nil {
		t.Fatalf("child: %v", err)
	}
	r.rounds++
}

// record notes one line the child published.
func (r *crashRun) record(l string) {
	if d, ok := strings.CutPrefix(l, "digest "); ok {
		if err := json.Unmarshal([]byte(d), &r.digest); err != nil {
			r.t.Fatal(err)
		}
		return
	}
	var e Event
	if err := json.Unmarshal([]byte(l), &e); err != nil {
		r.t.Fatalf("child wrote %q: %v", l, err)
	}
	k := eventKey(&e)
	if old, ok := r.seen[k]; ok && old != l {
		r.t.Fatalf("event %s published twice, differently:\n%s\n%s", k, old, l)
	}
	r.seen[k] = l
	if e.Kind == KindOrder && e.Origin.HasID && e.Order.OID != 0 {
		r.acked[e.Account+"/"+e.Order.CID] = e.Order.OID
	}
}

func TestHeavyCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a child process 22 times")
	}
	r := &crashRun{t: t, dir: t.TempDir(), seen: map[string]string{}, acked: map[string]uint64{}, rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))}
	const kills = 22
	for range kills {
		r.round(true)
	}
	r.round(false) // at the end the child reports its state
	if len(r.acked) < 200 || len(r.seen) < 1000 {
		t.Fatalf("only %d orders acknowledged and %d events seen over %d rounds", len(r.acked), len(r.seen), r.rounds)
	}

	// The replay of the whole journal publishes every event ever published.
	pub := &syncCapture{}
	cfg := crashConfig(r.dir, pub)
	cfg.ignoreSnapshots = true
	cfg.ReplayWindow = 1000 * time.Hour // build every event: none silent
	clean, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := clean.replay(); err != nil {
		t.Fatal(err)
	}
	clean.dur.j.Close()
	replayed := map[string]*Event{}
	trades := map[string]bool{}
	last := map[uint64]*Event{} // order id → its last order event
	for _, e := range pub.all() {
		if e.Kind == KindTrade {
			k := eventKey(e)
			if trades[k] {
				t.Fatalf("trade %s twice in the replay", k)
			}
			trades[k] = true
		}
		if e.Kind == KindTrade || (e.Kind == KindOrder || e.Kind == KindFill) && !e.Direct {
			replayed[eventKey(e)] = e
		}
		if e.Kind == KindOrder && !e.Direct && e.Order.OID != 0 {
			last[e.Order.OID] = e
		}
	}
	for k, l := range r.seen {
		e := replayed[k]
		if e == nil {
			t.Fatalf("published event %s is not in the journal: %s", k, l)
		}
		b, _ := json.Marshal(e)
		if string(b) != l {
			t.Fatalf("event %s differs in the replay:\npublished %s\nreplayed  %s", k, l, b)
		}
	}
	// Every acknowledged order is open, or has its outcome.
	for k, oid := range r.acked {
		e := last[oid]
		if e == nil {
			t.Fatalf("acknowledged order %s (%d) missing", k, oid)
		}
		_, open := clean.live[orders.OrderID(oid)]
		switch e.Order.Status {
		case StatusNew, StatusPartiallyFilled:
			if !open {
				t.Fatalf("order %s is %s but not open", k, e.Order.Status)
			}
		default:
			if open {
				t.Fatalf("order %s is %s but open", k, e.Order.Status)
			}
		}
	}

	// The state the child reached live, through every crash, equals the
	// clean replay's; and balances are conserved.
	if r.digest == "" {
		t.Fatal("the child's last run reported no state")
	}
	if a := stateDigest(clean); a != r.digest {
		t.Fatalf("the child's state differs from a clean replay of the journal: %s", diffLines(r.digest, a))
	}
	// So does the state recovered from a snapshot and the journal after it.
	rec, err := New(crashConfig(r.dir, &syncCapture{}))
	if err != nil {
		t.Fatal(err)
	}
	if !rec.dur.restored {
		t.Fatal("no snapshot restored")
	}
	if _, err := rec.replay(); err != nil {
		t.Fatal(err)
	}
	rec.dur.j.Close()
	if a, b := stateDigest(clean), stateDigest(rec); a != b {
		t.Fatalf("the state recovered from snapshot %d differs from a clean replay: %s", rec.dur.base, diffLines(a, b))
	}
	deposited := make([]int64, len(rec.assets))
	fresh, _ := New(Config{Publisher: &capture{}, Seed: 3, Actors: []Actor{newRandActor(11, time.Millisecond)}})
	fresh.startActors()
	for range len(r.accts) {
		fresh.fundDemo(fresh.newAccount("", false))
	}
	for _, a := range fresh.owners[1:] {
		for i, b := range a.bal {
			deposited[i] += b.total
		}
	}
	checkBooks(t, rec, deposited)
	t.Logf("%d rounds, %d orders sent, %d acknowledged, %d events checked, %d steps replayed in all, %d after snapshot %d",
		r.rounds, r.sent, len(r.acked), len(r.seen), clean.dur.steps, rec.dur.steps, rec.dur.base)
}
