package main

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// Each bootstrap builds only its own graph: it links its own wiring package under
// shared/app and those of the contexts it acts on, never the whole platform
// (shared/app itself, which the local runner and the tests use), and only the functions
// that call WeChat's API link its client.
func TestBootstrapsLinkOnlyTheirWiring(t *testing.T) {
	if testing.Short() {
		t.Skip("lists every function's packages")
	}
	p := mustProject(t)
	want := map[string][]string{
		"AccountFunction":       {"accountapp", "boot", "wechatapi"},
		"AssessmentFunction":    {"assessmentapp", "boot"},
		"BookingsFunction":      {"bookingsapp", "boot"},
		"ConsoleFunction":       {"accountapp", "bookingsapp", "boot", "consoleapp", "directoryapp", "notificationsapp", "pagesapp", "volunteersapp", "wechatapi"},
		"CountersFunction":      {"boot", "countersapp"},
		"DirectoryFunction":     {"bookingsapp", "boot", "directoryapp"},
		"LibraryFunction":       {"boot", "libraryapp", "newsapp"},
		"MediaFunction":         {"boot", "libraryapp", "newsapp"},
		"NotificationsFunction": {"boot", "notificationsapp"},
		"NotifierFunction":      {"boot", "notifierapp", "wechatapi"},
		"PagesFunction":         {"accountapp", "bookingsapp", "boot", "directoryapp", "pagesapp", "volunteersapp", "wechatapi"},
		"SchedulerFunction":     {"bookingsapp", "boot", "directoryapp", "newsapp", "notifierapp", "schedulerapp", "volunteersapp", "wechatapi"},
		"VolunteersFunction":    {"boot", "volunteersapp", "wechatapi"},
		"WeChatFunction":        {"bookingsapp", "boot", "directoryapp", "volunteersapp", "wechatapp"},
	}
	for _, fn := range p.Functions {
		pkgs, err := linkedPackages(context.Background(), p.Root, fn.Dir)
		if err != nil {
			t.Fatal(err)
		}
		var wiring []string
		for _, pkg := range pkgs {
			if pkg == modulePath+"shared/app" {
				t.Errorf("%s links shared/app, the whole platform", fn.LogicalID)
			}
			if name, ok := strings.CutPrefix(pkg, modulePath+"shared/app/"); ok {
				wiring = append(wiring, name)
			}
		}
		slices.Sort(wiring)
		if !slices.Equal(wiring, want[fn.LogicalID]) {
			t.Errorf("%s links the wiring of %q, want %q", fn.LogicalID, wiring, want[fn.LogicalID])
		}
	}
}
