package app

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/tickcast/tickcast/market"
	"github.com/tickcast/tickcast/market/sim"
)

// Replay rebuilds the venue of data directory dir from its journal, with
// the settings stored there, and publishes to pub every event it
// published (channels: nil for all), in order: `tickcast replay`. The
// directory is only read; a server may be running on it. It returns how
// many journal steps were replayed.
func Replay(dir string, pub market.Publisher, channels []string, log *slog.Logger) (uint64, error) {
	if log == nil {
		log = slog.Default()
	}
	st, found, err := readSettings(dir)
	if err != nil {
		return 0, err
	}
	if !found {
		return 0, fmt.Errorf("data dir %s: no %s: not a tickcast data directory", dir, settingsFile)
	}
	var cfg Config
	st.apply(&cfg)
	mcfg := cfg.Market
	mcfg.DataDir, mcfg.Publisher, mcfg.Channels, mcfg.Logger = dir, pub, channels, log
	mcfg.TokenKey = []byte("replay") // tokens are in no event
	if cfg.Sim != nil {
		scfg := *cfg.Sim
		scfg.Logger = log
		m, err := sim.New(scfg)
		if err != nil {
			return 0, err
		}
		mcfg.Actors = []market.Actor{m}
	}
	if mcfg.Seed == 0 || mcfg.Epoch == "" {
		return 0, errors.New("data dir: settings without seed or epoch")
	}
	return market.Replay(mcfg)
}
