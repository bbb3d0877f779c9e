package wire

// Balance is one asset of an account: its total and the part not reserved
// by open orders.
type Balance struct {
	Asset     string
	Total     string
	Available string
}

// Account is a private snapshot of the account's balances (t "account").
// On the wire Balances is a map from asset to {total, available}; here it
// is a slice, written in its order, so encoding is deterministic and
// allocation-free.
type Account struct {
	Account  string
	Balances []Balance
	Seq      uint64
	Ts       int64
}

// Kind returns KindAccount.
func (Account) Kind() Kind { return KindAccount }

// AppendMsgpack appends the account as a msgpack map.
func (m Account) AppendMsgpack(dst []byte) []byte {
	dst = mpMap(dst, 5)
	dst = mpKStr(dst, "t", TypeAccount)
	dst = mpKStr(dst, "account", m.Account)
	dst = mpMap(mpStr(dst, "balances"), len(m.Balances))
	for _, b := range m.Balances {
		dst = mpMap(mpStr(dst, b.Asset), 2)
		dst = mpKStr(dst, "total", b.Total)
		dst = mpKStr(dst, "available", b.Available)
	}
	dst = mpKUint(dst, "seq", m.Seq)
	return mpKInt(dst, "ts", m.Ts)
}

// AppendJSON appends the account as a JSON object.
func (m Account) AppendJSON(dst []byte) []byte {
	dst = jsOpen(dst, "t", TypeAccount)
	dst = jsKStr(dst, "account", m.Account)
	dst = append(jsKey(dst, "balances"), '{')
	for i, b := range m.Balances {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(jsStr(dst, b.Asset), ':', '{')
		dst = jsKStr(dst, "total", b.Total)
		dst = jsKStr(dst, "available", b.Available)
		dst = append(dst, '}')
	}
	dst = append(dst, '}')
	dst = jsKUint(dst, "seq", m.Seq)
	dst = jsKInt(dst, "ts", m.Ts)
	return append(dst, '}')
}

func (m *Account) decodeField(r reader, k []byte) error {
	switch string(k) {
	case "account":
		return readStr(r, 0, &m.Account)
	case "balances":
		return readBalances(r, &m.Balances)
	case "seq":
		return readUint(r, &m.Seq)
	case "ts":
		return readInt(r, &m.Ts)
	}
	return r.skip()
}

// readBalances reads the balances map.
func readBalances(r reader, dst *[]Balance) error {
	if err := r.openMap(0); err != nil {
		return err
	}
	var out []Balance
	for {
		ok, err := r.more()
		if err != nil || !ok {
			*dst = out
			return err
		}
		k, err := r.key()
		if err != nil {
			return err
		}
		b := Balance{Asset: symbols.get(k)}
		if err := readBalance(r, &b); err != nil {
			return err
		}
		out = append(out, b)
	}
}

// readBalance reads one {total, available} object.
func readBalance(r reader, b *Balance) error {
	if err := r.openMap(0); err != nil {
		return err
	}
	for {
		ok, err := r.more()
		if err != nil || !ok {
			return err
		}
		k, err := r.key()
		if err != nil {
			return err
		}
		switch string(k) {
		case "total":
			err = readStr(r, 0, &b.Total)
		case "available":
			err = readStr(r, 0, &b.Available)
		default:
			err = r.skip()
		}
		if err != nil {
			return err
		}
	}
}
