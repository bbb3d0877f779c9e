package wire

// Auth authenticates the connection with an account token. With
// CancelOnDisconnect the account's open orders are canceled when its last
// connection that asked for it closes; false is omitted on the wire.
type Auth struct {
	ID                 ID     `json:"id,omitempty,omitzero"`
	Token              string `json:"token"`
	CancelOnDisconnect bool   `json:"cancel_on_disconnect,omitempty"`
}

// Ping asks for a pong; it also counts as activity for the heartbeat.
type Ping struct {
	ID ID `json:"id,omitempty,omitzero"`
}

// OpName returns "auth".
func (Auth) OpName() string { return OpAuth }

// OpID returns the operation id.
func (o Auth) OpID() ID { return o.ID }

// OpName returns "ping".
func (Ping) OpName() string { return OpPing }

// OpID returns the operation id.
func (o Ping) OpID() ID { return o.ID }

func (o *Auth) validate(keys) *OpError {
	if o.Token == "" {
		return badRequest("missing token")
	}
	return nil
}
