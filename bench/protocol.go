package bench

import "time"

// The coordinator and a worker exchange JSON lines: the coordinator writes
// a workerSpec, then commands; the worker writes events. A worker process
// reads its stdin and writes its stdout; its stderr is passed through.

// workerSpec is a worker's share of the run.
type workerSpec struct {
	Index       int           `json:"index"`
	Count       int           `json:"count"`
	Target      string        `json:"target"`
	WS          int           `json:"ws"`
	SSE         int           `json:"sse"`
	Symbols     []string      `json:"symbols"`
	Channels    []string      `json:"channels"`
	SSEChannels []string      `json:"sse_channels"`
	SSESymbols  []string      `json:"sse_symbols"`
	Ramp        float64       `json:"ramp"`
	RampTimeout time.Duration `json:"ramp_timeout"`
	SourceIPs   []string      `json:"source_ips"`
	Orders      float64       `json:"orders"`
	// TrackTrades: the worker's subscribers measure order → public trade
	// for the trades the coordinator relays (cmdTrades) from the order
	// worker, which runs the traders in a process of their own.
	TrackTrades    bool          `json:"track_trades,omitempty"`
	ReadBufferSize int           `json:"read_buffer_size"`
	Books          bool          `json:"books"`
	Progress       time.Duration `json:"progress"`
	Stalled        int           `json:"stalled,omitempty"`
	StalledRcvBuf  int           `json:"stalled_rcvbuf,omitempty"`
	// CPUs confine every thread of the worker, TraderRT (the order worker
	// only) makes them SCHED_FIFO; both applied at its start
	// (applyPlacement).
	CPUs     []int `json:"cpus,omitempty"`
	TraderRT bool  `json:"trader_rt,omitempty"`
}

// Commands to a worker.
const (
	cmdMeasure = "measure" // open the measurement window
	cmdArm     = "arm"     // close it: the server is about to be told to stop
	cmdStop    = "stop"    // close it, stop the clients, send the result
	cmdTrades  = "trades"  // trades the order worker's orders caused (Trades)
)

// command is one line from the coordinator after the spec.
type command struct {
	Cmd string `json:"cmd"`
	// At, with stop after arm, is when the server was told to stop (ns
	// since the epoch).
	At int64 `json:"at,omitempty"`
	// Trades, with trades, are the trades the order worker's orders caused.
	Trades []tradeNote `json:"trades,omitempty"`
}

// tradeNote is one trade an order caused: its id, and when the order was
// scheduled (ns since the epoch: one clock for every process on the
// machine).
type tradeNote struct {
	ID    uint64 `json:"id"`
	Sched int64  `json:"sched"`
}

// Events from a worker.
const (
	evReady    = "ready"    // every connection of the ramp was attempted
	evProgress = "progress" // periodic counters
	evArmed    = "armed"    // the window is closed and stream ends will be recorded
	evEnded    = "ended"    // after arm: every stream that was up has ended
	evResult   = "result"   // the final measurements; the worker then exits
	evError    = "error"    // the worker failed and exits
	evTrades   = "trades"   // the order worker's orders caused these trades (Trades)
)

// event is one line from a worker.
type event struct {
	Ev       string        `json:"ev"`
	Progress *progress     `json:"progress,omitempty"`
	Result   *workerResult `json:"result,omitempty"`
	Err      string        `json:"err,omitempty"`
	Trades   []tradeNote   `json:"trades,omitempty"`
}

// progress is a worker's live state. Counts are cumulative; Live is the
// sampled latency histogram of the interval since the last progress.
type progress struct {
	WSUp      int64  `json:"ws_up"`
	SSEUp     int64  `json:"sse_up"`
	WSMsgs    int64  `json:"ws_msgs"`
	SSEMsgs   int64  `json:"sse_msgs"`
	Gaps      int64  `json:"gaps"`
	Disc      int64  `json:"disc"`
	Failed    int64  `json:"failed"`
	OrdersAck int64  `json:"orders_ack"`
	StalledUp int64  `json:"stalled_up,omitempty"` // stalled clients connected
	Live      string `json:"live,omitempty"`
}

// workerResult is what a worker measured.
type workerResult struct {
	WS      kindResult     `json:"ws"`
	SSE     kindResult     `json:"sse"`
	Orders  *ordersResult  `json:"orders,omitempty"`
	Stalled *stalledResult `json:"stalled,omitempty"`
	RampNS  int64          `json:"ramp_ns"`
}

// kindResult is the measurement of one kind of client.
type kindResult struct {
	Clients     int64            `json:"clients"` // connected when the window opened
	Delivered   int64            `json:"delivered"`
	WindowNS    int64            `json:"window_ns"`
	Hist        string           `json:"hist"`
	Connect     string           `json:"connect"` // first connections, dial → started
	Gaps        int64            `json:"gaps"`
	Conflated   int64            `json:"conflated"`
	Malformed   int64            `json:"malformed"`
	Disconnects map[string]int64 `json:"disconnects"`
	Ends        *endsResult      `json:"ends,omitempty"` // after arm and a stop with At
}

// ordersResult is the measurement of the active mode.
type ordersResult struct {
	Rate       float64          `json:"rate"`
	Sent       int64            `json:"sent"`
	Acked      int64            `json:"acked"`
	Rejected   map[string]int64 `json:"rejected"`
	Filled     int64            `json:"filled"`
	Unfilled   int64            `json:"unfilled"`
	Unanswered int64            `json:"unanswered"`
	Failed     int64            `json:"failed"`
	Ack        string           `json:"ack"`
	Fill       string           `json:"fill"`
	Trade      string           `json:"trade"`
	Wake       string           `json:"wake"` // the order worker's wake-up probe (probeWake)
	Missed     int64            `json:"missed"`
}
