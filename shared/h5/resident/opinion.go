package resident

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/h5"
)

// feedbackCategories are the feedback categories as the form names them.
var feedbackCategories = []Option{
	{Value: "suggestion", Text: "建议"}, {Value: "question", Text: "咨询"},
	{Value: "complaint", Text: "投诉"}, {Value: "praise", Text: "表扬"},
}

func categoryName(c string) string {
	for _, o := range feedbackCategories {
		if o.Value == c {
			return o.Text
		}
	}
	return c
}

type feedbackData struct {
	Categories []Option
	Text       string
	Error      string
	Filed      bool
	Tickets    []FeedbackRow
}

// FeedbackRow is one of the person's tickets.
type FeedbackRow struct {
	evaluation.Ticket
	CategoryName string
	Answered     bool
}

// feedback serves GET /h5/feedback: the form, and the person's tickets with the replies.
func (p *Pages) feedback(w http.ResponseWriter, r *http.Request) {
	p.feedbackPage(w, r, http.StatusOK, feedbackData{Filed: r.URL.Query().Get("filed") == "1"})
}

func (p *Pages) feedbackPage(w http.ResponseWriter, r *http.Request, status int, d feedbackData) {
	c, _ := auth.FromContext(r.Context())
	mine, err := p.Evaluation.Mine(r.Context(), c)
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	for i := len(mine) - 1; i >= 0; i-- { // newest first
		t := mine[i]
		d.Tickets = append(d.Tickets, FeedbackRow{Ticket: t, CategoryName: categoryName(t.Category), Answered: t.Reply != ""})
	}
	chosen := r.PostForm.Get("category")
	for _, o := range feedbackCategories {
		o.Selected = o.Value == chosen
		d.Categories = append(d.Categories, o)
	}
	p.t.Render(w, r, "feedback", status, h5.View{Title: "建议与反馈", Tab: "feedback", Data: d})
}

// fileFeedback serves POST /h5/feedback, as POST /api/v1/feedback: the staff of the
// district answer it, and the reply comes to WeChat and to this page.
func (p *Pages) fileFeedback(w http.ResponseWriter, r *http.Request) {
	t := evaluation.Ticket{OpenID: caller(r), Category: r.PostForm.Get("category"), Text: strings.TrimSpace(r.PostForm.Get("text")),
		VenueID: r.PostForm.Get("venueId"), Source: "h5"}
	if _, err := p.Evaluation.File(r.Context(), t); err != nil {
		if fault.As(err).Code == evaluation.ErrTicketInvalid.Code {
			p.feedbackPage(w, r, http.StatusBadRequest, feedbackData{Text: t.Text, Error: "请写下您的意见（1 到 1000 字），并选择类别。"})
			return
		}
		p.refuse(w, r, err)
		return
	}
	http.Redirect(w, r, h5.Prefix+"/feedback?filed=1", http.StatusSeeOther)
}

type rateData struct {
	Activity booking.Activity
	Stars    []Option
	Comment  string
	Error    string
}

// rateForm serves GET /h5/activities/{id}/rate: stars and a comment for an activity
// the person attended.
func (p *Pages) rateForm(w http.ResponseWriter, r *http.Request) {
	p.ratePage(w, r, http.StatusOK, rateData{})
}

func (p *Pages) ratePage(w http.ResponseWriter, r *http.Request, status int, d rateData) {
	id := r.PathValue("id")
	act, ok, err := p.Bookings.Catalog.Activity(r.Context(), id)
	if err == nil && !ok {
		err = booking.ErrActivityNotFound
	}
	if !booking.ValidID(id) || err != nil {
		p.refuse(w, r, booking.ErrActivityNotFound)
		return
	}
	d.Activity = act
	chosen := r.PostForm.Get("score")
	for n := 5; n >= 1; n-- {
		v := strconv.Itoa(n)
		d.Stars = append(d.Stars, Option{Value: v, Text: strings.Repeat("★", n) + strings.Repeat("☆", 5-n) + " " + starWords[n], Selected: v == chosen})
	}
	p.t.Render(w, r, "rate", status, h5.View{Title: "评价活动", Tab: "bookings", Back: h5.Prefix + "/me/bookings", Data: d})
}

var starWords = map[int]string{5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "很不满意"}

// rate serves POST /h5/activities/{id}/rate, as POST /api/v1/ratings: only those who
// attended may rate, once.
func (p *Pages) rate(w http.ResponseWriter, r *http.Request) {
	score := atoi(r.PostForm.Get("score"))
	comment := strings.TrimSpace(r.PostForm.Get("comment"))
	if _, err := p.Evaluation.Rate(r.Context(), caller(r), r.PathValue("id"), score, comment); err != nil {
		switch fault.As(err).Code {
		case evaluation.ErrRatingInvalid.Code:
			p.ratePage(w, r, http.StatusBadRequest, rateData{Comment: comment, Error: "请选择 1 到 5 颗星；留言不要超过 500 字。"})
		default:
			p.refuse(w, r, err)
		}
		return
	}
	http.Redirect(w, r, h5.Prefix+"/me/bookings?rated=1", http.StatusSeeOther)
}

type pollData struct {
	Poll    booking.FilmPoll
	Village string
	Open    bool
	Voted   bool
	Films   []PollFilm
	Home    Home
}

// PollFilm is one film of a village's vote, with its count.
type PollFilm struct {
	Index   int
	Title   string
	Votes   int
	Leading bool
}

// poll serves GET /h5/polls/{id}: a village's film vote with its counts.
func (p *Pages) poll(w http.ResponseWriter, r *http.Request) {
	pl, err := p.Bookings.Poll(r.Context(), r.PathValue("id"))
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	d := pollData{Poll: pl, Open: p.Now().Before(pl.ClosesAt), Voted: r.URL.Query().Get("voted") == "1"}
	c, signedIn := p.Site.Claims(r)
	if d.Home, err = p.homeOf(r, c.OpenID, signedIn, pl.DistrictID); err != nil {
		p.refuse(w, r, err)
		return
	}
	d.Village = d.Home.Limited
	for i, f := range pl.Films {
		n := 0
		if i < len(pl.Votes) {
			n = pl.Votes[i]
		}
		leading := false
		for _, l := range pl.Leading {
			leading = leading || l == f
		}
		d.Films = append(d.Films, PollFilm{Index: i, Title: f, Votes: n, Leading: leading && n > 0})
	}
	p.t.Render(w, r, "poll", http.StatusOK, h5.View{Title: "村里放什么电影", Data: d})
}

// vote serves POST /h5/polls/{id}/votes, as POST /api/v1/film-polls/{id}/votes.
func (p *Pages) vote(w http.ResponseWriter, r *http.Request) {
	choice, err := strconv.Atoi(r.PostForm.Get("film"))
	if err != nil {
		p.refuse(w, r, booking.ErrChoiceInvalid)
		return
	}
	id := r.PathValue("id")
	if err := p.Bookings.VoteFilm(r.Context(), caller(r), id, choice); err != nil {
		p.refuse(w, r, err)
		return
	}
	http.Redirect(w, r, h5.Prefix+"/polls/"+url.PathEscape(id)+"?voted=1", http.StatusSeeOther)
}
