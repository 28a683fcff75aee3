package booking

import (
	"sync"
	"time"
)

// SoldOutMemory is how long an instance answers "sold out" for a session it saw full
// without reading the session again (docs/decisions.md, "Sold out from memory").
const SoldOutMemory = 2 * time.Second

// SettingsMemory is how long an instance books a session from the settings it read
// before, without reading it again: each such write holds only while the session keeps
// that revision of its settings (docs/decisions.md, "One write per booking"), so the
// memory bounds only how long an idle entry stays.
const SettingsMemory = time.Minute

// SoldOut is an instance's memory of the sessions it read: their settings, so that a
// booking is written without a read before it, and those it saw with no free place left,
// so that the crowd refused at a sold-out sale costs no read of the session's item (the
// hottest item of the sale) and no write. A session is remembered as sold out for ttl of
// real time (not the service's clock, which may stand still) from the read that showed it
// full, its settings for SettingsMemory, and both are forgotten at once when this
// instance gives places back or changes the session.
// Safe for concurrent use; the zero value is not: use NewSoldOut.
type SoldOut struct {
	ttl  time.Duration
	now  func() time.Time
	mu   sync.Mutex
	full map[string]soldOutEntry
	read map[string]soldOutEntry
	seq  uint64 // of the last read remembered
}

type soldOutEntry struct {
	slot  Slot
	until time.Time
	seq   uint64 // which read slot is
}

// NewSoldOut returns an empty memory that keeps a sold-out session for ttl.
func NewSoldOut(ttl time.Duration) *SoldOut {
	return &SoldOut{ttl: ttl, now: time.Now, full: map[string]soldOutEntry{}, read: map[string]soldOutEntry{}}
}

// soldOutLimit bounds each map of the memory: sessions on sale at once are few; a burst
// of many forgets them all rather than growing.
const soldOutLimit = 1024

// remember keeps slot, just read: its settings, and that it is full when it has no free
// place left.
func (m *SoldOut) remember(slot Slot) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	keep(m.read, slot, m.now().Add(SettingsMemory), m.seq)
	if slot.Remaining() == 0 {
		keep(m.full, slot, m.now().Add(m.ttl), m.seq)
	}
}

func keep(in map[string]soldOutEntry, slot Slot, until time.Time, seq uint64) {
	if len(in) >= soldOutLimit {
		clear(in)
	}
	in[slot.ID] = soldOutEntry{slot: slot, until: until, seq: seq}
}

// mark names the session's read remembered now (0 for none), for a booking's write
// about to begin: that read cannot count the booking.
func (m *SoldOut) mark(slotID string) uint64 {
	if m == nil {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.read[slotID].seq
}

// took counts party places this instance just booked at a session it remembers, when
// the write began after the read remembered (seen, from mark): with them, the session
// may be known full without another read. Places written while the session was read
// again are not added: that read may have counted them already, and a memory that
// counted them twice would answer "sold out" with a place left.
func (m *SoldOut) took(slotID string, party int, seen uint64) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.read[slotID]
	if !ok || seen == 0 || e.seq != seen {
		return
	}
	e.slot.Booked += party
	m.read[slotID] = e
	if e.slot.Remaining() == 0 {
		keep(m.full, e.slot, m.now().Add(m.ttl), e.seq)
	}
}

// recall returns the session as last seen full, when that was less than the memory's
// time ago.
func (m *SoldOut) recall(slotID string) (Slot, bool) {
	return m.lookup(func(m *SoldOut) map[string]soldOutEntry { return m.full }, slotID)
}

// known returns the session as last read, when that was less than SettingsMemory ago.
func (m *SoldOut) known(slotID string) (Slot, bool) {
	return m.lookup(func(m *SoldOut) map[string]soldOutEntry { return m.read }, slotID)
}

func (m *SoldOut) lookup(which func(*SoldOut) map[string]soldOutEntry, slotID string) (Slot, bool) {
	if m == nil {
		return Slot{}, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	in := which(m)
	e, ok := in[slotID]
	if !ok {
		return Slot{}, false
	}
	if !m.now().Before(e.until) {
		delete(in, slotID)
		return Slot{}, false
	}
	return e.slot, true
}

// forget drops a session whose places this instance gave back or changed.
func (m *SoldOut) forget(slotID string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.full, slotID)
	delete(m.read, slotID)
}
