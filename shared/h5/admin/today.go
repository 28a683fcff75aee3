package admin

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/h5"
	"github.com/wentitong/wentitong/shared/privacy"
	"github.com/wentitong/wentitong/shared/web"
)

// kindNames are the kinds of activity as staff read them.
var kindNames = map[booking.Kind]string{
	booking.KindFilm: "电影放映", booking.KindEvent: "文化活动", booking.KindFitness: "健身课程", booking.KindReading: "阅读活动",
}

// scope is where a staff member acts: the path of their district, or the whole city.
type scope struct {
	Path string
	All  bool
	Name string // the district's name, or 全市
}

// scopeOf returns the caller's scope, as access.Guard decides it for every route.
func (c *Console) scopeOf(ctx context.Context, cl auth.Claims) (scope, error) {
	path, all, err := c.Guard.Scope(ctx, cl)
	if err != nil {
		return scope{}, err
	}
	if all {
		return scope{All: true, Name: "全市"}, nil
	}
	name := path
	id := path[strings.LastIndex(path, "/")+1:]
	if d, err := c.Directory.District(ctx, id); err == nil {
		name = d.Name
	}
	return scope{Path: path, Name: name}, nil
}

// SlotRow is a session as the lists show it.
type SlotRow struct {
	ID, Title, Venue, Kind string
	StartsAt, EndsAt       time.Time
	Booked, Capacity       int
	CheckedIn              int // people checked in (Today's sessions only; -1 when not counted)
	Ballot, Seated         bool
	Cancelled              bool
}

// sessions returns the sessions between from and to that the caller may act on (every
// district of the session's activity lies in their scope: the rule of the booking
// routes), soonest first.
func (c *Console) sessions(ctx context.Context, cl auth.Claims, from, to time.Time, kinds []booking.Kind) ([]booking.Slot, error) {
	if len(kinds) == 0 {
		kinds = booking.Kinds
	}
	sc, all, err := c.Guard.Scope(ctx, cl)
	if err != nil {
		return nil, err
	}
	mine := map[string]bool{} // activity id → in scope
	var out []booking.Slot
	cursor := ""
	for range 50 { // at most 5,000 sessions a listing
		slots, next, err := c.Bookings.Catalog.Upcoming(ctx, booking.Query{Kinds: kinds, From: from, To: to, Limit: 100, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, sl := range slots {
			ok, seen := mine[sl.ActivityID]
			if !seen {
				paths, err := c.Bookings.ActivityScope(ctx, sl.ActivityID)
				if err != nil && !errors.Is(err, booking.ErrActivityNotFound) {
					return nil, err
				}
				ok = err == nil && access.Permits(sc, all, paths...)
				mine[sl.ActivityID] = ok
			}
			if ok {
				out = append(out, sl)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	slices.SortStableFunc(out, func(a, b booking.Slot) int { return cmp.Compare(a.StartsAt.UnixNano(), b.StartsAt.UnixNano()) })
	return out, nil
}

func slotRow(sl booking.Slot) SlotRow {
	return SlotRow{ID: sl.ID, Title: sl.Title, Venue: sl.VenueName, Kind: kindNames[sl.Kind], StartsAt: sl.StartsAt, EndsAt: sl.EndsAt,
		Booked: sl.Booked, Capacity: sl.Capacity, CheckedIn: -1, Ballot: sl.Mode == booking.ModeBallot, Seated: sl.Seated(),
		Cancelled: sl.Status == booking.SlotCancelled}
}

// Day is the sessions of one day.
type Day struct {
	Label string // 今天 11月30日 周一
	Slots []SlotRow
}

type todayData struct {
	Notice string
	Scope  scope
	Days   []Day
	Today  int // sessions today
}

// startOfDay is midnight in Beijing of the day t is in.
func startOfDay(t time.Time) time.Time {
	t = t.In(beijing.Zone)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, beijing.Zone)
}

// today serves GET /h5/admin: the sessions at the caller's venues today, with check-ins,
// and the rest of the week.
func (c *Console) today(w http.ResponseWriter, r *http.Request) {
	ctx, cl := r.Context(), claims(r)
	sc, err := c.scopeOf(ctx, cl)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	now := c.Now()
	day0 := startOfDay(now)
	slots, err := c.sessions(ctx, cl, day0, day0.AddDate(0, 0, 7), nil)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := todayData{Notice: notice(r), Scope: sc}
	byDay := map[string]int{}
	for _, sl := range slots {
		row := slotRow(sl)
		start := sl.StartsAt.In(beijing.Zone)
		if start.Before(day0.AddDate(0, 0, 1)) {
			d.Today++
			if row.CheckedIn, err = c.checkedIn(ctx, sl.ID); err != nil {
				c.fail(w, r, err)
				return
			}
		}
		key := start.Format(time.DateOnly)
		i, ok := byDay[key]
		if !ok {
			i = len(d.Days)
			byDay[key] = i
			d.Days = append(d.Days, Day{Label: dayLabel(start, now)})
		}
		d.Days[i].Slots = append(d.Days[i].Slots, row)
	}
	c.render(w, r, "today", http.StatusOK, h5.View{Title: "今日场次 · " + sc.Name, Tab: "today", Data: d})
}

// dayLabel is 今天 / 明天 and the date and weekday of t.
func dayLabel(t, now time.Time) string {
	label := t.Format("1月2日") + " " + h5.Weekday(t)
	switch int(startOfDay(t).Sub(startOfDay(now)).Hours() / 24) {
	case 0:
		return "今天 " + label
	case 1:
		return "明天 " + label
	}
	return label
}

// checkedIn counts the people checked in at a session.
func (c *Console) checkedIn(ctx context.Context, slotID string) (int, error) {
	bs, err := c.Bookings.Store.OfSlot(ctx, slotID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, b := range bs {
		if !b.CheckedInAt.IsZero() {
			n += b.PartySize
		}
	}
	return n, nil
}

// Line is one booking of a roster (名单).
type Line struct {
	ID, Code, Holder string
	Party            int
	Seats            string
	Status, Class    string
	CheckedInAt      time.Time
	CreatedAt        time.Time
	SuspendedUntil   time.Time // a released no-show whose holder is suspended now
}

type rosterData struct {
	Notice    string
	Slot      booking.Slot
	Row       SlotRow
	Kind      string
	Lines     []Line
	Waiting   []Line
	People    int // booked places (confirmed)
	In        int // people checked in
	Bookings  int // confirmed bookings
	Released  int // no-shows released
	CanVerify bool
	Past      bool
}

// roster reads a session's bookings: confirmed and cancelled ones in the order they
// were made, the waiting list in its order, each holder masked.
func (c *Console) roster(ctx context.Context, sl booking.Slot) (rosterData, error) {
	d := rosterData{Slot: sl, Row: slotRow(sl), Kind: kindNames[sl.Kind]}
	bs, err := c.Bookings.Store.OfSlot(ctx, sl.ID)
	if err != nil {
		return d, err
	}
	slices.SortStableFunc(bs, func(a, b booking.Booking) int { return a.CreatedAt.Compare(b.CreatedAt) })
	waiting, err := c.Bookings.Store.Waiting(ctx, sl.ID)
	if err != nil {
		return d, err
	}
	position := map[string]int{}
	for i, b := range waiting {
		position[b.ID] = i + 1
	}
	now := c.Now()
	for _, b := range bs {
		l := Line{ID: b.ID, Code: booking.Code(b.ID), Holder: privacy.OpenID(b.OpenID), Party: b.PartySize,
			Seats: strings.Join(b.Seats, " "), CheckedInAt: b.CheckedInAt, CreatedAt: b.CreatedAt}
		switch b.Status {
		case booking.StatusConfirmed:
			d.Bookings++
			d.People += b.PartySize
			switch {
			case !b.CheckedInAt.IsZero():
				d.In += b.PartySize
				l.Status, l.Class = "已入场 "+b.CheckedInAt.In(beijing.Zone).Format("15:04"), "ok"
			case now.After(sl.EndsAt):
				l.Status, l.Class = "未到场", "off"
			default:
				l.Status, l.Class = "未入场", "wait"
			}
		case booking.StatusWaitlisted:
			l.Status, l.Class = "候补第 "+strconv.Itoa(position[b.ID])+" 位", "wait"
			d.Waiting = append(d.Waiting, l)
			continue
		case booking.StatusBalloted:
			l.Status, l.Class = "已报名抽签", "ballot"
		case booking.StatusCancelled:
			l.Status, l.Class = cancelledBy[b.CancelledBy], "off"
			if b.CancelledBy == booking.ByNoShow {
				d.Released++
				if c.Bookings.NoShows != nil {
					until, _, err := c.Bookings.NoShows.Suspension(ctx, b.OpenID)
					if err != nil {
						return d, err
					}
					if now.Before(until) {
						l.SuspendedUntil = until
					}
				}
			}
		}
		d.Lines = append(d.Lines, l)
	}
	slices.SortStableFunc(d.Waiting, func(a, b Line) int { return cmp.Compare(a.Status, b.Status) })
	d.Past = now.After(sl.EndsAt)
	d.CanVerify = sl.Kind == booking.KindFilm && sl.Status != booking.SlotCancelled
	return d, nil
}

var cancelledBy = map[string]string{
	booking.ByResident:  "居民已取消",
	booking.ByOrganiser: "场次取消",
	booking.ByNoShow:    "爽约已释放",
	"":                  "已取消",
}

// pathRoster reads the session the path's {id} names and its roster; false when it
// could not, the failure written.
func (c *Console) pathRoster(w http.ResponseWriter, r *http.Request) (booking.Slot, rosterData, bool) {
	sl, err := c.Bookings.Catalog.Slot(r.Context(), r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return sl, rosterData{}, false
	}
	d, err := c.roster(r.Context(), sl)
	if err != nil {
		c.fail(w, r, err)
		return sl, d, false
	}
	return sl, d, true
}

// slotPage serves GET /h5/admin/slots/{id}: the session's roster (名单) with check-in
// state, party sizes, seats and the waiting list, and what staff can do with it.
func (c *Console) slotPage(w http.ResponseWriter, r *http.Request) {
	sl, d, ok := c.pathRoster(w, r)
	if !ok {
		return
	}
	d.Notice = notice(r)
	c.render(w, r, "slot", http.StatusOK, h5.View{Title: sl.Title, Tab: "today", Back: Base + "/activities/" + sl.ActivityID, Data: d})
}

// rosterCSV serves GET /h5/admin/slots/{id}/roster.csv: the roster for Excel, which
// reads UTF-8 only after a byte order mark, with CRLF line ends.
func (c *Console) rosterCSV(w http.ResponseWriter, r *http.Request) {
	sl, d, ok := c.pathRoster(w, r)
	if !ok {
		return
	}
	rows := [][]string{{"预约码", "预约人", "人数", "座位", "状态", "入场时间", "预约时间"}}
	for _, l := range append(d.Lines, d.Waiting...) {
		rows = append(rows, []string{l.Code, l.Holder, strconv.Itoa(l.Party), l.Seats, l.Status, csvTime(l.CheckedInAt), csvTime(l.CreatedAt)})
	}
	writeCSV(w, fmt.Sprintf("roster-%s.csv", sl.ID), rows)
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(beijing.Zone).Format("2006-01-02 15:04")
}

// writeCSV sends rows as a CSV download Excel opens with its Chinese intact: UTF-8 with
// a byte order mark, CRLF line ends.
func writeCSV(w http.ResponseWriter, filename string, rows [][]string) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	_ = cw.WriteAll(rows) // a bytes.Buffer does not fail
	web.CSV(w, filename, buf.Bytes())
}

// bookingOf finds a booking by its id among its slot's bookings. Errors:
// booking.ErrBookingNotFound.
func (c *Console) bookingOf(ctx context.Context, id string) (booking.Booking, error) {
	slotID, ok := booking.SlotOfBooking(id)
	if !ok {
		return booking.Booking{}, booking.ErrBookingNotFound
	}
	bs, err := c.Bookings.Store.OfSlot(ctx, slotID)
	if err != nil {
		return booking.Booking{}, err
	}
	for _, b := range bs {
		if b.ID == id {
			return b, nil
		}
	}
	return booking.Booking{}, booking.ErrBookingNotFound
}

// suspensionTarget is the rule's target of lifting the suspension of a booking's holder:
// the slot whose no-show suspended them (booking.Service.SuspensionScope).
func (c *Console) suspensionTarget(r *http.Request) ([]string, error) {
	b, err := c.bookingOf(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return c.Bookings.SuspensionScope(r.Context(), b.OpenID)
}

// lift serves POST /h5/admin/bookings/{id}/lift (reason): the suspension of the
// booking's holder ends now, with who lifted it and why recorded.
func (c *Console) lift(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	b, err := c.bookingOf(ctx, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if _, err := c.Bookings.LiftSuspension(ctx, b.OpenID, claims(r).OpenID, r.PostForm.Get("reason")); err != nil {
		c.t.Refuse(w, r, err, h5.Refusal{Message: formError(err), Link: Base + "/slots/" + b.SlotID, LinkText: "返回名单"})
		return
	}
	done(w, r, Base+"/slots/"+b.SlotID, "lifted")
}

// slotTarget is the rule's target of the routes naming a session: its activity's
// districts (booking.Service.SlotScope), as the booking routes check them.
func (c *Console) slotTarget(r *http.Request) ([]string, error) {
	return c.Bookings.SlotScope(r.Context(), r.PathValue("id"))
}
