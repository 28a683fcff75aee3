package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// The pages scenario's platform starts with every function of template.yaml (a
// function that gains a required setting fails here, not only when someone runs the
// benchmark) and serves the pages it measures. The measuring itself needs Chromium and
// minutes: go run ./infra/bench pages.
func TestPagesPlatformServes(t *testing.T) {
	p, stop, err := servePlatform(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for _, path := range []string{"/h5/", "/h5/slots/a-film-wandering-earth-1"} {
		res, err := http.Get(p.url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "流浪地球") {
			t.Errorf("GET %s = %d, want the page with the demo's film:\n%.300s", path, res.StatusCode, body)
		}
	}
}
