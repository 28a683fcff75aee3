// Package team is the directory of amateur culture and sports teams (业余文体团队名录):
// registration, approval, a star rating from published criteria, re-rating every two
// years, and the count against the city's target.
package team

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/rubric"
)

// Target is the number of registered teams the city's plan asks for.
const Target = 2000

// Statuses of a team.
const (
	StatusPending  = "pending"
	StatusApproved = "approved"
)

// StatusTexts is the one Chinese word for each team status (docs/glossary.md).
var StatusTexts = map[string]string{StatusPending: "待审核", StatusApproved: "已登记"}

// Categories of team.
var Categories = []string{
	"choir",        // 合唱
	"dance",        // 舞蹈、广场舞
	"opera",        // 戏曲（湘剧、花鼓戏）
	"folk_arts",    // 曲艺、民间艺术
	"instrumental", // 器乐
	"drama",        // 话剧、小品
	"calligraphy",  // 书画、摄影
	"fitness",      // 健身、健身气功
	"ball_games",   // 球类
	"martial_arts", // 武术、太极
	"other",
}

// Criterion is one published rating criterion and its maximum points.
type Criterion = rubric.Criterion

// Criteria are the published rating criteria; their maxima add up to 100.
var Criteria = rubric.Rubric{
	{Key: "scale", Name: "队伍规模与稳定性", Max: 20},
	{Key: "regularity", Name: "日常活动频次", Max: 20},
	{Key: "quality", Name: "艺术（技术）水平", Max: 25},
	{Key: "service", Name: "公益演出与赛事", Max: 20},
	{Key: "management", Name: "组织管理与制度", Max: 15},
}

// starFloors are the least total points for 5, 4, 3 and 2 stars; below them, 1 star.
var starFloors = [...]int{90, 75, 60, 45}

// StarsFor returns the stars a total of points earns: 90+ five, 75+ four, 60+ three,
// 45+ two, less one.
func StarsFor(total int) int {
	for i, floor := range starFloors {
		if total >= floor {
			return 5 - i
		}
	}
	return 1
}

// ReviewInterval is how long a rating stands before the team is re-rated.
const ReviewInterval = 2 // years

// Errors of the team directory.
var (
	ErrTeamInvalid   = fault.New(fault.Invalid, "team_invalid", "团队信息不完整：名称、类别、所属区划、负责人、人数（3 到 1000）")
	ErrTeamNotFound  = fault.New(fault.NotFound, "team_not_found", "找不到该团队")
	ErrNotPending    = fault.New(fault.Conflict, "team_not_pending", "该团队不在待审核状态")
	ErrNotApproved   = fault.New(fault.Conflict, "team_not_approved", "团队审核通过后才能评星")
	ErrRatingNotDue  = fault.New(fault.Conflict, "rerating_not_due", "距上次评星不满两年，暂不能重新评星")
	ErrScoresInvalid = fault.New(fault.Invalid, "scores_invalid", "请按公布的评星标准逐项打分，每项不超过该项满分")
	ErrTeamChanged   = fault.New(fault.Conflict, "team_changed", "团队信息已被他人修改，请刷新后重试")
)

// Leader is the person who registered the team; never shown in the public directory.
type Leader struct {
	OpenID string `json:"-"`
	Name   string `json:"name"`
	Phone  string `json:"phone"`
}

// Rating is one star rating of a team, kept in its history.
type Rating struct {
	At     time.Time      `json:"at"`
	Stars  int            `json:"stars"`
	Total  int            `json:"total"`
	Scores map[string]int `json:"scores"`
	Change string         `json:"change"` // first, up, down or same
	By     string         `json:"-"`      // the rater's openid
}

// Team is one registered amateur team.
type Team struct {
	ID               string    `json:"id"`
	Name             string    `json:"name"`
	Category         string    `json:"category"`
	DistrictID       string    `json:"districtId"`
	DistrictPath     string    `json:"-"`
	Leader           Leader    `json:"-"`
	MemberCount      int       `json:"memberCount"`
	RehearsalVenueID string    `json:"rehearsalVenueId,omitempty"`
	Description      string    `json:"description,omitempty" input:"long"`
	Status           string    `json:"status"`
	Stars            int       `json:"stars"` // 0 until rated
	RatedAt          time.Time `json:"ratedAt,omitzero"`
	NextReviewAt     time.Time `json:"nextReviewAt,omitzero"`
	History          []Rating  `json:"history"`
	CreatedAt        time.Time `json:"createdAt"`
	ApprovedAt       time.Time `json:"approvedAt,omitzero"`
	Version          int       `json:"-"` // for optimistic concurrency
}

// Validate reports ErrTeamInvalid unless the team has a name, a known category, a
// district, a leader with a name and phone, and 3 to 1000 members.
func (t Team) Validate() error {
	switch {
	case t.Name == "" || utf8.RuneCountInString(t.Name) > 60, !slices.Contains(Categories, t.Category),
		t.DistrictID == "", t.Leader.Name == "", utf8.RuneCountInString(t.Leader.Name) > 30,
		!validPhone(t.Leader.Phone), t.MemberCount < 3 || t.MemberCount > 1000,
		utf8.RuneCountInString(t.Description) > 500:
		return ErrTeamInvalid
	}
	return nil
}

func validPhone(p string) bool {
	if len(p) < 7 || len(p) > 20 {
		return false
	}
	return strings.Trim(p, "0123456789-+ ") == ""
}

// Total returns the points of scores against Criteria, or ErrScoresInvalid unless every
// criterion is scored within 0 and its maximum and nothing else is.
func Total(scores map[string]int) (int, error) {
	return Criteria.Total(scores, ErrScoresInvalid)
}

// Rate returns the team rated at now from scores by the rater: its stars, the time of its
// next review, the rating appended to its history. A team is rated first after approval
// and again from ReviewInterval years after its last rating, up or down. It returns
// ErrNotApproved, ErrRatingNotDue or ErrScoresInvalid.
func (t Team) Rate(scores map[string]int, by string, now time.Time) (Team, error) {
	if t.Status != StatusApproved {
		return Team{}, ErrNotApproved
	}
	if t.Stars > 0 && now.Before(t.NextReviewAt) {
		return Team{}, ErrRatingNotDue
	}
	total, err := Total(scores)
	if err != nil {
		return Team{}, err
	}
	r := Rating{At: now, Stars: StarsFor(total), Total: total, Scores: scores, By: by}
	switch {
	case t.Stars == 0:
		r.Change = "first"
	case r.Stars > t.Stars:
		r.Change = "up"
	case r.Stars < t.Stars:
		r.Change = "down"
	default:
		r.Change = "same"
	}
	t.History = append(slices.Clone(t.History), r)
	t.Stars, t.RatedAt, t.NextReviewAt = r.Stars, now, now.AddDate(ReviewInterval, 0, 0)
	return t, nil
}

// Due reports whether an approved team awaits its first or next rating at now.
func (t Team) Due(now time.Time) bool {
	return t.Status == StatusApproved && (t.Stars == 0 || !now.Before(t.NextReviewAt))
}

// Counts are the approved teams of a district's subtree, by stars (Stars[0] is 1 star;
// unrated teams are Approved minus their sum).
type Counts struct {
	Approved int    `json:"approved"`
	Stars    [5]int `json:"stars"`
}
