package booking

import (
	"sync"
	"time"
)

// SoldOutMemory is how long an instance answers "sold out" for a session it saw full
// without reading the session again (docs/decisions.md, "Sold out from memory").
const SoldOutMemory = 2 * time.Second

// SoldOut is an instance's memory of the sessions it saw with no free place left, so that
// the crowd refused at a sold-out sale costs no read of the session's item (the hottest
// item of the sale) and no write. A session is remembered for SoldOutMemory of real time
// (not the service's clock, which may stand still) from the read that showed it full,
// and forgotten at once when this instance gives places back.
// Safe for concurrent use; the zero value is not: use NewSoldOut.
type SoldOut struct {
	ttl  time.Duration
	now  func() time.Time
	mu   sync.Mutex
	full map[string]soldOutEntry
}

type soldOutEntry struct {
	slot  Slot
	until time.Time
}

// NewSoldOut returns an empty memory that keeps a session for ttl.
func NewSoldOut(ttl time.Duration) *SoldOut {
	return &SoldOut{ttl: ttl, now: time.Now, full: map[string]soldOutEntry{}}
}

// soldOutLimit bounds the memory: sessions sold out at once are few; a burst of many
// forgets them all rather than growing.
const soldOutLimit = 1024

// remember keeps slot, just read, when it has no free place left.
func (m *SoldOut) remember(slot Slot) {
	if m == nil || slot.Remaining() > 0 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.full) >= soldOutLimit {
		clear(m.full)
	}
	m.full[slot.ID] = soldOutEntry{slot: slot, until: m.now().Add(m.ttl)}
}

// recall returns the session as last seen full, when that was less than the memory's
// time ago.
func (m *SoldOut) recall(slotID string) (Slot, bool) {
	if m == nil {
		return Slot{}, false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.full[slotID]
	if !ok {
		return Slot{}, false
	}
	if !m.now().Before(e.until) {
		delete(m.full, slotID)
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
}
