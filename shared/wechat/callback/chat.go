package callback

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/wentitong/wentitong/shared/directory"

	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/fault"
)

// People is what the chat changes on a person's profile.
type People interface {
	// Subscribe creates the profile, or revives it, as subscribed at at; it changes
	// nothing when an unsubscription after at is recorded (a late retry).
	Subscribe(ctx context.Context, openid string, at time.Time) error
	// Unsubscribe marks the person unsubscribed at at, so that nothing is pushed to
	// them; it changes nothing when a subscription after at is recorded.
	Unsubscribe(ctx context.Context, openid string, at time.Time) error
	// SetLocation remembers the last location WeChat reported for the person (a
	// LOCATION event), which check-in geofences accept. A location message is not one:
	// it is a point the person picked on a map, and is never remembered.
	SetLocation(ctx context.Context, openid string, loc Location) error
}

// Location is a position a person reported, in WGS-84 degrees.
type Location struct {
	Lat, Lng  float64
	Precision float64 // metres; 0 when unknown
	At        time.Time
}

// Catalog lists upcoming activities.
type Catalog interface {
	// SlotsOfKind returns every slot of a kind, by start time.
	SlotsOfKind(ctx context.Context, kind booking.Kind) ([]booking.Slot, error)
	// Activity returns an activity; ok is false when there is none.
	Activity(ctx context.Context, id string) (a booking.Activity, ok bool, err error)
}

// Venues finds the venues nearest to a point.
type Venues interface {
	// Nearest returns at most n venues, nearest first.
	Nearest(ctx context.Context, at directory.Location, n int) ([]directory.VenueDistance, error)
}

// Bookings is the booking domain's view of a person's bookings (the bookings issue).
type Bookings interface {
	// Upcoming returns the person's bookings of slots that have not ended, soonest first.
	Upcoming(ctx context.Context, openid string, now time.Time) ([]BookingLine, error)
}

// BookingLine is one booking as the chat lists it.
type BookingLine struct {
	Title     string
	StartsAt  time.Time
	Status    booking.Status // confirmed, waitlisted or balloted
	PartySize int            // confirmed: the people it admits
	Position  int            // waitlisted: the place in the queue
}

// Volunteers is the volunteer domain's view of a person (the volunteers issue).
type Volunteers interface {
	// Summary returns the person's volunteer status and hours; ok is false when they
	// have not applied.
	Summary(ctx context.Context, openid string) (s VolunteerSummary, ok bool, err error)
}

// VolunteerSummary is what the chat says about a volunteer.
type VolunteerSummary struct {
	Status      string // as a person reads it: volunteer.Status.Text (在册, 待审核, …)
	CreditHours float64
	HonourHours float64
}

// Feedback files what residents suggest.
type Feedback interface {
	// File records a suggestion and returns its ticket id.
	File(ctx context.Context, openid, text string, at time.Time) (id string, err error)
}

// Checkins admits a resident whose ticket a staff member scanned through the menu (the
// bookings issue).
type Checkins interface {
	// CheckIn verifies the ticket scanned by staffOpenID and returns the booking
	// admitted, or the refusal (ErrNotStaff, or the booking's own, with its reason).
	CheckIn(ctx context.Context, staffOpenID, ticket string, at time.Time) (booking.Booking, error)
}

// ErrNotStaff refuses a ticket scan by someone who is not staff.
var ErrNotStaff = fault.New(fault.Forbidden, "not_staff", "仅工作人员可以检票")

// Outbox queues a customer-service message for the notifier to send after the
// callback has answered (the callback itself never calls the WeChat API).
type Outbox interface {
	// CustomText queues a text to openid, once per id: a second call with the same id
	// changes nothing.
	CustomText(ctx context.Context, id, openid, text string, due time.Time) error
}

// Chat answers what residents, volunteers and staff send to the official account:
// subscriptions, text keywords, locations, menu clicks and QR code scans. Its
// dependencies that are nil are domains not built yet; Chat answers with a clear text
// and a link to the H5 page instead.
type Chat struct {
	People     People
	Catalog    Catalog
	Venues     Venues
	Bookings   Bookings
	Volunteers Volunteers
	Feedback   Feedback
	Checkins   Checkins
	Outbox     Outbox
	Scenes     Scenes
	Search     Search
	Links      Links
	Now        func() time.Time
	// ListingTTL is how long an instance reuses a keyword listing (default 10 s; a
	// negative value turns the reuse off): a crowd sending 电影 costs one query per
	// instance per period, and the places shown are at most that old (the H5 page that
	// books is live).
	ListingTTL time.Duration

	mu       sync.Mutex
	listings map[booking.Kind]listingMemo
}

type listingMemo struct {
	text    string
	expires time.Time
}

var _ Responder = (*Chat)(nil)

// Menu CLICK keys and the scan button's key; infra/menu publishes them.
const (
	KeyEvents     = "events"
	KeyFilms      = "films"
	KeyFitness    = "fitness"
	KeyReading    = "reading"
	KeyMyBookings = "my_bookings"
	KeyVolunteer  = "volunteer"
	KeyNearby     = "nearby"
	KeyHelp       = "help"
	KeyCheckin    = "staff_checkin" // scancode_waitmsg: staff scan a resident's ticket
)

// Once reports whether answering msg changes state a second answer would change again:
// a suggestion files a ticket, a scan is routed to a domain that may check a volunteer
// in or admit a ticket, the scan button admits a ticket. Everything else only reads, or
// sets what a repeat leaves as it is: a subscription or a location at the event's time
// (eventTime), so a retry handled after a later event does not undo it.
func (c *Chat) Once(msg *message.MixMessage) bool {
	switch msg.MsgType {
	case message.MsgTypeText:
		cmd, rest := match(msg.Content)
		return cmd == cmdFeedback && rest != ""
	case message.MsgTypeEvent:
		switch msg.Event {
		case message.EventSubscribe:
			scene, ok := cutPrefix(msg.EventKey, "qrscene_")
			return ok && scene != ""
		case message.EventScan, message.EventScancodeWaitmsg:
			return true
		}
	}
	return false
}

// eventWindow is how far before now an event's CreateTime is taken as its time: WeChat's
// retries come within about 15 s of it.
const eventWindow = 5 * time.Minute

// eventTime is when WeChat says msg happened, the same for every delivery of it, so a
// subscription or location set again by a retry is set to the same time; now when
// CreateTime is in the future or older than eventWindow.
func eventTime(msg *message.MixMessage, now time.Time) time.Time {
	at := time.Unix(msg.CreateTime, 0)
	if at.After(now) || at.Before(now.Add(-eventWindow)) {
		return now
	}
	return at
}

// Respond answers one message or event.
func (c *Chat) Respond(ctx context.Context, msg *message.MixMessage) (Reply, error) {
	from := string(msg.FromUserName)
	now := c.Now()
	switch msg.MsgType {
	case message.MsgTypeText:
		return c.text(ctx, from, msg.Content)
	case message.MsgTypeLocation:
		// A point picked on a map: it finds venues near it and proves nothing, so it is
		// not remembered for geofences (only WeChat's own LOCATION event is).
		loc := Location{Lat: msg.LocationX, Lng: msg.LocationY, At: now}
		if !loc.valid() {
			return Text(badLocationText), nil
		}
		return c.nearby(ctx, loc)
	case message.MsgTypeEvent:
		return c.event(ctx, msg, now)
	}
	return Text(helpText), nil // images, voice, video, links: the help text
}

func (c *Chat) event(ctx context.Context, msg *message.MixMessage, now time.Time) (Reply, error) {
	from := string(msg.FromUserName)
	switch msg.Event {
	case message.EventSubscribe:
		if err := c.People.Subscribe(ctx, from, eventTime(msg, now)); err != nil {
			return Reply{}, err
		}
		scene, ok := cutPrefix(msg.EventKey, "qrscene_")
		if !ok || scene == "" {
			return Text(welcomeText), nil
		}
		// One passive reply: the welcome. The scan's answer follows as a
		// customer-service message, sent by the notifier.
		r, err := c.scan(ctx, from, scene, now)
		if err != nil {
			return Reply{}, err
		}
		if r.Text != "" {
			if err := c.Outbox.CustomText(ctx, "wx-"+DeliveryKey(msg), from, r.Text, now); err != nil {
				return Reply{}, err
			}
		}
		return Text(welcomeText), nil
	case message.EventUnsubscribe:
		return Reply{}, c.People.Unsubscribe(ctx, from, eventTime(msg, now))
	case message.EventLocation:
		lat, err1 := strconv.ParseFloat(msg.Latitude, 64)
		lng, err2 := strconv.ParseFloat(msg.Longitude, 64)
		if err1 != nil || err2 != nil {
			return Reply{}, nil // nothing to remember; WeChat wants "success" anyway
		}
		prec, err := strconv.ParseFloat(msg.Precision, 64)
		if err != nil || math.IsNaN(prec) || math.IsInf(prec, 0) || prec < 0 {
			prec = 0
		}
		loc := Location{Lat: lat, Lng: lng, Precision: prec, At: eventTime(msg, now)}
		if !loc.valid() {
			return Reply{}, nil
		}
		// A LOCATION event may only be answered "success".
		return Reply{}, c.People.SetLocation(ctx, from, loc)
	case message.EventScan:
		return c.scan(ctx, from, msg.EventKey, now)
	case message.EventClick:
		return c.click(ctx, from, msg.EventKey)
	case message.EventScancodeWaitmsg:
		if msg.EventKey != KeyCheckin {
			return Text(helpText), nil
		}
		return c.checkin(ctx, from, msg.ScanCodeInfo.ScanResult, now)
	}
	return Reply{}, nil // VIEW, scancode_push, template results…: nothing to say
}

func (c *Chat) click(ctx context.Context, from, key string) (Reply, error) {
	switch key {
	case KeyEvents:
		return c.upcoming(ctx, booking.KindEvent)
	case KeyFilms:
		return c.upcoming(ctx, booking.KindFilm)
	case KeyFitness:
		return c.upcoming(ctx, booking.KindFitness)
	case KeyReading:
		return c.upcoming(ctx, booking.KindReading)
	case KeyMyBookings:
		return c.myBookings(ctx, from)
	case KeyVolunteer:
		return c.volunteer(ctx, from)
	case KeyNearby:
		return Text(nearbyPrompt), nil
	}
	return Text(helpText), nil // KeyHelp, and keys of an older menu
}

func (c *Chat) text(ctx context.Context, from, content string) (Reply, error) {
	cmd, rest := match(content)
	switch cmd {
	case cmdKind:
		return c.upcoming(ctx, booking.Kind(rest))
	case cmdBookings:
		return c.myBookings(ctx, from)
	case cmdVolunteer:
		return c.volunteer(ctx, from)
	case cmdFeedback:
		return c.feedback(ctx, from, rest)
	case cmdNearby:
		return Text(nearbyPrompt), nil
	case cmdSearch:
		return c.search(ctx, rest)
	}
	return Text(helpText), nil
}

// upcoming lists the next slots of a kind that have not started, reusing a recent
// listing of this instance.
func (c *Chat) upcoming(ctx context.Context, kind booking.Kind) (Reply, error) {
	now := c.Now()
	c.mu.Lock()
	m, ok := c.listings[kind]
	c.mu.Unlock()
	if ok && now.Before(m.expires) {
		return Text(m.text), nil
	}
	r, err := c.listUpcoming(ctx, kind, now)
	if err != nil {
		return Reply{}, err
	}
	ttl := c.ListingTTL
	if ttl == 0 {
		ttl = 10 * time.Second
	}
	if ttl > 0 {
		c.mu.Lock()
		if c.listings == nil {
			c.listings = map[booking.Kind]listingMemo{}
		}
		c.listings[kind] = listingMemo{text: r.Text, expires: now.Add(ttl)}
		c.mu.Unlock()
	}
	return r, nil
}

func (c *Chat) listUpcoming(ctx context.Context, kind booking.Kind, now time.Time) (Reply, error) {
	slots, err := c.Catalog.SlotsOfKind(ctx, kind)
	if err != nil {
		return Reply{}, fmt.Errorf("list %s: %w", kind, err)
	}
	var lines []listing
	titles := map[string]string{}
	for _, s := range slots {
		if !s.StartsAt.After(now) || s.Status == booking.SlotCancelled {
			continue
		}
		title, seen := titles[s.ActivityID]
		if !seen {
			a, ok, err := c.Catalog.Activity(ctx, s.ActivityID)
			if err != nil {
				return Reply{}, fmt.Errorf("list %s: %w", kind, err)
			}
			if ok {
				title = a.Title
			}
			titles[s.ActivityID] = title
		}
		if title == "" {
			continue
		}
		lines = append(lines, listing{title: title, slot: s})
		if len(lines) == maxListed {
			break
		}
	}
	return Text(upcomingText(kind, lines, c.Links)), nil
}

func (c *Chat) myBookings(ctx context.Context, from string) (Reply, error) {
	if c.Bookings == nil {
		return Text(fmt.Sprintf(bookingsLinkText, c.Links.MyBookings())), nil
	}
	lines, err := c.Bookings.Upcoming(ctx, from, c.Now())
	if err != nil {
		return Reply{}, fmt.Errorf("my bookings: %w", err)
	}
	return Text(bookingsText(lines, c.Links)), nil
}

func (c *Chat) volunteer(ctx context.Context, from string) (Reply, error) {
	if c.Volunteers == nil {
		return Text(volunteerText(nil, c.Links)), nil
	}
	s, ok, err := c.Volunteers.Summary(ctx, from)
	if err != nil {
		return Reply{}, fmt.Errorf("volunteer summary: %w", err)
	}
	if !ok {
		return Text(volunteerText(nil, c.Links)), nil
	}
	return Text(volunteerText(&s, c.Links)), nil
}

func (c *Chat) feedback(ctx context.Context, from, text string) (Reply, error) {
	if text == "" {
		return Text(feedbackPrompt), nil
	}
	if c.Feedback == nil {
		return Text(feedbackClosedText), nil
	}
	id, err := c.Feedback.File(ctx, from, text, c.Now())
	if fault.KindOf(err) == fault.Invalid {
		return Text(fault.As(err).Message + "。"), nil // too long, or a control character: say which
	}
	if err != nil {
		return Reply{}, fmt.Errorf("file feedback: %w", err)
	}
	return Text(fmt.Sprintf(feedbackThanks, id)), nil
}

func (c *Chat) nearby(ctx context.Context, loc Location) (Reply, error) {
	if c.Venues == nil {
		return Text(fmt.Sprintf(mapLinkText, c.Links.Map(loc.Lat, loc.Lng))), nil
	}
	hits, err := c.Venues.Nearest(ctx, directory.Location{Lat: loc.Lat, Lng: loc.Lng}, maxListed)
	if err != nil {
		return Reply{}, fmt.Errorf("nearest venues: %w", err)
	}
	return Text(nearbyText(hits, loc, c.Links)), nil
}

func (c *Chat) checkin(ctx context.Context, staff, ticket string, now time.Time) (Reply, error) {
	if c.Checkins == nil {
		return Text(checkinClosedText), nil
	}
	b, err := c.Checkins.CheckIn(ctx, staff, ticket, now)
	if err != nil {
		if k := fault.KindOf(err); k != fault.Internal && k != fault.Unavailable {
			return Text(fault.As(err).Message), nil
		}
		return Reply{}, fmt.Errorf("check in: %w", err)
	}
	return Text(fmt.Sprintf(checkedInText, b.PartySize, b.ID)), nil
}

// scan routes a parametric QR code's scene to its domain.
func (c *Chat) scan(ctx context.Context, from, scene string, now time.Time) (Reply, error) {
	r, err := c.Scenes.Route(ctx, from, scene, now)
	switch {
	case errors.Is(err, ErrSceneUnknown):
		return Text(sceneUnknownText), nil
	case errors.Is(err, ErrSceneExpired):
		return Text(sceneExpiredText), nil
	case errors.Is(err, ErrSceneUnavailable):
		return Text(sceneUnavailableText), nil
	case err != nil:
		if k := fault.KindOf(err); k != fault.Internal && k != fault.Unavailable {
			return Text(fault.As(err).Message), nil
		}
		return Reply{}, fmt.Errorf("scan %q: %w", scene, err)
	}
	return r, nil
}

// valid reports whether the location is a finite point on the globe.
func (l Location) valid() bool {
	for _, v := range []float64{l.Lat, l.Lng} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return l.Lat >= -90 && l.Lat <= 90 && l.Lng >= -180 && l.Lng <= 180 && (l.Lat != 0 || l.Lng != 0)
}

// Replies reports whether WeChat shows a passive reply to msg: messages and the
// subscribe, CLICK, SCAN and scan-button events do; LOCATION (which must be answered
// "success"), unsubscribe, VIEW and the platform's notices do not.
func Replies(msg *message.MixMessage) bool {
	if msg.MsgType != message.MsgTypeEvent {
		return true
	}
	switch msg.Event {
	case message.EventSubscribe, message.EventClick, message.EventScan, message.EventScancodeWaitmsg:
		return true
	}
	return false
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return s, false
}
