package wire

func (m *Subscribed) decodeField(r reader, k []byte) error {
	return decodeStreamsReply(r, k, &m.ID, &m.Streams)
}

func (m *Unsubscribed) decodeField(r reader, k []byte) error {
	return decodeStreamsReply(r, k, &m.ID, &m.Streams)
}

func decodeStreamsReply(r reader, k []byte, id *ID, streams *[]string) error {
	switch string(k) {
	case "id":
		return readID(r, id)
	case "streams":
		return readStrs(r, 0, 0, streams)
	}
	return r.skip()
}

func (m *Authed) decodeField(r reader, k []byte) error {
	switch string(k) {
	case "id":
		return readID(r, &m.ID)
	case "account":
		return readStr(r, 0, &m.Account)
	}
	return r.skip()
}

func (m *CanceledAll) decodeField(r reader, k []byte) error {
	switch string(k) {
	case "id":
		return readID(r, &m.ID)
	case "count":
		return readUint(r, &m.Count)
	}
	return r.skip()
}

func (m *Pong) decodeField(r reader, k []byte) error {
	switch string(k) {
	case "id":
		return readID(r, &m.ID)
	case "ts":
		return readInt(r, &m.Ts)
	}
	return r.skip()
}

func (m *Error) decodeField(r reader, k []byte) error {
	switch string(k) {
	case "id":
		return readID(r, &m.ID)
	case "code":
		return readWord(r, &m.Code)
	case "msg":
		return readStr(r, 0, &m.Msg)
	case "reason":
		return readWord(r, &m.Reason)
	}
	return r.skip()
}
