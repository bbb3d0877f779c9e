//go:build !linux

package ws

// readPoller is Linux's: elsewhere the readers are woken by Go's poller
// alone.
type readPoller struct{}

func newReadPoller() *readPoller      { return nil }
func (p *readPoller) watch(*session)  {}
func (p *readPoller) forget(*session) {}
func (p *readPoller) poll() bool      { return false }
