package booking

import (
	"encoding/base64"
	"net/http"

	"github.com/wentitong/wentitong/shared/access"

	"github.com/wentitong/wentitong/shared/privacy"
	"github.com/wentitong/wentitong/shared/web"
)

// IdempotencyHeader carries the client's key of a booking request.
const IdempotencyHeader = "Idempotency-Key"

// Handler serves the booking routes (docs/api.md), each with its access rule:
//
//	GET    /api/v1/activities                      upcoming activities, slots, places left
//	GET    /api/v1/tickets/public-key              the Ed25519 key door scanners verify with
//	POST   /api/v1/slots/{id}/bookings             book, wait or enter the ballot
//	GET    /api/v1/slots/{id}/draw                 a ballot's commitment, then its published draw
//	GET    /api/v1/slots/{id}/seats                a seated slot's free and taken seats
//	GET    /api/v1/me/bookings                     the caller's bookings, tickets, positions
//	DELETE /api/v1/bookings/{id}                   cancel, or leave the waiting list
//	POST   /api/v1/admin/activities                staff: publish an activity
//	PATCH  /api/v1/admin/activities/{id}           staff: edit it
//	POST   /api/v1/admin/activities/{id}/slots     staff: add a slot
//	PATCH  /api/v1/admin/slots/{id}                staff: edit a slot (capacity up promotes)
//	DELETE /api/v1/admin/slots/{id}                staff: cancel a slot and its bookings
//	GET    /api/v1/admin/slots/{id}/bookings       staff: who booked
//	POST   /api/v1/admin/checkins                  staff: scan a ticket at the door
//	POST   /api/v1/admin/checkouts                 staff: scan it when a reading-room seat is left
//	POST   /api/v1/admin/suspensions/{openid}/lift staff: lift a no-show suspension, with a reason
//	PUT    /api/v1/admin/schedules/{id}            staff: a weekly class schedule; generates its slots
//	POST   /api/v1/admin/film-polls                staff: offer a village a short list of films
//	GET    /api/v1/film-polls/{id}                 a film poll with its counts (public)
//	POST   /api/v1/film-polls/{id}/votes           a villager votes, once
//	POST   /api/v1/admin/screenings/{id}/verify    staff: a projectionist verifies a screening on site
//
// Staff act on what lies in their district: an activity by its venue and its label
// (before and after an edit), a slot by its activity, a ticket by its slot, a schedule
// by its activity (the one it has and the one it is given), a poll by its village, a
// suspension by the slot whose no-show caused it.
func Handler(svc *Service, p *access.Policy) *web.Router {
	h := handlers{svc}
	t := targets{svc}
	rt := web.NewRouter(p)
	rt.Handle("GET /api/v1/activities", access.Public, h.list)
	rt.Handle("GET /api/v1/tickets/public-key", access.Public, h.publicKey)
	rt.Handle("POST /api/v1/slots/{id}/bookings", access.Resident, h.book)
	rt.Handle("GET /api/v1/slots/{id}/draw", access.Public, h.draw)
	rt.Handle("GET /api/v1/slots/{id}/seats", access.Public, h.seats)
	rt.Handle("GET /api/v1/me/bookings", access.Resident, h.mine)
	rt.Handle("DELETE /api/v1/bookings/{id}", access.Resident, h.cancel)
	rt.Handle("POST /api/v1/admin/activities", access.Staff(t.newActivity), h.createActivity)
	rt.Handle("PATCH /api/v1/admin/activities/{id}", access.Staff(t.activity), h.editActivity)
	rt.Handle("POST /api/v1/admin/activities/{id}/slots", access.Staff(t.activity), h.createSlot)
	rt.Handle("PATCH /api/v1/admin/slots/{id}", access.Staff(t.slot), h.editSlot)
	rt.Handle("DELETE /api/v1/admin/slots/{id}", access.Staff(t.slot), h.cancelSlot)
	rt.Handle("GET /api/v1/admin/slots/{id}/bookings", access.Staff(t.slot), h.slotBookings)
	rt.Handle("POST /api/v1/admin/checkins", access.Staff(t.ticket), h.checkIn)
	rt.Handle("POST /api/v1/admin/checkouts", access.Staff(t.ticket), h.checkOut)
	rt.Handle("POST /api/v1/admin/suspensions/{openid}/lift", access.Staff(t.suspension), h.lift)
	rt.Handle("PUT /api/v1/admin/schedules/{id}", access.Staff(t.schedule), h.putSchedule)
	rt.Handle("POST /api/v1/admin/film-polls", access.Staff(t.poll), h.createPoll)
	rt.Handle("GET /api/v1/film-polls/{id}", access.Public, h.poll)
	rt.Handle("POST /api/v1/film-polls/{id}/votes", access.Resident, h.vote)
	rt.Handle("POST /api/v1/admin/screenings/{id}/verify", access.Staff(t.slot), h.verifyScreening)
	return rt
}

type handlers struct{ svc *Service }

func (h handlers) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	out, next, err := h.svc.List(r.Context(), ListQuery{
		Kind: q.Get("kind"), DistrictID: q.Get("district"), Date: q.Get("date"),
		Limit: q.Get("limit"), Cursor: q.Get("cursor"),
	})
	web.Answer(w, r, http.StatusOK, map[string]any{"activities": out, "nextCursor": next}, err)
}

func (h handlers) publicKey(w http.ResponseWriter, r *http.Request) {
	web.JSON(w, http.StatusOK, map[string]string{
		"alg": "Ed25519", "publicKey": base64.StdEncoding.EncodeToString(h.svc.Signer.PublicKey()),
	})
}

func (h handlers) book(w http.ResponseWriter, r *http.Request) {
	var req Request
	if r.ContentLength != 0 { // no body: one place, no waiting list
		if !web.Read(w, r, &req) {
			return
		}
	}
	b, err := h.svc.Book(r.Context(), web.Caller(r).OpenID, r.PathValue("id"), r.Header.Get(IdempotencyHeader), req)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	status := http.StatusCreated
	if b.Status != StatusConfirmed {
		status = http.StatusAccepted
	}
	web.JSON(w, status, b)
}

func (h handlers) draw(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.PublishedDraw(r.Context(), r.PathValue("id"))
	web.Answer(w, r, http.StatusOK, v, err)
}

func (h handlers) lift(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Reason string `json:"reason" input:"long"`
	}
	if !web.Read(w, r, &body) {
		return
	}
	l, err := h.svc.LiftSuspension(r.Context(), r.PathValue("openid"), web.Caller(r).OpenID, body.Reason)
	web.Answer(w, r, http.StatusOK, map[string]any{"lifted": true, "reason": l.Reason, "liftedAt": l.At, "suspendedUntil": l.Was}, err)
}

func (h handlers) putSchedule(w http.ResponseWriter, r *http.Request) {
	var sc Schedule
	if !web.Read(w, r, &sc) {
		return
	}
	sc.ID = r.PathValue("id")
	ch, err := h.svc.PutSchedule(r.Context(), sc)
	web.Answer(w, r, http.StatusOK, map[string]any{"schedule": sc, "created": ch.Created, "changed": ch.Changed,
		"cancelled": ch.Cancelled, "kept": ch.Kept}, err)
}

func (h handlers) createPoll(w http.ResponseWriter, r *http.Request) {
	var p FilmPoll
	if !web.Read(w, r, &p) {
		return
	}
	p, err := h.svc.CreatePoll(r.Context(), p)
	web.Answer(w, r, http.StatusCreated, p, err)
}

func (h handlers) poll(w http.ResponseWriter, r *http.Request) {
	p, err := h.svc.Poll(r.Context(), r.PathValue("id"))
	web.Answer(w, r, http.StatusOK, p, err)
}

func (h handlers) vote(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Film *int `json:"film"`
	}
	if !web.Read(w, r, &body) {
		return
	}
	if body.Film == nil {
		web.Error(w, r, ErrChoiceInvalid)
		return
	}
	if err := h.svc.VoteFilm(r.Context(), web.Caller(r).OpenID, r.PathValue("id"), *body.Film); err != nil {
		web.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusCreated, map[string]any{"voted": true, "film": *body.Film})
}

func (h handlers) seats(w http.ResponseWriter, r *http.Request) {
	m, err := h.svc.Seats(r.Context(), r.PathValue("id"))
	web.Answer(w, r, http.StatusOK, m, err)
}

func (h handlers) verifyScreening(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Lat       *float64 `json:"lat"` // the page's location, used when WeChat reported none lately
		Lng       *float64 `json:"lng"`
		HeadCount int      `json:"headCount"`
	}
	if !web.Read(w, r, &body) {
		return
	}
	var page *Position
	if body.Lat != nil && body.Lng != nil {
		page = &Position{*body.Lat, *body.Lng}
	}
	sc, err := h.svc.VerifyScreening(r.Context(), r.PathValue("id"), web.Caller(r).OpenID, page, body.HeadCount)
	web.Answer(w, r, http.StatusCreated, sc, err)
}

func (h handlers) mine(w http.ResponseWriter, r *http.Request) {
	bs, err := h.svc.Mine(r.Context(), web.Caller(r).OpenID)
	web.Answer(w, r, http.StatusOK, map[string]any{"bookings": bs}, err)
}

func (h handlers) cancel(w http.ResponseWriter, r *http.Request) {
	b, err := h.svc.Cancel(r.Context(), web.Caller(r).OpenID, r.PathValue("id"))
	web.Answer(w, r, http.StatusOK, b, err)
}

func (h handlers) createActivity(w http.ResponseWriter, r *http.Request) {
	var a Activity
	if !web.Read(w, r, &a) {
		return
	}
	a, err := h.svc.CreateActivity(r.Context(), a)
	web.Answer(w, r, http.StatusCreated, a, err)
}

func (h handlers) editActivity(w http.ResponseWriter, r *http.Request) {
	var p ActivityPatch
	if !web.Read(w, r, &p) {
		return
	}
	a, err := h.svc.EditActivity(r.Context(), r.PathValue("id"), p)
	web.Answer(w, r, http.StatusOK, a, err)
}

func (h handlers) createSlot(w http.ResponseWriter, r *http.Request) {
	var p SlotPatch
	if !web.Read(w, r, &p) {
		return
	}
	s, err := h.svc.CreateSlot(r.Context(), r.PathValue("id"), p)
	web.Answer(w, r, http.StatusCreated, SlotView{Slot: s, Remaining: s.Remaining()}, err)
}

func (h handlers) editSlot(w http.ResponseWriter, r *http.Request) {
	var p SlotPatch
	if !web.Read(w, r, &p) {
		return
	}
	s, err := h.svc.EditSlot(r.Context(), r.PathValue("id"), p)
	web.Answer(w, r, http.StatusOK, SlotView{Slot: s, Remaining: s.Remaining()}, err)
}

func (h handlers) cancelSlot(w http.ResponseWriter, r *http.Request) {
	s, n, err := h.svc.CancelSlot(r.Context(), r.PathValue("id"))
	web.Answer(w, r, http.StatusOK, map[string]any{"id": s.ID, "status": s.Status, "bookingsCancelled": n}, err)
}

func (h handlers) slotBookings(w http.ResponseWriter, r *http.Request) {
	if _, err := h.svc.Catalog.Slot(r.Context(), r.PathValue("id")); err != nil {
		web.Error(w, r, err)
		return
	}
	bs, err := h.svc.Store.OfSlot(r.Context(), r.PathValue("id"))
	if err != nil {
		web.Error(w, r, err)
		return
	}
	// Staff see who holds each booking only as a masked openid.
	for i := range bs {
		bs[i].Holder = privacy.OpenID(bs[i].OpenID)
	}
	web.JSON(w, http.StatusOK, map[string]any{"bookings": bs})
}

func (h handlers) checkIn(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Ticket string `json:"ticket"`
		SlotID string `json:"slotId"` // the slot this door admits to; empty: any
	}
	if !web.Read(w, r, &req) {
		return
	}
	b, err := h.svc.CheckIn(r.Context(), req.Ticket, req.SlotID, r.Header.Get(IdempotencyHeader))
	web.Answer(w, r, http.StatusOK, map[string]any{"admitted": true, "bookingId": b.ID, "slotId": b.SlotID, "partySize": b.PartySize}, err)
}

func (h handlers) checkOut(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Ticket string `json:"ticket"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	b, err := h.svc.CheckOut(r.Context(), req.Ticket)
	web.Answer(w, r, http.StatusOK, map[string]any{"checkedOut": true, "bookingId": b.ID, "checkedInAt": b.CheckedInAt, "checkedOutAt": b.CheckedOutAt}, err)
}
