package wire

import "errors"

// Op is a client→server operation (PROTOCOL 4.3). DecodeOp returns
// pointers to the concrete types; both T and *T implement Op.
type Op interface {
	// OpName returns the "op" value.
	OpName() string
	// OpID returns the operation's optional id.
	OpID() ID
	// AppendMsgpack appends the operation as one msgpack map to dst.
	AppendMsgpack(dst []byte) []byte
	// AppendJSON appends the operation as one JSON object to dst.
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

// AppendOp appends op in format f.
func AppendOp(f Format, dst []byte, op Op) []byte {
	if f == JSON {
		return op.AppendJSON(dst)
	}
	return op.AppendMsgpack(dst)
}

// decodableOp is an operation DecodeOp can fill field by field.
type decodableOp interface {
	Op
	// setID stores the id read in the first pass.
	setID(id ID)
	// decodeField reads the value of key k; unknown keys are skipped.
	decodeField(r reader, k []byte) error
	// validate checks required fields and enumerated values.
	validate() *OpError
}

// newOp returns an empty operation named name, nil if unknown.
func newOp(name []byte) decodableOp {
	switch string(name) {
	case OpSubscribe:
		return new(Subscribe)
	case OpUnsubscribe:
		return new(Unsubscribe)
	case OpAuth:
		return new(Auth)
	case OpOrder:
		return new(NewOrder)
	case OpCancel:
		return new(Cancel)
	case OpAmend:
		return new(Amend)
	case OpCancelAll:
		return new(CancelAll)
	case OpPing:
		return new(Ping)
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

// fieldError turns a reader error on key k into an *OpError. Only the
// operations' own key names reach here with a value error, but k is
// checked anyway so that client text is never echoed.
func fieldError(k string, err error) *OpError {
	if !isKeyName(k) {
		return badRequest("malformed message")
	}
	switch err {
	case errTooLong:
		return badRequest(k + " too long")
	case errTooMany:
		return badRequest("too many " + k)
	case errType, errRange, errBig:
		return badRequest("invalid " + k)
	}
	return badRequest("malformed message")
}

// isKeyName reports whether k looks like one of the protocol's key names.
func isKeyName(k string) bool {
	if len(k) == 0 || len(k) > 24 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if c := k[i]; (c < 'a' || c > 'z') && c != '_' {
			return false
		}
	}
	return true
}
