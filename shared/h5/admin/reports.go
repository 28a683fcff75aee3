package admin

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/h5"
	"github.com/wentitong/wentitong/shared/institution"
	"github.com/wentitong/wentitong/shared/library"
	"github.com/wentitong/wentitong/shared/report"
	"github.com/wentitong/wentitong/shared/web"
)

// The charts are drawn on the server: every label and figure is HTML text (readable at
// the phone's text size, measured like every other text), and each bar is a small SVG
// scaled to its row's width, with the target as a line. No script, nothing from another
// host.

// Bar is one bar of a chart row.
type Bar struct {
	Text   string  // the figure as people read it: "1,204 人次", "63.5%"
	Pct    float64 // its length, 0–100 of the row
	Target float64 // where the target line is, 0–100; 0 for none
	Colour string  // blue, green, amber or grey
	Label  string  // what the bar is, for screen readers
	// Low and High, when High > 0, are a 95% interval (0–100 of the row), drawn as a
	// whisker across the bar's end.
	Low, High float64
}

// SVG draws the bar.
func (b Bar) SVG() template.HTML {
	fill := map[string]string{"blue": "#0d47a1", "green": "#1b5e20", "amber": "#b35c00", "grey": "#757575"}[b.Colour]
	if fill == "" {
		fill = "#0d47a1"
	}
	pct := math.Max(0, math.Min(100, b.Pct))
	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label="%s">`, template.HTMLEscapeString(b.Label+" "+b.Text))
	s.WriteString(`<rect width="100" height="10" fill="#e6e6e6"/>`)
	fmt.Fprintf(&s, `<rect width="%s" height="10" fill="%s"/>`, strconv.FormatFloat(pct, 'f', 2, 64), fill)
	if b.Target > 0 {
		x := strconv.FormatFloat(math.Min(99.6, b.Target), 'f', 2, 64)
		fmt.Fprintf(&s, `<line x1="%s" x2="%s" y1="0" y2="10" stroke="#1f1f1f" stroke-width="2" vector-effect="non-scaling-stroke"/>`, x, x)
	}
	if b.High > 0 {
		lo, hi := strconv.FormatFloat(math.Max(0.4, b.Low), 'f', 2, 64), strconv.FormatFloat(math.Min(99.6, b.High), 'f', 2, 64)
		fmt.Fprintf(&s, `<g class="interval" stroke="#1f1f1f" stroke-width="2" vector-effect="non-scaling-stroke">`+
			`<line x1="%s" x2="%s" y1="5" y2="5" vector-effect="non-scaling-stroke"/><line x1="%s" x2="%s" y1="2" y2="8" vector-effect="non-scaling-stroke"/>`+
			`<line x1="%s" x2="%s" y1="2" y2="8" vector-effect="non-scaling-stroke"/></g>`, lo, hi, lo, lo, hi, hi)
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String()) // numbers and an escaped label
}

// ChartRow is a labelled row of one or more bars.
type ChartRow struct {
	Label string
	Href  string // the row's district's own report, or ""
	Bars  []Bar
}

// Chart is a titled bar chart.
type Chart struct {
	ID, Title, Note string
	Legend          []Option // colour → what it means
	Rows            []ChartRow
}

type reportData struct {
	Report    report.Report
	Period    string
	District  string
	Periods   []Option
	Districts []Option
	Charts    []Chart
	Rows      []report.Row
	CSV       string
	Target    int // the city's volunteer target
}

// reports serves GET /h5/admin/reports?district=&period=: the district's report as
// charts and a table, with the CSV to download.
func (c *Console) reports(w http.ResponseWriter, r *http.Request) {
	ctx, cl := r.Context(), claims(r)
	q := r.URL.Query()
	now := c.Now()
	period := q.Get("period")
	if period == "" {
		period = evaluation.Period(now)
	}
	rep, err := c.Reports.Build(ctx, cl, q.Get("district"), period)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := reportData{Report: rep, Period: period, District: rep.District.ID, Rows: append([]report.Row{rep.Total}, rep.Children...), Target: report.VolunteerTarget,
		CSV: Base + "/reports.csv?" + url.Values{"district": {rep.District.ID}, "period": {period}}.Encode()}
	d.Periods = append(d.Periods, Option{evaluation.AllTime, "全部"})
	month := time.Date(now.In(beijing.Zone).Year(), now.In(beijing.Zone).Month(), 1, 12, 0, 0, 0, beijing.Zone)
	for i := range 12 {
		m := month.AddDate(0, -i, 0)
		d.Periods = append(d.Periods, Option{m.Format("2006-01"), m.Format("2006年1月")})
	}
	if d.Districts, err = c.districtOptions(ctx, cl, directory.LevelCity, directory.LevelCounty, directory.LevelTownship); err != nil {
		c.fail(w, r, err)
		return
	}
	// Bookings and attendance over the six months to the chosen one (or to now).
	trend := Chart{ID: "trend", Title: "预约与到场（近 6 个月）", Note: "人次：一个三人的预约算 3 人次。",
		Legend: []Option{{"blue", "预约人次"}, {"green", "到场人次"}}}
	end := month
	if t, err := time.ParseInLocation("2006-01", period, beijing.Zone); err == nil {
		end = t
	}
	var months []report.Row
	most := 1
	for i := 5; i >= 0; i-- {
		m := end.AddDate(0, -i, 0)
		mr, err := c.Reports.Build(ctx, cl, rep.District.ID, m.Format("2006-01"))
		if err != nil {
			c.fail(w, r, err)
			return
		}
		months = append(months, mr.Total)
		most = max(most, mr.Total.Bookings)
	}
	for i, row := range months {
		m := end.AddDate(0, i-5, 0)
		trend.Rows = append(trend.Rows, ChartRow{Label: m.Format("2006年1月"), Bars: []Bar{
			{Text: fmt.Sprintf("预约 %d", row.Bookings), Pct: share(row.Bookings, most), Colour: "blue", Label: "预约人次"},
			{Text: fmt.Sprintf("到场 %d%s", row.Attendance, pctText(row.AttendancePct, "，到场率 ")), Pct: share(row.Attendance, most), Colour: "green", Label: "到场人次"},
		}})
	}
	d.Charts = append(d.Charts, trend)

	href := func(row report.Row) string {
		return Base + "/reports?" + url.Values{"district": {row.DistrictID}, "period": {period}}.Encode()
	}
	coverage := Chart{ID: "coverage", Title: "村（社区）活动覆盖率", Note: "当月开展过活动的村（社区）占比；竖线为目标 100%。",
		Legend: []Option{{"green", "覆盖率"}}}
	satisfaction := Chart{ID: "satisfaction", Title: "群众满意率", Note: "打 4 星及以上的评价占比；评价不足时不计算。",
		Legend: []Option{{"blue", "满意率"}}}
	people := Chart{ID: "people", Title: "志愿者与社会体育指导员", Note: fmt.Sprintf("注册志愿者（全市目标 %d 人）；每千人社会体育指导员数，竖线为目标 %.0f‰。", report.VolunteerTarget, report.InstructorsPerThousand),
		Legend: []Option{{"blue", "注册志愿者"}, {"amber", "每千人指导员"}}}
	training := Chart{ID: "training", Title: "培训达标率", Note: "工作人员和协调员全年培训达标的占比；竖线为目标 100%。",
		Legend: []Option{{"green", "达标率"}}}
	vmost := 1
	for _, row := range d.Rows {
		vmost = max(vmost, row.VolunteersRegistered)
	}
	for i, row := range d.Rows {
		label, link := row.Name, ""
		if i == 0 {
			label = row.Name + "（合计）"
		} else {
			link = href(row)
		}
		coverage.Rows = append(coverage.Rows, ChartRow{Label: label, Href: link, Bars: []Bar{
			{Text: fmt.Sprintf("%d/%d 个%s", row.ActiveVillages, row.Villages, pctText(row.CoveragePct, "，")), Pct: pctOf(row.CoveragePct), Target: report.CoverageTarget, Colour: "green", Label: "覆盖率"}}})
		sat := Bar{Text: fmt.Sprintf("%d 条评价，不足以计算", row.Satisfaction.Ratings), Colour: "grey", Label: "满意率"}
		if row.Satisfaction.SatisfiedPercent != nil {
			sat = Bar{Text: fmt.Sprintf("%d 条评价%s", row.Satisfaction.Ratings, pctText(row.Satisfaction.SatisfiedPercent, "，满意 ")), Pct: *row.Satisfaction.SatisfiedPercent, Colour: "blue", Label: "满意率"}
		}
		satisfaction.Rows = append(satisfaction.Rows, ChartRow{Label: label, Href: link, Bars: []Bar{sat}})
		per := Bar{Text: fmt.Sprintf("指导员 %d 人，人口未知", row.SportsInstructors), Colour: "grey", Label: "每千人指导员"}
		if row.InstructorsPer1000 != nil {
			per = Bar{Text: fmt.Sprintf("指导员 %d 人，每千人 %.2f", row.SportsInstructors, *row.InstructorsPer1000), Pct: *row.InstructorsPer1000 / (report.InstructorsPerThousand * 2) * 100,
				Target: 50, Colour: "amber", Label: "每千人指导员"}
		}
		people.Rows = append(people.Rows, ChartRow{Label: label, Href: link, Bars: []Bar{
			{Text: fmt.Sprintf("注册志愿者 %d 人", row.VolunteersRegistered), Pct: share(row.VolunteersRegistered, vmost), Colour: "blue", Label: "注册志愿者"}, per}})
		training.Rows = append(training.Rows, ChartRow{Label: label, Href: link, Bars: []Bar{
			{Text: fmt.Sprintf("%d/%d 人达标%s", row.TrainingCompliant, row.TrainingRequired, pctText(row.TrainingPct, "，")), Pct: pctOf(row.TrainingPct), Target: report.TrainingCompliancePercent, Colour: "green", Label: "培训达标率"}}})
	}
	d.Charts = append(d.Charts, coverage, satisfaction, people, training)
	if c.Storage != nil {
		st, err := c.Storage(ctx, cl)
		switch {
		case errors.Is(err, institution.ErrOutOfScope): // staff of no institution: no library of theirs to show
		case err != nil:
			c.fail(w, r, err)
			return
		default:
			if ch, ok := storageChart(st, rep.District); ok {
				d.Charts = append(d.Charts, ch)
			}
		}
	}
	title := "报表 · " + rep.District.Name
	c.render(w, r, "reports", http.StatusOK, h5.View{Title: title, Tab: "reports", Data: d})
}

// share is n as a percentage of most.
func share(n, most int) float64 {
	if most <= 0 {
		return 0
	}
	return float64(n) * 100 / float64(most)
}

func pctOf(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// pctText is p as "prefix63.5%", or "" when it is not available.
func pctText(p *float64, prefix string) string {
	if p == nil {
		return ""
	}
	return prefix + strconv.FormatFloat(*p, 'f', -1, 64) + "%"
}

// reportCSV serves GET /h5/admin/reports.csv?district=&period=: the report's CSV (the
// JSON route's format=csv), UTF-8 with a byte order mark for Excel.
func (c *Console) reportCSV(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	period := q.Get("period")
	if period == "" {
		period = evaluation.Period(c.Now())
	}
	rep, err := c.Reports.Build(r.Context(), claims(r), q.Get("district"), period)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	web.CSV(w, rep.Filename(), rep.CSV())
}

// reportTarget is the rule's target of a report: the district it names (none: the
// caller's own), as the JSON report route checks it.
func (c *Console) reportTarget(r *http.Request) ([]string, error) {
	return c.Reports.DistrictScope(r.Context(), r.URL.Query().Get("district"))
}

// storageChart is the digital resources stored against the city's targets (25 TB at
// the city library, 3 TB at each county library): the city's total, each county's and
// each institution's within the report's district. ok is false when none is.
func storageChart(st library.StorageReport, d directory.District) (Chart, bool) {
	ch := Chart{ID: "storage", Title: "数字资源存储",
		Note: fmt.Sprintf("已入库的数字资源（含缩略图）；竖线为目标：市级图书馆 %s，县级图书馆 %s，博物馆、文化馆无存储目标。",
			library.HumanBytes(library.CityLibraryTarget), library.HumanBytes(library.CountyLibraryTarget)),
		Legend: []Option{{"blue", "已用存储"}}}
	county := ""
	if d.Level != directory.LevelCity {
		parts := strings.Split(d.Path, "/")
		if len(parts) < 2 {
			return Chart{}, false
		}
		county = parts[1]
	}
	bar := func(l library.StorageLine) Bar {
		b := Bar{Text: fmt.Sprintf("已用 %s，%d 个文件", l.Human, l.Objects), Pct: 100, Colour: "blue", Label: "已用存储"}
		if l.TargetBytes > 0 {
			b.Text += fmt.Sprintf("，为目标 %s 的 %s%%", library.HumanBytes(l.TargetBytes), strconv.FormatFloat(l.Percent, 'f', -1, 64))
			b.Pct, b.Target = l.Percent, 100
		} else if l.Bytes == 0 {
			b.Pct = 0
		}
		return b
	}
	if county == "" && st.City.ID != "" {
		ch.Rows = append(ch.Rows, ChartRow{Label: "全市（合计）", Bars: []Bar{bar(st.City)}})
	}
	for _, l := range st.Counties {
		if county == "" || l.ID == county {
			ch.Rows = append(ch.Rows, ChartRow{Label: l.Name + "（县级合计）", Bars: []Bar{bar(l)}})
		}
	}
	for _, l := range st.Institutions {
		if county == "" || l.County == county {
			ch.Rows = append(ch.Rows, ChartRow{Label: l.Name, Bars: []Bar{bar(l)}})
		}
	}
	return ch, len(ch.Rows) > 0
}
