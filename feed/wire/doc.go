// Package wire is the tickcast wire protocol (spec/PROTOCOL.md, version 1):
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
// Each type has AppendMsgpack and AppendJSON methods written by hand: they
// append one complete message to dst, never allocate beyond growing dst, and
// emit msgpack integers in their smallest form. The server encodes an event
// once per format and shares the bytes.
//
// # Decoding
//
// [Decode] and [DecodeHeader] read server messages on the client side;
// DecodeHeader extracts only the routing fields (t, ch, s, seq, off, ts, id)
// without allocating. [DecodeOp] reads client operations on the server side
// and treats its input as hostile: it never allocates on a length the peer
// declared, bounds every array and string (see [MaxChannels] and friends),
// never decodes into interface{}, checks every type strictly, and reports
// problems as an [*OpError] carrying the protocol error code, a message safe
// to send back, and the operation id when one could be read.
package wire
