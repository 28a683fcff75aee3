package wechat_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/cache"

	"github.com/wentitong/wentitong/shared/dynamo/wechatdb"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/wechat"
	"github.com/wentitong/wentitong/shared/wechattest"
)

func TestQR(t *testing.T) {
	srv := wechattest.NewServer(t)
	tbl := dynamotest.New(t)
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	oa := wechat.New(wechat.Config{AppID: wechattest.AppID, AppSecret: wechattest.AppSecret, APIBase: srv.URL}, cache.NewMemory())
	qr := wechat.NewQR(oa, &wechatdb.QRBudget{DB: tbl.DB, Table: tbl.Name, Limit: 2}, func() time.Time { return now })
	ctx := context.Background()

	srv.FailNext(wechattest.OpQRCode, wechat.CodeInvalidCredential, 1) // refreshed and retried once
	code, err := qr.Temporary(ctx, "shift:s-1", 3*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	made := srv.QRCodes()
	if len(made) != 1 || made[0].ActionName != "QR_STR_SCENE" || made[0].SceneStr != "shift:s-1" || made[0].ExpireSeconds != 10800 {
		t.Errorf("created %+v, want one temporary string-scene code for 3 hours", made)
	}
	if code.Ticket != made[0].Ticket || code.URL != made[0].URL || !code.ExpiresAt.Equal(now.Add(3*time.Hour)) ||
		!strings.HasPrefix(code.ImageURL, "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=") {
		t.Errorf("Temporary = %+v", code)
	}

	for _, scene := range []string{"venue:v-1", "venue:v-2"} {
		if c, err := qr.Permanent(ctx, scene); err != nil || !c.ExpiresAt.IsZero() {
			t.Fatalf("Permanent(%s) = %+v, %v", scene, c, err)
		}
	}
	if _, err := qr.Permanent(ctx, "venue:v-3"); !errors.Is(err, wechat.ErrQRBudget) {
		t.Errorf("Permanent over the budget = %v, want ErrQRBudget", err)
	}

	bad := []struct {
		scene string
		ttl   time.Duration
		want  error
	}{
		{"", time.Hour, wechat.ErrQRScene},
		{strings.Repeat("场", 65), time.Hour, wechat.ErrQRScene},
		{"shift:s-2", 31 * 24 * time.Hour, wechat.ErrQRTTL},
		{"shift:s-2", time.Second, wechat.ErrQRTTL},
	}
	for _, tt := range bad {
		if _, err := qr.Temporary(ctx, tt.scene, tt.ttl); !errors.Is(err, tt.want) {
			t.Errorf("Temporary(%q, %v) = %v, want %v", tt.scene, tt.ttl, err, tt.want)
		}
	}
	if got := len(srv.QRCodes()); got != 3 {
		t.Errorf("%d codes created, want 3 (refused requests create none)", got)
	}
}
