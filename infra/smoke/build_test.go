package main

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// Each bootstrap builds only its own graph: it links its own wiring package under
// shared/app and those of the contexts it acts on, never the whole platform
// (shared/app itself, which the local runner and the tests use), only the stores of those
// contexts (shared/dynamo/…), and only the functions that call WeChat's API link its
// client.
func TestBootstrapsLinkOnlyTheirWiring(t *testing.T) {
	if testing.Short() {
		t.Skip("lists every function's packages")
	}
	p := mustProject(t)
	want := map[string][]string{
		"AccountFunction":       {"accountapp", "boot", "wechatapi"},
		"AssessmentFunction":    {"assessmentapp", "boot"},
		"BookingsFunction":      {"bookingsapp", "boot"},
		"ConsoleFunction":       {"accountapp", "assessmentapp", "bookingsapp", "boot", "consoleapp", "directoryapp", "notificationsapp", "siteapp", "volunteersapp", "wechatapi"},
		"CountersFunction":      {"boot", "countersapp"},
		"DirectoryFunction":     {"bookingsapp", "boot", "directoryapp"},
		"IndexerFunction":       {"boot", "libraryapp", "mediaapp", "newsapp", "searchapp"},
		"LibraryFunction":       {"boot", "libraryapp", "mediaapp", "newsapp", "searchapp"},
		"MediaFunction":         {"boot", "mediaapp"},
		"NotificationsFunction": {"boot", "notificationsapp"},
		"NotifierFunction":      {"boot", "notifierapp", "wechatapi"},
		"PagesFunction":         {"accountapp", "bookingsapp", "boot", "directoryapp", "libraryapp", "mediaapp", "newsapp", "pagesapp", "searchapp", "siteapp", "volunteersapp", "wechatapi"},
		"SchedulerFunction":     {"bookingsapp", "boot", "directoryapp", "newsapp", "notifierapp", "schedulerapp", "volunteersapp", "wechatapi"},
		"VolunteersFunction":    {"boot", "volunteersapp", "wechatapi"},
		"WeChatFunction":        {"bookingsapp", "boot", "directoryapp", "searchapp", "volunteersapp", "wechatapp"},
	}
	// The stores of the contexts a function acts on, and no other: every function
	// reads people and the directory (sessions, scopes); the WeChat callback and its
	// stores are the WeChat function's alone.
	stores := map[string][]string{
		"AccountFunction":       {"accountdb", "directorydb", "outboxdb", "persondb", "wechatdb"},
		"AssessmentFunction":    {"accountdb", "assessmentdb", "bookingdb", "directorydb", "evaluationdb", "librarydb", "outboxdb", "reportdb", "volunteerdb"},
		"BookingsFunction":      {"accountdb", "bookingdb", "directorydb", "outboxdb"},
		"ConsoleFunction":       {"accountdb", "assessmentdb", "bookingdb", "directorydb", "evaluationdb", "figuredb", "librarydb", "notifydb", "outboxdb", "persondb", "reportdb", "teamdb", "volunteerdb", "wechatdb"},
		"CountersFunction":      {"accountdb", "bookingdb", "countersdb", "directorydb", "outboxdb", "reportdb", "volunteerdb"},
		"DirectoryFunction":     {"accountdb", "bookingdb", "directorydb", "evaluationdb", "figuredb", "outboxdb", "reportdb", "teamdb", "volunteerdb", "wechatdb"},
		"IndexerFunction":       {"accountdb", "bookingdb", "directorydb", "librarydb", "outboxdb", "searchdb"},
		"LibraryFunction":       {"accountdb", "bookingdb", "directorydb", "librarydb", "outboxdb", "searchdb"},
		"MediaFunction":         {"accountdb", "directorydb", "librarydb", "outboxdb"},
		"NotificationsFunction": {"accountdb", "bookingdb", "directorydb", "evaluationdb", "notifydb", "outboxdb", "reportdb", "volunteerdb"},
		"NotifierFunction":      {"accountdb", "bookingdb", "directorydb", "notifydb", "outboxdb", "reportdb", "wechatdb"},
		"PagesFunction":         {"accountdb", "assessmentdb", "bookingdb", "directorydb", "evaluationdb", "figuredb", "librarydb", "outboxdb", "persondb", "reportdb", "searchdb", "teamdb", "volunteerdb", "wechatdb"},
		"SchedulerFunction":     {"accountdb", "bookingdb", "directorydb", "evaluationdb", "figuredb", "librarydb", "notifydb", "outboxdb", "reportdb", "teamdb", "volunteerdb", "wechatdb"},
		"VolunteersFunction":    {"accountdb", "directorydb", "outboxdb", "volunteerdb", "wechatdb"},
		"WeChatFunction":        {"accountdb", "bookingdb", "callbackdb", "directorydb", "evaluationdb", "figuredb", "notifydb", "outboxdb", "reportdb", "teamdb", "volunteerdb", "wechatdb"},
	}
	// The search index (bleve with its CJK analysis, a third of a bootstrap) is linked
	// only by the functions that search or build it.
	searches := []string{"IndexerFunction", "LibraryFunction", "PagesFunction", "WeChatFunction"}
	for _, fn := range p.Functions {
		pkgs, err := linkedPackages(context.Background(), p.Root, fn.Dir)
		if err != nil {
			t.Fatal(err)
		}
		var wiring, linked []string
		for _, pkg := range pkgs {
			if pkg == modulePath+"shared/app" {
				t.Errorf("%s links shared/app, the whole platform", fn.LogicalID)
			}
			if name, ok := strings.CutPrefix(pkg, modulePath+"shared/app/"); ok {
				wiring = append(wiring, name)
			}
			if name, ok := strings.CutPrefix(pkg, modulePath+"shared/dynamo/"); ok {
				linked = append(linked, name)
			}
			if pkg == modulePath+"shared/search" && !slices.Contains(searches, fn.LogicalID) {
				t.Errorf("%s links %s, though it does not search", fn.LogicalID, pkg)
			}
			if fn.LogicalID != "WeChatFunction" && pkg == modulePath+"shared/wechat/callback" {
				t.Errorf("%s links %s, the WeChat callback's", fn.LogicalID, pkg)
			}
		}
		slices.Sort(wiring)
		if !slices.Equal(wiring, want[fn.LogicalID]) {
			t.Errorf("%s links the wiring of %q, want %q", fn.LogicalID, wiring, want[fn.LogicalID])
		}
		slices.Sort(linked)
		if !slices.Equal(linked, stores[fn.LogicalID]) {
			t.Errorf("%s links the stores %q, want %q", fn.LogicalID, linked, stores[fn.LogicalID])
		}
	}
}
