package resident

import (
	"net/http"
	"time"

	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/h5"
)

// consentRow is a purpose as the page shows it: its text, whether it holds now, and the
// decision that made it so (none: the default holds).
type consentRow struct {
	account.Purpose
	Granted bool
	Decided bool
	At      time.Time
}

type consentLine struct {
	account.Consent
	Name string
}

type consentsData struct {
	Purposes []consentRow
	Log      []consentLine
	Changed  string
}

// consentsPage serves GET /h5/me/consents: 同意与授权, each purpose (messages, location)
// with what it allows, whether it holds and since when, the button that withdraws it or
// gives it again, and the log of every decision.
func (p *Pages) consentsPage(w http.ResponseWriter, r *http.Request) {
	current, log, err := p.People.Consents(r.Context(), caller(r))
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	var d consentsData
	for _, pu := range account.Purposes {
		row := consentRow{Purpose: pu, Granted: true}
		if c, ok := current[pu.ID]; ok {
			row.Granted, row.Decided, row.At, row.Version = c.Granted, true, c.At, c.Version
		}
		d.Purposes = append(d.Purposes, row)
	}
	for _, c := range log {
		pu, _ := account.PurposeOf(c.Purpose)
		d.Log = append(d.Log, consentLine{Consent: c, Name: pu.Name})
	}
	switch r.URL.Query().Get("changed") {
	case "granted":
		d.Changed = "已记录您的同意。"
	case "withdrawn":
		d.Changed = "已撤回，立即生效。"
	}
	p.t.Render(w, r, "consents", http.StatusOK, h5.View{Title: "同意与授权", Back: h5.Prefix + "/me/data", Data: d})
}

// decide serves POST /h5/me/consents/{purpose} (granted=1 or 0), as PUT
// /api/v1/me/consents/{purpose}.
func (p *Pages) decide(w http.ResponseWriter, r *http.Request) {
	granted := r.PostForm.Get("granted")
	if granted != "1" && granted != "0" {
		p.refuse(w, r, account.ErrGrantedMissing)
		return
	}
	c, err := account.Decide(r.Context(), p.People, caller(r), r.PathValue("purpose"), granted == "1", "h5", p.Now())
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	changed := "withdrawn"
	if c.Granted {
		changed = "granted"
	}
	http.Redirect(w, r, h5.Prefix+"/me/consents?changed="+changed, http.StatusSeeOther)
}
