package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/wentitong/wentitong/shared/wechat/callback"
	"github.com/wentitong/wentitong/shared/wechattest"
)

func TestDryRunPublishesNothing(t *testing.T) {
	srv := wechattest.NewServer(t)
	var out bytes.Buffer
	env := map[string]string{"WECHAT_APP_ID": wechattest.AppID, "WECHAT_APP_SECRET": wechattest.AppSecret, "WECHAT_API_BASE": srv.URL}
	if err := run(context.Background(), nil, func(k string) string { return env[k] }, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"name":"文化活动"`) || !strings.Contains(out.String(), "dry run") || srv.Menu() != nil {
		t.Errorf("dry run printed %s and published %s; want the menu printed and nothing published", out.String(), srv.Menu())
	}
}

func TestPublish(t *testing.T) {
	srv := wechattest.NewServer(t)
	env := map[string]string{"WECHAT_APP_ID": wechattest.AppID, "WECHAT_APP_SECRET": wechattest.AppSecret,
		"WECHAT_API_BASE": srv.URL, "H5_BASE_URL": "https://h5.example.cn"}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-publish"}, func(k string) string { return env[k] }, &out); err != nil {
		t.Fatal(err)
	}
	var got struct{ Button []callback.Button }
	if err := json.Unmarshal(srv.Menu(), &got); err != nil || len(got.Button) != 3 {
		t.Fatalf("published %s (%v), want three buttons", srv.Menu(), err)
	}
	keys := map[string]bool{}
	for _, b := range got.Button {
		for _, s := range b.Sub {
			keys[s.Key] = true
			if s.URL != "" && !strings.HasPrefix(s.URL, "https://h5.example.cn/") {
				t.Errorf("%s links to %s, want the H5 site", s.Name, s.URL)
			}
		}
	}
	for _, k := range []string{callback.KeyEvents, callback.KeyFilms, callback.KeyFitness, callback.KeyReading,
		callback.KeyMyBookings, callback.KeyVolunteer, callback.KeyCheckin, callback.KeyNearby} {
		if !keys[k] {
			t.Errorf("the menu has no entry with key %s", k)
		}
	}
	if err := run(context.Background(), []string{"-publish"}, func(string) string { return "" }, &out); err == nil {
		t.Error("publish without credentials succeeded")
	}
}
