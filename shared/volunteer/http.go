package volunteer

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/input"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/web"
)

// Handler serves the volunteer routes (docs/api.md):
//
//	POST   /api/v1/volunteers                          apply → 201 {"id","status":"pending"}
//	GET    /api/v1/me/volunteer                        the caller's profile, sign-ups, hours
//	POST   /api/v1/me/volunteer/confirm                the yearly re-confirmation
//	GET    /api/v1/me/volunteer/certificate?year=&format=  the service-record certificate (JSON, or format=pdf)
//	GET    /api/v1/volunteers/leaderboard?districtId=&period=&limit=  hours ranking
//	GET    /api/v1/shifts                              shifts that have not ended
//	POST   /api/v1/shifts/{id}/signups                 sign up → 201
//	DELETE /api/v1/shifts/{id}/signups                 withdraw → 200
//	GET    /api/v1/admin/volunteers?status=&districtId=  volunteers in the caller's scope
//	GET    /api/v1/admin/volunteers/{id}               one volunteer with history and ledger
//	POST   /api/v1/admin/volunteers/{id}/{action}      approve, reject, suspend, retire, reinstate
//	POST   /api/v1/admin/volunteers/{id}/hours         honour hours or a correction → 201
//	POST   /api/v1/admin/shifts                        create a shift → 201 {"id","scene","qrUrl"}
//	GET    /api/v1/admin/shifts/{id}/signups           the shift's roster: who signed up, in, out
//	POST   /api/v1/admin/appointments                  make someone a district's coordinator or staff
//	DELETE /api/v1/admin/appointments/{openid}         end it: roles, district and sessions go
//
// Staff act on what lies in their district: a volunteer by their district, a shift by
// its venue's; only coordinators (and admins) decide on volunteers, only admins appoint.
func Handler(svc *Service, p *access.Policy) *web.Router {
	h := &handler{svc: svc}
	t := targets{svc}
	rt := web.NewRouter(p)
	rt.Handle("POST /api/v1/volunteers", access.Resident, h.apply)
	rt.Handle("GET /api/v1/me/volunteer", access.Resident, h.me)
	rt.Handle("POST /api/v1/me/volunteer/confirm", access.Resident, h.confirm)
	rt.Handle("GET /api/v1/me/volunteer/certificate", access.Resident, h.certificate)
	rt.Handle("GET /api/v1/volunteers/leaderboard", access.Resident, h.leaderboard)
	rt.Handle("GET /api/v1/shifts", access.Resident, h.shifts)
	rt.Handle("POST /api/v1/shifts/{id}/signups", access.Resident, h.signUp)
	rt.Handle("DELETE /api/v1/shifts/{id}/signups", access.Resident, h.withdraw)
	rt.Handle("GET /api/v1/admin/volunteers", access.Staff(t.district), h.list)
	rt.Handle("GET /api/v1/admin/volunteers/{id}", access.Staff(t.volunteer), h.detail)
	for _, a := range Actions {
		rt.Handle("POST /api/v1/admin/volunteers/{id}/"+string(a), access.Coordinator(t.volunteer), h.decide(a))
	}
	rt.Handle("POST /api/v1/admin/volunteers/{id}/hours", access.Staff(t.volunteer), h.hours)
	rt.Handle("POST /api/v1/admin/shifts", access.Staff(t.newShift), h.createShift)
	rt.Handle("GET /api/v1/admin/shifts/{id}/signups", access.Staff(t.shift), h.roster)
	rt.Handle("POST /api/v1/admin/appointments", access.Admin, h.appoint)
	rt.Handle("DELETE /api/v1/admin/appointments/{openid}", access.Admin, h.dismiss)
	return rt
}

type handler struct{ svc *Service }

func (h *handler) apply(w http.ResponseWriter, r *http.Request) {
	var req Application
	if !web.Read(w, r, &req) {
		return
	}
	v, err := h.svc.Apply(r.Context(), web.Caller(r).OpenID, req)
	web.Answer(w, r, http.StatusCreated, map[string]string{"id": v.ID, "status": string(v.Status)}, err)
}

func (h *handler) me(w http.ResponseWriter, r *http.Request) {
	p, err := h.svc.Me(r.Context(), web.Caller(r).OpenID)
	web.Answer(w, r, http.StatusOK, p, err)
}

func (h *handler) confirm(w http.ResponseWriter, r *http.Request) {
	v, err := h.svc.Confirm(r.Context(), web.Caller(r).OpenID)
	web.Answer(w, r, http.StatusOK, map[string]any{"id": v.ID, "status": v.Status, "reconfirmBy": v.ReconfirmBy, "inactive": v.Inactive}, err)
}

// ErrFormatInvalid is a certificate format other than JSON or PDF.
var ErrFormatInvalid = fault.New(fault.Invalid, "format_invalid", "证明格式无效：可下载文件，或省略以查看内容")

func (h *handler) certificate(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "pdf" {
		web.Error(w, r, ErrFormatInvalid)
		return
	}
	year, err := input.Int(r.URL.Query().Get("year"), 0, math.MinInt, math.MaxInt, ErrPeriodInvalid)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	c, err := h.svc.Certificate(r.Context(), web.Caller(r).OpenID, year)
	if err != nil {
		web.Error(w, r, err)
		return
	}
	if format == "pdf" {
		w.Header().Set("Content-Type", "application/pdf")
		w.Header().Set("Content-Disposition", `inline; filename="volunteer-certificate-`+c.From.Format("2006")+`.pdf"`)
		w.Write(c.PDF())
		return
	}
	web.JSON(w, http.StatusOK, c)
}

func (h *handler) leaderboard(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	lb, err := h.svc.Leaderboard(r.Context(), q.Get("districtId"), q.Get("period"), limit)
	web.Answer(w, r, http.StatusOK, lb, err)
}

func (h *handler) shifts(w http.ResponseWriter, r *http.Request) {
	list, err := h.svc.Shifts(r.Context())
	web.Answer(w, r, http.StatusOK, map[string][]Shift{"shifts": list}, err)
}

func (h *handler) signUp(w http.ResponseWriter, r *http.Request) {
	sg, err := h.svc.SignUp(r.Context(), web.Caller(r).OpenID, r.PathValue("id"))
	web.Answer(w, r, http.StatusCreated, sg, err)
}

func (h *handler) withdraw(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.Withdraw(r.Context(), web.Caller(r).OpenID, r.PathValue("id")); err != nil {
		web.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]string{"shiftId": r.PathValue("id"), "status": Withdrawn})
}

func (h *handler) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	list, err := h.svc.Volunteers(r.Context(), web.Caller(r), Status(q.Get("status")), q.Get("districtId"))
	web.Answer(w, r, http.StatusOK, map[string][]Volunteer{"volunteers": list}, err)
}

func (h *handler) detail(w http.ResponseWriter, r *http.Request) {
	p, err := h.svc.Detail(r.Context(), web.Caller(r), r.PathValue("id"))
	web.Answer(w, r, http.StatusOK, p, err)
}

func (h *handler) decide(a Action) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Reason string `json:"reason" input:"long"`
		}
		if r.ContentLength != 0 {
			if !web.Read(w, r, &req) {
				return
			}
		}
		v, err := h.svc.Decide(r.Context(), web.Caller(r), r.PathValue("id"), a, req.Reason)
		web.Answer(w, r, http.StatusOK, map[string]string{"id": v.ID, "status": string(v.Status)}, err)
	}
}

func (h *handler) hours(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Kind   string  `json:"kind"`
		Hours  float64 `json:"hours"`
		Reason string  `json:"reason" input:"long"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	if math.IsNaN(req.Hours) || math.Abs(req.Hours) > 1000 {
		web.Error(w, r, ErrHoursInvalid)
		return
	}
	e, err := h.svc.AddHours(r.Context(), web.Caller(r), r.PathValue("id"), req.Kind, int(math.Round(req.Hours*60)), req.Reason)
	web.Answer(w, r, http.StatusCreated, e, err)
}

func (h *handler) createShift(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Title          string    `json:"title"`
		VenueID        string    `json:"venueId"`
		StartsAt       time.Time `json:"startsAt"`
		EndsAt         time.Time `json:"endsAt"`
		Capacity       int       `json:"capacity"`
		Category       Category  `json:"category"`
		GeofenceMeters int       `json:"geofenceMeters"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	sh, err := h.svc.CreateShift(r.Context(), web.Caller(r), Shift{
		Title: req.Title, VenueID: req.VenueID, StartsAt: req.StartsAt, EndsAt: req.EndsAt,
		Capacity: req.Capacity, Category: req.Category, GeofenceMeters: req.GeofenceMeters,
	})
	web.Answer(w, r, http.StatusCreated, sh, err)
}

func (h *handler) roster(w http.ResponseWriter, r *http.Request) {
	sh, lines, err := h.svc.Roster(r.Context(), web.Caller(r), r.PathValue("id"))
	web.Answer(w, r, http.StatusOK, map[string]any{"shift": sh, "signups": lines}, err)
}

func (h *handler) appoint(w http.ResponseWriter, r *http.Request) {
	var req struct {
		OpenID     string `json:"openid"`
		DistrictID string `json:"districtId"`
		Role       string `json:"role"`
	}
	if !web.Read(w, r, &req) {
		return
	}
	if req.Role == "" {
		req.Role = auth.RoleCoordinator
	}
	if err := h.svc.Appoint(r.Context(), web.Caller(r), req.OpenID, req.Role, req.DistrictID); err != nil {
		web.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]string{"openid": req.OpenID, "districtId": req.DistrictID, "role": req.Role})
}

func (h *handler) dismiss(w http.ResponseWriter, r *http.Request) {
	openid := r.PathValue("openid")
	if err := h.svc.Dismiss(r.Context(), web.Caller(r), openid); err != nil {
		web.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, map[string]any{"openid": openid, "dismissed": true})
}
