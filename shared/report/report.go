// Package report computes the performance report of a district and its children for a
// period — participation, coverage, satisfaction, volunteers, sports instructors, teams,
// training and failed notifications against the city's targets — from maintained
// aggregates, as JSON for dashboards and CSV for officials.
package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/team"
)

// The city's targets.
const (
	VolunteerTarget           = 40_000 // registered volunteers, city-wide
	InstructorsPerThousand    = 2.0    // social sports instructors per 1,000 residents
	CoverageTarget            = 100.0  // percent of villages with an activity each month
	TeamTarget                = team.Target
	TrainingCompliancePercent = 100.0
)

// Metric names: the counters of a district (and its ancestors) or of a venue
// (VenueKey) for a period — a month "YYYY-MM", a year "YYYY" or all time — kept equal to
// the facts of the items they count (facts.go; docs/data-model.md). Unique residents,
// active villages and a venue's activities count distinct members.
const (
	MetricBookings             = "bookings"             // places booked (人次), by the slot's month
	MetricAttendance           = "attendance"           // of which admitted at the door
	MetricUniqueResidents      = "uniqueResidents"      // residents holding at least one of those bookings
	MetricActiveVillages       = "activeVillages"       // villages with at least one slot held there
	MetricVolunteersRegistered = "volunteersRegistered" // active (在册) volunteers (period "all" only)
	MetricVolunteersActive     = "volunteersActive"     // volunteers with service credited in the period
	MetricSportsInstructors    = "sportsInstructors"    // active social sports instructors (period "all" only)
	MetricNotificationsFailed  = "notificationsFailed"  // messages given up on (city-wide), by the month they failed
	MetricSessions             = "sessions"             // sessions (场次) not cancelled, by the month of their start
	MetricActivities           = "activities"           // activities with such a session (venues only)
)

// Metrics are the counters of one district and period.
type Metrics map[string]int

// Errors of reports.
var (
	ErrPeriodInvalid = fault.New(fault.Invalid, "period_invalid", "统计周期无效：应为全部、某年（如 2026）或某年某月（如 2026-11）")
	ErrFormatInvalid = fault.New(fault.Invalid, "format_invalid", "导出格式无效：应为数据或表格")
)

// Source reads the maintained aggregates.
type Source interface {
	// Metrics returns the counters of a district's subtree for a period (zero when none).
	Metrics(ctx context.Context, districtID, period string) (Metrics, error)
	// Tally returns the satisfaction tally of a subject for a period.
	Tally(ctx context.Context, subject, period string) (evaluation.Tally, error)
	// Counts returns the approved teams of a district's subtree.
	Counts(ctx context.Context, districtID string) (team.Counts, error)
	// Training returns how many staff and coordinators of a district's subtree have a
	// training target in a year, and how many of them met it so far.
	Training(ctx context.Context, d directory.District, year int) (required, compliant int, err error)
}

// Row is one district's figures in a report.
type Row struct {
	DistrictID string          `json:"districtId"`
	Name       string          `json:"name"`
	Level      directory.Level `json:"level"`
	Population int             `json:"population,omitempty"`

	Bookings        int      `json:"bookings"`
	Attendance      int      `json:"attendance"`
	AttendancePct   *float64 `json:"attendancePercent,omitempty"` // of bookings
	UniqueResidents int      `json:"uniqueResidents"`

	Villages       int      `json:"villages"`
	ActiveVillages int      `json:"activeVillages"`
	CoveragePct    *float64 `json:"coveragePercent,omitempty"`

	Satisfaction evaluation.Satisfaction `json:"satisfaction"`

	VolunteersRegistered int      `json:"volunteersRegistered"`
	VolunteersActive     int      `json:"volunteersActive"`
	SportsInstructors    int      `json:"sportsInstructors"`
	InstructorsPer1000   *float64 `json:"instructorsPerThousand,omitempty"`
	InstructorsOnTarget  *bool    `json:"instructorsOnTarget,omitempty"`

	TeamsApproved int `json:"teamsApproved"`
	TeamsRated    int `json:"teamsRated"`

	TrainingRequired  int      `json:"trainingRequired"`
	TrainingCompliant int      `json:"trainingCompliant"`
	TrainingPct       *float64 `json:"trainingCompliancePercent,omitempty"`

	NotificationsFailed int `json:"notificationsFailed"`
}

// Report is a district's row followed by one row per child district.
type Report struct {
	District    directory.District `json:"district"`
	Period      string             `json:"period"`
	GeneratedAt time.Time          `json:"generatedAt"`
	Targets     map[string]float64 `json:"targets"`
	Total       Row                `json:"total"`
	Children    []Row              `json:"children"`
}

// Service builds reports.
type Service struct {
	Source Source
	Places directory.Finder
	Guard  access.Guard
	Now    func() time.Time
}

// Build returns the report of a district (the caller's own, or the city for an admin,
// when districtID is empty) for a period ("all" or "YYYY-MM"). Staff and coordinators
// may report on their district's subtree only. It returns ErrPeriodInvalid, a not-found
// error for the district, or directory.ErrOutOfScope.
func (s *Service) Build(ctx context.Context, c auth.Claims, districtID, period string) (Report, error) {
	if !evaluation.ValidPeriod(period) {
		return Report{}, ErrPeriodInvalid
	}
	all, err := s.Places.Districts(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("report: %w", err)
	}
	if districtID == "" {
		scope, everywhere, err := s.Guard.Scope(ctx, c)
		if err != nil {
			return Report{}, err
		}
		districtID = scope[strings.LastIndex(scope, "/")+1:] // a path ends with its district's id
		if everywhere && len(all) > 0 {
			districtID = all[0].ID
		}
	}
	root, err := s.Places.District(ctx, districtID)
	if err != nil {
		return Report{}, err
	}
	r := Report{District: root, Period: period, GeneratedAt: s.Now(), Children: []Row{},
		Targets: map[string]float64{
			"volunteersRegistered":   VolunteerTarget,
			"instructorsPerThousand": InstructorsPerThousand,
			"coveragePercent":        CoverageTarget,
			"teamsApproved":          TeamTarget,
			"trainingCompliance":     TrainingCompliancePercent,
		}}
	if r.Total, err = s.row(ctx, root, all, period); err != nil {
		return Report{}, err
	}
	for _, d := range all {
		if d.ParentID == root.ID {
			row, err := s.row(ctx, d, all, period)
			if err != nil {
				return Report{}, err
			}
			r.Children = append(r.Children, row)
		}
	}
	return r, nil
}

func (s *Service) row(ctx context.Context, d directory.District, all []directory.District, period string) (Row, error) {
	m, err := s.Source.Metrics(ctx, d.ID, period)
	if err != nil {
		return Row{}, fmt.Errorf("report %s: %w", d.ID, err)
	}
	// Registrations and instructors are standing figures: read them all-time.
	standing := m
	if period != evaluation.AllTime {
		if standing, err = s.Source.Metrics(ctx, d.ID, evaluation.AllTime); err != nil {
			return Row{}, fmt.Errorf("report %s: %w", d.ID, err)
		}
	}
	tally, err := s.Source.Tally(ctx, "district:"+d.ID, period)
	if err != nil {
		return Row{}, fmt.Errorf("report %s: %w", d.ID, err)
	}
	teams, err := s.Source.Counts(ctx, d.ID)
	if err != nil {
		return Row{}, fmt.Errorf("report %s: %w", d.ID, err)
	}
	// Training is yearly: a month's report shows its year's compliance, all time the
	// current year's.
	year := s.Now().In(beijing.Zone).Year()
	if period != evaluation.AllTime {
		year, _ = strconv.Atoi(period[:4])
	}
	required, compliant, err := s.Source.Training(ctx, d, year)
	if err != nil {
		return Row{}, fmt.Errorf("report %s: %w", d.ID, err)
	}
	row := Row{
		DistrictID: d.ID, Name: d.Name, Level: d.Level, Population: d.Population,
		Bookings: m[MetricBookings], Attendance: m[MetricAttendance], UniqueResidents: m[MetricUniqueResidents],
		ActiveVillages: m[MetricActiveVillages], Satisfaction: tally.Satisfaction("district:"+d.ID, period),
		VolunteersRegistered: standing[MetricVolunteersRegistered], VolunteersActive: m[MetricVolunteersActive],
		SportsInstructors: standing[MetricSportsInstructors], TeamsApproved: teams.Approved,
		TrainingRequired: required, TrainingCompliant: compliant,
		NotificationsFailed: m[MetricNotificationsFailed],
	}
	for _, n := range teams.Stars {
		row.TeamsRated += n
	}
	for _, v := range all {
		if v.Level == directory.LevelVillage && v.Within(d) {
			row.Villages++
		}
	}
	row.AttendancePct = percent(row.Attendance, row.Bookings)
	row.CoveragePct = percent(row.ActiveVillages, row.Villages)
	row.TrainingPct = percent(row.TrainingCompliant, row.TrainingRequired)
	if d.Population > 0 {
		per := math.Round(float64(row.SportsInstructors)*1000/float64(d.Population)*100) / 100
		ok := per >= InstructorsPerThousand
		row.InstructorsPer1000, row.InstructorsOnTarget = &per, &ok
	}
	return row, nil
}

// percent returns 100·n/of rounded to one decimal, or nil when of is 0.
func percent(n, of int) *float64 {
	if of == 0 {
		return nil
	}
	p := math.Round(float64(n)*1000/float64(of)) / 10
	return &p
}

// Filename is the name the report's CSV downloads under: district and period.
func (r Report) Filename() string {
	return fmt.Sprintf("report-%s-%s.csv", r.District.ID, r.Period)
}

// CSV writes the report as CSV for officials: UTF-8 with a byte-order mark (so Excel
// reads the Chinese), a header row in Chinese, the district's total first, then its
// children. Figures not available are empty cells.
func (r Report) CSV() []byte {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{
		"统计周期", "区划代码", "区划名称", "层级", "常住人口",
		"预约人次", "到场人次", "到场率(%)", "参与居民数",
		"村(社区)数", "开展活动的村(社区)数", "覆盖率(%)",
		"评价数", "满意度指数", "满意率(%)",
		"注册志愿者", "活跃志愿者", "志愿者目标(全市)",
		"社会体育指导员", "每千人指导员数", "指导员达标(≥2‰)",
		"登记团队", "已评星团队", "团队目标(全市)",
		"应培训人数", "培训达标人数", "培训达标率(%)",
		"发送失败的通知",
	})
	for _, row := range append([]Row{r.Total}, r.Children...) {
		_ = w.Write([]string{
			r.Period, row.DistrictID, row.Name, levelName[row.Level], optInt(row.Population),
			strconv.Itoa(row.Bookings), strconv.Itoa(row.Attendance), optFloat(row.AttendancePct), strconv.Itoa(row.UniqueResidents),
			strconv.Itoa(row.Villages), strconv.Itoa(row.ActiveVillages), optFloat(row.CoveragePct),
			strconv.Itoa(row.Satisfaction.Ratings), optFloat(row.Satisfaction.Index), optFloat(row.Satisfaction.SatisfiedPercent),
			strconv.Itoa(row.VolunteersRegistered), strconv.Itoa(row.VolunteersActive), strconv.Itoa(VolunteerTarget),
			strconv.Itoa(row.SportsInstructors), optFloat(row.InstructorsPer1000), optBool(row.InstructorsOnTarget),
			strconv.Itoa(row.TeamsApproved), strconv.Itoa(row.TeamsRated), strconv.Itoa(TeamTarget),
			strconv.Itoa(row.TrainingRequired), strconv.Itoa(row.TrainingCompliant), optFloat(row.TrainingPct),
			strconv.Itoa(row.NotificationsFailed),
		})
	}
	w.Flush()
	return buf.Bytes()
}

var levelName = map[directory.Level]string{
	directory.LevelCity: "市", directory.LevelCounty: "县（市、区）",
	directory.LevelTownship: "乡镇（街道）", directory.LevelVillage: "村（社区）",
}

func optInt(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func optFloat(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}

func optBool(b *bool) string {
	switch {
	case b == nil:
		return ""
	case *b:
		return "是"
	default:
		return "否"
	}
}
