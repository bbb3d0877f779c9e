package wire

// Cancel cancels one open order, named by exactly one of OID (the
// server's order id) and CID (the client order id).
type Cancel struct {
	ID  ID     `json:"id,omitempty,omitzero"`
	OID ID     `json:"oid,omitempty,omitzero"`
	CID string `json:"cid,omitempty"`
}

// Amend changes the quantity and/or price of one open order, named by
// exactly one of OID and CID; Qty and Px are omitted when empty, and at
// least one must be set.
type Amend struct {
	ID  ID     `json:"id,omitempty,omitzero"`
	OID ID     `json:"oid,omitempty,omitzero"`
	CID string `json:"cid,omitempty"`
	Qty string `json:"qty,omitempty"`
	Px  string `json:"px,omitempty"`
}

// CancelAll cancels all the account's open orders, or only those on
// symbol S when set.
type CancelAll struct {
	ID ID     `json:"id,omitempty,omitzero"`
	S  string `json:"s,omitempty"`
}

// OpName returns "cancel".
func (Cancel) OpName() string { return OpCancel }

// OpID returns the operation id.
func (o Cancel) OpID() ID { return o.ID }

// OpName returns "amend".
func (Amend) OpName() string { return OpAmend }

// OpID returns the operation id.
func (o Amend) OpID() ID { return o.ID }

// OpName returns "cancel_all".
func (CancelAll) OpName() string { return OpCancelAll }

// OpID returns the operation id.
func (o CancelAll) OpID() ID { return o.ID }

// validTarget checks that exactly one of oid and cid names the order.
func validTarget(oid ID, cid string) *OpError {
	switch {
	case oid.Valid == (cid != ""):
		return badRequest("exactly one of oid and cid required")
	case cid != "" && !ValidCID(cid):
		return badRequest("invalid cid")
	}
	return nil
}

func (o *Cancel) validate(keys) *OpError { return validTarget(o.OID, o.CID) }

func (o *Amend) validate(keys) *OpError {
	if e := validTarget(o.OID, o.CID); e != nil {
		return e
	}
	if o.Qty == "" && o.Px == "" {
		return badRequest("missing qty or px")
	}
	return nil
}
