package wire

import (
	"errors"
	"reflect"
)

// Op is a client→server operation (protocol.md 4): *Subscribe, *NewOrder, …
// (DecodeOp returns pointers). AppendOp encodes one.
type Op interface {
	// OpName returns the "op" value.
	OpName() string
	// OpID returns the operation's optional id.
	OpID() ID
}

// customOp is an Op that encodes itself (a test's malformed operation).
type customOp interface {
	Op
	AppendMsgpack(dst []byte) []byte
	AppendJSON(dst []byte) []byte
}

// Operation names ("op").
const (
	OpSubscribe   = "subscribe"
	OpUnsubscribe = "unsubscribe"
	OpAuth        = "auth"
	OpOrder       = "order"
	OpCancel      = "cancel"
	OpAmend       = "amend"
	OpCancelAll   = "cancel_all"
	OpPing        = "ping"
)

// AppendOp appends op in format f: a map whose first key is "op", or what
// its own AppendMsgpack and AppendJSON methods write, if it has them.
func AppendOp(f Format, dst []byte, op Op) []byte {
	switch c, ok := op.(customOp); {
	case ok && f == JSON:
		return c.AppendJSON(dst)
	case ok:
		return c.AppendMsgpack(dst)
	}
	return appendTyped(f, dst, "op", op.OpName(), op)
}

// validator is an operation with rules beyond the types of its fields:
// required keys, enumerated values; k tells which keys were present or too
// long.
type validator interface {
	validate(k keys) *OpError
}

// opTypes are the struct types of the operations, by name.
var opTypes = func() map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for _, op := range []Op{&Subscribe{}, &Unsubscribe{}, &Auth{}, &NewOrder{}, &Cancel{}, &Amend{}, &CancelAll{}, &Ping{}} {
		m[op.OpName()] = reflect.TypeOf(op).Elem()
	}
	return m
}()

// newOp returns an empty operation named name, nil if unknown.
func newOp(name []byte) Op {
	if t, ok := opTypes[string(name)]; ok {
		return reflect.New(t).Interface().(Op)
	}
	return nil
}

// Sentinel errors an *OpError unwraps to, one per way an operation fails.
var (
	// ErrBadRequest: the operation is malformed or a field is invalid;
	// answer an error with code bad_request.
	ErrBadRequest = errors.New("wire: bad request")
	// ErrUnknownOp: "op" names no operation; answer unknown_op.
	ErrUnknownOp = errors.New("wire: unknown op")
	// ErrOrderReject: an order's side, type or tif (or the length of its
	// qty or px) is invalid; the operation was decoded and the server
	// answers an order message with status rejected and OpError.Reason.
	ErrOrderReject = errors.New("wire: order rejected")
)

// OpError describes an operation DecodeOp refused. Msg is short, fixed
// text that never echoes client input, safe to send back as
// {"t":"error","id":ID,"code":Code,"msg":Msg}; see Reply.
//
// When Reason is non-empty (invalid_side, invalid_type, invalid_tif,
// invalid_qty, invalid_price) the operation was an order that is
// structurally sound but carries a value the protocol rejects with that
// reason: DecodeOp then also returns the decoded *NewOrder (with the
// offending field as read, or empty when it was too long to read), and the
// server answers an order message with status "rejected" and this Reason
// rather than an error. errors.Is(err, ErrOrderReject) tells that case
// apart.
type OpError struct {
	ID     ID
	Code   string
	Msg    string
	Reason string
}

// Error returns "wire: <code>: <msg>".
func (e *OpError) Error() string {
	if e.Reason != "" {
		return "wire: order rejected: " + e.Reason
	}
	return "wire: " + e.Code + ": " + e.Msg
}

// Unwrap returns ErrOrderReject, ErrUnknownOp or ErrBadRequest.
func (e *OpError) Unwrap() error {
	switch {
	case e.Reason != "":
		return ErrOrderReject
	case e.Code == CodeUnknownOp:
		return ErrUnknownOp
	}
	return ErrBadRequest
}

// Reply returns the error message to send to the client.
func (e *OpError) Reply() Error {
	return Error{ID: e.ID, Code: e.Code, Msg: e.Msg}
}

func badRequest(msg string) *OpError { return &OpError{Code: CodeBadRequest, Msg: msg} }

func reject(reason, msg string) *OpError {
	return &OpError{Code: CodeBadRequest, Msg: msg, Reason: reason}
}

// fieldError turns an error of fill on key k (a key name of the
// operation's struct tags, "" for the map itself) into an *OpError, so
// that client text is never echoed; nil for no error.
func fieldError(k string, err error) *OpError {
	switch {
	case err == nil:
		return nil
	case k == "":
	case err == errTooLong:
		return badRequest(k + " too long")
	case err == errTooMany:
		return badRequest("too many " + k)
	case err == errType || err == errRange || err == errBig:
		return badRequest("invalid " + k)
	}
	return badRequest("malformed message")
}
