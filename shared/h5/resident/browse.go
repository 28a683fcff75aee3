package resident

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/h5"
)

// kindNames are the four kinds as the home page names them.
var kindNames = map[booking.Kind]string{
	booking.KindFilm: "电影", booking.KindEvent: "活动", booking.KindFitness: "健身", booking.KindReading: "阅读",
}

// kindOrder is the order of the home page's four buttons.
var kindOrder = []booking.Kind{booking.KindFilm, booking.KindEvent, booking.KindFitness, booking.KindReading}

// Status is a slot's standing as a resident sees it: words first, colour only repeats
// them (Class is the tag's style).
type Status struct {
	Text  string // 剩余 12 个名额 / 已约满 / 抽签 / 可候补 / 未开放 / 已截止 / 已取消
	Class string // ok, full, wait, ballot, off
	Extra string // a second tag: 可候补 beside 已约满
}

// slotStatus says where a slot stands at now.
func slotStatus(sl booking.Slot, now time.Time) Status {
	switch {
	case sl.Status == booking.SlotCancelled:
		return Status{Text: "已取消", Class: "off"}
	case !now.Before(sl.BookingClosesAt) || !now.Before(sl.StartsAt):
		return Status{Text: "预约已截止", Class: "off"}
	case now.Before(sl.BookingOpensAt):
		return Status{Text: "尚未开放预约", Class: "off"}
	case sl.Mode == booking.ModeBallot:
		return Status{Text: "抽签 · 共 " + strconv.Itoa(sl.Capacity) + " 个名额", Class: "ballot"}
	case sl.Remaining() > 0:
		return Status{Text: "剩余 " + strconv.Itoa(sl.Remaining()) + " 个名额", Class: "ok"}
	case sl.Seated():
		return Status{Text: "已约满", Class: "full"}
	}
	return Status{Text: "已约满", Class: "full", Extra: "可候补"}
}

// SlotRow is one session in a list.
type SlotRow struct {
	ID, Title, Venue string
	Kind             string
	StartsAt         time.Time
	Status           Status
}

// slotRows are the rows of the slots of the listings q finds that keep keeps.
func (p *Pages) slotRows(ctx context.Context, q booking.ListQuery, keep func(booking.Listing) bool) ([]SlotRow, error) {
	listings, _, err := p.Bookings.List(ctx, q)
	if err != nil {
		return nil, err
	}
	now := p.Now()
	var rows []SlotRow
	for _, l := range listings {
		if keep(l) {
			for _, sl := range l.Slots {
				rows = append(rows, slotRow(sl.Slot, now))
			}
		}
	}
	return rows, nil
}

func slotRow(sl booking.Slot, now time.Time) SlotRow {
	return SlotRow{ID: sl.ID, Title: sl.Title, Venue: sl.VenueName, Kind: kindNames[sl.Kind], StartsAt: sl.StartsAt, Status: slotStatus(sl, now)}
}

// Option is one choice of a select.
type Option struct {
	Value, Text string
	Selected    bool
}

type homeData struct {
	Kinds     []Option // the four kinds (Selected: the current one)
	Kind      string
	Districts []Option
	Days      []Option
	Slots     []SlotRow
	Filtered  bool   // a district or a day is chosen
	Next      string // the next page's URL, or ""
}

// home serves GET /h5 and GET /h5/activities: the four kinds, then the upcoming
// sessions of the chosen kind, district and day, soonest first.
func (p *Pages) home(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	now := p.Now()
	lq := booking.ListQuery{Kind: q.Get("kind"), DistrictID: q.Get("district"), Date: q.Get("day"), Cursor: q.Get("cursor"), Limit: "20"}
	if lq.Kind != "" && kindNames[booking.Kind(lq.Kind)] == "" {
		lq.Kind = "" // an unknown kind in a shared link shows everything rather than an error
	}
	d := homeData{Kind: lq.Kind, Filtered: lq.DistrictID != "" || lq.Date != ""}
	for _, k := range kindOrder {
		d.Kinds = append(d.Kinds, Option{Value: string(k), Text: kindNames[k], Selected: string(k) == lq.Kind})
	}
	districts, err := p.Directory.Districts(r.Context())
	if err != nil {
		p.Site.Error(w, r, err)
		return
	}
	d.Districts = append(d.Districts, Option{Value: "", Text: "全部地区"})
	for _, dist := range districts {
		if dist.Level == directory.LevelCounty {
			d.Districts = append(d.Districts, Option{Value: dist.ID, Text: dist.Name, Selected: dist.ID == lq.DistrictID})
		}
	}
	d.Days = dayOptions(now, lq.Date)
	listings, next, err := p.Bookings.List(r.Context(), lq)
	if err != nil {
		p.refuse(w, r, err)
		return
	}
	for _, l := range listings {
		for _, sl := range l.Slots {
			d.Slots = append(d.Slots, slotRow(sl.Slot, now))
		}
	}
	sortRows(d.Slots)
	if next != "" {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("cursor", next)
		d.Next = r.URL.Path + "?" + nq.Encode()
	}
	title := "近期活动"
	if lq.Kind != "" {
		title = kindNames[booking.Kind(lq.Kind)] + " · 近期场次"
	}
	p.t.Render(w, r, "home", http.StatusOK, h5.View{Title: title, Tab: "home", Data: d})
}

// dayOptions are today and the next six days, in Beijing time.
func dayOptions(now time.Time, chosen string) []Option {
	out := []Option{{Value: "", Text: "全部日期"}}
	today := now.In(beijing.Zone)
	for i := range 7 {
		day := time.Date(today.Year(), today.Month(), today.Day()+i, 12, 0, 0, 0, beijing.Zone)
		v := day.Format(time.DateOnly)
		text := day.Format("1月2日") + " " + h5.Weekday(day)
		switch i {
		case 0:
			text = "今天 " + text
		case 1:
			text = "明天 " + text
		}
		out = append(out, Option{Value: v, Text: text, Selected: v == chosen})
	}
	return out
}
