package evaluation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/input"
	"github.com/wentitong/wentitong/shared/notify"
)

// Alert is a notification written to the outbox in the same transaction as the change
// that causes it; the notifier delivers it.
type Alert struct {
	Kind      string            // one of the Alert* kinds
	Recipient string            // an openid, or RecipientAdmins
	Payload   map[string]string // what the message says
}

// The alerts of this package, and the recipient of an alert nobody in a district's
// chain is assigned to receive.
const (
	AlertLowRating      = "low_rating"       // to the venue's staff
	AlertFeedbackTicket = "feedback_ticket"  // to the ticket's district staff
	AlertFeedbackReply  = "feedback_reply"   // to the resident, as a customer-service message
	AlertFeedbackLate   = "feedback_overdue" // to the admins and the owner, once, when a ticket passes its deadline
	RecipientAdmins     = notify.ToAdmins
	maxRecipients       = 10
)

// Store keeps ratings, tallies and tickets.
type Store interface {
	// AddRating writes r, counts it in the tallies of every subject for its month and all
	// time, and writes alerts, in one transaction. It returns ErrAlreadyRated when the
	// person has rated the activity before (and writes nothing).
	AddRating(ctx context.Context, r Rating, alerts []Alert) error
	// Tally returns a subject's tally for a period (zero when nobody rated).
	Tally(ctx context.Context, subject, period string) (Tally, error)
	// AddTicket writes a new ticket and its alerts in one transaction.
	AddTicket(ctx context.Context, t Ticket, alerts []Alert) error
	// Ticket returns one ticket, or ErrTicketNotFound.
	Ticket(ctx context.Context, id string) (Ticket, error)
	// TicketsOf returns a person's tickets, newest first.
	TicketsOf(ctx context.Context, openid string) ([]Ticket, error)
	// OpenTickets returns the open tickets, the earliest due first.
	OpenTickets(ctx context.Context) ([]Ticket, error)
	// Answer records the reply of an open ticket and writes notice, in one transaction;
	// ErrTicketClosed when it is no longer open.
	Answer(ctx context.Context, id, reply string, at time.Time, notice Alert) error
	// Overdue returns the open tickets due before now that were not escalated yet.
	Overdue(ctx context.Context, now time.Time) ([]Ticket, error)
	// Escalate marks an open ticket escalated at now and writes alerts, in one
	// transaction; it reports false (and writes nothing) when the ticket was answered or
	// escalated meanwhile.
	Escalate(ctx context.Context, id string, now time.Time, alerts []Alert) (bool, error)
}

// Activities finds the activity a rating is about (the catalogue).
type Activities interface {
	// Activity returns the activity and whether it exists.
	Activity(ctx context.Context, id string) (booking.Activity, bool, error)
}

// Places finds venues and districts (the directory).
type Places interface {
	directory.Finder
	Venue(ctx context.Context, id string) (directory.Venue, error)
}

// Staff knows who looks after a district (the directory's scopes).
type Staff interface {
	// ScopedTo returns the openids assigned exactly districtID.
	ScopedTo(ctx context.Context, districtID string) ([]string, error)
}

// Attendance tells whether a person attended an activity (the bookings' check-ins).
type Attendance interface {
	Attended(ctx context.Context, openid, activityID string) (bool, error)
}

// Service rates activities and handles feedback tickets.
type Service struct {
	Store      Store
	Activities Activities
	Places     Places
	Staff      Staff
	Guard      access.Guard // who may see and answer which tickets
	// Attendance, when set, limits ratings to people who attended; until the bookings
	// record check-ins any signed-in resident may rate an activity once.
	Attendance Attendance
	Now        func() time.Time
	NewID      func() string
	// Serial numbers a day's tickets (name "feedback-<YYYYMMDD>", from 1), for the
	// references residents read, FK-20261129-0042; nil: tickets get NewID.
	Serial func(ctx context.Context, name string) (int, error)
}

// Reference returns the reference of the n-th ticket filed on day (Beijing time):
// FK-20261129-0042.
func Reference(day time.Time, n int) string {
	return fmt.Sprintf("FK-%s-%04d", day.In(beijing.Zone).Format("20060102"), n)
}

// ErrActivityNotFound is a rating of an activity that does not exist.
var ErrActivityNotFound = fault.New(fault.NotFound, "activity_not_found", "找不到该活动")

// Rate records openid's score of an activity. It returns ErrRatingInvalid,
// ErrActivityNotFound, ErrNotAttended or ErrAlreadyRated. A low score alerts the staff of
// the activity's venue (or, when none is assigned, of the districts above it).
func (s *Service) Rate(ctx context.Context, openid, activityID string, score int, comment string) (Rating, error) {
	r := Rating{ID: s.NewID(), OpenID: openid, ActivityID: activityID, Score: score,
		Comment: strings.TrimSpace(comment), CreatedAt: s.Now()}
	if err := r.Validate(); err != nil {
		return Rating{}, err
	}
	act, ok, err := s.Activities.Activity(ctx, activityID)
	if err != nil {
		return Rating{}, fmt.Errorf("rate %s: %w", activityID, err)
	}
	if !ok {
		return Rating{}, ErrActivityNotFound
	}
	if s.Attendance != nil {
		attended, err := s.Attendance.Attended(ctx, openid, activityID)
		if err != nil {
			return Rating{}, fmt.Errorf("rate %s: %w", activityID, err)
		}
		if !attended {
			return Rating{}, ErrNotAttended
		}
	}
	r.VenueID = act.VenueID
	if act.VenueID != "" {
		v, err := s.Places.Venue(ctx, act.VenueID)
		if err != nil && fault.KindOf(err) != fault.NotFound {
			return Rating{}, fmt.Errorf("rate %s: %w", activityID, err)
		}
		r.DistrictPath = v.DistrictPath
	}
	var alerts []Alert
	if r.Low() {
		to, _, err := s.recipients(ctx, r.DistrictPath)
		if err != nil {
			return Rating{}, fmt.Errorf("rate %s: %w", activityID, err)
		}
		for _, openid := range to {
			alerts = append(alerts, Alert{Kind: AlertLowRating, Recipient: openid, Payload: map[string]string{
				"activityId": act.ID, "activityTitle": act.Title, "venueId": act.VenueID,
				"score": fmt.Sprint(r.Score), "comment": r.Comment, "ratingId": r.ID,
			}})
		}
	}
	if err := s.Store.AddRating(ctx, r, alerts); err != nil {
		return Rating{}, fmt.Errorf("rate %s: %w", activityID, err)
	}
	return r, nil
}

// recipients returns the staff of the deepest district of path that has any (at most
// maxRecipients, the first of them the owner of what they are told about), or
// RecipientAdmins when nobody in the chain is assigned.
func (s *Service) recipients(ctx context.Context, path string) (to []string, owner string, err error) {
	ids := strings.Split(path, "/")
	for i := len(ids) - 1; i >= 0 && path != ""; i-- {
		staff, err := s.Staff.ScopedTo(ctx, ids[i])
		if err != nil {
			return nil, "", err
		}
		if len(staff) > 0 {
			slices.Sort(staff)
			staff = staff[:min(len(staff), maxRecipients)]
			return staff, staff[0], nil
		}
	}
	return []string{RecipientAdmins}, "", nil
}

// Satisfaction returns the published satisfaction of subject in period. It returns
// ErrSubjectInvalid or ErrPeriodInvalid.
func (s *Service) Satisfaction(ctx context.Context, subject, period string) (Satisfaction, error) {
	if !ValidSubject(subject) {
		return Satisfaction{}, ErrSubjectInvalid
	}
	if !ValidPeriod(period) {
		return Satisfaction{}, ErrPeriodInvalid
	}
	t, err := s.Store.Tally(ctx, subject, period)
	if err != nil {
		return Satisfaction{}, fmt.Errorf("satisfaction of %s: %w", subject, err)
	}
	return t.Satisfaction(subject, period), nil
}

// File opens a ticket for its author: about t.VenueID, else t.DistrictID, else the city.
// Its owner is the first staff member of the deepest district in its chain that has
// staff, who are alerted. It returns ErrTicketInvalid, or a not-found error for an
// unknown venue or district, or input's refusal of text with control characters.
func (s *Service) File(ctx context.Context, t Ticket) (Ticket, error) {
	if err := input.Long("", t.Text, 0); err != nil {
		return Ticket{}, err // the chat files what residents type without web.Decode's check
	}
	t.ID, t.Status, t.CreatedAt = s.NewID(), TicketOpen, s.Now()
	t.DueAt = t.CreatedAt.Add(ResponseTime)
	if s.Serial != nil {
		n, err := s.Serial(ctx, "feedback-"+t.CreatedAt.In(beijing.Zone).Format("20060102"))
		if err != nil {
			return Ticket{}, fmt.Errorf("file feedback: %w", err)
		}
		t.ID = Reference(t.CreatedAt, n)
	}
	t.Text = strings.TrimSpace(t.Text)
	if t.Category == "" {
		t.Category = "suggestion"
	}
	if t.Source == "" {
		t.Source = "h5"
	}
	switch {
	case t.VenueID != "":
		v, err := s.Places.Venue(ctx, t.VenueID)
		if err != nil {
			return Ticket{}, fmt.Errorf("file feedback: %w", err)
		}
		t.DistrictID, t.DistrictPath = v.DistrictID, v.DistrictPath
	default:
		d, err := directory.DistrictOrCity(ctx, s.Places, t.DistrictID)
		if err != nil {
			return Ticket{}, fmt.Errorf("file feedback: %w", err)
		}
		t.DistrictID, t.DistrictPath = d.ID, d.Path
	}
	if err := t.Validate(); err != nil {
		return Ticket{}, err
	}
	to, owner, err := s.recipients(ctx, t.DistrictPath)
	if err != nil {
		return Ticket{}, fmt.Errorf("file feedback: %w", err)
	}
	t.Owner = owner
	var alerts []Alert
	for _, openid := range to {
		alerts = append(alerts, Alert{Kind: AlertFeedbackTicket, Recipient: openid, Payload: map[string]string{
			"ticketId": t.ID, "category": CategoryTexts[t.Category], "districtId": t.DistrictID, "venueId": t.VenueID,
			"dueAt": beijing.RFC3339(t.DueAt), "due": beijing.Minute(t.DueAt), "owner": fmt.Sprint(openid == owner),
		}})
	}
	if err := s.Store.AddTicket(ctx, t, alerts); err != nil {
		return Ticket{}, fmt.Errorf("file feedback: %w", err)
	}
	return t, nil
}

// Mine returns the tickets of the signed-in person.
func (s *Service) Mine(ctx context.Context, c auth.Claims) ([]Ticket, error) {
	return s.Store.TicketsOf(ctx, c.OpenID)
}

// Open returns the open tickets the staff member may answer: all for admins, those of
// their district's subtree for staff and coordinators.
func (s *Service) Open(ctx context.Context, c auth.Claims) ([]Ticket, error) {
	all, err := s.Store.OpenTickets(ctx)
	if err != nil {
		return nil, fmt.Errorf("open feedback: %w", err)
	}
	scope, everywhere, err := s.Guard.Scope(ctx, c)
	if err != nil {
		return nil, err
	}
	out := []Ticket{}
	for _, t := range all {
		if everywhere || access.Within(t.DistrictPath, scope) {
			out = append(out, t)
		}
	}
	return out, nil
}

// Reply answers an open ticket as the staff member c; the reply reaches the resident as
// a WeChat customer-service message. It returns ErrReplyInvalid, ErrTicketNotFound,
// directory.ErrOutOfScope or ErrTicketClosed.
func (s *Service) Reply(ctx context.Context, c auth.Claims, id, text string) (Ticket, error) {
	text = strings.TrimSpace(text)
	if err := ValidReply(text); err != nil {
		return Ticket{}, err
	}
	t, err := s.Store.Ticket(ctx, id)
	if err != nil {
		return Ticket{}, fmt.Errorf("reply to %s: %w", id, err)
	}
	if t.Status != TicketOpen {
		return Ticket{}, ErrTicketClosed
	}
	now := s.Now()
	notice := Alert{Kind: AlertFeedbackReply, Recipient: t.OpenID, Payload: map[string]string{
		"ticketId": t.ID, "reply": text,
	}}
	if err := s.Store.Answer(ctx, id, text, now, notice); err != nil {
		return Ticket{}, fmt.Errorf("reply to %s: %w", id, err)
	}
	t.Status, t.Reply, t.RepliedAt = TicketAnswered, text, now
	return t, nil
}

// EscalateOverdue alerts the admins and each ticket's owner, once, about the open tickets
// past their deadline at now; it returns how many it escalated. It is the scheduler's
// job: running it twice for the same minute escalates nothing twice.
func (s *Service) EscalateOverdue(ctx context.Context, now time.Time) (int, error) {
	late, err := s.Store.Overdue(ctx, now)
	if err != nil {
		return 0, fmt.Errorf("escalate overdue feedback: %w", err)
	}
	n := 0
	for _, t := range late {
		payload := map[string]string{"ticketId": t.ID, "districtId": t.DistrictID, "dueAt": beijing.RFC3339(t.DueAt), "due": beijing.Minute(t.DueAt)}
		alerts := []Alert{{Kind: AlertFeedbackLate, Recipient: RecipientAdmins, Payload: payload}}
		if t.Owner != "" {
			alerts = append(alerts, Alert{Kind: AlertFeedbackLate, Recipient: t.Owner, Payload: payload})
		}
		done, err := s.Store.Escalate(ctx, t.ID, now, alerts)
		if err != nil {
			return n, fmt.Errorf("escalate feedback %s: %w", t.ID, err)
		}
		if done {
			n++
		}
	}
	return n, nil
}
