package web

import (
	"io/fs"
	"strings"
	"testing"
)

func TestAssetsIsReadable(t *testing.T) {
	fsys := Assets()
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		t.Fatalf("ReadDir: %v", err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if _, err := fs.Stat(fsys, ".keep"); err != nil {
		t.Errorf(".keep missing from the embedded dist (entries %v): %v", names, err)
	}
}

func TestBuiltAssets(t *testing.T) {
	if !Built() {
		t.Skip("UI not built (run make web); only the unbuilt fallback is checked")
	}
	fsys := Assets()
	for _, page := range []struct{ name, marker string }{
		{"index.html", `<script type="module" src="trader.js"`},
		{"viewer.html", `<script type="module" src="viewer.js"`},
	} {
		b, err := fs.ReadFile(fsys, page.name)
		if err != nil {
			t.Fatalf("%s: %v", page.name, err)
		}
		if !strings.Contains(string(b), page.marker) {
			t.Errorf("%s does not load its script (%q)", page.name, page.marker)
		}
	}
	for _, asset := range []string{"trader.js", "viewer.js", "base.css", "trader.css", "viewer.css"} {
		info, err := fs.Stat(fsys, asset)
		if err != nil {
			t.Errorf("%s: %v", asset, err)
			continue
		}
		if info.Size() == 0 {
			t.Errorf("%s is empty", asset)
		}
	}
}

func TestBuiltIsFalseWithoutIndex(t *testing.T) {
	// Built must agree with the file system whatever the state of dist.
	_, err := fs.Stat(Assets(), "index.html")
	if got, want := Built(), err == nil; got != want {
		t.Errorf("Built() = %v, but index.html stat error = %v", got, err)
	}
}

func TestPageFile(t *testing.T) {
	tests := []struct {
		name, path, want string
		ok               bool
	}{
		{"root", "/", "index.html", true},
		{"index", "/index.html", "index.html", true},
		{"viewer", "/viewer", "viewer.html", true},
		{"viewer slash", "/viewer/", "viewer.html", true},
		{"asset", "/trader.js", "", false},
		{"unknown", "/nope", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := PageFile(tt.path)
			if got != tt.want || ok != tt.ok {
				t.Errorf("PageFile(%q) = %q, %v; want %q, %v", tt.path, got, ok, tt.want, tt.ok)
			}
		})
	}
}
