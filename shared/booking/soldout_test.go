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
