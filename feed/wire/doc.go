// Package wire is the tickcast wire protocol (docs/protocol.md, version 1):
// the message types in both directions and their encodings as msgpack maps
// and JSON objects.
//
// # Model
//
// Every message is a map with short string keys. Server→client messages
// ([Message]) carry their type in "t"; client→server operations ([Op]) carry
// it in "op". Decimals are Go strings exactly as they appear on the wire;
// integers are uint64 (sequence numbers, offsets, ids, counts) or int64
// (timestamps in nanoseconds). A field the protocol leaves out in some cases
// is left out here too: an empty decimal or reason string means "absent",
// and the optional operation id is an [ID] with a presence flag because 0 is
// a valid id.
//
// # Encoding
//
// Each type is one struct whose json tags name its keys, in wire order, for
// both formats: vmihailenco/msgpack (compact integers) and encoding/json
// encode it (encode.go). The server encodes an event once per format and
// shares the bytes with every subscriber, so the cost of reflection is paid
// per event, not per delivery (BENCHMARKS.md).
//
// # Decoding
//
// [Decode] and [DecodeHeader] read server messages on the client side;
// DecodeHeader extracts only the routing fields (t, ch, s, seq, off, ts, id)
// without allocating. [DecodeOp] reads client operations on the server side
// and treats its input as hostile: an allocation-free scan bounds every
// array, map and string (see [MaxChannels] and friends) and checks every
// type before the libraries decode a value into its field (fields.go), and
// problems are an [*OpError] carrying the protocol error code, a message
// safe to send back, and the operation id when one could be read.
package wire
