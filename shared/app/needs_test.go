package app_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/config"
)

// notRead are variables the template gives functions that no code reads.
var notRead = []string{"STAGE"}

// template.yaml gives each function every variable its Needs require and nothing its
// Needs do not name: no function gets a secret it does not use.
func TestTemplateGivesEachFunctionWhatItNeeds(t *testing.T) {
	fns := mustFunctions(t)
	for _, fn := range fns {
		needs, ok := app.Needs[fn.LogicalID]
		if !ok {
			t.Errorf("template function %s has no Needs in app.Needs", fn.LogicalID)
			continue
		}
		// A secret is given by its reference, never its value.
		given := map[string]bool{}
		for _, v := range fn.Variables {
			if s, ok := strings.CutSuffix(v, "_ARN"); ok && slices.Contains(config.Secrets, s) {
				given[s] = true
				continue
			}
			if slices.Contains(config.Secrets, v) {
				t.Errorf("template.yaml gives %s the value of the secret %s, want its reference %s", fn.LogicalID, v, config.SecretRef(v))
			}
			given[v] = true
		}
		for _, v := range needs.Required {
			if !given[v] {
				t.Errorf("%s requires %s, which template.yaml does not give it", fn.LogicalID, v)
			}
		}
		for v := range given {
			if !slices.Contains(needs.All(), v) && !slices.Contains(notRead, v) {
				t.Errorf("template.yaml gives %s %s, which its Needs do not name", fn.LogicalID, v)
			}
		}
	}
	if len(fns) != len(app.Needs) {
		t.Errorf("template.yaml has %d functions, app.Needs %d", len(fns), len(app.Needs))
	}
}

// Only the functions that call WeChat's API are given its app secret (the console makes
// the shifts' QR codes).
func TestOnlyWeChatAPICallersNeedTheAppSecret(t *testing.T) {
	callers := []string{"AccountFunction", "ConsoleFunction", "NotifierFunction", "PagesFunction", "SchedulerFunction", "VolunteersFunction"}
	for id, needs := range app.Needs {
		if got := slices.Contains(needs.Secrets(), "WECHAT_APP_SECRET"); got != slices.Contains(callers, id) {
			t.Errorf("%s needs WECHAT_APP_SECRET: %v, want %v", id, got, !got)
		}
		for _, v := range needs.All() {
			if !slices.Contains(config.Variables, v) {
				t.Errorf("%s names %s, which config does not read", id, v)
			}
		}
	}
}
