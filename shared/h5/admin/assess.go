package admin

import (
	"cmp"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/wentitong/wentitong/shared/assessment"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/h5"
)

// The yearly assessments in the console: the year's levels with their results, the
// reviewers' sheet (every unit's live figures, the self-reports to score, publication
// for admins), a unit's own figures with its self-reports and evidence, and the
// published ranking charted.

// ownKinds are the two kinds of a unit's own pages: a district's (its staff) and an
// institution's (who works there).
const (
	ownDistrict    = "district-assessments"
	ownInstitution = "institution-assessments"
)

// yearOf reads the path's year.
func yearOf(r *http.Request) (int, error) {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || year < 2000 || year > 2100 {
		return 0, assessment.ErrYearInvalid
	}
	return year, nil
}

// yearLevel reads the path's year and level.
func yearLevel(r *http.Request) (int, assessment.Level, error) {
	year, err := yearOf(r)
	if err != nil {
		return 0, "", err
	}
	level := assessment.Level(r.PathValue("level"))
	if !assessment.ValidLevel(level) {
		return 0, "", assessment.ErrLevelInvalid
	}
	return year, level, nil
}

// LevelRow is a level of the year on the index.
type LevelRow struct {
	Level     assessment.Level
	Name      string
	Defined   bool
	Published bool
}

type assessmentsData struct {
	Year     int
	Years    []Option
	Levels   []LevelRow
	Reviewer bool
	Own      []Option // the caller's own units' pages: href → name
}

// assessments serves GET /h5/admin/assessments?year=: the year's levels, their results
// once published, the reviewers' sheets and the caller's own unit.
func (c *Console) assessments(w http.ResponseWriter, r *http.Request) {
	ctx, cl := r.Context(), claims(r)
	now := c.Now().In(beijing.Zone)
	year := now.Year()
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 2000 && y <= 2100 {
		year = y
	}
	d := assessmentsData{Year: year, Reviewer: cl.Has(auth.RoleAdmin) || c.Assessments.Reviewer(ctx, year, cl.OpenID) == nil}
	for y := now.Year(); y >= now.Year()-3; y-- {
		d.Years = append(d.Years, Option{strconv.Itoa(y), strconv.Itoa(y) + " 年度"})
	}
	for _, l := range assessment.Levels {
		row := LevelRow{Level: l, Name: assessment.LevelTexts[l]}
		_, err := c.Assessments.Store.Scheme(ctx, year, l)
		row.Defined = err == nil
		_, err = c.Assessments.Store.Result(ctx, year, l)
		row.Published = err == nil
		d.Levels = append(d.Levels, row)
	}
	if scope, err := c.Guard.Scopes.Scope(ctx, cl.OpenID); err == nil && scope != "" {
		if dd, err := c.Directory.District(ctx, scope); err == nil {
			d.Own = append(d.Own, Option{fmt.Sprintf("%s/%s/%d/%s", Base, ownDistrict, year, dd.ID), dd.Name})
		}
	}
	if id, err := c.Employees.Store.Employer(ctx, cl.OpenID); err == nil && id != "" {
		if in, err := c.Employees.Store.Institution(ctx, id); err == nil {
			d.Own = append(d.Own, Option{fmt.Sprintf("%s/%s/%d/%s", Base, ownInstitution, year, in.ID), in.Name})
		}
	}
	c.render(w, r, "assessments", http.StatusOK, h5.View{Title: "绩效考评", Tab: "more", Back: Base + "/more", Data: d})
}

// reviewing is the rule of the reviewers' pages (access.Member): the year's reviewers.
func (c *Console) reviewing(r *http.Request, cl auth.Claims) error {
	year, err := yearOf(r)
	if err != nil {
		return err
	}
	return c.Assessments.Reviewer(r.Context(), year, cl.OpenID)
}

// employee is the rule of an institution's own pages (access.Member): who works there.
func (c *Console) employee(r *http.Request, cl auth.Claims) error {
	return c.Employees.Permit(r.Context(), cl, r.PathValue("unit"))
}

// unitTarget is the district of a district's own pages (access.Target).
func (c *Console) unitTarget(r *http.Request) ([]string, error) {
	d, err := c.Directory.District(r.Context(), r.PathValue("unit"))
	if err != nil {
		return nil, err
	}
	return []string{d.Path}, nil
}

// IndicatorRow is an indicator as the sheet reads it.
type IndicatorRow struct {
	assessment.Indicator
	MeasureText string
	Self        bool
}

// ReportRow is a self-report on the sheet or a unit's page.
type ReportRow struct {
	assessment.SelfReport
	UnitName, IndicatorName, StatusText string
	EvidenceBase                        string // where its files are read: + id
}

// UnitRow is a unit's line of figures.
type UnitRow struct {
	assessment.Unit
	Cells []string // per indicator: "value（points 分）" or —
}

type sheetData struct {
	Notice     string
	Admin      bool
	Year       int
	Level      assessment.Level
	LevelName  string
	Indicators []IndicatorRow
	Units      []UnitRow
	Reports    []ReportRow
	Published  bool
	Charts     []Chart
	CSV        string
	Guide      string
	Own        string // a unit's own page: the path its forms post under
}

func indicatorRows(sc assessment.Scheme) []IndicatorRow {
	out := make([]IndicatorRow, len(sc.Indicators))
	for i, in := range sc.Indicators {
		out[i] = IndicatorRow{Indicator: in, MeasureText: assessment.MeasureTexts[in.Measure], Self: in.Measure == assessment.MeasureSelf}
	}
	return out
}

func unitRows(sc assessment.Scheme, units []assessment.Unit) []UnitRow {
	out := make([]UnitRow, len(units))
	for i, u := range units {
		row := UnitRow{Unit: u}
		for _, l := range u.Lines {
			cell := "—"
			if l.Value != nil {
				cell = fmt.Sprintf("%s（%s 分）", num(*l.Value), num(l.Points))
			}
			if l.Note != "" {
				cell += " " + l.Note
			}
			row.Cells = append(row.Cells, cell)
		}
		out[i] = row
	}
	return out
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// reportRows are the self-reports as read, with their unit's and indicator's names.
func reportRows(sc assessment.Scheme, units []assessment.Unit, reports []assessment.SelfReport, evidence func(unit string) string) []ReportRow {
	names := map[string]string{}
	for _, u := range units {
		names[u.ID] = u.Name
	}
	out := []ReportRow{}
	for _, rp := range reports {
		in, _ := sc.Indicator(rp.Indicator)
		out = append(out, ReportRow{SelfReport: rp, UnitName: cmp.Or(names[rp.Unit], rp.Unit), IndicatorName: in.Name,
			StatusText: assessment.StatusTexts[rp.Status], EvidenceBase: evidence(rp.Unit)})
	}
	return out
}

// sheet serves GET /h5/admin/assessments/{year}/{level}/sheet: the indicator set, every
// unit's live figures, and the self-reports to score (the year's reviewers; admins also
// publish).
func (c *Console) sheet(w http.ResponseWriter, r *http.Request) {
	year, level, err := yearLevel(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	sh, err := c.Assessments.Sheet(r.Context(), year, level, "")
	if err != nil {
		c.fail(w, r, err)
		return
	}
	base := fmt.Sprintf("%s/assessments/%d/%s", Base, year, level)
	d := sheetData{Notice: notice(r), Admin: claims(r).Has(auth.RoleAdmin), Year: year, Level: level, LevelName: assessment.LevelTexts[level],
		Indicators: indicatorRows(sh.Scheme), Units: unitRows(sh.Scheme, sh.Units)}
	d.Reports = reportRows(sh.Scheme, sh.Units, sh.Reports, func(unit string) string { return base + "/units/" + url.PathEscape(unit) + "/evidence/" })
	_, err = c.Assessments.Store.Result(r.Context(), year, level)
	d.Published = err == nil
	c.render(w, r, "sheet", http.StatusOK, h5.View{Title: fmt.Sprintf("%d 年度%s考评 · 指标与审核", year, d.LevelName), Tab: "more", Back: Base + "/assessments", Data: d})
}

// review serves POST /h5/admin/assessments/{year}/{level}/units/{unit}/reviews/{indicator}:
// accept a self-report with the value that counts, or reject it with the reason.
func (c *Console) review(w http.ResponseWriter, r *http.Request) {
	year, level, err := yearLevel(r)
	back := fmt.Sprintf("%s/assessments/%s/%s/sheet", Base, r.PathValue("year"), r.PathValue("level"))
	if err == nil {
		f := r.PostForm
		accept := f.Get("decision") == "accept"
		var value *float64
		if v, perr := strconv.ParseFloat(strings.TrimSpace(f.Get("value")), 64); perr == nil {
			value = &v
		}
		_, err = c.Assessments.Review(r.Context(), claims(r), year, level, r.PathValue("unit"), r.PathValue("indicator"), accept, value, strings.TrimSpace(f.Get("comment")))
	}
	c.finish(w, r, err, back, "返回审核", "reviewed")
}

// publish serves POST /h5/admin/assessments/{year}/{level}/publish (admins).
func (c *Console) publish(w http.ResponseWriter, r *http.Request) {
	year, level, err := yearLevel(r)
	if err == nil {
		_, err = c.Assessments.Publish(r.Context(), year, level)
	}
	if err != nil {
		c.t.Refuse(w, r, err, h5.Refusal{Message: formError(err), Link: Base + "/assessments", LinkText: "返回绩效考评"})
		return
	}
	done(w, r, fmt.Sprintf("%s/assessments/%d/%s/results", Base, year, level), "published")
}

// evidence serves an evidence file to a reviewer or to its unit's staff.
func (c *Console) evidence(w http.ResponseWriter, r *http.Request) {
	year, level, err := c.ownYearLevel(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	e, content, err := c.Assessments.Evidence(r.Context(), year, level, r.PathValue("unit"), r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	assessment.WriteEvidence(w, e, content)
}

// ownYearLevel reads the year and the level of a unit's page: a district's level, an
// institution's, or the path's on a reviewer's page.
func (c *Console) ownYearLevel(r *http.Request) (int, assessment.Level, error) {
	switch {
	case strings.HasPrefix(r.URL.Path, Base+"/"+ownInstitution+"/"):
		year, err := yearOf(r)
		return year, assessment.LevelInstitution, err
	case strings.HasPrefix(r.URL.Path, Base+"/"+ownDistrict+"/"):
		year, err := yearOf(r)
		if err != nil {
			return 0, "", err
		}
		d, err := c.Directory.District(r.Context(), r.PathValue("unit"))
		if err != nil {
			return 0, "", err
		}
		level := assessment.Level(d.Level)
		if level == assessment.LevelInstitution || !assessment.ValidLevel(level) {
			return 0, "", assessment.ErrLevelInvalid
		}
		return year, level, nil
	}
	return yearLevel(r)
}

// ownBase is the path a unit's own pages are under.
func ownBase(r *http.Request) string {
	kind := ownDistrict
	if strings.HasPrefix(r.URL.Path, Base+"/"+ownInstitution+"/") {
		kind = ownInstitution
	}
	return fmt.Sprintf("%s/%s/%s/%s", Base, kind, r.PathValue("year"), url.PathEscape(r.PathValue("unit")))
}

// unitPage serves GET /h5/admin/{district,institution}-assessments/{year}/{unit}: the
// unit's live figures, and for each self-reported indicator its report, its evidence
// and the forms to report and upload.
func (c *Console) unitPage(w http.ResponseWriter, r *http.Request) {
	year, level, err := c.ownYearLevel(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	sh, err := c.Assessments.Sheet(r.Context(), year, level, r.PathValue("unit"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	own := ownBase(r)
	d := sheetData{Notice: notice(r), Year: year, Level: level, LevelName: assessment.LevelTexts[level],
		Indicators: indicatorRows(sh.Scheme), Units: unitRows(sh.Scheme, sh.Units), Own: own}
	d.Reports = reportRows(sh.Scheme, sh.Units, sh.Reports, func(string) string { return own + "/evidence/" })
	title := fmt.Sprintf("%d 年度考评", year)
	if len(sh.Units) == 1 {
		title = fmt.Sprintf("%s · %d 年度考评", sh.Units[0].Name, year)
	}
	c.render(w, r, "unit", http.StatusOK, h5.View{Title: title, Tab: "more", Back: Base + "/assessments", Data: d})
}

// selfReport serves POST …/{year}/{unit}/reports/{indicator}: the unit's value of a
// self-reported indicator, with a note.
func (c *Console) selfReport(w http.ResponseWriter, r *http.Request) {
	year, level, err := c.ownYearLevel(r)
	own := ownBase(r)
	if err == nil {
		v, perr := strconv.ParseFloat(strings.TrimSpace(r.PostForm.Get("value")), 64)
		if perr != nil {
			err = assessment.ErrReportInvalid
		} else {
			_, err = c.Assessments.Report(r.Context(), claims(r), year, level, r.PathValue("unit"), r.PathValue("indicator"), v, strings.TrimSpace(r.PostForm.Get("note")))
		}
	}
	c.finish(w, r, err, own, "返回本单位考评", "reported")
}

// uploadEvidence serves POST …/{year}/{unit}/reports/{indicator}/evidence: a file
// (multipart form field "file") backing the self-report.
func (c *Console) uploadEvidence(w http.ResponseWriter, r *http.Request) {
	year, level, err := c.ownYearLevel(r)
	own := ownBase(r)
	if err == nil {
		err = assessment.ErrEvidenceInvalid
		if f, hdr, ferr := r.FormFile("file"); ferr == nil {
			content, rerr := io.ReadAll(io.LimitReader(f, assessment.MaxEvidenceBytes+1))
			_ = f.Close()
			if rerr == nil {
				_, err = c.Assessments.AddEvidence(r.Context(), claims(r), year, level, r.PathValue("unit"), r.PathValue("indicator"), hdr.Filename, content)
			}
		}
	}
	c.finish(w, r, err, own, "返回本单位考评", "evidence")
}

// results serves GET /h5/admin/assessments/{year}/{level}/results: the published
// ranking, charted, with every unit's values and points and the CSV to recompute it.
func (c *Console) results(w http.ResponseWriter, r *http.Request) {
	year, level, err := yearLevel(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	res, err := c.Assessments.Store.Result(r.Context(), year, level)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := sheetData{Notice: notice(r), Year: year, Level: level, LevelName: assessment.LevelTexts[level], Published: true,
		Indicators: indicatorRows(res.Scheme), Units: unitRows(res.Scheme, res.Units),
		CSV: fmt.Sprintf("/api/v1/assessments/%d/%s/results?format=csv", year, level)}
	ch := Chart{ID: "ranking", Title: "总分排名", Legend: []Option{{"green", "评为先进"}, {"blue", "其他"}},
		Note: fmt.Sprintf("满分 100 分。先进：排名前 %d 且总分不低于 %s 分。", res.Scheme.Selection.Count, num(res.Scheme.Selection.MinScore))}
	if level == assessment.LevelInstitution {
		ch.Legend, ch.Note = []Option{{"blue", "总分"}}, "满分 100 分。"
	}
	for _, u := range res.Units {
		colour := "blue"
		if u.Selected {
			colour = "green"
		}
		label := fmt.Sprintf("%d. %s", u.Rank, u.Name)
		ch.Rows = append(ch.Rows, ChartRow{Label: label, Bars: []Bar{{Text: num(u.Total) + " 分", Pct: u.Total, Colour: colour, Label: label + " 总分"}}})
	}
	d.Charts = []Chart{ch}
	if len(res.Units) > 30 { // a village ranking: the chart shows the first 30, the table all
		d.Charts[0].Rows = slices.Clone(ch.Rows[:30])
		d.Charts[0].Note += "图中为前 30 名，全部名次见下表。"
	}
	c.render(w, r, "results", http.StatusOK, h5.View{Title: fmt.Sprintf("%d 年度%s考评结果", year, d.LevelName), Tab: "more", Back: Base + "/assessments", Data: d})
}
