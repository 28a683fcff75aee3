package wechatdb_test

import (
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/dynamo/wechatdb"
	"github.com/wentitong/wentitong/shared/dynamotest"
	"github.com/wentitong/wentitong/shared/fault"
)

func TestCache(t *testing.T) {
	tbl := dynamotest.New(t)
	now := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	c := &wechatdb.Cache{DB: tbl.DB, Table: tbl.Name, Now: func() time.Time { return now }}
	if got := c.Get("token"); got != nil {
		t.Fatalf("Get(token) on an empty cache = %v, want nil", got)
	}
	if err := c.Set("token", "abc", time.Hour); err != nil {
		t.Fatal(err)
	}
	// Another instance (another Cache value on the same table) sees it.
	other := &wechatdb.Cache{DB: tbl.DB, Table: tbl.Name, Now: func() time.Time { return now }}
	if got := other.Get("token"); got != "abc" {
		t.Errorf("Get(token) from another instance = %v, want abc", got)
	}
	// A warm instance answers from memory: the table is not read again.
	reads := tbl.Counter.Snapshot()["GetItem"]
	if got := other.Get("token"); got != "abc" || tbl.Counter.Snapshot()["GetItem"] != reads {
		t.Errorf("second Get = %v after %d more reads, want abc from memory", got, tbl.Counter.Snapshot()["GetItem"]-reads)
	}
	now = now.Add(time.Hour)
	if got := c.Get("token"); got != nil || c.IsExist("token") {
		t.Errorf("Get(token) after expiry = %v, want nil", got)
	}
	now = now.Add(-time.Minute)
	if err := c.Delete("token"); err != nil {
		t.Fatal(err)
	}
	if got := c.Get("token"); got != nil {
		t.Errorf("Get(token) after Delete = %v, want nil", got)
	}
	if err := c.Set("token", struct{}{}, time.Hour); err == nil {
		t.Error("Set with a struct value = nil error, want an error")
	}
	restore := tbl.FailAll(t)
	defer restore()
	if got := c.Get("token"); got != nil {
		t.Errorf("Get while the table fails = %v, want nil (the caller fetches a fresh token)", got)
	}
	if err := c.Set("token", "x", time.Hour); fault.KindOf(err) != fault.Unavailable {
		t.Errorf("Set while the table fails = %v, want unavailable", err)
	}
}
