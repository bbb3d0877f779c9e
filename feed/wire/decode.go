package wire

// Decode decodes one server message into its concrete type, returned as a
// pointer (*Trade, *BookDelta, …). A message of a type this version does
// not know yields *Unknown; keys a type does not know are ignored
// (PROTOCOL 2). Errors wrap ErrMalformed.
//
// Decimal strings and other free text are copied out of data; symbols and
// the protocol's vocabulary are interned as in DecodeHeader.
func Decode(f Format, data []byte) (Message, error) {
	h, err := DecodeHeader(f, data)
	if err != nil {
		return nil, err
	}
	m := newMessage(h.Kind)
	if m == nil {
		return &Unknown{T: h.T}, nil
	}
	switch f {
	case MsgPack:
		r := getReaderMsgpack(data)
		err = decodeInto(r, m)
		putReaderMsgpack(r)
	default:
		r := getReaderJSON(data)
		err = decodeInto(r, m)
		putReaderJSON(r)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// newMessage returns an empty message of kind k, nil for KindUnknown.
func newMessage(k Kind) decodable {
	switch k {
	case KindWelcome:
		return new(Welcome)
	case KindSubscribed:
		return new(Subscribed)
	case KindUnsubscribed:
		return new(Unsubscribed)
	case KindAuthed:
		return new(Authed)
	case KindCanceledAll:
		return new(CanceledAll)
	case KindPong:
		return new(Pong)
	case KindError:
		return new(Error)
	case KindReset:
		return new(Reset)
	case KindTrade:
		return new(Trade)
	case KindBookSnapshot:
		return new(BookSnapshot)
	case KindBook:
		return new(BookDelta)
	case KindQuote:
		return new(Quote)
	case KindTicker:
		return new(Ticker)
	case KindCandle:
		return new(Candle)
	case KindOrder:
		return new(Order)
	case KindFill:
		return new(Fill)
	case KindAccount:
		return new(Account)
	}
	return nil
}

// decodeInto walks the top-level map and lets m decode each key.
func decodeInto(r reader, m decodable) error {
	if err := r.openMap(0); err != nil {
		return malformed("", err)
	}
	for {
		ok, err := r.more()
		if err != nil {
			return malformed("", err)
		}
		if !ok {
			break
		}
		k, err := r.key()
		if err != nil {
			return malformed("", err)
		}
		if string(k) == "t" {
			err = r.skip()
		} else {
			err = m.decodeField(r, k)
		}
		if err != nil {
			return malformed(string(k), err)
		}
	}
	if err := r.end(); err != nil {
		return malformed("", err)
	}
	return nil
}
