package config

import (
	"reflect"
	"strings"
	"testing"
)

func TestFrom(t *testing.T) {
	env := map[string]string{"TABLE_NAME": "t", "ADMIN_OPENIDS": " o-1, ,o-2 ", "WECHAT_TOKEN": "tok"}
	c := From(func(k string) string { return env[k] })
	if c.TableName != "t" || c.WeChatToken != "tok" {
		t.Errorf("From = %+v, want TableName t and WeChatToken tok", c)
	}
	if want := []string{"o-1", "o-2"}; !reflect.DeepEqual(c.AdminOpenIDs, want) {
		t.Errorf("AdminOpenIDs = %q, want %q", c.AdminOpenIDs, want)
	}
	if err := c.Require("TABLE_NAME", "WECHAT_TOKEN"); err != nil {
		t.Errorf("Require(set variables) = %v, want nil", err)
	}
	err := c.Require("TABLE_NAME", "SESSION_SECRET", "WECHAT_APP_ID")
	if err == nil || !strings.Contains(err.Error(), "SESSION_SECRET, WECHAT_APP_ID") {
		t.Errorf("Require(unset variables) = %v, want both named", err)
	}
	if err := c.Require("NOPE"); err == nil {
		t.Error("Require(NOPE) = nil, want an error for an unknown variable")
	}
}

// Every variable Config reads is one Require knows.
func TestVariablesAreKnown(t *testing.T) {
	full := map[string]string{}
	for _, v := range Variables {
		full[v] = "x"
	}
	c := From(func(k string) string { return full[k] })
	if err := c.Require(Variables...); err != nil {
		t.Errorf("Require(Variables...) with all set = %v", err)
	}
}

func TestNeeds(t *testing.T) {
	a := Needs{Required: []string{"TABLE_NAME", "SESSION_SECRET"}, Optional: []string{"LOG_LEVEL", "TICKET_SIGNING_KEY"}}
	b := Needs{Required: []string{"TICKET_SIGNING_KEY", "TABLE_NAME"}, Optional: []string{"LOG_LEVEL"}}
	got := a.And(b)
	want := Needs{Required: []string{"SESSION_SECRET", "TABLE_NAME", "TICKET_SIGNING_KEY"}, Optional: []string{"LOG_LEVEL"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("And = %+v, want %+v", got, want)
	}
	if s := got.Secrets(); !reflect.DeepEqual(s, []string{"SESSION_SECRET", "TICKET_SIGNING_KEY"}) {
		t.Errorf("Secrets() = %q, want the session secret and the ticket key", s)
	}
	c := From(func(k string) string { return map[string]string{"TABLE_NAME": "t"}[k] })
	if err := c.Check(got); err == nil || !strings.Contains(err.Error(), "SESSION_SECRET, TICKET_SIGNING_KEY") {
		t.Errorf("Check = %v, want both missing secrets named", err)
	}
	if err := c.Check(Needs{Optional: []string{"NOPE"}}); err == nil {
		t.Error("Check(optional NOPE) = nil, want an error for an unknown variable")
	}
}
