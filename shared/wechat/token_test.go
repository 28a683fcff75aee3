package wechat_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount"
	offconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/wentitong/wentitong/shared/dynamo/wechatdb"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/wechat"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// instance is one cold Lambda instance: its own SDK client and token handle (and so
// its own lock), sharing only the cache.
func instance(c cache.Cache) (*officialaccount.OfficialAccount, *wechat.Token) {
	oa := officialaccount.NewOfficialAccount(&offconfig.Config{AppID: wechattest.AppID, AppSecret: wechattest.AppSecret, Cache: c})
	tok := &wechat.Token{AppID: wechattest.AppID, AppSecret: wechattest.AppSecret, Cache: c, Log: slog.New(slog.DiscardHandler)}
	oa.SetAccessTokenHandle(tok)
	return oa, tok
}

func TestTokenDoRetriesOnceAfterATokenError(t *testing.T) {
	tests := []struct {
		name        string
		errcode     int
		times       int
		wantErrcode int // of Do
		wantSends   int // calls of the custom-message API
		wantFetches int // calls of stable_token
	}{
		{"40001 once", wechat.CodeInvalidCredential, 1, 0, 2, 2},
		{"42001 once", wechat.CodeTokenExpired, 1, 0, 2, 2},
		{"40014 once", wechat.CodeInvalidToken, 1, 0, 2, 2},
		{"40001 twice: one retry only", wechat.CodeInvalidCredential, 2, wechat.CodeInvalidCredential, 2, 2},
		{"quota: no retry", wechat.CodeDailyQuotaExceeded, 1, wechat.CodeDailyQuotaExceeded, 1, 1},
		{"system busy: no retry", wechat.CodeSystemBusy, 1, wechat.CodeSystemBusy, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := wechattest.NewServer(t)
			oa, tok := instance(cache.NewMemory())
			mgr := oa.GetCustomerMessageManager()
			if _, err := tok.GetAccessToken(); err != nil {
				t.Fatal(err)
			}
			srv.FailNext(wechattest.OpCustom, tt.errcode, tt.times)
			err := tok.Do(context.Background(), func() error { return mgr.Send(message.NewCustomerTextMessage("oA", "您好")) })
			if got := wechat.ErrCode(err); got != tt.wantErrcode || (tt.wantErrcode == 0) != (err == nil) {
				t.Errorf("Do = %v (errcode %d), want errcode %d", err, got, tt.wantErrcode)
			}
			if got := srv.Calls(wechattest.OpCustom); got != tt.wantSends {
				t.Errorf("custom sends = %d, want %d", got, tt.wantSends)
			}
			if got := srv.Calls(wechattest.OpStableToken); got != tt.wantFetches {
				t.Errorf("stable_token calls = %d, want %d", got, tt.wantFetches)
			}
		})
	}
}

// failingSet is a cache whose writes fail.
type failingSet struct{ cache.Cache }

func (failingSet) Set(string, any, time.Duration) error { return errors.New("table throttled") }

func TestTokenLogsAFailedCacheWrite(t *testing.T) {
	wechattest.NewServer(t)
	var logs bytes.Buffer
	tok := &wechat.Token{AppID: wechattest.AppID, AppSecret: wechattest.AppSecret, Cache: failingSet{cache.NewMemory()},
		Log: slog.New(slog.NewJSONHandler(&logs, nil))}
	got, err := tok.GetAccessToken()
	if err != nil || got == "" {
		t.Fatalf("GetAccessToken with a failing cache = %q, %v; want the fetched token", got, err)
	}
	if !strings.Contains(logs.String(), "table throttled") || strings.Contains(logs.String(), got) {
		t.Errorf("log = %s, want the cache failure without the token", logs.String())
	}
}

func TestTokenIgnoresNonStringCacheValues(t *testing.T) {
	srv := wechattest.NewServer(t)
	c := cache.NewMemory()
	_, tok := instance(c)
	_ = c.Set("gowechat_officialaccount__stable_access_token_"+wechattest.AppID, 42, time.Hour)
	if got, err := tok.GetAccessToken(); err != nil || got == "" || srv.Calls(wechattest.OpStableToken) != 1 {
		t.Errorf("GetAccessToken over a non-string entry = %q, %v after %d fetches; want a fetched token", got, err, srv.Calls(wechattest.OpStableToken))
	}
}

// TestColdInstancesShareOneToken starts many instances at once on one DynamoDB cache,
// as a burst of Lambda cold starts does, and sends through each while WeChat refuses
// one call's token: every send succeeds, every instance ends on the same token, and no
// instance ever uses /cgi-bin/token (which would invalidate the others' token).
func TestColdInstancesShareOneToken(t *testing.T) {
	srv := wechattest.NewServer(t)
	tbl := dynamotest.New(t)
	const instances, sends = 24, 3
	type inst struct {
		oa  *officialaccount.OfficialAccount
		tok *wechat.Token
		mgr *message.Manager
	}
	all := make([]inst, instances)
	for i := range all {
		oa, tok := instance(&wechatdb.Cache{DB: tbl.DB, Table: tbl.Name}) // each instance its own memo, one table
		all[i] = inst{oa, tok, oa.GetCustomerMessageManager()}
	}
	var wg sync.WaitGroup
	errs := make(chan error, instances*sends)
	for round := range sends {
		if round == 1 {
			srv.FailNext(wechattest.OpCustom, wechat.CodeInvalidCredential, 1)
		}
		for i, in := range all {
			wg.Go(func() {
				errs <- in.tok.Do(context.Background(), func() error {
					return in.mgr.Send(message.NewCustomerTextMessage("o-"+strconv.Itoa(i), "第"+strconv.Itoa(round)+"条"))
				})
			})
		}
		wg.Wait()
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("send: %v", err)
		}
	}
	if got := len(srv.Sent()); got != instances*sends {
		t.Errorf("%d messages sent, want %d", got, instances*sends)
	}
	if got := srv.Calls(wechattest.OpToken); got != 0 {
		t.Errorf("/cgi-bin/token called %d times, want 0", got)
	}
	if got := srv.Calls(wechattest.OpStableToken); got > instances+instances {
		t.Errorf("stable_token called %d times, want at most one per instance per refresh", got)
	}
	want, _ := all[0].tok.GetAccessToken()
	for i, in := range all {
		if got, err := in.tok.GetAccessToken(); err != nil || got != want {
			t.Errorf("instance %d holds another token (err %v)", i, err)
		}
	}
}
