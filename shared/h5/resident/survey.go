package resident

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/wentitong/wentitong/shared/evaluator"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/h5"
)

// surveyScale is the five-point scale every question is answered on, best first.
var surveyScale = []Option{
	{Value: "5", Text: "非常满意"}, {Value: "4", Text: "满意"}, {Value: "3", Text: "一般"},
	{Value: "2", Text: "不满意"}, {Value: "1", Text: "很不满意"},
}

type surveyData struct {
	evaluator.Form
	Questions []SurveyQuestion
	Done      bool
	Error     string
}

// SurveyQuestion is one question of the form with its choices (Selected: as posted).
type SurveyQuestion struct {
	Name, Text string
	Choices    []Option
	Missing    bool
}

// survey serves GET /h5/surveys/{id}: the questions for the invited who have not
// answered; otherwise what is the case (thanks, closed, not sampled).
func (p *Pages) survey(w http.ResponseWriter, r *http.Request) {
	p.surveyPage(w, r, http.StatusOK, surveyData{Done: r.URL.Query().Get("done") == "1"})
}

func (p *Pages) surveyPage(w http.ResponseWriter, r *http.Request, status int, d surveyData) {
	f, err := p.Surveys.Form(r.Context(), r.PathValue("id"), caller(r))
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	d.Form = f
	for i, q := range f.Survey.Questions {
		name := "q" + strconv.Itoa(i)
		sq := SurveyQuestion{Name: name, Text: q, Missing: d.Error != "" && r.PostForm.Get(name) == ""}
		for _, o := range surveyScale {
			o.Selected = r.PostForm.Get(name) == o.Value
			sq.Choices = append(sq.Choices, o)
		}
		d.Questions = append(d.Questions, sq)
	}
	p.t.Render(w, r, "survey", status, h5.View{Title: f.Survey.Title, Data: d})
}

// answerSurvey serves POST /h5/surveys/{id}, as POST /api/v1/surveys/{id}/responses:
// the invited answer once.
func (p *Pages) answerSurvey(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	sv, err := p.Surveys.Store.Survey(r.Context(), id)
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	answers := make([]int, len(sv.Questions))
	for i := range answers {
		answers[i] = atoi(r.PostForm.Get("q" + strconv.Itoa(i)))
	}
	if _, err := p.Surveys.Respond(r.Context(), id, caller(r), answers); err != nil {
		if fault.As(err).Code == evaluator.ErrResponseInvalid.Code {
			p.surveyPage(w, r, http.StatusBadRequest, surveyData{Error: "还有问题没有选择，请为每个问题选一项后再提交。"})
			return
		}
		p.refuse(w, r, err)
		return
	}
	http.Redirect(w, r, h5.Prefix+"/surveys/"+url.PathEscape(id)+"?done=1", http.StatusSeeOther)
}
