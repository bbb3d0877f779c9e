package main

import (
	"strings"
	"testing"
)

// TestClusterFlags: engine and edge want --redis, take serve's flags and
// their own, and the engine alone has --data-dir.
func TestClusterFlags(t *testing.T) {
	for _, name := range []string{"engine", "edge"} {
		if _, _, err := parseCluster(name, nil, "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "--redis is required") {
			t.Fatalf("%s without --redis: %v", name, err)
		}
	}
	f, cfg, err := parseCluster("engine", []string{"--redis", "redis://127.0.0.1:1/0", "--redis-prefix", "p1", "--sim-rate", "3", "--data-dir", "/tmp/x"}, "127.0.0.1:8090")
	if err != nil {
		t.Fatal(err)
	}
	if f.prefix != "p1" || cfg.Market.DataDir != "/tmp/x" || cfg.Sim == nil || cfg.Sim.Rate != 3 || cfg.Addr != "127.0.0.1:8090" {
		t.Fatalf("engine flags: %+v %+v", f, cfg)
	}
	f, cfg, err = parseCluster("edge", []string{"--redis", "redis://127.0.0.1:1/0", "--history-messages", "500"}, "127.0.0.1:8081")
	if err != nil {
		t.Fatal(err)
	}
	if f.prefix != "tickcast" || cfg.Hub.HistoryMessages != 500 || cfg.Addr != "127.0.0.1:8081" {
		t.Fatalf("edge flags: %+v %+v", f, cfg.Hub)
	}
	if _, _, err := parseCluster("edge", []string{"--redis", "x", "--data-dir", "/tmp/x"}, "127.0.0.1:8081"); err == nil {
		t.Fatal("edge accepted --data-dir")
	}
}
