// Package assessment is the yearly performance assessment of the public culture
// institutions and the selection of model (先进) counties, townships and villages: an
// indicator set per year and level, figures computed from what the platform counts,
// self-reported figures backed by evidence and checked by a reviewer, and published
// results ranked by a score anyone can recompute from the published figures.
package assessment

import (
	"cmp"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/wentitong/wentitong/shared/fault"
)

// Level is what a scheme assesses: institutions, or the districts of one level.
type Level string

// The levels assessed.
const (
	LevelInstitution Level = "institution" // 公共文化机构
	LevelCounty      Level = "county"      // 先进县市区
	LevelTownship    Level = "township"    // 先进乡镇（街道）
	LevelVillage     Level = "village"     // 先进村（社区）
)

// Levels lists the levels.
var Levels = []Level{LevelInstitution, LevelCounty, LevelTownship, LevelVillage}

// LevelTexts is how each level reads.
var LevelTexts = map[Level]string{
	LevelInstitution: "公共文化机构", LevelCounty: "县市区", LevelTownship: "乡镇（街道）", LevelVillage: "村（社区）",
}

// Measure is how an indicator's value is obtained.
type Measure string

// The measures. All but MeasureSelf are computed from what the platform records, for
// the assessment's year; MeasureSelf is reported by the unit with evidence and counts
// once a reviewer has accepted it.
const (
	MeasureSessions         Measure = "sessions"         // 场次: sessions held (not cancelled)
	MeasureActivities       Measure = "activities"       // activities with a session held (institutions)
	MeasureBookings         Measure = "bookings"         // 人次 booked
	MeasureAttendance       Measure = "attendance"       // 人次 admitted at the door
	MeasureAttendanceRate   Measure = "attendanceRate"   // % of booked places attended
	MeasureResidents        Measure = "residents"        // distinct residents served
	MeasureResidentsPer1k   Measure = "residentsPer1000" // distinct residents per 1,000 population (districts)
	MeasureSatisfaction     Measure = "satisfaction"     // satisfaction index 0–100 (needs evaluation.MinSample ratings)
	MeasureFeedbackOnTime   Measure = "feedbackOnTime"   // % of feedback answered within its deadline
	MeasureVolunteersActive Measure = "volunteersActive" // volunteers with service credited (districts)
	MeasureTraining         Measure = "training"         // % of staff meeting their training target (districts)
	MeasureCoverage         Measure = "coverage"         // % of villages with a session held (counties, townships)
	MeasureSelf             Measure = "self"             // self-reported with evidence, checked by a reviewer
)

// MeasureTexts is how each measure reads, with its unit.
var MeasureTexts = map[Measure]string{
	MeasureSessions: "举办活动场次", MeasureActivities: "开展活动项目数", MeasureBookings: "预约人次",
	MeasureAttendance: "到场人次", MeasureAttendanceRate: "到场率（%）", MeasureResidents: "服务群众人数",
	MeasureResidentsPer1k: "每千人服务群众人数", MeasureSatisfaction: "群众满意度指数",
	MeasureFeedbackOnTime: "意见按时答复率（%）", MeasureVolunteersActive: "参与服务志愿者人数",
	MeasureTraining: "业务培训达标率（%）", MeasureCoverage: "村（社区）活动覆盖率（%）", MeasureSelf: "自评（附佐证材料，经审核）",
}

// measured lists the levels each computed measure exists for.
var measured = map[Measure][]Level{
	MeasureSessions:         Levels,
	MeasureActivities:       {LevelInstitution},
	MeasureBookings:         Levels,
	MeasureAttendance:       Levels,
	MeasureAttendanceRate:   Levels,
	MeasureResidents:        Levels,
	MeasureResidentsPer1k:   {LevelCounty, LevelTownship, LevelVillage},
	MeasureSatisfaction:     Levels,
	MeasureFeedbackOnTime:   Levels,
	MeasureVolunteersActive: {LevelCounty, LevelTownship, LevelVillage},
	MeasureTraining:         {LevelCounty, LevelTownship},
	MeasureCoverage:         {LevelCounty, LevelTownship},
	MeasureSelf:             Levels,
}

// Applies reports whether m can be measured for units of level l.
func (m Measure) Applies(l Level) bool { return slices.Contains(measured[m], l) }

// Indicator is one line of an indicator set: its weight is the points it carries (a
// set's weights add up to 100), and a unit earns them in proportion to how much of the
// target its value reaches, at most all of them.
type Indicator struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Weight  float64 `json:"weight"`
	Measure Measure `json:"measure"`
	Target  float64 `json:"target"`
	// Guide says, for a self-reported indicator, what is to be reported and which
	// evidence supports it.
	Guide string `json:"guide,omitempty"`
}

// Selection is how a level's 先进 units are chosen from its ranking: those ranked within
// the first Count whose total reaches MinScore (units tied at the cut all ranked within
// it are all chosen).
type Selection struct {
	Count    int     `json:"count"`
	MinScore float64 `json:"minScore"`
}

// Scheme is a year's indicator set for one level.
type Scheme struct {
	Year       int         `json:"year"`
	Level      Level       `json:"level"`
	Indicators []Indicator `json:"indicators"`
	Selection  Selection   `json:"selection"`
}

// Errors of assessment.
var (
	ErrSchemeInvalid    = fault.New(fault.Invalid, "scheme_invalid", "指标体系无效：年份、考评对象、1 至 30 项指标（编号、名称、计量方式、正的目标值），各项权重为正且合计 100，评选名额不为负")
	ErrSchemeNotFound   = fault.New(fault.NotFound, "scheme_not_found", "该年度尚未制定此类考评指标")
	ErrPublished        = fault.New(fault.Conflict, "assessment_published", "该年度考评结果已公布，不能再修改")
	ErrNotPublished     = fault.New(fault.NotFound, "results_not_published", "该年度考评结果尚未公布")
	ErrLevelInvalid     = fault.New(fault.Invalid, "level_invalid", "考评对象无效：应为公共文化机构、县市区、乡镇（街道）或村（社区）")
	ErrYearInvalid      = fault.New(fault.Invalid, "year_invalid", "年份无效")
	ErrIndicatorUnknown = fault.New(fault.NotFound, "indicator_unknown", "找不到该指标")
	ErrNotSelfReported  = fault.New(fault.Invalid, "indicator_not_self_reported", "该指标由平台自动计算，无需自评")
	ErrUnitNotFound     = fault.New(fault.NotFound, "unit_not_found", "找不到该考评对象")
	ErrReportInvalid    = fault.New(fault.Invalid, "self_report_invalid", "自评无效：请填写不小于 0 的数值和不超过 500 字的说明")
	ErrEvidenceInvalid  = fault.New(fault.Invalid, "evidence_invalid", "佐证材料无效：应为便携文档或图片（照片、截图）文件，不超过 256 千字节，每项指标最多 5 份")
	ErrEvidenceNotFound = fault.New(fault.NotFound, "evidence_not_found", "找不到该佐证材料")
	ErrReviewInvalid    = fault.New(fault.Invalid, "review_invalid", "审核无效：通过时请填写核定数值（不小于 0），不通过时请说明理由（不超过 500 字）")
	ErrFormatInvalid    = fault.New(fault.Invalid, "format_invalid", "导出格式无效：应为数据或表格")
	ErrReviewerInvalid  = fault.New(fault.Invalid, "reviewer_invalid", "审核人员标识无效")
	ErrNotReviewer      = fault.New(fault.Forbidden, "not_reviewer", "您不是本年度考评的审核人员")
	ErrNothingToReview  = fault.New(fault.Conflict, "nothing_to_review", "该指标尚未提交自评")
)

var indicatorID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,19}$`)

// ValidLevel reports whether l is a known level.
func ValidLevel(l Level) bool { return slices.Contains(Levels, l) }

// Validate reports ErrSchemeInvalid unless the scheme names a year and a level and has
// 1 to 30 indicators with distinct ids, names, measures that apply to the level,
// positive targets and positive weights adding up to 100, and a selection that is not
// negative.
func (s Scheme) Validate() error {
	if s.Year < 2000 || s.Year > 2100 || !ValidLevel(s.Level) || len(s.Indicators) == 0 || len(s.Indicators) > 30 ||
		s.Selection.Count < 0 || s.Selection.MinScore < 0 || s.Selection.MinScore > 100 {
		return ErrSchemeInvalid
	}
	var sum float64
	seen := map[string]bool{}
	for _, in := range s.Indicators {
		name := strings.TrimSpace(in.Name)
		if !indicatorID.MatchString(in.ID) || seen[in.ID] || name == "" || utf8.RuneCountInString(name) > 60 ||
			utf8.RuneCountInString(in.Guide) > 500 || !in.Measure.Applies(s.Level) ||
			!(in.Weight > 0) || in.Weight > 100 || !(in.Target > 0) || math.IsInf(in.Target, 0) {
			return ErrSchemeInvalid
		}
		seen[in.ID] = true
		sum += in.Weight
	}
	if math.Abs(sum-100) > 1e-6 {
		return ErrSchemeInvalid
	}
	return nil
}

// Indicator returns the scheme's indicator id, or ErrIndicatorUnknown.
func (s Scheme) Indicator(id string) (Indicator, error) {
	i := slices.IndexFunc(s.Indicators, func(in Indicator) bool { return in.ID == id })
	if i < 0 {
		return Indicator{}, ErrIndicatorUnknown
	}
	return s.Indicators[i], nil
}

// Round1 rounds x to one decimal: values are published, and scored, so rounded.
func Round1(x float64) float64 { return math.Round(x*10) / 10 }

// round2 rounds x to two decimals: scores and totals.
func round2(x float64) float64 { return math.Round(x*100) / 100 }

// Points returns what a value earns on an indicator: Weight × min(value/Target, 1),
// rounded to two decimals; no value earns nothing.
func (in Indicator) Points(value *float64) float64 {
	if value == nil || *value <= 0 {
		return 0
	}
	return round2(in.Weight * min(*value/in.Target, 1))
}

// Line is one indicator's figures for a unit: its value (nil when there is none: a
// satisfaction index below the minimum sample, a self-report not accepted) and the
// points it earns.
type Line struct {
	Indicator string   `json:"indicator"`
	Value     *float64 `json:"value"`
	Points    float64  `json:"points"`
	// Note says where the value comes from when it is not computed outright ("自评经审核",
	// "评价不足 10 条").
	Note string `json:"note,omitempty"`
}

// Unit is one assessed unit's figures: an institution or a district.
type Unit struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	ParentID string  `json:"parentId,omitempty"` // the district it lies in (institutions: their county)
	Lines    []Line  `json:"lines"`
	Total    float64 `json:"total"`
	Rank     int     `json:"rank"`
	Selected bool    `json:"selected"`
}

// Score fills in each unit's points and total from its values under the scheme (lines
// in the scheme's order; a value the unit lacks counts as none), ranks the units by
// total (highest first; equal totals share a rank, the next rank skipping as many, and
// are listed by id), and marks the units the scheme's selection chooses. It returns a
// new slice; given the published values it gives the published result again.
func Score(s Scheme, units []Unit) []Unit {
	out := make([]Unit, len(units))
	for i, u := range units {
		values := map[string]Line{}
		for _, l := range u.Lines {
			values[l.Indicator] = l
		}
		u.Lines, u.Total = make([]Line, len(s.Indicators)), 0
		for j, in := range s.Indicators {
			l := values[in.ID]
			l.Indicator = in.ID
			if l.Value != nil {
				v := Round1(*l.Value)
				l.Value = &v
			}
			l.Points = in.Points(l.Value)
			u.Lines[j] = l
			u.Total += l.Points
		}
		u.Total = round2(u.Total)
		out[i] = u
	}
	slices.SortStableFunc(out, func(a, b Unit) int {
		return cmp.Or(cmp.Compare(b.Total, a.Total), cmp.Compare(a.ID, b.ID))
	})
	for i := range out {
		out[i].Rank = i + 1
		if i > 0 && out[i].Total == out[i-1].Total {
			out[i].Rank = out[i-1].Rank
		}
		out[i].Selected = out[i].Rank <= s.Selection.Count && out[i].Total >= s.Selection.MinScore && out[i].Total > 0
	}
	return out
}
