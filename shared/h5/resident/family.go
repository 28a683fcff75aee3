package resident

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/h5"
	"github.com/wentitong/wentitong/shared/input"
)

// family fills in whom person (signed in on a public page) may still book a slot for: themselves unless booked,
// and each dependant not booked yet (one read of each dependant's booking); at a
// real-name session, whether their own ID number is on file.
func (p *Pages) family(r *http.Request, person, slotID string, d *slotData) error {
	ctx := r.Context()
	deps, err := p.People.Dependants(ctx, person)
	if err != nil {
		return err
	}
	if d.Slot.RealName && p.Bookings.Family != nil {
		own, _, err := p.Bookings.Family.IDNumberOnFile(ctx, person, "")
		if err != nil {
			return err
		}
		d.OwnIDNumber = own.Masked
	}
	if d.Mine == nil {
		text := "本人"
		if d.OwnIDNumber != "" {
			text += "，身份证已登记"
		}
		d.Family = append(d.Family, Option{Value: "", Text: text, Selected: true})
	}
	for _, dep := range deps {
		b, err := p.Bookings.Store.Booking(ctx, slotID, booking.Holder(person, dep.ID))
		switch {
		case err == nil && b.Status != booking.StatusCancelled:
			d.BookedFor = append(d.BookedFor, dep.Label())
		case err == nil, errors.Is(err, booking.ErrBookingNotFound):
			text := dep.Label()
			if d.Slot.RealName && dep.IDNumberMasked != "" {
				text += "，身份证已登记"
			}
			d.Family = append(d.Family, Option{Value: dep.ID, Text: text, Selected: len(d.Family) == 0})
		default:
			return err
		}
	}
	d.Chooser = len(deps) > 0
	return nil
}

type familyData struct {
	Dependants []account.Dependant
	TakenOver  []account.TakenOver // who took over their own account: no longer booked for
	Relations  []Option
	Years      []Option
	Added      bool
	Removed    bool
	Full       bool
}

// familyPage serves GET /h5/me/family: 我的家人, the dependants one books for (a parent
// without a smartphone), the form to add one, a button to remove each and one to let
// them take over their own account, and those who did.
func (p *Pages) familyPage(w http.ResponseWriter, r *http.Request) {
	ds, err := p.People.Dependants(r.Context(), caller(r))
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	took, err := p.Rights.TakenOver(r.Context(), caller(r))
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	d := familyData{Dependants: ds, TakenOver: took, Added: r.URL.Query().Get("added") == "1", Removed: r.URL.Query().Get("removed") == "1",
		Full: len(ds) >= account.MaxDependants}
	for _, rel := range account.RelationOrder {
		d.Relations = append(d.Relations, Option{Value: rel, Text: account.Relations[rel]})
	}
	d.Years = append(d.Years, Option{Value: "", Text: "不填", Selected: true})
	for y := p.Now().Year(); y >= 1920; y-- {
		d.Years = append(d.Years, Option{Value: strconv.Itoa(y), Text: strconv.Itoa(y) + " 年"})
	}
	p.t.Render(w, r, "family", http.StatusOK, h5.View{Title: "我的家人", Back: h5.Prefix + "/me/bookings", Data: d})
}

// addDependant serves POST /h5/me/family (name, relation, birthYear), as
// POST /api/v1/me/dependants.
func (p *Pages) addDependant(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	d := account.Dependant{Name: f.Get("name"), Relation: f.Get("relation")}
	var err error
	if d.BirthYear, err = input.Int(strings.TrimSpace(f.Get("birthYear")), 0, math.MinInt, math.MaxInt, account.ErrDependantInvalid); err != nil {
		p.refuse(w, r, err)
		return
	}
	if _, err := account.AddDependant(r.Context(), p.People, caller(r), d, p.Now()); err != nil {
		p.refuse(w, r, err)
		return
	}
	http.Redirect(w, r, h5.Prefix+"/me/family?added=1", http.StatusSeeOther)
}

// removeDependant serves POST /h5/me/family/{id}/delete, as DELETE
// /api/v1/me/dependants/{id}.
func (p *Pages) removeDependant(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !account.ValidDependantID(id) {
		p.refuse(w, r, account.ErrDependantNotFound)
		return
	}
	if err := p.People.RemoveDependant(r.Context(), caller(r), id); err != nil {
		p.refuse(w, r, err)
		return
	}
	http.Redirect(w, r, h5.Prefix+"/me/family?removed=1", http.StatusSeeOther)
}

// privacy serves GET /h5/privacy: 隐私说明, what the platform keeps about a person, why
// and for how long, and how to get a copy or erase the account.
func (p *Pages) privacy(w http.ResponseWriter, r *http.Request) {
	p.t.Render(w, r, "privacy", http.StatusOK, h5.View{Title: "隐私说明", Back: h5.Prefix + "/", Data: nil})
}
