package account

import (
	"net/http"
	"slices"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/privacy"
	"github.com/wentitong/wentitong/shared/web"
)

// Handler serves the account routes:
//
//	POST /api/v1/auth/wechat  {"code": "...", "state": "...", "nonce": "..."} → {"token","openid","roles","expiresAt"}
//	POST /api/v1/auth/miniprogram {"code"}: the mini program's wx.login code → the same
//	GET  /api/v1/me/identities the channels linked to the caller (masked)
//	POST /api/v1/me/phone     {"code"}: the mini program's getPhoneNumber code → link the number
//	POST /api/v1/me/mini-subscriptions {"templateIds"}: what wx.requestSubscribeMessage accepted
//	POST /api/v1/me/merge     {"kind": "phone"|"mp", "code"}: link the identity proved, or offer to merge with its person
//	GET  /api/v1/me/merge/{id} the offer; POST {"confirm": true}: merge
//	POST /api/v1/me/dependants/{id}/takeover a one-time code for the dependant to take over their account
//	GET  /api/v1/takeover/{code} what taking over gives; POST {"confirm": true}: take over
//	GET  /api/v1/me/dependants, POST {"name","relation","birthYear"}, DELETE …/{id}: family
//	GET  /api/v1/me/export     everything kept about the caller, as a JSON file
//	POST /api/v1/me/erase      {"confirm": "注销"}: erase the caller's account
//	GET  /api/v1/me/consents   the purposes, the caller's decisions and their log
//	PUT  /api/v1/me/consents/{purpose} {"granted": bool}: agree, or withdraw
//	GET  /api/v1/me           the signed-in person's profile and roles
//	PUT  /api/v1/me/district  {"districtId"}: where they live (limited, recorded)
//	POST /api/v1/auth/signout ends every session of the caller
func Handler(p *access.Policy, svc *auth.Service, people Store, districts Districts, rights Rights) *web.Router {
	rt := web.NewRouter(p)
	rt.Handle("POST /api/v1/auth/wechat", access.Public, func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Code  string `json:"code"`
			State string `json:"state"` // from GET /api/v1/auth/wechat/authorize, with its nonce
			Nonce string `json:"nonce"`
		}
		if !web.Read(w, r, &req) {
			return
		}
		// A page that started the sign-in with the authorize route proves it; a bare
		// {"code"} (the dev codes, older pages) is still taken.
		if req.State != "" || req.Nonce != "" {
			if err := svc.CheckState(req.State, req.Nonce, svc.Now()); err != nil {
				web.Error(w, r, err)
				return
			}
		}
		s, err := svc.SignIn(r.Context(), req.Code)
		web.Answer(w, r, http.StatusOK, s, err)
	})
	rt.Handle("POST /api/v1/auth/miniprogram", access.Public, func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Code string `json:"code"`
		}
		if !web.Read(w, r, &req) {
			return
		}
		s, err := svc.SignInMini(r.Context(), req.Code)
		web.Answer(w, r, http.StatusOK, s, err)
	})
	rt.Handle("GET /api/v1/me/identities", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		c := web.Caller(r)
		ids, err := people.Identities(r.Context(), c.OpenID)
		if err != nil {
			web.Error(w, r, err)
			return
		}
		for i := range ids {
			ids[i].Value = privacy.OpenID(ids[i].Value)
		}
		web.JSON(w, http.StatusOK, map[string]any{"identities": ids})
	})
	rt.Handle("POST /api/v1/me/phone", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Code string `json:"code"`
		}
		if !web.Read(w, r, &req) {
			return
		}
		phones, _ := svc.Mini.(Phones)
		c := web.Caller(r)
		phone, err := LinkPhone(r.Context(), phones, people, c.OpenID, req.Code, svc.Now())
		web.Answer(w, r, http.StatusOK, map[string]string{"phone": privacy.OpenID(phone)}, err)
	})
	rt.Handle("POST /api/v1/me/mini-subscriptions", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			TemplateIDs []string `json:"templateIds"`
		}
		if !web.Read(w, r, &req) {
			return
		}
		c := web.Caller(r)
		held, err := AcceptMini(r.Context(), people, c.OpenID, req.TemplateIDs, svc.Now())
		web.Answer(w, r, http.StatusOK, map[string]any{"accepted": held}, err)
	})
	rt.Handle("POST /api/v1/me/merge", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Kind string `json:"kind"`
			Code string `json:"code"`
		}
		if !web.Read(w, r, &req) {
			return
		}
		c := web.Caller(r)
		value, err := Prove(r.Context(), svc, req.Kind, req.Code)
		if err != nil {
			web.Error(w, r, err)
			return
		}
		o, err := OfferMerge(r.Context(), people, people, rights, c.OpenID, req.Kind, value, svc.Now())
		switch {
		case err != nil:
			web.Error(w, r, err)
		case o == nil:
			web.JSON(w, http.StatusOK, map[string]any{"linked": true, "identity": privacy.OpenID(value)})
		default:
			web.JSON(w, http.StatusCreated, map[string]any{"offer": o})
		}
	})
	rt.Handle("GET /api/v1/me/merge/{id}", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		c := web.Caller(r)
		o, err := people.MergeOffer(r.Context(), c.OpenID, r.PathValue("id"))
		web.Answer(w, r, http.StatusOK, map[string]any{"offer": o}, err)
	})
	rt.Handle("POST /api/v1/me/merge/{id}", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		confirm, ok := readConfirm(w, r)
		if !ok {
			return
		}
		c := web.Caller(r)
		o, err := ConfirmMerge(r.Context(), people, rights, c.OpenID, r.PathValue("id"), confirm, svc.Now())
		if err != nil {
			web.Error(w, r, err)
			return
		}
		svc.Forget(o.MergeFrom())
		out := map[string]any{"merged": true, "offer": o}
		if !o.YouStay {
			// The caller's person id is gone: their session goes on as the survivor's.
			s, err := svc.Start(r.Context(), o.Into)
			if err != nil {
				web.Error(w, r, err)
				return
			}
			out["session"] = s
		}
		web.JSON(w, http.StatusOK, out)
	})
	rt.Handle("POST /api/v1/me/dependants/{id}/takeover", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		c := web.Caller(r)
		code, t, err := OfferTakeover(r.Context(), people, rights, c.OpenID, r.PathValue("id"), svc.Now())
		web.Answer(w, r, http.StatusCreated, map[string]any{"code": code, "path": TakeoverPath(code), "takeover": t}, err)
	})
	rt.Handle("GET /api/v1/takeover/{code}", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		c := web.Caller(r)
		t, err := ShowTakeover(r.Context(), rights, c.OpenID, r.PathValue("code"), svc.Now())
		web.Answer(w, r, http.StatusOK, map[string]any{"takeover": t}, err)
	})
	rt.Handle("POST /api/v1/takeover/{code}", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		confirm, ok := readConfirm(w, r)
		if !ok {
			return
		}
		c := web.Caller(r)
		n, err := TakeOver(r.Context(), rights, c.OpenID, r.PathValue("code"), confirm, svc.Now())
		web.Answer(w, r, http.StatusOK, map[string]any{"tookOver": true, "bookings": n}, err)
	})
	rt.Handle("GET /api/v1/me/export", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		c := web.Caller(r)
		ServeExport(w, r, rights, c.OpenID, svc.Now())
	})
	rt.Handle("POST /api/v1/me/erase", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Confirm string `json:"confirm"`
		}
		if !web.Read(w, r, &req) {
			return
		}
		c := web.Caller(r)
		if err := Erase(r.Context(), rights, c.OpenID, req.Confirm, svc.Now()); err != nil {
			web.Error(w, r, err)
			return
		}
		svc.Forget(c.OpenID)
		web.JSON(w, http.StatusOK, map[string]bool{"erased": true})
	})
	rt.Handle("GET /api/v1/me/consents", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		c := web.Caller(r)
		current, log, err := people.Consents(r.Context(), c.OpenID)
		web.Answer(w, r, http.StatusOK, map[string]any{"purposes": Purposes, "current": current, "log": log}, err)
	})
	rt.Handle("PUT /api/v1/me/consents/{purpose}", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Granted *bool `json:"granted"`
		}
		if !web.Read(w, r, &req) {
			return
		}
		if req.Granted == nil {
			web.Error(w, r, ErrGrantedMissing)
			return
		}
		c := web.Caller(r)
		got, err := Decide(r.Context(), people, c.OpenID, r.PathValue("purpose"), *req.Granted, "api", svc.Now())
		web.Answer(w, r, http.StatusOK, got, err)
	})
	rt.Handle("GET /api/v1/me/dependants", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		c := web.Caller(r)
		ds, err := people.Dependants(r.Context(), c.OpenID)
		web.Answer(w, r, http.StatusOK, map[string]any{"dependants": ds}, err)
	})
	rt.Handle("POST /api/v1/me/dependants", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		var d Dependant
		if !web.Read(w, r, &d) {
			return
		}
		c := web.Caller(r)
		d, err := AddDependant(r.Context(), people, c.OpenID, Dependant{Name: d.Name, Relation: d.Relation, BirthYear: d.BirthYear}, svc.Now())
		web.Answer(w, r, http.StatusCreated, d, err)
	})
	rt.Handle("DELETE /api/v1/me/dependants/{id}", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		c := web.Caller(r)
		id := r.PathValue("id")
		if !ValidDependantID(id) {
			web.Error(w, r, ErrDependantNotFound)
			return
		}
		if err := people.RemoveDependant(r.Context(), c.OpenID, id); err != nil {
			web.Error(w, r, err)
			return
		}
		web.JSON(w, http.StatusOK, map[string]bool{"removed": true})
	})
	rt.Handle("GET /api/v1/me", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		c := web.Caller(r)
		p, err := people.Person(r.Context(), c.OpenID)
		if err != nil {
			web.Error(w, r, err)
			return
		}
		// The token's roles include those granted by ADMIN_OPENIDS, which the table lacks.
		for _, role := range c.Roles {
			if !slices.Contains(p.Roles, role) {
				p.Roles = append(p.Roles, role)
			}
		}
		web.JSON(w, http.StatusOK, p)
	})
	rt.Handle("POST /api/v1/auth/signout", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		c := web.Caller(r)
		if err := svc.SignOut(r.Context(), c.OpenID); err != nil {
			web.Error(w, r, err)
			return
		}
		web.JSON(w, http.StatusOK, map[string]bool{"signedOut": true})
	})
	rt.Handle("PUT /api/v1/me/district", access.Resident, func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			DistrictID string `json:"districtId"`
		}
		if !web.Read(w, r, &req) {
			return
		}
		c := web.Caller(r)
		p, err := SetHome(r.Context(), people, districts, c.OpenID, req.DistrictID, svc.Now())
		if err != nil {
			web.Error(w, r, err)
			return
		}
		web.JSON(w, http.StatusOK, map[string]any{"homeDistrictId": p.HomeDistrictID, "homeChangedAt": p.HomeChangedAt,
			"nextChangeAt": p.HomeChangedAt.Add(HomeMoveEvery).UTC()})
	})
	return rt
}

// readConfirm reads the {"confirm": true} body of a merge's or a takeover's
// confirmation; when it cannot, it answers with the error and ok is false.
func readConfirm(w http.ResponseWriter, r *http.Request) (confirm, ok bool) {
	var req struct {
		Confirm bool `json:"confirm"`
	}
	ok = web.Read(w, r, &req)
	return req.Confirm, ok
}
