package admin

import (
	"net/http"
	"net/url"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/h5"
)

type pollsData struct {
	Error    string
	Form     url.Values
	Villages []Option
}

// polls serves GET /h5/admin/film-polls: the form that offers a village a short list of
// films to vote on.
func (c *Console) polls(w http.ResponseWriter, r *http.Request) {
	c.renderPolls(w, r, url.Values{"closesAt": {dtLocal(startOfDay(c.Now()).AddDate(0, 0, 8))}}, nil)
}

func (c *Console) renderPolls(w http.ResponseWriter, r *http.Request, form url.Values, err error) {
	villages, lerr := c.districtOptions(r.Context(), claims(r), directory.LevelVillage)
	if lerr != nil {
		c.fail(w, r, lerr)
		return
	}
	status := statusOf(err)
	c.render(w, r, "polls", status, h5.View{Title: "电影点单", Tab: "activities", Back: Base + "/activities",
		Data: pollsData{Error: formError(err), Form: form, Villages: villages}})
}

// pollTarget is the rule's target of offering a poll: the village that votes.
func (c *Console) pollTarget(r *http.Request) ([]string, error) {
	return c.Bookings.PollScope(r.Context(), r.PostForm.Get("districtId"))
}

// createPoll serves POST /h5/admin/film-polls (districtId, films: one a line, closesAt).
func (c *Console) createPoll(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	films := formLines(f.Get("films"))
	p, err := c.Bookings.CreatePoll(r.Context(), booking.FilmPoll{DistrictID: f.Get("districtId"), Films: films, ClosesAt: formTime(f.Get("closesAt"))})
	if c.failed(w, r, err, func(err error) { c.renderPolls(w, r, f, err) }) {
		return
	}
	done(w, r, Base+"/film-polls/"+p.ID, "poll")
}

// Tally is one film of a poll with its votes.
type Tally struct {
	Film    string
	Votes   int
	Percent int
	Leading bool
}

type pollData struct {
	Notice  string
	Poll    booking.FilmPoll
	Village string
	Films   []Tally
	Total   int
	Open    bool
	Link    string // the residents' voting page
}

// existingPollTarget is the rule's target of a poll's page: its village.
func (c *Console) existingPollTarget(r *http.Request) ([]string, error) {
	p, err := c.Bookings.Poll(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return c.Bookings.PollScope(r.Context(), p.DistrictID)
}

// poll serves GET /h5/admin/film-polls/{id}: the votes so far and the films leading.
func (c *Console) poll(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, err := c.Bookings.Poll(ctx, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := pollData{Notice: notice(r), Poll: p, Open: c.Now().Before(p.ClosesAt), Link: c.Site.URL(h5.Prefix + "/film-polls/" + p.ID)}
	if dist, err := c.Directory.District(ctx, p.DistrictID); err == nil {
		d.Village = dist.Name
	}
	for i, f := range p.Films {
		n := 0
		if i < len(p.Votes) {
			n = p.Votes[i]
		}
		d.Total += n
		lead := false
		for _, l := range p.Leading {
			lead = lead || l == f
		}
		d.Films = append(d.Films, Tally{Film: f, Votes: n, Leading: lead})
	}
	for i := range d.Films {
		if d.Total > 0 {
			d.Films[i].Percent = d.Films[i].Votes * 100 / d.Total
		}
	}
	c.render(w, r, "poll", http.StatusOK, h5.View{Title: "电影点单 · " + d.Village, Tab: "activities", Back: Base + "/film-polls", Data: d})
}
