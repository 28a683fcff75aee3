package booking

import (
	"testing"
	"time"
)

func TestSoldOutMemoryKeepsFullSessionsForItsTime(t *testing.T) {
	clock := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	m := NewSoldOut(2 * time.Second)
	m.now = func() time.Time { return clock }

	m.remember(Slot{ID: "open", Capacity: 3, Booked: 2})
	if _, ok := m.recall("open"); ok {
		t.Error("a session with a place left was remembered as sold out")
	}
	m.remember(Slot{ID: "full", Capacity: 3, Booked: 3})
	if s, ok := m.recall("full"); !ok || s.Booked != 3 {
		t.Errorf("recall(full) = %+v, %t; want the full session", s, ok)
	}
	clock = clock.Add(1999 * time.Millisecond)
	if _, ok := m.recall("full"); !ok {
		t.Error("forgot a sold-out session before its time")
	}
	clock = clock.Add(time.Millisecond)
	if _, ok := m.recall("full"); ok {
		t.Error("remembered a sold-out session past its time")
	}
	m.remember(Slot{ID: "full", Capacity: 3, Booked: 3})
	m.forget("full")
	if _, ok := m.recall("full"); ok {
		t.Error("remembered a session after places were given back")
	}
	var none *SoldOut
	none.remember(Slot{ID: "full", Capacity: 1, Booked: 1})
	if _, ok := none.recall("full"); ok {
		t.Error("a nil memory remembered")
	}
}

// A booking written after the read it remembers is added to it; one whose write began
// before a later read is not, since that read may have counted it already (a memory that
// counted it twice answered "sold out" with a place left: a flake of the hot session's
// test).
func TestSoldOutMemoryCountsOnlyBookingsWrittenAfterItsRead(t *testing.T) {
	m := NewSoldOut(2 * time.Second)
	m.remember(Slot{ID: "s", Capacity: 3, Booked: 1})
	first := m.mark("s")
	m.took("s", 1, first) // written after the read: 2 of 3
	if _, ok := m.recall("s"); ok {
		t.Fatal("sold out with a place left")
	}
	second := m.mark("s")
	m.remember(Slot{ID: "s", Capacity: 3, Booked: 2}) // read while the next write went on: may count it
	m.took("s", 1, second)
	if s, ok := m.known("s"); !ok || s.Booked != 2 {
		t.Errorf("known(s) = %+v, %t; want the later read's 2 booked, not the write added to it", s, ok)
	}
	if _, ok := m.recall("s"); ok {
		t.Error("a write the later read may have counted was counted again: sold out with a place left")
	}
	m.took("s", 1, m.mark("s")) // written after the later read: 3 of 3
	if _, ok := m.recall("s"); !ok {
		t.Error("not known sold out after this instance took the last place")
	}
}
