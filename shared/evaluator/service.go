package evaluator

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/evaluation"
)

// Store keeps grants and the access log.
type Store interface {
	// AddGrant writes a new grant and gives its holder the evaluator role, in one
	// transaction.
	AddGrant(ctx context.Context, g Grant) error
	// Grant returns one grant, or ErrGrantNotFound.
	Grant(ctx context.Context, id string) (Grant, error)
	// GrantsOf returns a person's grants.
	GrantsOf(ctx context.Context, openid string) ([]Grant, error)
	// Grants returns every grant, the newest first.
	Grants(ctx context.Context) ([]Grant, error)
	// Revoke ends a grant at at; ErrGrantRevoked when it was revoked already.
	Revoke(ctx context.Context, id string, at time.Time, by string) error
	// LogAccess records an access.
	LogAccess(ctx context.Context, a Access) error
	// Accesses returns the accesses of a month ("2026-11"), the newest first.
	Accesses(ctx context.Context, month string) ([]Access, error)
}

// Data reads what the exports are made of.
type Data interface {
	// Index returns the district tree and the venues.
	Index(ctx context.Context) (directory.Index, error)
	// Sessions returns the slots (not cancelled) starting in [from, to).
	Sessions(ctx context.Context, from, to time.Time) ([]booking.Slot, error)
	// Activities returns the activities of ids.
	Activities(ctx context.Context, ids []string) (map[string]booking.Activity, error)
	// Bookings returns a slot's bookings.
	Bookings(ctx context.Context, slotID string) ([]booking.Booking, error)
	// Ratings returns an activity's ratings.
	Ratings(ctx context.Context, activityID string) ([]evaluation.Rating, error)
	// Tickets returns the feedback tickets filed in [from, to).
	Tickets(ctx context.Context, from, to time.Time) ([]evaluation.Ticket, error)
}

// Service grants evaluators access, makes their exports and logs their reads.
type Service struct {
	Store  Store
	Data   Data
	Places interface {
		District(ctx context.Context, id string) (directory.District, error)
	}
	Now   func() time.Time
	NewID func() string
}

var _ access.Grants = (*Service)(nil)

// Grant records a grant made by an admin. It returns ErrGrantInvalid, or a not-found
// error for a district.
func (s *Service) Grant(ctx context.Context, c auth.Claims, g Grant) (Grant, error) {
	g.Name, g.Organisation, g.OpenID = strings.TrimSpace(g.Name), strings.TrimSpace(g.Organisation), strings.TrimSpace(g.OpenID)
	g.Districts = slices.Compact(slices.Sorted(slices.Values(g.Districts)))
	if err := g.Validate(); err != nil {
		return Grant{}, err
	}
	g.Paths = nil
	for _, id := range g.Districts {
		d, err := s.Places.District(ctx, id)
		if err != nil {
			return Grant{}, err
		}
		g.Paths = append(g.Paths, d.Path)
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return Grant{}, fmt.Errorf("grant: %w", err)
	}
	g.ID, g.Secret, g.By, g.CreatedAt = s.NewID(), hex.EncodeToString(secret), c.OpenID, s.Now()
	g.RevokedAt, g.RevokedBy = time.Time{}, ""
	if err := s.Store.AddGrant(ctx, g); err != nil {
		return Grant{}, fmt.Errorf("grant: %w", err)
	}
	return g, nil
}

// Revoke ends a grant now. It returns ErrGrantNotFound or ErrGrantRevoked.
func (s *Service) Revoke(ctx context.Context, c auth.Claims, id string) (Grant, error) {
	g, err := s.Store.Grant(ctx, id)
	if err != nil {
		return Grant{}, err
	}
	if !g.RevokedAt.IsZero() {
		return Grant{}, ErrGrantRevoked
	}
	now := s.Now()
	if err := s.Store.Revoke(ctx, id, now, c.OpenID); err != nil {
		return Grant{}, fmt.Errorf("revoke grant %s: %w", id, err)
	}
	g.RevokedAt, g.RevokedBy = now, c.OpenID
	return g, nil
}

// Current returns openid's grants current now.
func (s *Service) Current(ctx context.Context, openid string) ([]Grant, error) {
	all, err := s.Store.GrantsOf(ctx, openid)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	out := []Grant{}
	for _, g := range all {
		if g.Current(now) {
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b Grant) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// Granted returns the paths of the districts openid may evaluate now (access.Grants).
func (s *Service) Granted(ctx context.Context, openid string) ([]string, error) {
	gs, err := s.Current(ctx, openid)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, g := range gs {
		out = append(out, g.Paths...)
	}
	return out, nil
}

// Window parses an export's dates (YYYY-MM-DD, Beijing time; to inclusive) into
// [from, to): by default this year up to today. It returns ErrWindowInvalid.
func Window(fromDay, toDay string, now time.Time) (from, to time.Time, err error) {
	today := now.In(beijing.Zone)
	from = time.Date(today.Year(), 1, 1, 0, 0, 0, 0, beijing.Zone)
	to = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, beijing.Zone).AddDate(0, 0, 1)
	if fromDay != "" {
		if from, err = time.ParseInLocation("2006-01-02", fromDay, beijing.Zone); err != nil {
			return from, to, ErrWindowInvalid
		}
	}
	if toDay != "" {
		t, err := time.ParseInLocation("2006-01-02", toDay, beijing.Zone)
		if err != nil {
			return from, to, ErrWindowInvalid
		}
		to = t.AddDate(0, 0, 1)
	}
	if !from.Before(to) || to.Sub(from) > 366*24*time.Hour {
		return from, to, ErrWindowInvalid
	}
	return from, to, nil
}

// Request is what an evaluator asks to export.
type Request struct {
	Dataset    string
	DistrictID string
	From, To   string // YYYY-MM-DD; empty: this year up to today
	Format     string // "json" or "csv"
}

// Export makes the de-identified export an evaluator (or an admin) asked for, for the
// subtree of a district their current grant covers (the route's rule checked it), and
// logs the access before returning it: an access that cannot be logged is not served.
// It returns ErrDatasetUnknown, ErrWindowInvalid, ErrFormatInvalid, ErrDistrictNeeded, a
// not-found error for the district, or access.ErrOutOfGrant.
func (s *Service) Export(ctx context.Context, c auth.Claims, req Request) (Export, error) {
	if !slices.Contains(Datasets, req.Dataset) {
		return Export{}, ErrDatasetUnknown
	}
	if req.Format != "json" && req.Format != "csv" {
		return Export{}, ErrFormatInvalid
	}
	if req.DistrictID == "" {
		return Export{}, ErrDistrictNeeded
	}
	now := s.Now()
	from, to, err := Window(req.From, req.To, now)
	if err != nil {
		return Export{}, err
	}
	root, err := s.Places.District(ctx, req.DistrictID)
	if err != nil {
		return Export{}, err
	}
	g, err := s.grantFor(ctx, c, root.Path)
	if err != nil {
		return Export{}, err
	}
	x, err := s.Data.Index(ctx)
	if err != nil {
		return Export{}, err
	}
	e := Export{Dataset: req.Dataset, DistrictID: root.ID, From: from.Format("2006-01-02"),
		To: to.AddDate(0, 0, -1).Format("2006-01-02"), GeneratedAt: now}
	switch req.Dataset {
	case DatasetFeedback:
		tickets, err := s.Data.Tickets(ctx, from, to)
		if err != nil {
			return Export{}, err
		}
		var in []evaluation.Ticket
		for _, t := range tickets {
			if d, ok := x.Place(t.DistrictID, ""); ok && d.Within(root) {
				in = append(in, t)
			}
		}
		e.Columns, e.Rows = feedbackColumns, feedbackRows(g, in, x, now)
	default:
		sessions, err := heldIn(ctx, s.Data, x, root, from, to)
		if err != nil {
			return Export{}, err
		}
		if req.Dataset == DatasetAttendance {
			bookings := map[string][]booking.Booking{}
			for _, ss := range sessions {
				if bookings[ss.slot.ID], err = s.Data.Bookings(ctx, ss.slot.ID); err != nil {
					return Export{}, err
				}
			}
			e.Columns, e.Rows = attendanceColumns, attendanceRows(g, sessions, bookings)
		} else {
			ratings := map[string][]evaluation.Rating{}
			for _, ss := range sessions {
				if _, ok := ratings[ss.activity.ID]; ok {
					continue
				}
				if ratings[ss.activity.ID], err = s.Data.Ratings(ctx, ss.activity.ID); err != nil {
					return Export{}, err
				}
			}
			e.Columns, e.Rows = ratingColumns, ratingRows(g, sessions, ratings, from, to)
		}
	}
	a := Access{ID: s.NewID(), At: now, GrantID: g.ID, OpenID: c.OpenID, Name: g.Name, Organisation: g.Organisation,
		Dataset: req.Dataset, DistrictID: root.ID, From: e.From, To: e.To, Format: req.Format, Rows: len(e.Rows)}
	if err := s.Store.LogAccess(ctx, a); err != nil {
		return Export{}, fmt.Errorf("log access: %w", err)
	}
	return e, nil
}

// grantFor returns the grant under which c reads the district at path: the first (by
// id) of their current grants covering it. An admin reading without one gets an
// admin's pseudonyms (a grant of their own, never stored).
func (s *Service) grantFor(ctx context.Context, c auth.Claims, path string) (Grant, error) {
	gs, err := s.Current(ctx, c.OpenID)
	if err != nil {
		return Grant{}, err
	}
	for _, g := range gs {
		if g.Covers(path) {
			return g, nil
		}
	}
	if c.Has(auth.RoleAdmin) {
		secret := make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return Grant{}, err
		}
		return Grant{ID: "admin", Name: "管理员", Organisation: "株洲市文化主管部门", Secret: hex.EncodeToString(secret)}, nil
	}
	return Grant{}, access.ErrOutOfGrant
}

// heldIn returns the slots of [from, to) held in root's subtree, with their places, by
// start.
func heldIn(ctx context.Context, data Data, x directory.Index, root directory.District, from, to time.Time) ([]session, error) {
	slots, err := data.Sessions(ctx, from, to)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(slots))
	for i, sl := range slots {
		ids[i] = sl.ActivityID
	}
	acts, err := data.Activities(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []session
	for _, sl := range slots {
		a, ok := acts[sl.ActivityID]
		if !ok {
			continue
		}
		d, ok := x.Place(a.DistrictID, a.VenueID)
		if !ok || !d.Within(root) {
			continue
		}
		out = append(out, session{slot: sl, activity: a, district: d, venue: x.Venues[a.VenueID]})
	}
	slices.SortStableFunc(out, func(a, b session) int {
		return cmp.Or(a.slot.StartsAt.Compare(b.slot.StartsAt), cmp.Compare(a.slot.ID, b.slot.ID))
	})
	return out, nil
}

// Log returns the accesses of a month ("YYYY-MM"; default this month), the newest first.
func (s *Service) Log(ctx context.Context, month string) ([]Access, error) {
	if month == "" {
		month = evaluation.Period(s.Now())
	}
	if len(month) != 7 || !evaluation.ValidPeriod(month) {
		return nil, evaluation.ErrPeriodInvalid
	}
	return s.Store.Accesses(ctx, month)
}

// DatasetSurvey names a survey's results in the access log.
const DatasetSurvey = "survey"

// SurveyResults returns a survey's results to an admin or to an evaluator whose current
// grants cover every district it samples (the route's rule checked it), logging an
// evaluator's read (under the grant covering its first district) before returning it.
func (s *Service) SurveyResults(ctx context.Context, c auth.Claims, surveys *Surveys, id string) (Results, error) {
	res, err := surveys.Results(ctx, id)
	if err != nil {
		return Results{}, err
	}
	sv := res.Survey
	if c.Has(auth.RoleAdmin) || len(sv.Paths) == 0 {
		return res, nil
	}
	g, err := s.grantFor(ctx, c, sv.Paths[0])
	if err != nil {
		return Results{}, err
	}
	a := Access{ID: s.NewID(), At: s.Now(), GrantID: g.ID, OpenID: c.OpenID, Name: g.Name, Organisation: g.Organisation,
		Dataset: DatasetSurvey, DistrictID: strings.Join(sv.Districts, ","), From: sv.FrameFrom.In(beijing.Zone).Format(time.DateOnly),
		To: sv.FrameTo.In(beijing.Zone).AddDate(0, 0, -1).Format(time.DateOnly), Format: "json", Rows: surveyRows(res)}
	if err := s.Store.LogAccess(ctx, a); err != nil {
		return Results{}, fmt.Errorf("log access: %w", err)
	}
	return res, nil
}

// surveyRows is how many responses the results are made of.
func surveyRows(res Results) int {
	n := 0
	for _, st := range res.Strata {
		n += st.Responses
	}
	return n
}
