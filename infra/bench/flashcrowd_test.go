package main

import (
	"strings"
	"testing"
)

// A small crowd, with faults that reach the residents (no SDK retries), keeps the
// invariants with the journal off and on, and prints the tables, the journal's cost and
// one JSON line.
func TestFlashCrowdSmall(t *testing.T) {
	out := runScenario(t, "flashcrowd", "-residents", "120", "-capacity", "30", "-concurrency", "8", "-party", "2",
		"-waitlist", "0.2", "-faults", "0.1", "-sdk-attempts", "1", "-journal-dir", t.TempDir())
	var report struct {
		Oversold, Duplicates, Lost, Confirmed, Outbox int
		BaselineTxPerSec, OffRequestsPerSec, OnP50Ms  float64
		Journal                                       bool
		JournalWrites, JournalFsyncs                  int
	}
	lastJSON(t, out, &report)
	if report.Oversold != 0 || report.Duplicates != 0 || report.Lost != 0 || report.Confirmed == 0 ||
		report.Outbox > report.Confirmed || report.BaselineTxPerSec <= 0 {
		t.Errorf("report = %+v, want no oversold, duplicates or lost, some confirmed with their outbox items, a baseline", report)
	}
	if !report.Journal || report.OffRequestsPerSec <= 0 || report.OnP50Ms <= 0 || report.JournalWrites < report.Confirmed || report.JournalFsyncs == 0 ||
		report.JournalFsyncs > report.JournalWrites || !strings.Contains(out, "the journal's cost (same run, median of 1 each)") {
		t.Errorf("report = %+v, want the run with the journal (its writes and fsyncs) beside the one without\n%s", report, out)
	}
}

// A small ballot: every entry settled once, winners fill the places, the draw re-runs.
func TestBallotSmall(t *testing.T) {
	out := runScenario(t, "ballot", "-entries", "60", "-places", "15")
	var r struct {
		Confirmed, Waitlisted, Balloted, Booked, Won, Lost int
		Verified                                           bool
	}
	lastJSON(t, out, &r)
	if r.Confirmed != 15 || r.Waitlisted != 45 || r.Balloted != 0 || r.Booked != 15 || r.Won != 15 || r.Lost != 45 || !r.Verified {
		t.Errorf("report = %+v, want 15 confirmed and won, 45 waiting and lost, none left, verified", r)
	}
}

// A small door: finding a ticket by its reference reads less than the session's every
// booking, and the meter sees the scans' calls (it once counted them as session checks
// and printed zeros).
func TestCheckinSmall(t *testing.T) {
	out := runScenario(t, "checkin", "-bookings", "40", "-scans", "8")
	var r struct{ BySlotRCU, ByRefRCU, ByRefCalls, CheckinRCU, CheckinWCU float64 }
	lastJSON(t, out, &r)
	if r.ByRefCalls < 1 || r.ByRefRCU <= 0 || r.ByRefRCU >= r.BySlotRCU || r.CheckinRCU <= 0 || r.CheckinWCU <= 0 {
		t.Errorf("report = %+v, want calls and units counted, by reference below the session's every booking", r)
	}
}
