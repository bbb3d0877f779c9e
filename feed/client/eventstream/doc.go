// Package eventstream reads Server-Sent Events (text/event-stream) the way
// a browser's EventSource does: Reader implements the parser of the HTML
// standard ("Interpreting an event stream", section 9.2.6 of the living
// standard), and Dial opens a stream over a plain TCP connection, as
// tickcast's GET /sse serves it (protocol.md 7.6, docs/sse.md).
//
// It is a black-box client: it knows the protocol only through the text
// it receives, and it is what the tests of the SSE endpoint, the fan-out
// benchmark (bench, tickbench) and any Go client of /sse share.
//
// # Parsing
//
// The stream is decoded as UTF-8 with invalid bytes replaced by U+FFFD
// (the Encoding standard's UTF-8 decode, per value), one leading byte
// order mark is skipped, and lines end with CRLF, LF or a lone CR. A
// blank line dispatches the event being built; an event with no data
// field is not dispatched, but its id still becomes the last event ID. A
// stream that ends inside an event discards it (Next and Read report
// ErrIncomplete beside the read error).
//
// Beyond what a browser exposes, the Reader also reports comments (": hb"
// heartbeats) and valid retry fields as records of their own, and tells
// which events carried an id field of their own: tests of a server need
// to see them.
//
// # Cost
//
// Read parses the next record and hands out views into the Reader's own
// buffers: with a stream whose lines fit the buffer it allocates nothing
// per event, so that a load generator can hold tens of thousands of
// viewers on a few cores. Next returns the same record as strings.
package eventstream
