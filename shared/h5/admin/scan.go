package admin

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/fault"
	"github.com/wentitong/wentitong/shared/h5"
	"github.com/wentitong/wentitong/shared/web"
)

// Answer is what the door's screen says after a scan: green to let the party in, red
// with the reason, in words readable at arm's length.
type Answer struct {
	OK      bool
	Verdict string   // 入场, 已使用, 已取消, 非本场次, 未到检票时间, 已结束, 无效票, 非本辖区
	Details []string // the party and the session, or what the reason means
	Next    string   // the scanner again, for the next ticket
}

// Door is a session a scanner can be set to.
type Door struct {
	ID, Label string
	Selected  bool
}

type scanData struct {
	Slot   string // the session this door admits to, or "" (any in the caller's scope)
	Doors  []Door
	Key    string // this scan's key: a retry sends it again and is answered the same
	Answer *Answer
}

// scan serves GET /h5/admin/scan?slot=…: the door's scanner (typing the ticket or the
// booking code always; the camera where the browser reads QR codes; WeChat's scanner in
// WeChat).
func (c *Console) scan(w http.ResponseWriter, r *http.Request) {
	c.renderScan(w, r, r.URL.Query().Get("slot"), nil, http.StatusOK)
}

// renderScan draws the scanner, with the answer to the last scan when there is one, and
// a fresh key for the next.
func (c *Console) renderScan(w http.ResponseWriter, r *http.Request, slot string, a *Answer, status int) {
	ctx, cl := r.Context(), claims(r)
	now := c.Now()
	day0 := startOfDay(now)
	slots, err := c.sessions(ctx, cl, day0, day0.AddDate(0, 0, 1), nil)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := scanData{Slot: slot, Key: rand.Text(), Answer: a}
	if a != nil {
		a.Next = Base + "/scan"
		if slot != "" {
			a.Next += "?slot=" + url.QueryEscape(slot)
		}
	}
	for _, sl := range slots {
		d.Doors = append(d.Doors, Door{ID: sl.ID, Label: sl.StartsAt.In(beijing.Zone).Format("15:04") + " " + sl.Title + " · " + sl.VenueName, Selected: sl.ID == slot})
	}
	c.render(w, r, "scan", status, h5.View{Title: "检票", Tab: "scan", Data: d})
}

// checkinTarget is the rule's target of a scan: the session of the ticket (or, for a
// typed booking code, of the door), as the check-in route checks it. A ticket that is
// not one, or whose booking is gone, acts on nothing: the scan answers 无效票 or 已取消
// within the caller's own district.
func (c *Console) checkinTarget(r *http.Request) ([]string, error) {
	input := strings.TrimSpace(r.PostForm.Get("ticket"))
	if strings.HasPrefix(input, "WT1.") {
		paths, err := c.Bookings.TicketScope(r.Context(), input)
		if errors.Is(err, booking.ErrTicketInvalid) || errors.Is(err, booking.ErrTicketRevoked) {
			return nil, nil
		}
		return paths, err
	}
	if slot := r.PostForm.Get("slot"); slot != "" {
		return c.Bookings.SlotScope(r.Context(), slot)
	}
	return nil, nil
}

// checkin serves POST /h5/admin/checkins (ticket: the scanned ticket or a typed booking
// code; slot: the door's session; key: the scan's key) and answers on the scanner.
func (c *Console) checkin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	input := strings.TrimSpace(r.PostForm.Get("ticket"))
	slot, key := r.PostForm.Get("slot"), r.PostForm.Get("key")
	if len(key) > 64 {
		key = key[:64]
	}
	var b booking.Booking
	var err error
	switch {
	case strings.HasPrefix(input, "WT1."):
		b, err = c.Bookings.CheckIn(ctx, input, slot, key)
	case slot == "":
		err = errNeedDoor
	default:
		b, err = c.Bookings.CheckInCode(ctx, slot, strings.ReplaceAll(input, " ", ""), key)
	}
	a, err := c.answer(ctx, input, b, err)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if !a.OK {
		status = http.StatusConflict
	}
	c.renderScan(w, r, slot, &a, status)
}

// errNeedDoor is a booking code typed at a scanner not set to a session.
var errNeedDoor = fault.New(fault.Invalid, "door_required", "输入预约码前，请先在上方选择本场次")

// answer turns the outcome of a scan into what the door's screen says. Errors that are
// not the ticket's (the table failing) are returned for the error page.
func (c *Console) answer(ctx context.Context, input string, b booking.Booking, err error) (Answer, error) {
	if err == nil {
		sl, serr := c.Bookings.Catalog.Slot(ctx, b.SlotID)
		if serr != nil {
			return Answer{}, serr
		}
		a := Answer{OK: true, Verdict: "入场", Details: []string{strconv.Itoa(b.PartySize) + " 人"}}
		if b.Name != "" {
			a.Details = append(a.Details, "持票人："+b.Name)
		}
		if b.IDNumberMasked != "" { // a real-name session: compare with the card
			a.Details = append(a.Details, "身份证："+b.IDNumberMasked)
		}
		a.Details = append(a.Details, sl.Title, when(sl)+" · "+sl.VenueName)
		return a, nil
	}
	switch {
	case errors.Is(err, booking.ErrTicketUsed):
		return Answer{Verdict: "已使用", Details: []string{"已于 " + b.CheckedInAt.In(beijing.Zone).Format("1月2日 15:04") + " 检票入场", "同一张票不能再次入场"}}, nil
	case errors.Is(err, booking.ErrTicketRevoked):
		return Answer{Verdict: "已取消", Details: []string{"这条预约已取消，电子票作废"}}, nil
	case errors.Is(err, booking.ErrWrongSlot):
		a := Answer{Verdict: "非本场次", Details: []string{"这张票不是本场次的"}}
		if t, verr := c.Bookings.Signer.Verify(input); verr == nil {
			if sl, serr := c.Bookings.Catalog.Slot(ctx, t.SlotID); serr == nil {
				a.Details = append(a.Details, "票上的场次："+sl.Title+" "+when(sl))
			}
		}
		return a, nil
	case errors.Is(err, booking.ErrTooEarly), errors.Is(err, booking.ErrTooLate):
		sl, serr := c.Bookings.Catalog.Slot(ctx, b.SlotID)
		if serr != nil {
			return Answer{}, serr
		}
		opens, closes := c.Bookings.DoorWindow(sl.StartsAt)
		if errors.Is(err, booking.ErrTooEarly) {
			return Answer{Verdict: "未到检票时间", Details: []string{sl.Title + " " + when(sl), opens.In(beijing.Zone).Format("1月2日 15:04") + " 开始检票"}}, nil
		}
		return Answer{Verdict: "已结束", Details: []string{sl.Title + " " + when(sl), "检票已于 " + closes.In(beijing.Zone).Format("1月2日 15:04") + " 结束"}}, nil
	case errors.Is(err, booking.ErrTicketInvalid):
		return Answer{Verdict: "无效票", Details: []string{"这不是本平台的电子票，或二维码已损坏"}}, nil
	case errors.Is(err, booking.ErrCodeUnknown):
		return Answer{Verdict: "无效票", Details: []string{"本场次没有这个预约码，请核对后重输"}}, nil
	case errors.Is(err, booking.ErrCodeAmbiguous), errors.Is(err, errNeedDoor):
		return Answer{Verdict: "无法核验", Details: []string{fault.As(err).Message}}, nil
	}
	return Answer{}, err
}

// when is a session's day and time.
func when(sl booking.Slot) string {
	t := sl.StartsAt.In(beijing.Zone)
	return t.Format("1月2日") + " " + h5.Weekday(t) + " " + t.Format("15:04")
}

// refuseScan answers on the scanner a scan the rule refused as out of the caller's
// district (another district's ticket); other refusals go to next.
func (c *Console) refuseScan(next func(http.ResponseWriter, *http.Request, error)) func(http.ResponseWriter, *http.Request, error) {
	return func(w http.ResponseWriter, r *http.Request, err error) {
		if r.Method == http.MethodPost && r.URL.Path == Base+"/checkins" && errors.Is(err, access.ErrOutOfScope) {
			a := Answer{Verdict: "非本辖区", Details: []string{"这张票的场次不在您管理的辖区，请到对应场馆检票"}}
			c.renderScan(w, r, r.PostForm.Get("slot"), &a, web.Status(fault.Forbidden))
			return
		}
		next(w, r, err)
	}
}
