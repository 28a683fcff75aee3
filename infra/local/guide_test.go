package main

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/wentitong/wentitong/shared/golden"
)

// The guide printed at start, with the engines' ports fixed, is testdata/guide.golden.
func TestGuideGolden(t *testing.T) {
	s := newSettings(noEnv)
	s.set("DYNAMODB_ENDPOINT", "http://127.0.0.1:41001", "embedded engine")
	s.set("WECHAT_API_BASE", "http://127.0.0.1:41002", "fake WeChat API")
	s.set("S3_ENDPOINT", "http://127.0.0.1:41003", "embedded S3, objects under .local/objects")
	g := guide{
		Base:     "http://127.0.0.1:8080",
		Data:     "/home/me/wentitong/.local",
		Pid:      4242,
		Engine:   s.get("DYNAMODB_ENDPOINT"),
		WeChat:   s.get("WECHAT_API_BASE"),
		FakeOn:   true,
		Settings: s,
		Origin:   "demo data: 36 districts, 13 venues, 8 activities, 13 slots; staff [o-staff-library o-coordinator-youxian]; residents [o-resident-1 o-resident-2 o-resident-3]",
		Resident: "o-resident-1",
		Admin:    "o-admin",
		WXToken:  s.get("WECHAT_TOKEN"),
	}
	var got bytes.Buffer
	if err := g.print(&got); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "guide.golden"), got.Bytes())
}
