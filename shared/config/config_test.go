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
