// Package figure is the database of notable cultural figures (文化名家): a yearly call
// for applications, scoring by a panel against published criteria, the selection of the
// year's top ten, and the public profiles of those selected with their status history.
package figure

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/rubric"
)

// TopN is how many figures a year's selection names.
const TopN = 10

// MinScores is the fewest panel scores an application needs to be ranked.
const MinScores = 3

// ReviewInterval is how often a selected figure's status is reviewed.
const ReviewInterval = 3 // years

// Criterion is one published scoring criterion and its maximum points.
type Criterion = rubric.Criterion

// Criteria are the published scoring criteria, in the order ties are broken; their
// maxima add up to 100.
var Criteria = rubric.Rubric{
	{Key: "achievement", Name: "艺术成就与专业水平", Max: 40},
	{Key: "influence", Name: "社会影响与荣誉", Max: 25},
	{Key: "service", Name: "公共文化服务贡献", Max: 20},
	{Key: "inheritance", Name: "传承与人才培养", Max: 15},
}

// Disciplines of the figures.
var Disciplines = []string{
	"literature", "fine_arts", "calligraphy", "music", "dance", "opera", "drama",
	"folk_arts", "photography", "intangible_heritage", "sports", "other",
}

// Statuses of a selected figure.
const (
	StatusActive   = "active"
	StatusHonorary = "honorary"
	StatusRevoked  = "revoked"
	StatusDeceased = "deceased"
)

// StatusTexts is the one Chinese word for each figure status (docs/glossary.md).
var StatusTexts = map[string]string{StatusActive: "有效", StatusHonorary: "荣誉", StatusRevoked: "已撤销", StatusDeceased: "已故"}

// Statuses lists the statuses a figure may be given.
var Statuses = []string{StatusActive, StatusHonorary, StatusRevoked, StatusDeceased}

// Errors of the figures database.
var (
	ErrCallInvalid        = fault.New(fault.Invalid, "call_invalid", "征集年度或起止时间不正确")
	ErrCallExists         = fault.New(fault.Conflict, "call_exists", "该年度的征集已发布")
	ErrCallNotFound       = fault.New(fault.NotFound, "call_not_found", "找不到该年度的征集")
	ErrCallClosed         = fault.New(fault.Conflict, "call_closed", "不在申报时间内")
	ErrCallOpen           = fault.New(fault.Conflict, "call_still_open", "申报尚未截止，不能评选")
	ErrAlreadySelected    = fault.New(fault.Conflict, "already_selected", "该年度已完成评选")
	ErrApplicationInvalid = fault.New(fault.Invalid, "application_invalid", "申报信息不完整：姓名、门类、所属区划、代表作品")
	ErrAlreadyApplied     = fault.New(fault.Conflict, "already_applied", "本年度您已申报")
	ErrApplicationUnknown = fault.New(fault.NotFound, "application_not_found", "找不到该申报")
	ErrNotPanel           = fault.New(fault.Forbidden, "not_panel_member", "您不是本年度评审委员")
	ErrScoresInvalid      = fault.New(fault.Invalid, "scores_invalid", "请按公布的评分标准逐项打分，每项不超过该项满分")
	ErrFigureNotFound     = fault.New(fault.NotFound, "figure_not_found", "找不到该文化名家")
	ErrStatusInvalid      = fault.New(fault.Invalid, "status_invalid", "状态无效：应为有效、荣誉、已撤销或已故之一，并填写原因")
	ErrFigureChanged      = fault.New(fault.Conflict, "figure_changed", "信息已被他人修改，请刷新后重试")
)

// Call is a year's call for applications and, once made, its selection.
type Call struct {
	Year       int       `json:"year"`
	OpensAt    time.Time `json:"opensAt"`
	ClosesAt   time.Time `json:"closesAt"`
	Panel      []string  `json:"-"` // openids of the panel members
	PanelSize  int       `json:"panelSize"`
	SelectedAt time.Time `json:"selectedAt,omitzero"`
	Ranking    []Ranked  `json:"ranking,omitempty"`
}

// Validate reports ErrCallInvalid unless the year is plausible, the window is ordered and
// the panel has at least MinScores members.
func (c Call) Validate() error {
	if c.Year < 2000 || c.Year > 2100 || !c.OpensAt.Before(c.ClosesAt) || len(c.Panel) < MinScores || len(c.Panel) > 50 {
		return ErrCallInvalid
	}
	return nil
}

// Open reports whether applications are accepted at now.
func (c Call) Open(now time.Time) bool {
	return !now.Before(c.OpensAt) && now.Before(c.ClosesAt) && c.SelectedAt.IsZero()
}

// Application is a person's application in a year's call.
type Application struct {
	ID           string    `json:"id"`
	Year         int       `json:"year"`
	OpenID       string    `json:"-"`
	Name         string    `json:"name"`
	Discipline   string    `json:"discipline"`
	DistrictID   string    `json:"districtId"`
	DistrictPath string    `json:"-"`
	Bio          string    `json:"bio,omitempty" input:"long"`
	Works        []string  `json:"works"`
	Honours      []string  `json:"honours,omitempty"`
	SubmittedAt  time.Time `json:"submittedAt"`
}

// Validate reports ErrApplicationInvalid unless the application has a name, a known
// discipline, a district, 1 to 20 works and reasonable lengths.
func (a Application) Validate() error {
	if a.OpenID == "" || a.Name == "" || utf8.RuneCountInString(a.Name) > 30 || !slices.Contains(Disciplines, a.Discipline) ||
		a.DistrictID == "" || len(a.Works) == 0 || len(a.Works) > 20 || len(a.Honours) > 20 || utf8.RuneCountInString(a.Bio) > 2000 {
		return ErrApplicationInvalid
	}
	for _, s := range append(slices.Clone(a.Works), a.Honours...) {
		if strings.TrimSpace(s) == "" || utf8.RuneCountInString(s) > 200 {
			return ErrApplicationInvalid
		}
	}
	return nil
}

// Total returns the points of one panel member's scores, or ErrScoresInvalid unless
// every criterion is scored within 0 and its maximum and nothing else is.
func Total(scores map[string]int) (int, error) {
	return Criteria.Total(scores, ErrScoresInvalid)
}

// Ranked is an application's place in its year's ranking.
type Ranked struct {
	ApplicationID string  `json:"applicationId"`
	Name          string  `json:"name"`
	Scores        int     `json:"scores"`           // how many panel members scored it
	Mean          float64 `json:"mean"`             // mean total points, two decimals
	Rank          int     `json:"rank,omitempty"`   // 1-based; 0 when not ranked (too few scores)
	Selected      bool    `json:"selected"`         // among the top TopN
	Reason        string  `json:"reason,omitempty"` // why it was not ranked
	criterion     []float64
	submittedAt   time.Time
}

// Rank orders the applications by their panel scores and selects the top TopN.
// scores[id] holds each panel member's scores of application id. An application with
// fewer than MinScores scores is not ranked.
//
// Order: the higher mean total first; ties go to the higher mean on each criterion in
// the order of Criteria (achievement, then influence, service, inheritance); then to the
// earlier application; then to the smaller id, so the order is total and reproducible.
func Rank(apps []Application, scores map[string][]map[string]int) []Ranked {
	var ranked, unranked []Ranked
	for _, a := range apps {
		r := Ranked{ApplicationID: a.ID, Name: a.Name, Scores: len(scores[a.ID]), submittedAt: a.SubmittedAt,
			criterion: make([]float64, len(Criteria))}
		if r.Scores < MinScores {
			r.Reason = "too_few_scores"
			unranked = append(unranked, r)
			continue
		}
		sum := 0
		for _, s := range scores[a.ID] {
			for i, c := range Criteria {
				sum += s[c.Key]
				r.criterion[i] += float64(s[c.Key])
			}
		}
		n := float64(r.Scores)
		r.Mean = float64(sum) / n
		for i := range r.criterion {
			r.criterion[i] /= n
		}
		ranked = append(ranked, r)
	}
	slices.SortFunc(ranked, func(a, b Ranked) int {
		if c := cmp.Compare(b.Mean, a.Mean); c != 0 {
			return c
		}
		for i := range Criteria {
			if c := cmp.Compare(b.criterion[i], a.criterion[i]); c != 0 {
				return c
			}
		}
		return cmp.Or(a.submittedAt.Compare(b.submittedAt), cmp.Compare(a.ApplicationID, b.ApplicationID))
	})
	for i := range ranked {
		ranked[i].Rank = i + 1
		ranked[i].Selected = i < TopN
		ranked[i].Mean = float64(int(ranked[i].Mean*100+0.5)) / 100
	}
	slices.SortFunc(unranked, func(a, b Ranked) int { return cmp.Compare(a.ApplicationID, b.ApplicationID) })
	return append(ranked, unranked...)
}

// Change is one status change of a figure.
type Change struct {
	At     time.Time `json:"at"`
	Status string    `json:"status"`
	Reason string    `json:"reason" input:"long"`
	By     string    `json:"-"`
}

// Figure is a selected cultural figure's public profile.
type Figure struct {
	ID           string    `json:"id"` // the application's id
	Name         string    `json:"name"`
	Discipline   string    `json:"discipline"`
	DistrictID   string    `json:"districtId"`
	DistrictPath string    `json:"-"`
	Bio          string    `json:"bio,omitempty" input:"long"`
	Works        []string  `json:"works"`
	Honours      []string  `json:"honours,omitempty"`
	Year         int       `json:"year"` // of selection
	Rank         int       `json:"rank"`
	Status       string    `json:"status"`
	NextReviewAt time.Time `json:"nextReviewAt"`
	History      []Change  `json:"history"`
	Version      int       `json:"-"`
}

// NewFigure makes the public profile of a selected application.
func NewFigure(a Application, r Ranked, at time.Time, by string) Figure {
	return Figure{ID: a.ID, Name: a.Name, Discipline: a.Discipline, DistrictID: a.DistrictID, DistrictPath: a.DistrictPath,
		Bio: a.Bio, Works: a.Works, Honours: a.Honours, Year: a.Year, Rank: r.Rank, Status: StatusActive,
		NextReviewAt: at.AddDate(ReviewInterval, 0, 0),
		History:      []Change{{At: at, Status: StatusActive, Reason: "入选年度文化名家", By: by}}}
}

// SetStatus returns the figure with a new status, its reason recorded in the history
// and its next review ReviewInterval years on. It returns ErrStatusInvalid for an
// unknown status, a missing or overlong reason, or any change after deceased.
func (f Figure) SetStatus(status, reason, by string, now time.Time) (Figure, error) {
	reason = strings.TrimSpace(reason)
	if !slices.Contains(Statuses, status) || reason == "" || utf8.RuneCountInString(reason) > 200 || f.Status == StatusDeceased {
		return Figure{}, ErrStatusInvalid
	}
	f.History = append(slices.Clone(f.History), Change{At: now, Status: status, Reason: reason, By: by})
	f.Status, f.NextReviewAt = status, now.AddDate(ReviewInterval, 0, 0)
	return f, nil
}

// Public reports whether the figure is in the public database (revoked ones are not).
func (f Figure) Public() bool { return f.Status != StatusRevoked }

// Due reports whether the figure's periodic review is due at now.
func (f Figure) Due(now time.Time) bool {
	return (f.Status == StatusActive || f.Status == StatusHonorary) && !now.Before(f.NextReviewAt)
}
