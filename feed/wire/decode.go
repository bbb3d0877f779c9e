package wire

import "reflect"

// Decode decodes one server message into its concrete type, returned as a
// pointer (*Trade, *BookDelta, …). A message of a type this version does
// not know yields *Unknown; keys a type does not know are ignored
// (protocol.md 1.3). Errors wrap ErrMalformed.
//
// DecodeHeader checks the whole message first (it is the bounded pre-scan);
// then each key the type declares is checked and decoded by the library of
// the format (fields.go). Strings are copied out of data.
func Decode(f Format, data []byte) (Message, error) {
	h, err := DecodeHeader(f, data)
	if err != nil {
		return nil, err
	}
	m := newMessage(h.Kind)
	if m == nil {
		return &Unknown{T: h.T}, nil
	}
	var r reader = &jsScan{b: data}
	if f == MsgPack {
		r = &mpScan{b: data}
	}
	rv := reflect.ValueOf(m).Elem()
	if _, _, k, err := tableOf(rv.Type()).fill(r, newLibDecoder(f, data), rv, false); err != nil {
		return nil, malformed(k, err)
	}
	return m, nil
}

// messageTypes are the struct types of the known kinds.
var messageTypes = func() (t [kindCount]reflect.Type) {
	for _, m := range []Message{&Welcome{}, &Subscribed{}, &Unsubscribed{}, &Authed{}, &CanceledAll{},
		&Pong{}, &Error{}, &Reset{}, &Trade{}, &BookSnapshot{}, &BookDelta{}, &Quote{}, &Ticker{},
		&Candle{}, &Order{}, &Fill{}, &Account{}} {
		t[m.Kind()] = reflect.TypeOf(m).Elem()
	}
	return t
}()

// newMessage returns an empty message of kind k, nil for KindUnknown.
func newMessage(k Kind) Message {
	if k == KindUnknown || k >= kindCount {
		return nil
	}
	return reflect.New(messageTypes[k]).Interface().(Message)
}
