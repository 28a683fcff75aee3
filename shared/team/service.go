package team

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/directory"
)

// Store keeps teams and the maintained counts of approved teams per district.
type Store interface {
	// Create writes a new team.
	Create(ctx context.Context, t Team) error
	// Team returns one team, or ErrTeamNotFound.
	Team(ctx context.Context, id string) (Team, error)
	// Under returns the teams of a district's subtree (every status).
	Under(ctx context.Context, path string) ([]Team, error)
	// Approve saves the approved team (which was pending at before.Version) and counts
	// it in every district of its path, in one transaction; ErrTeamChanged when it
	// changed meanwhile.
	Approve(ctx context.Context, before, after Team) error
	// SaveRating saves the re-rated team (unchanged since before.Version) and moves it
	// between the star counts of every district of its path, in one transaction;
	// ErrTeamChanged when it changed meanwhile.
	SaveRating(ctx context.Context, before, after Team) error
	// Counts returns the counts of a district's subtree.
	Counts(ctx context.Context, districtID string) (Counts, error)
}

// Places finds districts and venues (the directory).
type Places interface {
	directory.Finder
	Venue(ctx context.Context, id string) (directory.Venue, error)
}

// Service runs the team directory.
type Service struct {
	Store  Store
	Places Places
	Guard  access.Guard
	Now    func() time.Time
	NewID  func() string
}

// Register records a team for approval, with the signed-in person as its leader. It
// returns ErrTeamInvalid, or a not-found error for its district or rehearsal venue.
func (s *Service) Register(ctx context.Context, c auth.Claims, t Team) (Team, error) {
	t.ID, t.Status, t.CreatedAt, t.Stars, t.History = s.NewID(), StatusPending, s.Now(), 0, []Rating{}
	t.Name, t.Leader.Name, t.Leader.OpenID = strings.TrimSpace(t.Name), strings.TrimSpace(t.Leader.Name), c.OpenID
	t.RatedAt, t.NextReviewAt, t.ApprovedAt, t.Version = time.Time{}, time.Time{}, time.Time{}, 0
	if err := t.Validate(); err != nil {
		return Team{}, err
	}
	d, err := s.Places.District(ctx, t.DistrictID)
	if err != nil {
		return Team{}, fmt.Errorf("register team: %w", err)
	}
	t.DistrictPath = d.Path
	if t.RehearsalVenueID != "" {
		if _, err := s.Places.Venue(ctx, t.RehearsalVenueID); err != nil {
			return Team{}, fmt.Errorf("register team: %w", err)
		}
	}
	if err := s.Store.Create(ctx, t); err != nil {
		return Team{}, fmt.Errorf("register team: %w", err)
	}
	return t, nil
}

// Filter narrows the public directory.
type Filter struct {
	DistrictID string // default: the whole city
	Category   string
	MinStars   int
}

// Directory returns the approved teams matching f, best rated first, then by name.
func (s *Service) Directory(ctx context.Context, f Filter) ([]Team, error) {
	return directory.Subtree(ctx, s.Places, f.DistrictID, s.Store.Under,
		func(t Team) bool {
			return t.Status == StatusApproved && (f.Category == "" || t.Category == f.Category) && t.Stars >= f.MinStars
		},
		func(a, b Team) int {
			return cmp.Or(cmp.Compare(b.Stars, a.Stars), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
		})
}

// Public returns an approved team, or ErrTeamNotFound (pending teams are not public).
func (s *Service) Public(ctx context.Context, id string) (Team, error) {
	t, err := s.Store.Team(ctx, id)
	if err != nil {
		return Team{}, err
	}
	if t.Status != StatusApproved {
		return Team{}, ErrTeamNotFound
	}
	return t, nil
}

// Stats are the approved teams of a district's subtree against the city's target.
type Stats struct {
	DistrictID string `json:"districtId"`
	Counts
	Rated      int     `json:"rated"`
	CityTarget int     `json:"cityTarget"`
	Percent    float64 `json:"percentOfCityTarget"`
}

// Stats returns the counts of a district's subtree (the city by default).
func (s *Service) Stats(ctx context.Context, districtID string) (Stats, error) {
	root, err := directory.DistrictOrCity(ctx, s.Places, districtID)
	if err != nil {
		return Stats{}, err
	}
	c, err := s.Store.Counts(ctx, root.ID)
	if err != nil {
		return Stats{}, fmt.Errorf("team stats: %w", err)
	}
	st := Stats{DistrictID: root.ID, Counts: c, CityTarget: Target}
	for _, n := range c.Stars {
		st.Rated += n
	}
	st.Percent = float64(c.Approved*1000/Target) / 10
	return st, nil
}

// Review lists the teams of the staff member's district awaiting them: "pending" (to
// approve), "due" (to rate or re-rate), or every team for "".
func (s *Service) Review(ctx context.Context, c auth.Claims, which string) ([]Team, error) {
	scope, everywhere, err := s.Guard.Scope(ctx, c)
	if err != nil {
		return nil, err
	}
	if everywhere {
		root, err := directory.DistrictOrCity(ctx, s.Places, "")
		if err != nil {
			return nil, err
		}
		scope = root.Path
	}
	all, err := s.Store.Under(ctx, scope)
	if err != nil {
		return nil, fmt.Errorf("teams to review: %w", err)
	}
	now := s.Now()
	out := []Team{}
	for _, t := range all {
		if which == "" || which == "pending" && t.Status == StatusPending || which == "due" && t.Due(now) {
			out = append(out, t)
		}
	}
	return out, nil
}

// Approve approves a pending team of the staff member's district. It returns
// ErrTeamNotFound, directory.ErrOutOfScope, ErrNotPending or ErrTeamChanged.
func (s *Service) Approve(ctx context.Context, c auth.Claims, id string) (Team, error) {
	t, err := s.Store.Team(ctx, id)
	if err != nil {
		return Team{}, err
	}
	if t.Status != StatusPending {
		return Team{}, ErrNotPending
	}
	after := t
	after.Status, after.ApprovedAt, after.Version = StatusApproved, s.Now(), t.Version+1
	if err := s.Store.Approve(ctx, t, after); err != nil {
		return Team{}, fmt.Errorf("approve team %s: %w", id, err)
	}
	return after, nil
}

// Rate rates (or re-rates) an approved team of the staff member's district from scores
// against Criteria. It returns ErrTeamNotFound, directory.ErrOutOfScope,
// ErrNotApproved, ErrRatingNotDue, ErrScoresInvalid or ErrTeamChanged.
func (s *Service) Rate(ctx context.Context, c auth.Claims, id string, scores map[string]int) (Team, error) {
	t, err := s.Store.Team(ctx, id)
	if err != nil {
		return Team{}, err
	}
	after, err := t.Rate(scores, c.OpenID, s.Now())
	if err != nil {
		return Team{}, err
	}
	after.Version = t.Version + 1
	if err := s.Store.SaveRating(ctx, t, after); err != nil {
		return Team{}, fmt.Errorf("rate team %s: %w", id, err)
	}
	return after, nil
}
