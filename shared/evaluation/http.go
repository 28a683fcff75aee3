package evaluation

import (
	"context"
	"net/http"

	"github.com/wentitong/wentitong/shared/access"

	"github.com/wentitong/wentitong/shared/web"
)

// Routes adds the evaluation's routes to rt (docs/api.md):
//
//	POST /api/v1/ratings                       rate an attended activity (signed in)
//	GET  /api/v1/satisfaction?subject=&period= a subject's satisfaction index (public)
//	POST /api/v1/feedback                      file a feedback ticket (signed in)
//	GET  /api/v1/me/feedback                   one's own tickets and their replies
//	GET  /api/v1/admin/feedback                open tickets in the caller's district (staff)
//	POST /api/v1/admin/feedback/{id}/reply     answer a ticket (staff)
//
// Staff see and answer the tickets of their district.
func Routes(rt *web.Router, s *Service) {
	h := &handler{s: s}
	rt.Handle("POST /api/v1/ratings", access.Resident, h.rate)
	rt.Handle("GET /api/v1/satisfaction", access.Public, h.satisfaction)
	rt.Handle("POST /api/v1/feedback", access.Resident, h.file)
	rt.Handle("GET /api/v1/me/feedback", access.Resident, h.mine)
	rt.Handle("GET /api/v1/admin/feedback", access.OwnScope, h.open)
	rt.Handle("POST /api/v1/admin/feedback/{id}/reply", access.Staff(h.ticket), h.reply)
}

// ticket is the district of a feedback ticket (access.Target).
func (h *handler) ticket(r *http.Request) ([]string, error) {
	return h.s.TicketScope(r.Context(), r.PathValue("id"))
}

// TicketScope returns the district a feedback ticket is about, which staff answering it
// must look after. Errors: ErrTicketNotFound.
func (s *Service) TicketScope(ctx context.Context, id string) ([]string, error) {
	t, err := s.Store.Ticket(ctx, id)
	if err != nil {
		return nil, err
	}
	return []string{t.DistrictPath}, nil
}

type handler struct{ s *Service }

func (h *handler) rate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ActivityID string `json:"activityId"`
		Score      int    `json:"score"`
		Comment    string `json:"comment" input:"long"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	c := web.Caller(r)
	rating, err := h.s.Rate(r.Context(), c.OpenID, req.ActivityID, req.Score, req.Comment)
	web.Answer(w, r, http.StatusCreated, rating, err)
}

func (h *handler) satisfaction(w http.ResponseWriter, r *http.Request) {
	period := r.URL.Query().Get("period")
	if period == "" {
		period = AllTime
	}
	sat, err := h.s.Satisfaction(r.Context(), r.URL.Query().Get("subject"), period)
	web.Answer(w, r, http.StatusOK, sat, err)
}

func (h *handler) file(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Category   string `json:"category"`
		Text       string `json:"text" input:"long"`
		VenueID    string `json:"venueId"`
		DistrictID string `json:"districtId"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	c := web.Caller(r)
	t, err := h.s.File(r.Context(), Ticket{OpenID: c.OpenID, Category: req.Category, Text: req.Text,
		VenueID: req.VenueID, DistrictID: req.DistrictID, Source: "h5"})
	web.Answer(w, r, http.StatusCreated, t, err)
}

func (h *handler) mine(w http.ResponseWriter, r *http.Request) {
	c := web.Caller(r)
	ts, err := h.s.Mine(r.Context(), c)
	web.Answer(w, r, http.StatusOK, map[string][]Ticket{"tickets": ts}, err)
}

// staffTicket is a ticket as staff see it: with its owner and whether it is overdue.
type staffTicket struct {
	Ticket
	Owner   string `json:"owner,omitempty"`
	Overdue bool   `json:"overdue"`
}

func (h *handler) open(w http.ResponseWriter, r *http.Request) {
	c := web.Caller(r)
	ts, err := h.s.Open(r.Context(), c)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	now := h.s.Now()
	out := make([]staffTicket, len(ts))
	for i, t := range ts {
		out[i] = staffTicket{Ticket: t, Owner: t.Owner, Overdue: t.Overdue(now)}
	}
	web.JSON(w, http.StatusOK, map[string]any{"tickets": out, "asOf": now})
}

func (h *handler) reply(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Text string `json:"text" input:"long"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	c := web.Caller(r)
	t, err := h.s.Reply(r.Context(), c, r.PathValue("id"), req.Text)
	web.Answer(w, r, http.StatusOK, t, err)
}
