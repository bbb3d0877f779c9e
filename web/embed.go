// Package web holds the tickcast demo UI: TypeScript sources under src/, static pages under
// static/, and the built assets under dist/, which are embedded into the Go binary so that
// tickcast serves the UI with no other process and nothing fetched from the internet.
//
// Build the assets with `make web` (npm ci + esbuild). A clean clone holds only dist/.keep;
// the package then still compiles and Built reports false, so the server can answer with a
// plain "UI not built" page (NotBuiltText) instead of failing.
//
// Pages: "/" serves index.html (the trader screen) and "/viewer" serves viewer.html (the
// ticker board); every other asset is served by its path in Assets (e.g. "/trader.js").
// The package imports nothing of the server.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// NotBuiltText is a plain-text body for the UI routes when the assets were not built.
const NotBuiltText = "UI not built: run make web\n"

// Assets returns the built UI as a file system rooted at the dist directory: index.html,
// viewer.html, their scripts and style sheets. It is empty (apart from .keep) when the UI
// was not built; see Built.
func Assets() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		// fs.Sub fails only for an invalid path name, and "dist" is valid.
		panic(err)
	}
	return sub
}

// Built reports whether the embedded assets contain a built UI (dist/index.html exists).
func Built() bool {
	info, err := fs.Stat(Assets(), "index.html")
	return err == nil && !info.IsDir()
}

// PageFile maps a page route to the asset that renders it: "/" (and "/index.html") to
// "index.html", "/viewer" (and "/viewer.html") to "viewer.html". Other paths report false
// and are served, if at all, as assets by their own path.
func PageFile(urlPath string) (name string, ok bool) {
	switch urlPath {
	case "/", "/index.html":
		return "index.html", true
	case "/viewer", "/viewer/", "/viewer.html":
		return "viewer.html", true
	}
	return "", false
}
