package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/evaluator"
	"github.com/wentitong/wentitong/shared/h5"
	"github.com/wentitong/wentitong/shared/web"
)

// Third-party evaluation in the console: an evaluator's downloads, the admins' access
// log, and satisfaction surveys (admins define and send them; admins and the
// evaluators whose grants cover them read the results).

// datasetTexts name the exports.
var datasetTexts = map[string]string{
	evaluator.DatasetRatings: "活动评价", evaluator.DatasetFeedback: "群众意见", evaluator.DatasetAttendance: "到场记录",
	evaluator.DatasetSurvey: "满意度调查结果",
}

// GrantRow is a grant with the downloads it allows.
type GrantRow struct {
	evaluator.Grant
	Current   bool
	Places    []Option // district id → name
	Datasets  []Option
	DefaultTo string
	DefFrom   string
}

type evaluationData struct {
	Admin   bool
	Grants  []GrantRow
	Surveys []SurveyRow
}

// evaluation serves GET /h5/admin/evaluation: an evaluator's current grants with a
// download of each dataset for each district, and the surveys they may read (someone
// without a grant sees that they have none); an admin's: every grant, the surveys, and
// the link to the access log.
func (c *Console) evaluation(w http.ResponseWriter, r *http.Request) {
	ctx, cl := r.Context(), claims(r)
	d := evaluationData{Admin: cl.Has(auth.RoleAdmin)}
	var grants []evaluator.Grant
	var err error
	if d.Admin {
		grants, err = c.Evaluators.Store.Grants(ctx)
	} else {
		grants, err = c.Evaluators.Current(ctx, cl.OpenID)
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	now := c.Now()
	today := now.In(beijing.Zone)
	for _, g := range grants {
		row := GrantRow{Grant: g, Current: g.Current(now), DefaultTo: today.Format(time.DateOnly),
			DefFrom: time.Date(today.Year(), 1, 1, 0, 0, 0, 0, beijing.Zone).Format(time.DateOnly)}
		for _, id := range g.Districts {
			name := id
			if dd, err := c.Directory.District(ctx, id); err == nil {
				name = dd.Name
			}
			row.Places = append(row.Places, Option{id, name})
		}
		for _, ds := range evaluator.Datasets {
			row.Datasets = append(row.Datasets, Option{ds, datasetTexts[ds]})
		}
		d.Grants = append(d.Grants, row)
	}
	surveys, err := c.Surveys.Store.Surveys(ctx)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	granted, err := c.Evaluators.Granted(ctx, cl.OpenID)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for _, sv := range surveys {
		if sv.SentAt.IsZero() || !d.Admin && !covered(sv.Paths, granted) {
			continue
		}
		d.Surveys = append(d.Surveys, surveyRow(sv, now))
	}
	c.render(w, r, "evaluation", http.StatusOK, h5.View{Title: "第三方评估", Tab: "more", Back: Base + "/more", Data: d})
}

// covered reports whether every path lies within one of scopes.
func covered(paths, scopes []string) bool {
	for _, p := range paths {
		if !slices.ContainsFunc(scopes, func(s string) bool { return p == s || strings.HasPrefix(p, s+"/") }) {
			return false
		}
	}
	return len(paths) > 0
}

// exportTarget is the district an export reads (access.Target).
func (c *Console) exportTarget(r *http.Request) ([]string, error) {
	id := r.URL.Query().Get("district")
	if id == "" {
		return nil, evaluator.ErrDistrictNeeded
	}
	d, err := c.Directory.District(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return []string{d.Path}, nil
}

// export serves GET /h5/admin/evaluation/exports/{dataset}.csv?district=&from=&to=: the
// de-identified export as CSV, logged before it is sent (evaluator.Service.Export).
func (c *Console) export(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	dataset := strings.TrimSuffix(r.PathValue("file"), ".csv")
	e, err := c.Evaluators.Export(r.Context(), claims(r), evaluator.Request{Dataset: dataset, DistrictID: q.Get("district"),
		From: q.Get("from"), To: q.Get("to"), Format: "csv"})
	if err != nil {
		c.t.Refuse(w, r, err, h5.Refusal{Message: formError(err), Link: Base + "/evaluation", LinkText: "返回第三方评估"})
		return
	}
	web.CSV(w, e.Filename(), e.CSV())
}

// AccessRow is one logged read as admins read it.
type AccessRow struct {
	evaluator.Access
	Dataset string
	Place   string
}

type accessData struct {
	Month  string
	Months []Option
	List   []AccessRow
}

// accessLog serves GET /h5/admin/evaluation-access?month=: every read evaluators made
// in a month, the newest first.
func (c *Console) accessLog(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	month := r.URL.Query().Get("month")
	now := c.Now()
	if month == "" {
		month = evaluation.Period(now)
	}
	list, err := c.Evaluators.Log(ctx, month)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := accessData{Month: month}
	first := time.Date(now.In(beijing.Zone).Year(), now.In(beijing.Zone).Month(), 1, 12, 0, 0, 0, beijing.Zone)
	for i := range 12 {
		m := first.AddDate(0, -i, 0)
		d.Months = append(d.Months, Option{m.Format("2006-01"), m.Format("2006年1月")})
	}
	for _, a := range list {
		row := AccessRow{Access: a, Dataset: datasetTexts[a.Dataset]}
		var names []string
		for _, id := range strings.Split(a.DistrictID, ",") {
			if dd, err := c.Directory.District(ctx, id); err == nil {
				names = append(names, dd.Name)
			} else {
				names = append(names, id)
			}
		}
		row.Place = strings.Join(names, "、")
		d.List = append(d.List, row)
	}
	c.render(w, r, "access", http.StatusOK, h5.View{Title: "评估访问记录", Tab: "more", Back: Base + "/evaluation", Data: d})
}

// SurveyRow is a survey in a list.
type SurveyRow struct {
	evaluator.Survey
	Status string
}

func surveyRow(sv evaluator.Survey, now time.Time) SurveyRow {
	st := "未发出"
	switch {
	case !sv.SentAt.IsZero() && now.Before(sv.ClosesAt):
		st = "进行中"
	case !sv.SentAt.IsZero():
		st = "已结束"
	}
	return SurveyRow{Survey: sv, Status: st}
}

type surveysData struct {
	Notice    string
	Error     string
	List      []SurveyRow
	Districts []Option
	Form      url.Values
	Closes    string
}

// surveys serves GET /h5/admin/surveys: every survey, and the form of a new one.
func (c *Console) surveys(w http.ResponseWriter, r *http.Request) {
	c.surveysPage(w, r, http.StatusOK, "")
}

func (c *Console) surveysPage(w http.ResponseWriter, r *http.Request, status int, formErr string) {
	ctx, cl := r.Context(), claims(r)
	list, err := c.Surveys.Store.Surveys(ctx)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	now := c.Now()
	d := surveysData{Notice: notice(r), Error: formErr, Form: r.PostForm,
		Closes: now.In(beijing.Zone).AddDate(0, 0, 14).Format(time.DateOnly)}
	if d.Form == nil {
		d.Form = url.Values{"days": {"30"}, "perDistrict": {"200"}, "questions": {"您对参加的活动内容满意吗？\n您对场馆的环境和设施满意吗？\n您对工作人员的服务满意吗？"}}
	}
	for _, sv := range list {
		d.List = append(d.List, surveyRow(sv, now))
	}
	if d.Districts, err = c.districtOptions(ctx, cl, directory.LevelCounty, directory.LevelTownship); err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, "surveys", status, h5.View{Title: "满意度调查", Tab: "more", Back: Base + "/more", Data: d})
}

// createSurvey serves POST /h5/admin/surveys.
func (c *Console) createSurvey(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	questions := formLines(f.Get("questions"))
	closes, err := time.ParseInLocation(time.DateOnly, f.Get("closes"), beijing.Zone)
	if err != nil {
		closes = time.Time{}
	}
	sv, err := c.Surveys.Create(r.Context(), claims(r), evaluator.Survey{Title: f.Get("title"), Questions: questions,
		Districts: f["districts"], Days: formInt(f.Get("days"), 30), PerDistrict: formInt(f.Get("perDistrict"), 200),
		ClosesAt: closes.Add(24 * time.Hour)}) // the end of the day chosen
	if err != nil {
		if isFormError(err) {
			c.surveysPage(w, r, statusOf(err), formError(err))
			return
		}
		c.fail(w, r, err)
		return
	}
	done(w, r, Base+"/surveys/"+url.PathEscape(sv.ID), "survey")
}

// surveyTarget is what a survey samples (access.Target of its results).
func (c *Console) surveyTarget(r *http.Request) ([]string, error) { return c.Surveys.Target(r) }

type surveyData struct {
	Notice  string
	Admin   bool
	Row     SurveyRow
	Results evaluator.Results
	Figures []evaluator.StratumFigs // the districts, then 合计
	Charts  []Chart
}

// survey serves GET /h5/admin/surveys/{id}: the results with their response rates and
// margins of error, charted; an evaluator's read is logged.
func (c *Console) survey(w http.ResponseWriter, r *http.Request) {
	cl := claims(r)
	res, err := c.Evaluators.SurveyResults(r.Context(), cl, c.Surveys, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := surveyData{Notice: notice(r), Admin: cl.Has(auth.RoleAdmin), Row: surveyRow(res.Survey, c.Now()), Results: res,
		Figures: slices.Clone(res.Strata)}
	if res.Overall != nil {
		d.Figures = append(d.Figures, *res.Overall)
	}
	if !res.Survey.SentAt.IsZero() {
		sat := Chart{ID: "satisfied", Title: "满意比例（选“满意”或“非常满意”）", Legend: []Option{{"green", "满意比例"}, {"grey", "95% 置信区间"}},
			Note: "横线为 95% 置信区间；回答不足 2 人的区划没有区间。"}
		rate := Chart{ID: "response", Title: "回答率", Legend: []Option{{"blue", "回答人数 ÷ 抽样人数"}}}
		for _, f := range d.Figures {
			b := Bar{Text: estimate(f.Satisfied, "%"), Pct: f.Satisfied.Value, Colour: "green", Label: f.Name + " 满意比例"}
			if f.Satisfied.Margin != nil {
				b.Low, b.High = f.Satisfied.Low(), max(f.Satisfied.High(), 0.5)
			}
			if f.Responses == 0 {
				b = Bar{Text: "暂无回答", Colour: "grey", Label: f.Name + " 满意比例"}
			}
			sat.Rows = append(sat.Rows, ChartRow{Label: f.Name, Bars: []Bar{b}})
			rate.Rows = append(rate.Rows, ChartRow{Label: f.Name, Bars: []Bar{{Text: fmt.Sprintf("%.1f%%（%d / %d 人）", f.ResponseRate, f.Responses, f.Sampled),
				Pct: f.ResponseRate, Colour: "blue", Label: f.Name + " 回答率"}}})
		}
		d.Charts = []Chart{sat, rate}
	}
	c.render(w, r, "survey", http.StatusOK, h5.View{Title: res.Survey.Title, Tab: "more", Back: Base + "/evaluation", Data: d})
}

// sendSurvey serves POST /h5/admin/surveys/{id}/send: draw the samples and queue the
// invitations.
func (c *Console) sendSurvey(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	_, err := c.Surveys.Send(r.Context(), id)
	c.finish(w, r, err, Base+"/surveys/"+url.PathEscape(id), "返回调查", "sent")
}

// estimate reads an estimate with its margin: "72.2% ± 4.1", "4.3 ± 0.2", or without
// one where it cannot be estimated.
func estimate(e evaluator.Estimate, unit string) string {
	s := fmt.Sprintf("%.1f%s", e.Value, unit)
	if e.Margin != nil {
		s += fmt.Sprintf(" ± %.1f", *e.Margin)
	}
	return s
}
