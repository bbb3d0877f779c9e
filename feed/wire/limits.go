package wire

// Limits applied by DecodeOp to client input. They bound what a message can
// make the server allocate, independently of any length the message declares.
const (
	// MaxMessage is the largest client message in bytes (protocol.md 2.4);
	// larger input is rejected before decoding.
	MaxMessage = 65536
	// MaxChannels bounds the channels array of subscribe and unsubscribe.
	MaxChannels = 64
	// MaxSymbols bounds the symbols array of subscribe and unsubscribe.
	MaxSymbols = 256
	// MaxSince bounds the number of entries of a subscribe's since map.
	MaxSince = 1024
	// MaxNameLen bounds a channel, symbol or stream name in bytes.
	MaxNameLen = 64
	// MaxDecimalLen bounds a decimal string (protocol.md 1.3, 2.4: at most 32 characters).
	MaxDecimalLen = 32
	// MaxTokenLen bounds an auth token in bytes.
	MaxTokenLen = 1024
	// MaxCIDLen is the longest client order id (protocol.md 4.4).
	MaxCIDLen = 36
	// MaxEpochLen is the longest epoch (protocol.md 3.4).
	MaxEpochLen = 32
	// MaxWordLen bounds the enumerated words (side, type, tif, op).
	MaxWordLen = 32
	// MaxID is the largest integer accepted for an id or a seq: 2^53-1, the
	// largest integer every JSON implementation represents exactly.
	MaxID = 1<<53 - 1
	// maxDepth bounds the nesting of skipped values.
	maxDepth = 32
)

// opBounds are the bounds DecodeOp applies, by key: the longest string, or
// for a list or map the most elements and the longest element or key.
var opBounds = map[string][2]int{
	"channels": {MaxChannels, MaxNameLen},
	"symbols":  {MaxSymbols, MaxNameLen},
	"since":    {MaxSince, MaxNameLen},
	"epoch":    {MaxEpochLen},
	"token":    {MaxTokenLen},
	"cid":      {MaxCIDLen},
	"s":        {MaxNameLen},
	"side":     {MaxWordLen},
	"type":     {MaxWordLen},
	"tif":      {MaxWordLen},
	"qty":      {MaxDecimalLen},
	"px":       {MaxDecimalLen},
}
