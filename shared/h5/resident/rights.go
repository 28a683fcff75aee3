package resident

import (
	"net/http"

	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/h5"
)

// myData serves GET /h5/me/data: 导出我的数据, what the file holds and the button that
// downloads it, with the ways to the privacy notice and to 注销账号.
func (p *Pages) myData(w http.ResponseWriter, r *http.Request) {
	p.t.Render(w, r, "mydata", http.StatusOK, h5.View{Title: "导出我的数据", Back: h5.Prefix + "/me/bookings",
		Data: struct{ File string }{account.ExportFile}})
}

// exportData serves GET /h5/me/data/export: the file, as GET /api/v1/me/export.
func (p *Pages) exportData(w http.ResponseWriter, r *http.Request) {
	account.ServeExport(w, r, p.Rights, caller(r), p.Now())
}

type eraseData struct {
	Family   int // dependants, erased with the account
	Upcoming int // bookings not cancelled whose session has not started: their places stay taken
}

// eraseForm serves GET /h5/me/erase: 注销账号, what an erasure deletes, what it keeps
// anonymised and why, the upcoming bookings to cancel first, and the confirmation.
func (p *Pages) eraseForm(w http.ResponseWriter, r *http.Request) {
	ctx, person := r.Context(), caller(r)
	deps, err := p.People.Dependants(ctx, person)
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	mine, err := p.Bookings.Mine(ctx, person)
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	d := eraseData{Family: len(deps)}
	now := p.Now()
	for _, b := range mine {
		if b.Status == booking.StatusCancelled {
			continue
		}
		sl, err := p.Bookings.Catalog.Slot(ctx, b.SlotID)
		if err != nil {
			p.refuse(w, r, err)
			return
		}
		if now.Before(sl.StartsAt) {
			d.Upcoming++
		}
	}
	p.t.Render(w, r, "erase", http.StatusOK, h5.View{Title: "注销账号", Back: h5.Prefix + "/me/data", Data: d})
}

// erase serves POST /h5/me/erase (confirm=注销), as POST /api/v1/me/erase; the
// browser's session ends with it.
func (p *Pages) erase(w http.ResponseWriter, r *http.Request) {
	person := caller(r)
	if err := account.Erase(r.Context(), p.Rights, person, r.PostForm.Get("confirm"), p.Now()); err != nil {
		p.refuse(w, r, err)
		return
	}
	p.Site.EndSession(w, person)
	http.Redirect(w, r, h5.Prefix+"/erased", http.StatusSeeOther)
}

// erased serves GET /h5/erased: the account is gone, and what that means.
func (p *Pages) erased(w http.ResponseWriter, r *http.Request) {
	p.t.Render(w, r, "erased", http.StatusOK, h5.View{Title: "账号已注销", Back: h5.Prefix + "/", Data: nil})
}
