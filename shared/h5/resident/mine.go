package resident

import (
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/h5"
	"github.com/wentitong/wentitong/shared/qr"
)

// Ticket is one booking as its holder sees it.
type Ticket struct {
	Booking      booking.Booking
	Code         string // the short booking code, read out at the door
	Slot         booking.Slot
	Headline     string // 预约成功, 候补中, 已参加抽签, …
	Class        string // the tag's style
	Note         string // what happens next, in a sentence
	QR           template.HTML
	DoorOpens    time.Time
	DoorCloses   time.Time
	DrawAt       time.Time
	CanCancel    bool
	CancelNote   string
	Past         bool
	Ballot       bool
	Drawn        bool
	Fresh        bool // just booked: the page is the result of the form
	CheckedIn    bool
	RateActivity string // the activity to rate, once attended and ended
}

// ticketOf builds what the booking pages show of b, with its QR code when confirmed.
func (p *Pages) ticketOf(r *http.Request, b booking.Booking, withQR bool) (Ticket, error) {
	now := p.Now()
	sl, err := p.Bookings.Catalog.Slot(r.Context(), b.SlotID)
	if err != nil {
		return Ticket{}, err
	}
	t := Ticket{Booking: b, Code: booking.Code(b.ID), Slot: sl, Ballot: sl.Mode == booking.ModeBallot,
		Past: !now.Before(sl.EndsAt), CheckedIn: !b.CheckedInAt.IsZero(), CancelNote: cancelNote(sl)}
	t.DoorOpens, t.DoorCloses = p.Bookings.Door.Window(sl.StartsAt)
	if p.Bookings.Door == (booking.Door{}) {
		t.DoorOpens, t.DoorCloses = booking.DefaultDoor.Window(sl.StartsAt)
	}
	if t.Ballot {
		t.DrawAt = sl.BookingClosesAt.Add(booking.DrawGrace)
		t.Drawn = !now.Before(t.DrawAt) && b.Status != booking.StatusBalloted
	}
	t.CanCancel = b.Status != booking.StatusCancelled && !t.CheckedIn && b.CheckCancel(sl, now) == nil && now.Before(sl.StartsAt)
	switch {
	case b.Status == booking.StatusCancelled:
		t.Headline, t.Class, t.Note = "已取消", "off", cancelledNote(b)
	case t.CheckedIn:
		t.Headline, t.Class, t.Note = "已入场", "ok", "欢迎参加！活动结束后可以评价本场活动。"
	case b.Status == booking.StatusConfirmed && t.Past:
		t.Headline, t.Class, t.Note = "已结束", "off", "本场活动已经结束。"
	case b.Status == booking.StatusConfirmed && t.Ballot:
		t.Headline, t.Class, t.Note = "抽签结果：中签", "ok", "恭喜中签！请凭下面的电子票入场。"
	case b.Status == booking.StatusConfirmed:
		t.Headline, t.Class, t.Note = "预约成功", "ok", "请凭下面的电子票入场，检票时出示二维码。"
	case b.Status == booking.StatusWaitlisted && t.Ballot:
		t.Headline, t.Class = "抽签结果：未中签", "wait"
		t.Note = "已为您排队候补，目前排在第 " + itoa(b.Position) + " 位。有人取消时按抽签顺序递补，递补成功会通知您。"
	case b.Status == booking.StatusWaitlisted:
		t.Headline, t.Class = "候补成功", "wait"
		t.Note = "您排在第 " + itoa(b.Position) + " 位。有人取消时按排队顺序递补，递补成功会通知您并出电子票。"
	case b.Status == booking.StatusBalloted:
		t.Headline, t.Class = "已参加抽签", "ballot"
		t.Note = "抽签将在 " + t.DrawAt.In(beijing.Zone).Format("1月2日 15:04") + " 进行，结果会通知您，也可以在这里查看。"
	}
	if t.Past && t.CheckedIn {
		t.RateActivity = sl.ActivityID
	}
	if withQR && b.Status == booking.StatusConfirmed && !t.Past && b.Ticket != "" {
		if t.QR, err = qr.SVG(b.Ticket, "电子票二维码"); err != nil {
			return Ticket{}, err
		}
	}
	return t, nil
}

func cancelledNote(b booking.Booking) string {
	switch b.CancelledBy {
	case booking.ByOrganiser:
		return "主办方取消了本场活动，给您带来不便，敬请谅解。"
	case booking.ByNoShow:
		return "开场后未检票入场，名额已释放给其他人。"
	}
	return "您已取消这条预约，名额已释放。"
}

// myTicket reads the caller's booking named in the path and its ticket view, or
// answers with the refusal and reports false.
func (p *Pages) myTicket(w http.ResponseWriter, r *http.Request, withQR bool) (booking.Booking, Ticket, bool) {
	b, err := p.Bookings.MyBooking(r.Context(), caller(r), r.PathValue("id"))
	if err != nil {
		p.refuse(w, r, err)
		return b, Ticket{}, false
	}
	t, err := p.ticketOf(r, b, withQR)
	if err != nil {
		p.refuse(w, r, err)
		return b, Ticket{}, false
	}
	return b, t, true
}

// booking serves GET /h5/bookings/{id}: the result of a booking and, while it stands,
// its QR ticket with the short code.
func (p *Pages) booking(w http.ResponseWriter, r *http.Request) {
	_, t, ok := p.myTicket(w, r, true)
	if !ok {
		return
	}
	t.Fresh = r.URL.Query().Get("new") == "1"
	p.t.Render(w, r, "booking", http.StatusOK, h5.View{Title: t.Headline, Tab: "bookings", Back: h5.Prefix + "/me/bookings", Data: t})
}

// ticket serves GET /h5/bookings/{id}/ticket: the QR code as large as the screen, for
// the door.
func (p *Pages) ticket(w http.ResponseWriter, r *http.Request) {
	b, t, ok := p.myTicket(w, r, true)
	if !ok {
		return
	}
	if t.QR == "" {
		p.Site.Refuse(w, r, booking.ErrTicketInvalid, h5.Refusal{Message: "这条预约现在没有可用的电子票：" + t.Headline + "。",
			Link: h5.Prefix + "/bookings/" + url.PathEscape(b.ID), LinkText: "查看预约"})
		return
	}
	p.t.Render(w, r, "ticket", http.StatusOK, h5.View{Title: "电子票", Back: h5.Prefix + "/bookings/" + url.PathEscape(b.ID), Data: t})
}

type myBookingsData struct {
	Upcoming, Past []Ticket
	Cancelled      bool // just cancelled one
}

// myBookings serves GET /h5/me/bookings: upcoming bookings first (soonest first), then
// past and cancelled ones.
func (p *Pages) myBookings(w http.ResponseWriter, r *http.Request) {
	bs, err := p.Bookings.Mine(r.Context(), caller(r))
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	d := myBookingsData{Cancelled: r.URL.Query().Get("cancelled") == "1"}
	for _, b := range bs {
		t, err := p.ticketOf(r, b, false)
		if err != nil {
			p.refuse(w, r, err)
			return
		}
		if t.Past || b.Status == booking.StatusCancelled {
			d.Past = append([]Ticket{t}, d.Past...) // most recent first
		} else {
			d.Upcoming = append(d.Upcoming, t)
		}
	}
	p.t.Render(w, r, "mybookings", http.StatusOK, h5.View{Title: "我的预约", Tab: "bookings", Data: d})
}

// cancelForm serves GET /h5/bookings/{id}/cancel: the confirmation, with the cut-off.
func (p *Pages) cancelForm(w http.ResponseWriter, r *http.Request) {
	b, t, ok := p.myTicket(w, r, false)
	if !ok {
		return
	}
	if !t.CanCancel {
		if b.Status == booking.StatusCancelled {
			http.Redirect(w, r, h5.Prefix+"/bookings/"+url.PathEscape(b.ID), http.StatusSeeOther)
			return
		}
		p.refuse(w, r, booking.ErrCancelClosed)
		return
	}
	p.t.Render(w, r, "cancel", http.StatusOK, h5.View{Title: "取消预约", Tab: "bookings", Back: h5.Prefix + "/bookings/" + url.PathEscape(b.ID), Data: t})
}

// cancel serves POST /h5/bookings/{id}/cancel, as DELETE /api/v1/bookings/{id}.
func (p *Pages) cancel(w http.ResponseWriter, r *http.Request) {
	if _, err := p.Bookings.Cancel(r.Context(), caller(r), r.PathValue("id")); err != nil {
		p.refuse(w, r, err)
		return
	}
	http.Redirect(w, r, h5.Prefix+"/me/bookings?cancelled=1", http.StatusSeeOther)
}

type drawData struct {
	Slot    booking.Slot
	Draw    booking.DrawView
	DrawAt  time.Time
	Entries int
	Winners int
}

// draw serves GET /h5/slots/{id}/draw: a ballot's commitment, then its published draw.
func (p *Pages) draw(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v, err := p.Bookings.PublishedDraw(r.Context(), id)
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	sl, err := p.Bookings.Catalog.Slot(r.Context(), id)
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	d := drawData{Slot: sl, Draw: v, DrawAt: v.ClosesAt.Add(booking.DrawGrace)}
	if v.Draw != nil {
		d.Entries, d.Winners = len(v.Draw.Entries), len(v.Draw.Winners)
	}
	p.t.Render(w, r, "draw", http.StatusOK, h5.View{Title: "抽签公示", Back: h5.Prefix + "/slots/" + url.PathEscape(id), Data: d})
}
