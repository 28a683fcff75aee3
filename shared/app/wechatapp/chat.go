package wechatapp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/app/searchapp"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo/accountdb"
	"github.com/wentitong/wentitong/shared/dynamo/bookingdb"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/search"
	"github.com/wentitong/wentitong/shared/volunteer"
	"github.com/wentitong/wentitong/shared/wechat/callback"
)

// The chat's views of the booking domain: what 我的预约 lists, and what a staff
// member's ticket scan through the menu does.

// chatBookings lists a person's bookings that have not started, from the booking
// store (no ticket is signed: the chat shows no ticket).
type chatBookings struct {
	store   *bookingdb.Bookings
	catalog *bookingdb.Catalog
}

var _ callback.Bookings = chatBookings{}

func (c chatBookings) Upcoming(ctx context.Context, openid string, now time.Time) ([]callback.BookingLine, error) {
	bs, err := c.store.OfPerson(ctx, openid)
	if err != nil {
		return nil, err
	}
	titles := map[string]string{}
	var out []callback.BookingLine
	for _, b := range bs {
		if !b.StartsAt.After(now) {
			continue
		}
		line := callback.BookingLine{StartsAt: b.StartsAt, Status: b.Status, PartySize: b.PartySize}
		switch b.Status {
		case booking.StatusConfirmed, booking.StatusBalloted:
		case booking.StatusWaitlisted:
			if line.Position, err = c.store.Position(ctx, b); err != nil {
				return nil, err
			}
		default:
			continue
		}
		title, seen := titles[b.ActivityID]
		if !seen {
			a, ok, err := c.catalog.Activity(ctx, b.ActivityID)
			if err != nil {
				return nil, err
			}
			if ok {
				title = a.Title
			}
			titles[b.ActivityID] = title
		}
		line.Title = title
		out = append(out, line)
	}
	slices.SortFunc(out, func(x, y callback.BookingLine) int { return x.StartsAt.Compare(y.StartsAt) })
	return out, nil
}

// chatCheckins admits the holder of a ticket a staff member scanned with the menu's
// scan button, as POST /api/v1/admin/checkins does.
type chatCheckins struct {
	svc    *booking.Service
	people *accountdb.People
	admins []string
	guard  access.Guard
}

var _ callback.Checkins = chatCheckins{}

// CheckIn admits a ticket's holder when the staff member scanning it may, as the
// route's rule says: staff of the district of the ticket's slot, or an admin.
func (c chatCheckins) CheckIn(ctx context.Context, staff, ticket string, _ time.Time) (booking.Booking, error) {
	who := auth.Claims{OpenID: staff}
	p, err := c.people.Person(ctx, staff)
	if err != nil && !errors.Is(err, account.ErrPersonNotFound) {
		return booking.Booking{}, err
	}
	who.Roles = p.Roles
	if slices.Contains(c.admins, staff) {
		who.Roles = append(who.Roles, auth.RoleAdmin)
	}
	err = c.guard.Allow(ctx, who, access.KindStaff, func() ([]string, error) { return c.svc.TicketScope(ctx, ticket) })
	if errors.Is(err, auth.ErrForbidden) {
		return booking.Booking{}, callback.ErrNotStaff
	}
	if err != nil {
		return booking.Booking{}, err // no district, out of it, or the ticket's refusal, with its Chinese message
	}
	return c.svc.CheckIn(ctx, ticket, "", "") // the booking's refusals carry their Chinese message
}

// chatFeedback files the chat's suggestions ("建议 …") as evaluation tickets, which get
// an owner, a deadline and a reply that reaches the resident.
type chatFeedback struct{ svc *evaluation.Service }

func (f chatFeedback) File(ctx context.Context, openid, text string, _ time.Time) (string, error) {
	t, err := f.svc.File(ctx, evaluation.Ticket{OpenID: openid, Text: text, Source: "chat"})
	return t.ID, err
}

// shiftScene checks a volunteer in or out of a shift by its QR code. Refusals (not
// signed up, outside the window, …) come back as the reply's text with a nil error.
func shiftScene(svc *volunteer.Service) callback.SceneHandler {
	return func(ctx context.Context, from, id string, now time.Time) (callback.Reply, error) {
		r, err := svc.ScanShift(ctx, from, id, now)
		return callback.Text(r.Text), err
	}
}

// venueScene checks a volunteer into their current shift at a venue; for anyone else
// (or a volunteer with no shift there now) the venue's own scene answers.
func venueScene(svc *volunteer.Service, venue callback.SceneHandler) callback.SceneHandler {
	return func(ctx context.Context, from, id string, now time.Time) (callback.Reply, error) {
		r, err := svc.ScanVenue(ctx, from, id, now)
		if errors.Is(err, volunteer.ErrNoCurrentShift) {
			return venue(ctx, from, id, now)
		}
		return callback.Text(r.Text), err
	}
}

// chatVolunteers tells the chat ("志愿") a person's volunteer status and hours.
type chatVolunteers struct{ svc *volunteer.Service }

func (v chatVolunteers) Summary(ctx context.Context, openid string) (callback.VolunteerSummary, bool, error) {
	p, err := v.svc.Me(ctx, openid)
	if errors.Is(err, volunteer.ErrNotApplied) {
		return callback.VolunteerSummary{}, false, nil
	}
	if err != nil {
		return callback.VolunteerSummary{}, false, err
	}
	return callback.VolunteerSummary{Status: p.Status.Text(), CreditHours: p.CreditHours, HonourHours: p.HonourHours}, true, nil
}

// chatSearch answers 搜 from the search index.
type chatSearch struct{ index searchapp.Source }

var _ callback.Search = chatSearch{}

func (c chatSearch) Find(ctx context.Context, text string, limit int) ([]callback.Found, int, error) {
	idx, err := c.index(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %w", callback.ErrSearchUnavailable, err)
	}
	res, err := idx.Search(search.Query{Text: text, Limit: limit})
	if errors.Is(err, search.ErrQueryInvalid) {
		return nil, 0, nil // nothing searchable in the text
	}
	if err != nil {
		return nil, 0, err
	}
	found := make([]callback.Found, len(res.Hits))
	for i, h := range res.Hits {
		found[i] = callback.Found{Kind: h.Kind, Title: h.Title, Path: h.URL}
	}
	return found, int(res.Total), nil
}
