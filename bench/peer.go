package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"sync"
)

// WorkerEnv is the environment variable that makes a tickbench binary
// serve as a worker (ServeWorker on stdin and stdout) instead of parsing
// its command line: Spawn sets it for the processes it starts.
const WorkerEnv = "TICKBENCH_WORKER"

// IsWorker reports whether this process was started as a worker.
func IsWorker() bool { return os.Getenv(WorkerEnv) == "1" }

// SpawnFunc returns an unstarted command that runs a worker: a process
// serving ServeWorker on its stdin and stdout.
type SpawnFunc func(ctx context.Context) (*exec.Cmd, error)

// Spawn runs this very binary again with WorkerEnv set; the binary's main
// (or TestMain) must call ServeWorker when IsWorker reports true.
func Spawn(ctx context.Context) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("bench: spawn worker: %w", err)
	}
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), WorkerEnv+"=1")
	return cmd, nil
}

// peer is the coordinator's side of one worker, local or a process.
type peer struct {
	index  int
	pid    int            // the worker's process; 0 in-process
	in     io.WriteCloser // commands
	mu     sync.Mutex     // serializes writes to in
	wait   func() error   // waits for the worker to end
	cancel context.CancelFunc
	quit   chan struct{} // closed when the coordinator stops reading events
	events io.Closer     // the read end of the worker's events
}

// peerEvent is an event of worker index; closed reports the end of its
// event stream.
type peerEvent struct {
	index  int
	ev     event
	closed bool
}

// startLocal runs a worker in this process, talking the same protocol
// over pipes.
func startLocal(ctx context.Context, index int, spec workerSpec, events chan<- peerEvent, log *slog.Logger) (*peer, error) {
	ctx, cancel := context.WithCancel(ctx)
	cmdR, cmdW := io.Pipe()
	evR, evW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := ServeWorker(ctx, cmdR, evW, log)
		_ = evW.Close()
		_ = cmdR.Close()
		done <- err
	}()
	p := &peer{index: index, in: cmdW, cancel: cancel, wait: func() error { return <-done }, quit: make(chan struct{}), events: evR}
	go readEvents(index, evR, events, p.quit)
	return p, p.write(spec)
}

// startProcess runs a worker as a child process.
func startProcess(ctx context.Context, index int, spec workerSpec, spawn SpawnFunc, events chan<- peerEvent) (*peer, error) {
	ctx, cancel := context.WithCancel(ctx)
	cmd, err := spawn(ctx)
	if err != nil {
		cancel()
		return nil, err
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		cancel()
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, err
	}
	if cmd.Stderr == nil {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("bench: start worker %d: %w", index, err)
	}
	p := &peer{index: index, pid: cmd.Process.Pid, in: in, cancel: cancel, wait: cmd.Wait, quit: make(chan struct{}), events: out}
	go readEvents(index, out, events, p.quit)
	return p, p.write(spec)
}

// readEvents forwards a worker's events until its stream ends or quit
// closes.
func readEvents(index int, r io.Reader, events chan<- peerEvent, quit <-chan struct{}) {
	dec := json.NewDecoder(r)
	forward := func(pe peerEvent) bool {
		select {
		case events <- pe:
			return true
		case <-quit:
			return false
		}
	}
	for {
		var ev event
		if err := dec.Decode(&ev); err != nil {
			if !errors.Is(err, io.EOF) {
				ev = event{Ev: evError, Err: fmt.Sprintf("worker %d: reading its events: %v", index, err)}
				forward(peerEvent{index: index, ev: ev})
			}
			forward(peerEvent{index: index, closed: true})
			return
		}
		if !forward(peerEvent{index: index, ev: ev}) {
			return
		}
	}
}

// write sends one JSON line to the worker.
func (p *peer) write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err = p.in.Write(append(b, '\n'))
	return err
}

// send sends a command; a worker that is gone is not an error here (its
// event stream reports it).
func (p *peer) send(cmd command) { _ = p.write(cmd) }

// close ends the command stream (a worker stops at its end), stops
// forwarding its events and waits for it.
func (p *peer) close() error {
	_ = p.in.Close()
	close(p.quit)
	_ = p.events.Close() // a worker still writing events fails instead of blocking
	err := p.wait()
	p.cancel()
	return err
}
