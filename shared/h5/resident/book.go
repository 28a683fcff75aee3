package resident

import (
	"crypto/rand"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/h5"
)

// caller is the signed-in person of a route whose rule checked them.
func caller(r *http.Request) string {
	c, _ := auth.FromContext(r.Context())
	return c.OpenID
}

type activityData struct {
	Activity booking.Activity
	Kind     string
	Venue    directory.Venue
	Slots    []SlotRow
}

// activity serves GET /h5/activities/{id}: what it is, where, and its upcoming sessions.
func (p *Pages) activity(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !booking.ValidID(id) {
		p.refuse(w, r, booking.ErrActivityNotFound)
		return
	}
	act, err := p.Bookings.Activity(r.Context(), id)
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	d := activityData{Activity: act, Kind: kindNames[act.Kind]}
	if v, err := p.Directory.Venue(r.Context(), act.VenueID); err == nil {
		d.Venue = v
	}
	d.Slots, err = p.slotRows(r.Context(), booking.ListQuery{Kind: string(act.Kind), Limit: "100"}, func(l booking.Listing) bool { return l.ID == act.ID })
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	p.t.Render(w, r, "activity", http.StatusOK, h5.View{Title: act.Title, Back: h5.Prefix + "/activities?kind=" + string(act.Kind), Data: d})
}

// Seat is one seat of a seated slot's map.
type Seat struct {
	Name             string
	Taken, Suggested bool
}

type slotData struct {
	Slot      booking.Slot
	Activity  booking.Activity
	Venue     directory.Venue
	Status    Status
	Parties   []Option // 1 … MaxPartySize
	Party     int
	Mine      *booking.Booking // the caller's booking of this slot, when there is one
	BookedFor []string         // the caller's family members booked already, by label
	Family    []Option         // whom the caller may still book for: themselves ("") and dependants
	Chooser   bool             // the caller has dependants: the form asks whom the booking is for
	// OwnIDNumber is the masked form of the caller's own ID number on file, at a
	// real-name session ("" when none: the form asks for it).
	OwnIDNumber string
	SignedIn    bool
	Open        bool // booking is open now
	Full        bool
	Ballot      bool
	DrawAt      time.Time
	CancelNote  string
	Rows        [][]Seat // a seated slot's map, row A first
	Suggested   []string
	Home        Home   // where the resident lives, for a slot limited to a district
	Key         string // the form's idempotency key
}

// slot serves GET /h5/slots/{id}: a session, its places and the booking form: party
// size, seats on a seated hall (the best preselected), 候补 when full, or the ballot.
func (p *Pages) slot(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !booking.ValidID(id) {
		p.refuse(w, r, booking.ErrSlotNotFound)
		return
	}
	ctx := r.Context()
	sl, err := p.Bookings.Catalog.Slot(ctx, id)
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	now := p.Now()
	d := slotData{Slot: sl, Status: slotStatus(sl, now), Ballot: sl.Mode == booking.ModeBallot,
		Open: sl.Status != booking.SlotCancelled && !now.Before(sl.BookingOpensAt) && now.Before(sl.BookingClosesAt),
		Full: sl.Remaining() == 0, Key: "h5-" + rand.Text()[:20], CancelNote: cancelNote(sl)}
	if act, ok, err := p.Bookings.Catalog.Activity(ctx, sl.ActivityID); err == nil && ok {
		d.Activity = act
		if v, err := p.Directory.Venue(ctx, act.VenueID); err == nil {
			d.Venue = v
		}
	}
	if d.Ballot {
		d.DrawAt = sl.BookingClosesAt.Add(booking.DrawGrace)
	}
	c, signedIn := p.Site.Claims(r)
	if signedIn {
		d.SignedIn = true
		if b, err := p.Bookings.Store.Booking(ctx, sl.ID, c.OpenID); err == nil && b.Status != booking.StatusCancelled {
			d.Mine = &b
		} else if err != nil && !errors.Is(err, booking.ErrBookingNotFound) {
			p.refuse(w, r, err)
			return
		}
		if err := p.family(r, c.OpenID, sl.ID, &d); err != nil {
			p.refuse(w, r, err)
			return
		}
	}
	d.Party = max(1, min(atoi(r.URL.Query().Get("party")), max(sl.MaxParty(), 1)))
	for n := 1; n <= max(sl.MaxParty(), 1); n++ {
		d.Parties = append(d.Parties, Option{Value: strconv.Itoa(n), Text: strconv.Itoa(n) + " 人", Selected: n == d.Party})
	}
	if sl.Seated() {
		m, err := p.Bookings.Seats(ctx, sl.ID)
		if err != nil {
			p.refuse(w, r, err)
			return
		}
		d.Suggested = sl.BestSeats(m.Taken, d.Party)
		for row := range sl.SeatRows {
			var seats []Seat
			for n := 1; n <= sl.SeatsPerRow; n++ {
				name := booking.SeatName(row, n)
				seats = append(seats, Seat{Name: name, Taken: slices.Contains(m.Taken, name), Suggested: slices.Contains(d.Suggested, name)})
			}
			d.Rows = append(d.Rows, seats)
		}
	}
	if sl.EligibleDistrictID != "" {
		if d.Home, err = p.homeOf(r, c.OpenID, signedIn, sl.EligibleDistrictID); err != nil {
			p.refuse(w, r, err)
			return
		}
	}
	p.t.Render(w, r, "slot", http.StatusOK, h5.View{Title: sl.Title, Back: h5.Prefix + "/activities/" + sl.ActivityID, Data: d})
}

// Home is where a resident lives, as a page limited to a district (a village's
// screening, its film vote) shows it: set once on the profile (PUT /api/v1/me/district,
// POST /h5/me/district), then changed at most every 30 days.
type Home struct {
	Limited   string   // the district the page is limited to (its name)
	ID, Name  string   // the resident's home ("" when not set, or signed out)
	Inside    bool     // the home lies in the limited district
	Choices   []Option // the villages and communities of the limited district, to set it
	SignedIn  bool
	Next      string // the page to come back to after setting it
	CanChange bool
}

// homeOf is the resident's home against the district a page is limited to.
func (p *Pages) homeOf(r *http.Request, openid string, signedIn bool, limitedTo string) (Home, error) {
	ctx := r.Context()
	root, err := p.Directory.District(ctx, limitedTo)
	if err != nil {
		return Home{}, err
	}
	h := Home{Limited: root.Name, SignedIn: signedIn, Next: h5.Here(r)}
	if signedIn {
		person, err := p.People.Person(ctx, openid)
		if err != nil && !errors.Is(err, account.ErrPersonNotFound) {
			return Home{}, err
		}
		h.ID = person.HomeDistrictID
		h.CanChange = h.ID == "" || !p.Now().Before(person.HomeChangedAt.Add(account.HomeMoveEvery))
	}
	all, err := p.Directory.Districts(ctx)
	if err != nil {
		return Home{}, err
	}
	var towns []Option
	for _, dist := range all {
		if dist.ID == h.ID {
			h.Name = dist.Name
			h.Inside = dist.Path == root.Path || strings.HasPrefix(dist.Path, root.Path+"/")
		}
		if !strings.HasPrefix(dist.Path, root.Path+"/") && dist.Path != root.Path {
			continue
		}
		o := Option{Value: dist.ID, Text: dist.Name, Selected: dist.ID == h.ID}
		if dist.Level == directory.LevelVillage {
			h.Choices = append(h.Choices, o)
		} else {
			towns = append(towns, o)
		}
	}
	if len(h.Choices) == 0 {
		h.Choices = towns // a district without villages in the directory
	}
	return h, nil
}

// setHome serves POST /h5/me/district (districtId, next), as PUT /api/v1/me/district.
func (p *Pages) setHome(w http.ResponseWriter, r *http.Request) {
	next := r.PostForm.Get("next")
	if !h5.ValidNext(next) {
		next = h5.Prefix + "/"
	}
	if _, err := account.SetHome(r.Context(), p.People, p.Directory, caller(r), r.PostForm.Get("districtId"), p.Now()); err != nil {
		p.refuse(w, r, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// cancelNote explains until when a booking of the slot may be cancelled online.
func cancelNote(sl booking.Slot) string {
	if sl.CancelCutoffMinutes == 0 {
		return "开场前都可以在「我的预约」取消。"
	}
	return "开场前 " + duration(sl.CancelCutoffMinutes) + "（" + sl.CancelClosesAt().In(beijing.Zone).Format("1月2日 15:04") + "）以后不能再取消，请提前安排。"
}

func duration(minutes int) string {
	if minutes%60 == 0 {
		return strconv.Itoa(minutes/60) + " 小时"
	}
	return strconv.Itoa(minutes) + " 分钟"
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// book serves POST /h5/slots/{id}/bookings: the form's party size, seats and 候补
// become a booking request with the form's idempotency key, as the JSON API's
// POST /api/v1/slots/{id}/bookings (where the resident lives comes from their profile);
// the result page follows (post/redirect/get).
func (p *Pages) book(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	req := booking.Request{PartySize: atoi(f.Get("party")), Waitlist: f.Get("waitlist") == "1",
		AcceptFewer: f.Get("fewer") == "1", Seats: f["seat"], For: f.Get("for"), IDNumber: f.Get("idNumber")}
	if req.PartySize == 0 {
		req.PartySize = max(1, len(req.Seats))
	}
	b, err := p.Bookings.Book(r.Context(), caller(r), r.PathValue("id"), f.Get("key"), req)
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	http.Redirect(w, r, h5.Prefix+"/bookings/"+url.PathEscape(b.ID)+"?new=1", http.StatusSeeOther)
}
