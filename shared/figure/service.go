package figure

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/directory"
)

// Store keeps calls, applications, panel scores and figures.
type Store interface {
	// CreateCall writes a new call; ErrCallExists when the year has one.
	CreateCall(ctx context.Context, c Call) error
	// Call returns a year's call, or ErrCallNotFound.
	Call(ctx context.Context, year int) (Call, error)
	// AddApplication writes an application; ErrAlreadyApplied when its author has
	// applied in that year.
	AddApplication(ctx context.Context, a Application) error
	// Application returns one application, or ErrApplicationUnknown.
	Application(ctx context.Context, id string) (Application, error)
	// Applications returns a year's applications, the earliest first.
	Applications(ctx context.Context, year int) ([]Application, error)
	// PutScore records (or replaces) a panel member's scores of an application.
	PutScore(ctx context.Context, applicationID, openid string, scores map[string]int) error
	// Scores returns the panel's scores of an application.
	Scores(ctx context.Context, applicationID string) ([]map[string]int, error)
	// Select records the call's ranking and writes the selected figures, in one
	// transaction; ErrAlreadySelected when the year was selected already.
	Select(ctx context.Context, c Call, figures []Figure) error
	// Figures returns the figures of a district's subtree.
	Figures(ctx context.Context, path string) ([]Figure, error)
	// Figure returns one figure, or ErrFigureNotFound.
	Figure(ctx context.Context, id string) (Figure, error)
	// SaveFigure writes the figure if unchanged since before; ErrFigureChanged if not.
	SaveFigure(ctx context.Context, before, after Figure) error
}

// Places finds districts (the directory).
type Places = directory.Finder

// Service runs the yearly selection and the figures database.
type Service struct {
	Store  Store
	Places Places
	Now    func() time.Time
	NewID  func() string
}

// OpenCall publishes a year's call for applications with its panel. It returns
// ErrCallInvalid or ErrCallExists.
func (s *Service) OpenCall(ctx context.Context, c Call) (Call, error) {
	c.Panel = slices.Compact(slices.Sorted(slices.Values(c.Panel)))
	c.PanelSize, c.SelectedAt, c.Ranking = len(c.Panel), time.Time{}, nil
	if err := c.Validate(); err != nil {
		return Call{}, err
	}
	if err := s.Store.CreateCall(ctx, c); err != nil {
		return Call{}, fmt.Errorf("open call %d: %w", c.Year, err)
	}
	return c, nil
}

// Apply files the signed-in person's application in a year's open call. It returns
// ErrCallNotFound, ErrCallClosed, ErrApplicationInvalid, a not-found error for the
// district, or ErrAlreadyApplied.
func (s *Service) Apply(ctx context.Context, c auth.Claims, a Application) (Application, error) {
	call, err := s.Store.Call(ctx, a.Year)
	if err != nil {
		return Application{}, err
	}
	now := s.Now()
	if !call.Open(now) {
		return Application{}, ErrCallClosed
	}
	a.ID, a.OpenID, a.SubmittedAt, a.Name = s.NewID(), c.OpenID, now, strings.TrimSpace(a.Name)
	if err := a.Validate(); err != nil {
		return Application{}, err
	}
	d, err := s.Places.District(ctx, a.DistrictID)
	if err != nil {
		return Application{}, fmt.Errorf("apply: %w", err)
	}
	a.DistrictPath = d.Path
	if err := s.Store.AddApplication(ctx, a); err != nil {
		return Application{}, fmt.Errorf("apply: %w", err)
	}
	return a, nil
}

// PanelMember returns nil when c sits on the panel of year's call: ErrCallNotFound or
// ErrNotPanel otherwise.
func (s *Service) PanelMember(ctx context.Context, c auth.Claims, year int) error {
	call, err := s.Store.Call(ctx, year)
	if err != nil {
		return err
	}
	if !slices.Contains(call.Panel, c.OpenID) {
		return ErrNotPanel
	}
	return nil
}

// ApplicationPanelMember returns nil when c sits on the panel of the call application
// id was made to: ErrApplicationUnknown, ErrCallNotFound or ErrNotPanel otherwise.
func (s *Service) ApplicationPanelMember(ctx context.Context, c auth.Claims, id string) error {
	a, err := s.Store.Application(ctx, id)
	if err != nil {
		return err
	}
	return s.PanelMember(ctx, c, a.Year)
}

// Applications returns a year's applications (its panel's and admins' route). It
// returns ErrCallNotFound.
func (s *Service) Applications(ctx context.Context, year int) ([]Application, error) {
	if _, err := s.Store.Call(ctx, year); err != nil {
		return nil, err
	}
	return s.Store.Applications(ctx, year)
}

// Score records a panel member's scores of an application, between the call's close and
// its selection. It returns ErrApplicationUnknown, ErrNotPanel, ErrCallOpen,
// ErrAlreadySelected or ErrScoresInvalid.
func (s *Service) Score(ctx context.Context, c auth.Claims, id string, scores map[string]int) (int, error) {
	a, err := s.Store.Application(ctx, id)
	if err != nil {
		return 0, err
	}
	call, err := s.Store.Call(ctx, a.Year)
	if err != nil {
		return 0, err
	}
	if !slices.Contains(call.Panel, c.OpenID) {
		return 0, ErrNotPanel
	}
	if err := s.scorable(call); err != nil {
		return 0, err
	}
	total, err := Total(scores)
	if err != nil {
		return 0, err
	}
	if err := s.Store.PutScore(ctx, id, c.OpenID, scores); err != nil {
		return 0, fmt.Errorf("score %s: %w", id, err)
	}
	return total, nil
}

func (s *Service) scorable(call Call) error {
	switch {
	case !call.SelectedAt.IsZero():
		return ErrAlreadySelected
	case s.Now().Before(call.ClosesAt):
		return ErrCallOpen
	}
	return nil
}

// Select ranks a closed year's applications by the panel's scores (Rank) and makes
// the top TopN figures. It returns ErrCallNotFound, ErrCallOpen or ErrAlreadySelected.
func (s *Service) Select(ctx context.Context, c auth.Claims, year int) (Call, error) {
	call, err := s.Store.Call(ctx, year)
	if err != nil {
		return Call{}, err
	}
	if err := s.scorable(call); err != nil {
		return Call{}, err
	}
	apps, err := s.Store.Applications(ctx, year)
	if err != nil {
		return Call{}, fmt.Errorf("select %d: %w", year, err)
	}
	scores := map[string][]map[string]int{}
	byID := map[string]Application{}
	for _, a := range apps {
		byID[a.ID] = a
		if scores[a.ID], err = s.Store.Scores(ctx, a.ID); err != nil {
			return Call{}, fmt.Errorf("select %d: %w", year, err)
		}
	}
	now := s.Now()
	call.Ranking, call.SelectedAt = Rank(apps, scores), now
	var figures []Figure
	for _, r := range call.Ranking {
		if r.Selected {
			figures = append(figures, NewFigure(byID[r.ApplicationID], r, now, c.OpenID))
		}
	}
	if err := s.Store.Select(ctx, call, figures); err != nil {
		return Call{}, fmt.Errorf("select %d: %w", year, err)
	}
	return call, nil
}

// PublicCall is a call as everyone sees it: its window, criteria and, once selected, the
// names of the selected.
type PublicCall struct {
	Year       int         `json:"year"`
	OpensAt    time.Time   `json:"opensAt"`
	ClosesAt   time.Time   `json:"closesAt"`
	Open       bool        `json:"open"`
	Criteria   []Criterion `json:"criteria"`
	SelectedAt time.Time   `json:"selectedAt,omitzero"`
	Selected   []Ranked    `json:"selected"`
}

// Call returns a year's call as the public sees it.
func (s *Service) Call(ctx context.Context, year int) (PublicCall, error) {
	call, err := s.Store.Call(ctx, year)
	if err != nil {
		return PublicCall{}, err
	}
	p := PublicCall{Year: call.Year, OpensAt: call.OpensAt, ClosesAt: call.ClosesAt, Open: call.Open(s.Now()),
		Criteria: Criteria, SelectedAt: call.SelectedAt, Selected: []Ranked{}}
	for _, r := range call.Ranking {
		if r.Selected {
			p.Selected = append(p.Selected, r)
		}
	}
	return p, nil
}

// Search returns the public figures of a district's subtree (default the city), of one
// discipline when given, the latest year first, then by rank.
func (s *Service) Search(ctx context.Context, districtID, discipline string) ([]Figure, error) {
	return directory.Subtree(ctx, s.Places, districtID, s.Store.Figures,
		func(f Figure) bool { return f.Public() && (discipline == "" || f.Discipline == discipline) },
		func(a, b Figure) int {
			return cmp.Or(cmp.Compare(b.Year, a.Year), cmp.Compare(a.Rank, b.Rank), cmp.Compare(a.ID, b.ID))
		})
}

// Profile returns a public figure, or ErrFigureNotFound (revoked figures are not public).
func (s *Service) Profile(ctx context.Context, id string) (Figure, error) {
	f, err := s.Store.Figure(ctx, id)
	if err != nil {
		return Figure{}, err
	}
	if !f.Public() {
		return Figure{}, ErrFigureNotFound
	}
	return f, nil
}

// Due returns the figures whose periodic review is due, the most overdue first.
func (s *Service) Due(ctx context.Context) ([]Figure, error) {
	all, err := s.Search(ctx, "", "")
	if err != nil {
		return nil, err
	}
	now := s.Now()
	out := []Figure{}
	for _, f := range all {
		if f.Due(now) {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b Figure) int { return a.NextReviewAt.Compare(b.NextReviewAt) })
	return out, nil
}

// SetStatus changes a figure's status with a reason, kept in its history. It returns
// ErrFigureNotFound, ErrStatusInvalid or ErrFigureChanged.
func (s *Service) SetStatus(ctx context.Context, c auth.Claims, id, status, reason string) (Figure, error) {
	f, err := s.Store.Figure(ctx, id)
	if err != nil {
		return Figure{}, err
	}
	after, err := f.SetStatus(status, reason, c.OpenID, s.Now())
	if err != nil {
		return Figure{}, err
	}
	after.Version = f.Version + 1
	if err := s.Store.SaveFigure(ctx, f, after); err != nil {
		return Figure{}, fmt.Errorf("set status of %s: %w", id, err)
	}
	return after, nil
}
