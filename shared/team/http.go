package team

import (
	"context"
	"net/http"
	"slices"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/input"

	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/web"
)

// Errors of the routes' query parameters.
var (
	ErrCategoryInvalid = fault.New(fault.Invalid, "category_invalid", "未知的团队类别")
	ErrStarsInvalid    = fault.New(fault.Invalid, "stars_invalid", "星级应为 1 到 5")
	ErrReviewInvalid   = fault.New(fault.Invalid, "status_invalid", "筛选条件无效：应为待审核或待评星")
)

// Routes adds the team directory's routes to rt (docs/api.md):
//
//	POST /api/v1/teams                        register a team (signed in; pending)
//	GET  /api/v1/teams                        the public directory (?district=&category=&minStars=)
//	GET  /api/v1/teams/stats                  approved teams against the target (?district=)
//	GET  /api/v1/teams/{id}                   one approved team with its rating history
//	GET  /api/v1/teams/criteria               the published rating criteria
//	GET  /api/v1/admin/teams                  teams to review in one's district (?status=pending|due)
//	POST /api/v1/admin/teams/{id}/approve     approve (staff of the district)
//	POST /api/v1/admin/teams/{id}/ratings     rate or re-rate {"scores": {…}} (staff)
//
// Staff review, approve and rate the teams of their district.
func Routes(rt *web.Router, s *Service) {
	h := &handler{s: s}
	rt.Handle("POST /api/v1/teams", access.Resident, h.register)
	rt.Handle("GET /api/v1/teams", access.Public, h.directory)
	rt.Handle("GET /api/v1/teams/stats", access.Public, h.stats)
	rt.Handle("GET /api/v1/teams/criteria", access.Public, h.criteria)
	rt.Handle("GET /api/v1/teams/{id}", access.Public, h.team)
	rt.Handle("GET /api/v1/admin/teams", access.OwnScope, h.review)
	rt.Handle("POST /api/v1/admin/teams/{id}/approve", access.Staff(h.target), h.approve)
	rt.Handle("POST /api/v1/admin/teams/{id}/ratings", access.Staff(h.target), h.rate)
}

// target is the district of a team (access.Target).
func (h *handler) target(r *http.Request) ([]string, error) {
	return h.s.TeamScope(r.Context(), r.PathValue("id"))
}

// TeamScope returns the district of a team, which staff approving or rating it must
// look after. Errors: ErrTeamNotFound.
func (s *Service) TeamScope(ctx context.Context, id string) ([]string, error) {
	t, err := s.Store.Team(ctx, id)
	if err != nil {
		return nil, err
	}
	return []string{t.DistrictPath}, nil
}

type handler struct{ s *Service }

func (h *handler) register(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name             string `json:"name"`
		Category         string `json:"category"`
		DistrictID       string `json:"districtId"`
		LeaderName       string `json:"leaderName"`
		LeaderPhone      string `json:"leaderPhone"`
		MemberCount      int    `json:"memberCount"`
		RehearsalVenueID string `json:"rehearsalVenueId"`
		Description      string `json:"description" input:"long"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	c := web.Caller(r)
	t, err := h.s.Register(r.Context(), c, Team{Name: req.Name, Category: req.Category, DistrictID: req.DistrictID,
		Leader: Leader{Name: req.LeaderName, Phone: req.LeaderPhone}, MemberCount: req.MemberCount,
		RehearsalVenueID: req.RehearsalVenueID, Description: req.Description})
	web.Answer(w, r, http.StatusCreated, t, err)
}

func (h *handler) directory(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := Filter{DistrictID: q.Get("district"), Category: q.Get("category")}
	if f.Category != "" && !slices.Contains(Categories, f.Category) {
		web.Error(w, r, ErrCategoryInvalid)
		return
	}
	var err error
	if f.MinStars, err = input.Int(q.Get("minStars"), 0, 1, 5, ErrStarsInvalid); err != nil {
		web.Error(w, r, err)
		return
	}
	ts, err := h.s.Directory(r.Context(), f)
	web.Answer(w, r, http.StatusOK, map[string][]Team{"teams": ts}, err)
}

func (h *handler) stats(w http.ResponseWriter, r *http.Request) {
	st, err := h.s.Stats(r.Context(), r.URL.Query().Get("district"))
	web.Answer(w, r, http.StatusOK, st, err)
}

func (h *handler) criteria(w http.ResponseWriter, r *http.Request) {
	web.JSON(w, http.StatusOK, map[string]any{"criteria": Criteria,
		"stars":               []map[string]int{{"stars": 5, "minTotal": 90}, {"stars": 4, "minTotal": 75}, {"stars": 3, "minTotal": 60}, {"stars": 2, "minTotal": 45}, {"stars": 1, "minTotal": 0}},
		"reviewIntervalYears": ReviewInterval})
}

func (h *handler) team(w http.ResponseWriter, r *http.Request) {
	t, err := h.s.Public(r.Context(), r.PathValue("id"))
	web.Answer(w, r, http.StatusOK, t, err)
}

// staffTeam is a team as the staff reviewing it see it: with its leader's contact.
type staffTeam struct {
	Team
	Leader Leader `json:"leader"`
	Due    bool   `json:"due"`
}

func (h *handler) review(w http.ResponseWriter, r *http.Request) {
	which := r.URL.Query().Get("status")
	if which != "" && which != "pending" && which != "due" {
		web.Error(w, r, ErrReviewInvalid)
		return
	}
	c := web.Caller(r)
	ts, err := h.s.Review(r.Context(), c, which)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	now := h.s.Now()
	out := make([]staffTeam, len(ts))
	for i, t := range ts {
		out[i] = staffTeam{Team: t, Leader: t.Leader, Due: t.Due(now)}
	}
	web.JSON(w, http.StatusOK, map[string][]staffTeam{"teams": out})
}

func (h *handler) approve(w http.ResponseWriter, r *http.Request) {
	c := web.Caller(r)
	t, err := h.s.Approve(r.Context(), c, r.PathValue("id"))
	web.Answer(w, r, http.StatusOK, t, err)
}

func (h *handler) rate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Scores map[string]int `json:"scores"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	c := web.Caller(r)
	t, err := h.s.Rate(r.Context(), c, r.PathValue("id"), req.Scores)
	web.Answer(w, r, http.StatusOK, t, err)
}
