// Package training is the yearly training of the city's cultural staff and volunteers:
// courses, attendance, and compliance with the city's targets.
package training

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/privacy"
)

// Mode is how a course is given.
type Mode string

// The modes: in person, counted in days; remote, counted in class hours.
const (
	InPerson Mode = "in_person" // 集中培训（天）
	Remote   Mode = "remote"    // 远程培训（学时）
)

// Course is one training course organised in a district.
type Course struct {
	ID           string    `json:"id"`
	Title        string    `json:"title"`
	Mode         Mode      `json:"mode"`
	DistrictID   string    `json:"districtId"`
	DistrictPath string    `json:"-"`
	Date         time.Time `json:"date"`
	Days         float64   `json:"days,omitempty"`       // in-person courses
	ClassHours   float64   `json:"classHours,omitempty"` // remote courses
	CreatedBy    string    `json:"-"`
	CreatedAt    time.Time `json:"createdAt"`
}

// Attendance is one person's attendance of a course.
type Attendance struct {
	CourseID   string    `json:"courseId"`
	OpenID     string    `json:"-"`
	Title      string    `json:"title"`
	Mode       Mode      `json:"mode"`
	Date       time.Time `json:"date"`
	Days       float64   `json:"days,omitempty"`
	ClassHours float64   `json:"classHours,omitempty"`
	RecordedBy string    `json:"-"`
	RecordedAt time.Time `json:"recordedAt"`
}

// Totals are a person's training in a year.
type Totals struct {
	Days        float64 `json:"days"`
	RemoteHours float64 `json:"remoteHours"`
}

// Appointee is a staff member or coordinator and the district they look after.
type Appointee struct {
	OpenID, Role, DistrictID string
	Level                    directory.Level
}

// Errors of training.
var (
	ErrCourseInvalid    = fault.New(fault.Invalid, "course_invalid", "课程信息无效：请填写标题、方式（集中培训或远程培训）、日期，以及天数（集中培训，不超过 30 天）或学时（远程培训，不超过 200 学时）")
	ErrCourseNotFound   = fault.New(fault.NotFound, "course_not_found", "找不到该培训课程")
	ErrAttendeesInvalid = fault.New(fault.Invalid, "attendees_invalid", "请填写 1 至 200 名参训人员")
	ErrAlreadyRecorded  = fault.New(fault.Conflict, "attendance_recorded", "该人员的参训记录已登记")
	ErrYearInvalid      = fault.New(fault.Invalid, "year_invalid", "年份无效")
	ErrDistrict         = directory.ErrNamedDistrictUnknown
)

// Store keeps courses, attendance and yearly totals.
type Store interface {
	// PutCourse writes a new course.
	PutCourse(ctx context.Context, c Course) error
	// Course returns one course, or ErrCourseNotFound.
	Course(ctx context.Context, id string) (Course, error)
	// Attend records an attendance and adds it to the person's totals of its year, in
	// one transaction; ErrAlreadyRecorded when it was recorded before.
	Attend(ctx context.Context, a Attendance) error
	// Attendances returns a person's attendance records, by date.
	Attendances(ctx context.Context, openid string) ([]Attendance, error)
	// TrainingTotals returns the totals of a year for each openid that has any.
	TrainingTotals(ctx context.Context, openids []string, year int) (map[string]Totals, error)
	// Appointees returns the staff and coordinators of the subtree at path.
	Appointees(ctx context.Context, path string) ([]Appointee, error)
}

// Districts reads districts.
type Districts interface {
	// District returns one district, or directory.ErrDistrictUnknown.
	District(ctx context.Context, id string) (directory.District, error)
}

// Targets are the city's yearly training targets.
type Targets struct {
	CountyDays   float64 `json:"countyDays"`   // county (and city) staff, in-person days
	TownshipDays float64 `json:"townshipDays"` // township and village staff, in-person days
	RemoteHours  float64 `json:"remoteHours"`  // everyone, remote class hours
}

// DefaultTargets are Zhuzhou's: county staff at least 20 days a year, township and
// village staff at least 5, and at least 50 remote class hours.
var DefaultTargets = Targets{CountyDays: 20, TownshipDays: 5, RemoteHours: 50}

// Service is the training domain.
type Service struct {
	Store     Store
	Districts Districts
	Guard     access.Guard // the caller's district, when a request names none
	Targets   Targets
	Now       func() time.Time
	NewID     func() string
	Log       *slog.Logger
}

// district resolves districtID (the caller's own district when "").
func (s *Service) district(ctx context.Context, c auth.Claims, districtID string) (directory.District, error) {
	if districtID == "" {
		scope, everywhere, err := s.Guard.Scope(ctx, c)
		if err != nil {
			return directory.District{}, err
		}
		if !everywhere {
			districtID = scope[strings.LastIndex(scope, "/")+1:] // a path ends with its district's id
		}
	}
	if districtID == "" {
		return directory.District{}, ErrDistrict
	}
	return directory.NamedDistrict(ctx, s.Districts, districtID)
}

// Path returns the path of a district (access.Target's view): ErrDistrict when there
// is none.
func (s *Service) Path(ctx context.Context, districtID string) (string, error) {
	d, err := directory.NamedDistrict(ctx, s.Districts, districtID)
	return d.Path, err
}

// CreateCourse creates a course in a district of the caller's scope (their own district
// when DistrictID is ""). It returns ErrCourseInvalid or ErrDistrict.
func (s *Service) CreateCourse(ctx context.Context, c auth.Claims, course Course) (Course, error) {
	course.Title = strings.TrimSpace(course.Title)
	switch n := utf8.RuneCountInString(course.Title); {
	case n == 0 || n > 100, course.Date.IsZero():
		return Course{}, ErrCourseInvalid
	case course.Mode == InPerson && (course.Days <= 0 || course.Days > 30 || course.ClassHours != 0):
		return Course{}, ErrCourseInvalid
	case course.Mode == Remote && (course.ClassHours <= 0 || course.ClassHours > 200 || course.Days != 0):
		return Course{}, ErrCourseInvalid
	case course.Mode != InPerson && course.Mode != Remote:
		return Course{}, ErrCourseInvalid
	}
	d, err := s.district(ctx, c, course.DistrictID)
	if err != nil {
		return Course{}, err
	}
	course.ID, course.DistrictID, course.DistrictPath = s.NewID(), d.ID, d.Path
	course.CreatedBy, course.CreatedAt = c.OpenID, s.Now()
	if err := s.Store.PutCourse(ctx, course); err != nil {
		return Course{}, fmt.Errorf("create course: %w", err)
	}
	return course, nil
}

// Recorded says how an attendance list was recorded.
type Recorded struct {
	Recorded int `json:"recorded"`
	Already  int `json:"already"` // recorded before: a repeated request changes nothing
}

// RecordAttendance records that people attended a course, for staff whose scope holds
// the course's district. Recording someone twice is harmless.
func (s *Service) RecordAttendance(ctx context.Context, c auth.Claims, courseID string, openids []string) (Recorded, error) {
	if len(openids) == 0 || len(openids) > 200 {
		return Recorded{}, ErrAttendeesInvalid
	}
	course, err := s.Store.Course(ctx, courseID)
	if err != nil {
		return Recorded{}, err
	}
	var out Recorded
	now := s.Now()
	for _, id := range slices.Compact(slices.Sorted(slices.Values(openids))) {
		if id = strings.TrimSpace(id); id == "" || len(id) > 64 {
			return out, ErrAttendeesInvalid
		}
		err := s.Store.Attend(ctx, Attendance{CourseID: course.ID, OpenID: id, Title: course.Title, Mode: course.Mode,
			Date: course.Date, Days: course.Days, ClassHours: course.ClassHours, RecordedBy: c.OpenID, RecordedAt: now})
		switch {
		case errors.Is(err, ErrAlreadyRecorded):
			out.Already++
		case err != nil:
			return out, fmt.Errorf("record attendance of %s: %w", privacy.OpenID(id), err)
		default:
			out.Recorded++
		}
	}
	return out, nil
}

// Mine is a person's training record.
type Mine struct {
	Year        int          `json:"year"`
	Days        float64      `json:"days"`
	RemoteHours float64      `json:"remoteHours"`
	Attendance  []Attendance `json:"attendance"`
}

// Mine returns the caller's attendance, with the current year's totals.
func (s *Service) Mine(ctx context.Context, openid string) (Mine, error) {
	year := s.Now().In(beijing.Zone).Year()
	all, err := s.Store.Attendances(ctx, openid)
	if err != nil {
		return Mine{}, err
	}
	m := Mine{Year: year, Attendance: all}
	if m.Attendance == nil {
		m.Attendance = []Attendance{}
	}
	for _, a := range all {
		if a.Date.In(beijing.Zone).Year() == year {
			m.Days += a.Days
			m.RemoteHours += a.ClassHours
		}
	}
	return m, nil
}

// Line is one appointee's compliance.
type Line struct {
	OpenID      string          `json:"openid"`
	Role        string          `json:"role"`
	DistrictID  string          `json:"districtId"`
	Level       directory.Level `json:"level"`
	Days        float64         `json:"days"`
	TargetDays  float64         `json:"targetDays"`
	RemoteHours float64         `json:"remoteHours"`
	MeetsDays   bool            `json:"meetsDays"`
	MeetsRemote bool            `json:"meetsRemote"`
	Compliant   bool            `json:"compliant"`
}

// Report is the training compliance of a district's staff and coordinators in a year.
type Report struct {
	Year       int     `json:"year"`
	DistrictID string  `json:"districtId"`
	Targets    Targets `json:"targets"`
	Total      int     `json:"total"`
	Compliant  int     `json:"compliant"`
	Rate       float64 `json:"rate"` // compliant / total, 0 when there is no one
	People     []Line  `json:"people"`
}

// Line is an appointee's compliance with the targets, given their totals of the year:
// county and city staff CountyDays, township and village staff TownshipDays, everyone
// RemoteHours.
func (t Targets) Line(p Appointee, tot Totals) Line {
	target := t.CountyDays
	if p.Level == directory.LevelTownship || p.Level == directory.LevelVillage {
		target = t.TownshipDays
	}
	l := Line{OpenID: p.OpenID, Role: p.Role, DistrictID: p.DistrictID, Level: p.Level,
		Days: tot.Days, TargetDays: target, RemoteHours: tot.RemoteHours,
		MeetsDays: tot.Days >= target, MeetsRemote: tot.RemoteHours >= t.RemoteHours}
	l.Compliant = l.MeetsDays && l.MeetsRemote
	return l
}

// Compliance reports, for the staff and coordinators of a district's subtree (the
// caller's scope when districtID is ""), their in-person days and remote class hours of
// a year (the current one when 0) against the targets: county and city staff
// Targets.CountyDays, township and village staff Targets.TownshipDays, everyone
// Targets.RemoteHours.
func (s *Service) Compliance(ctx context.Context, c auth.Claims, districtID string, year int) (Report, error) {
	now := s.Now().In(beijing.Zone)
	if year == 0 {
		year = now.Year()
	}
	if year < 2000 || year > now.Year() {
		return Report{}, ErrYearInvalid
	}
	d, err := s.district(ctx, c, districtID)
	if err != nil {
		return Report{}, err
	}
	t, lines, err := s.lines(ctx, d.Path, year)
	if err != nil {
		return Report{}, fmt.Errorf("compliance: %w", err)
	}
	r := Report{Year: year, DistrictID: d.ID, Targets: t, People: lines}
	for _, l := range lines {
		r.Total++
		if l.Compliant {
			r.Compliant++
		}
	}
	if r.Total > 0 {
		r.Rate = math.Round(float64(r.Compliant)/float64(r.Total)*1000) / 1000
	}
	return r, nil
}

// lines returns the targets and the compliance of each appointee of the subtree at path
// in a year, from their yearly totals: one index query and a BatchGetItem per hundred
// people.
func (s *Service) lines(ctx context.Context, path string, year int) (Targets, []Line, error) {
	t := s.Targets
	if t == (Targets{}) {
		t = DefaultTargets
	}
	people, err := s.Store.Appointees(ctx, path)
	if err != nil || len(people) == 0 {
		return t, []Line{}, err
	}
	ids := make([]string, len(people))
	for i, p := range people {
		ids[i] = p.OpenID
	}
	totals, err := s.Store.TrainingTotals(ctx, ids, year)
	if err != nil {
		return t, nil, err
	}
	out := make([]Line, len(people))
	for i, p := range people {
		out[i] = t.Line(p, totals[p.OpenID])
	}
	return t, out, nil
}

// Counts returns how many staff and coordinators of a district's subtree have a
// training target in a year, and how many of them met it: the figure district reports
// and assessments read.
func (s *Service) Counts(ctx context.Context, d directory.District, year int) (required, compliant int, err error) {
	_, lines, err := s.lines(ctx, d.Path, year)
	for _, l := range lines {
		if l.Compliant {
			compliant++
		}
	}
	return len(lines), compliant, err
}
