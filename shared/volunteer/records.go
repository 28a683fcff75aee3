package volunteer

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/fault"
)

// Ranked is a volunteer and their minutes in a period.
type Ranked struct {
	Volunteer
	Minutes int
}

// Standing is one line of a leaderboard. Names are shown with the given name masked
// (张**), and no id: a leaderboard is public to every signed-in person.
type Standing struct {
	Rank       int      `json:"rank"`
	Name       string   `json:"name"`
	DistrictID string   `json:"districtId"`
	Category   Category `json:"category"`
	Team       string   `json:"team,omitempty"`
	Hours      float64  `json:"hours"`
}

// Leaderboard is the ranking of a district's subtree in a period.
type Leaderboard struct {
	DistrictID string     `json:"districtId"`
	Period     string     `json:"period"` // 2026 or 2026-11
	Standings  []Standing `json:"standings"`
}

// ErrPeriodInvalid is a period that is not a year or a month.
var ErrPeriodInvalid = fault.New(fault.Invalid, "period_invalid", "统计周期格式应为 2026 或 2026-11")

var periodPattern = regexp.MustCompile(`^(20[0-9]{2})(?:-(0[1-9]|1[0-2]))?$`)

// Leaderboard ranks the active volunteers of a district's subtree (the city when
// districtID is "") by the hours of all kinds they earned in a period, a year ("2026")
// or a month ("2026-11"; the current year when ""), China time. Ties share a rank; at
// most limit lines (1–100, default 20).
func (s *Service) Leaderboard(ctx context.Context, districtID, period string, limit int) (Leaderboard, error) {
	if period == "" {
		period = s.Now().In(beijing.Zone).Format("2006")
	}
	m := periodPattern.FindStringSubmatch(period)
	if m == nil {
		return Leaderboard{}, ErrPeriodInvalid
	}
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	path := ""
	if districtID != "" {
		d, err := directory.NamedDistrict(ctx, s.Directory, districtID)
		if err != nil {
			return Leaderboard{}, err
		}
		path = d.Path
	}
	ranked, err := s.Store.Leaderboard(ctx, path, m[1]+m[2])
	if err != nil {
		return Leaderboard{}, fmt.Errorf("leaderboard: %w", err)
	}
	slices.SortStableFunc(ranked, func(a, b Ranked) int {
		if a.Minutes != b.Minutes {
			return b.Minutes - a.Minutes
		}
		return strings.Compare(a.ID, b.ID)
	})
	lb := Leaderboard{DistrictID: districtID, Period: period, Standings: []Standing{}}
	for i, r := range ranked {
		if i == limit {
			break
		}
		rank := i + 1
		if i > 0 && r.Minutes == ranked[i-1].Minutes {
			rank = lb.Standings[i-1].Rank
		}
		lb.Standings = append(lb.Standings, Standing{Rank: rank, Name: maskName(r.Name), DistrictID: r.DistrictID,
			Category: r.Category, Team: r.Team, Hours: Hours(r.Minutes)})
	}
	return lb, nil
}

// maskName keeps a name's first character: 张志愿 → 张**.
func maskName(name string) string {
	first, size := utf8.DecodeRuneInString(name)
	if size == 0 {
		return ""
	}
	return string(first) + strings.Repeat("*", utf8.RuneCountInString(name)-1)
}

// Certificate is a service-record certificate (志愿服务记录证明) with the fields the
// national volunteer service record rules expect: who (name and masked ID number), the
// registering organisation, the period, hours by kind, and the activities served.
type Certificate struct {
	Serial         string    `json:"serial"`
	Name           string    `json:"name"`
	IDNumberMasked string    `json:"idNumberMasked"`
	Category       Category  `json:"category"`
	Organisation   string    `json:"organisation"`
	RegisteredAt   time.Time `json:"registeredAt"`
	Status         Status    `json:"status"`
	From           time.Time `json:"from"`
	To             time.Time `json:"to"`
	CreditHours    float64   `json:"creditHours"`
	HonourHours    float64   `json:"honourHours"`
	TotalHours     float64   `json:"totalHours"`
	Activities     []Served  `json:"activities"`
	IssuedAt       time.Time `json:"issuedAt"`
	Issuer         string    `json:"issuer"`
}

// Served is one line of a certificate: a shift served, or hours back-filled.
type Served struct {
	Date    time.Time `json:"date"`
	Kind    string    `json:"kind"` // credit, honour or correction
	Title   string    `json:"title"`
	VenueID string    `json:"venueId,omitempty"`
	Hours   float64   `json:"hours"`
}

// Issuer is the platform that issues certificates.
const Issuer = "株洲市公共文化和体育服务平台“文化株洲”"

// Certificate is the caller's service record for a calendar year (China time; the
// current year when year is 0), from the ledger: every entry of the year, shifts with
// their titles. It returns ErrNotApplied for someone who never registered.
func (s *Service) Certificate(ctx context.Context, openid string, year int) (Certificate, error) {
	now := s.Now()
	if year == 0 {
		year = now.In(beijing.Zone).Year()
	}
	if year < 2000 || year > now.In(beijing.Zone).Year() {
		return Certificate{}, ErrPeriodInvalid
	}
	p, err := s.Me(ctx, openid)
	if err != nil {
		return Certificate{}, err
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, beijing.Zone)
	to := from.AddDate(1, 0, 0)
	org := "株洲市文化志愿服务"
	if d, err := s.Directory.District(ctx, p.DistrictID); err == nil {
		org = d.Name + "文化志愿服务（" + Issuer + "登记）"
	}
	titles := map[string]Signup{}
	for _, sg := range p.Signups {
		titles[sg.ShiftID] = sg.Signup
	}
	c := Certificate{
		Serial: fmt.Sprintf("WTT-%d-%s", year, strings.ToUpper(p.ID[:min(8, len(p.ID))])),
		Name:   p.Name, IDNumberMasked: p.IDNumberMasked, Category: p.Category, Organisation: org,
		RegisteredAt: p.AppliedAt, Status: p.Status, From: from, To: to.Add(-time.Second),
		Activities: []Served{}, IssuedAt: now, Issuer: Issuer,
	}
	var credit, honour int
	for _, e := range p.Ledger {
		if e.At.Before(from) || !e.At.Before(to) {
			continue
		}
		line := Served{Date: e.At, Kind: e.Kind, Title: e.Reason, Hours: Hours(e.Minutes)}
		switch e.Kind {
		case EntryHonour:
			honour += e.Minutes
		default:
			credit += e.Minutes
		}
		if sg, ok := titles[e.ShiftID]; ok && e.Kind == EntryCredit {
			line.Title, line.VenueID, line.Date = sg.Title, sg.VenueID, sg.StartsAt
		}
		c.Activities = append(c.Activities, line)
	}
	slices.SortStableFunc(c.Activities, func(a, b Served) int { return a.Date.Compare(b.Date) })
	c.CreditHours, c.HonourHours, c.TotalHours = Hours(credit), Hours(honour), Hours(credit+honour)
	return c, nil
}
