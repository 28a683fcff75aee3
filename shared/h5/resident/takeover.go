package resident

import (
	"html/template"
	"net/http"

	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/h5"
	"github.com/wentitong/wentitong/shared/qr"
)

type offerData struct {
	Takeover account.Takeover
	Link     string        // the link's public URL, to send to the family member
	QR       template.HTML // the same link, to scan from this phone's screen
}

// offerTakeover serves POST /h5/me/family/{id}/takeover, as POST
// /api/v1/me/dependants/{id}/takeover: the one-time link (and its QR code) with which
// the family member takes over their own account in their own WeChat. The code is
// shown only on this answer; asking again makes a new one.
func (p *Pages) offerTakeover(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	code, _, err := account.OfferTakeover(ctx, p.People, p.Rights, caller(r), r.PathValue("id"), p.Now())
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	t, err := p.Rights.Takeover(ctx, code) // with how many bookings move
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	d := offerData{Takeover: t, Link: p.Site.URL(account.TakeoverPath(code))}
	if d.QR, err = qr.SVG(d.Link, "接管链接二维码"); err != nil {
		p.refuse(w, r, err)
		return
	}
	p.t.Render(w, r, "takeoveroffer", http.StatusOK, h5.View{Title: "让TA自己管理", Back: h5.Prefix + "/me/family", Data: d})
}

type takeoverData struct {
	Code     string
	Takeover account.Takeover
	Done     bool // the person opening it took it over
}

// takeoverPage serves GET /h5/takeover/{code}, as GET /api/v1/takeover/{code}: to the
// family member signed in in their own WeChat, what becomes theirs and the
// confirmation; once confirmed, the result.
func (p *Pages) takeoverPage(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	t, err := account.ShowTakeover(r.Context(), p.Rights, caller(r), code, p.Now())
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	d := takeoverData{Code: code, Takeover: t, Done: t.Status == account.MergeDone}
	title := "自己管理账号"
	if d.Done {
		title = "已转到您的名下"
	}
	p.t.Render(w, r, "takeover", http.StatusOK, h5.View{Title: title, Back: h5.Prefix + "/me/bookings", Data: d})
}

// takeOver serves POST /h5/takeover/{code} (confirm=1), as POST
// /api/v1/takeover/{code}; the page then shows the result. Confirming again after a
// stop goes on from where it stopped.
func (p *Pages) takeOver(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	if _, err := account.TakeOver(r.Context(), p.Rights, caller(r), code, r.PostForm.Get("confirm") == "1", p.Now()); err != nil {
		p.refuse(w, r, err)
		return
	}
	http.Redirect(w, r, h5.Prefix+"/takeover/"+code, http.StatusSeeOther)
}
