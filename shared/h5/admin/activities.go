package admin

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/h5"
)

// Option is one choice of a select.
type Option struct {
	Value, Text string
}

// kindOptions are the kinds of activity, in the menu's order.
func kindOptions() []Option {
	var out []Option
	for _, k := range booking.Kinds {
		out = append(out, Option{string(k), kindNames[k]})
	}
	return out
}

// venueOptions are the venues in the caller's scope (the whole city for an admin).
func (c *Console) venueOptions(ctx context.Context, cl auth.Claims) ([]Option, error) {
	root, err := c.scopeRoot(ctx, cl)
	if err != nil {
		return nil, err
	}
	vs, err := c.Directory.VenuesUnder(ctx, root)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(vs, func(a, b directory.Venue) int { return cmp.Compare(a.DistrictPath+a.Name, b.DistrictPath+b.Name) })
	out := make([]Option, len(vs))
	for i, v := range vs {
		out[i] = Option{v.ID, v.Name}
	}
	return out, nil
}

// scopeRoot is the district at the top of the caller's scope: theirs, or the city.
func (c *Console) scopeRoot(ctx context.Context, cl auth.Claims) (directory.District, error) {
	sc, err := c.scopeOf(ctx, cl)
	if err != nil {
		return directory.District{}, err
	}
	if !sc.All {
		return c.Directory.District(ctx, sc.Path[strings.LastIndex(sc.Path, "/")+1:])
	}
	all, err := c.Directory.Districts(ctx)
	if err != nil {
		return directory.District{}, err
	}
	for _, d := range all {
		if d.Level == directory.LevelCity {
			return d, nil
		}
	}
	return directory.District{}, directory.ErrDistrictUnknown
}

// districtOptions are the districts of the caller's scope, indented by level; only
// those of level when given.
func (c *Console) districtOptions(ctx context.Context, cl auth.Claims, levels ...directory.Level) ([]Option, error) {
	root, err := c.scopeRoot(ctx, cl)
	if err != nil {
		return nil, err
	}
	all, err := c.Directory.Districts(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b directory.District) int { return cmp.Compare(a.Path, b.Path) })
	indent := map[directory.Level]string{directory.LevelCounty: "", directory.LevelTownship: "　", directory.LevelVillage: "　　"}
	var out []Option
	for _, d := range all {
		if d.Path != root.Path && !strings.HasPrefix(d.Path, root.Path+"/") {
			continue
		}
		if len(levels) > 0 && !slices.Contains(levels, d.Level) {
			continue
		}
		out = append(out, Option{d.ID, indent[d.Level] + d.Name})
	}
	return out, nil
}

// ActivityRow is an activity with its coming sessions.
type ActivityRow struct {
	ID, Title, Kind, Venue string
	Next                   time.Time
	Sessions               int
}

type activitiesData struct {
	Notice     string
	Activities []ActivityRow
}

// activities serves GET /h5/admin/activities: the activities with sessions in the
// caller's scope from two weeks ago to two months ahead.
func (c *Console) activities(w http.ResponseWriter, r *http.Request) {
	ctx, cl := r.Context(), claims(r)
	now := c.Now()
	slots, err := c.sessions(ctx, cl, startOfDay(now).AddDate(0, 0, -14), now.AddDate(0, 2, 0), nil)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := activitiesData{Notice: notice(r)}
	index := map[string]int{}
	for _, sl := range slots {
		i, ok := index[sl.ActivityID]
		if !ok {
			i = len(d.Activities)
			index[sl.ActivityID] = i
			d.Activities = append(d.Activities, ActivityRow{ID: sl.ActivityID, Title: sl.Title, Kind: kindNames[sl.Kind], Venue: sl.VenueName})
		}
		a := &d.Activities[i]
		a.Sessions++
		if a.Next.IsZero() && !sl.StartsAt.Before(now) {
			a.Next = sl.StartsAt
		}
	}
	c.render(w, r, "activities", http.StatusOK, h5.View{Title: "活动与场次", Tab: "activities", Data: d})
}

type activityForm struct {
	Notice, Error string
	Form          url.Values
	Kinds         []Option
	Venues        []Option
	Districts     []Option
}

// newActivity serves GET /h5/admin/activities/new: the form of a new activity.
func (c *Console) newActivity(w http.ResponseWriter, r *http.Request) {
	c.renderNewActivity(w, r, url.Values{"kind": {string(booking.KindFilm)}}, nil)
}

func (c *Console) renderNewActivity(w http.ResponseWriter, r *http.Request, form url.Values, err error) {
	ctx, cl := r.Context(), claims(r)
	d := activityForm{Form: form, Error: formError(err), Kinds: kindOptions()}
	var lerr error
	if d.Venues, lerr = c.venueOptions(ctx, cl); lerr == nil {
		d.Districts, lerr = c.districtOptions(ctx, cl)
	}
	if lerr != nil {
		c.fail(w, r, lerr)
		return
	}
	status := statusOf(err)
	c.render(w, r, "newactivity", status, h5.View{Title: "新建活动", Tab: "activities", Back: Base + "/activities", Data: d})
}

// newActivityTarget is the rule's target of publishing an activity: its venue's district
// and the district it is labelled with (booking.Service.PlaceScope).
func (c *Console) newActivityTarget(r *http.Request) ([]string, error) {
	return c.Bookings.PlaceScope(r.Context(), r.PostForm.Get("venueId"), r.PostForm.Get("districtId"))
}

// createActivity serves POST /h5/admin/activities.
func (c *Console) createActivity(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	a, err := c.Bookings.CreateActivity(r.Context(), booking.Activity{
		Kind: booking.Kind(f.Get("kind")), Title: strings.TrimSpace(f.Get("title")), Description: strings.TrimSpace(f.Get("description")),
		VenueID: f.Get("venueId"), DistrictID: f.Get("districtId"),
	})
	if c.failed(w, r, err, func(err error) { c.renderNewActivity(w, r, f, err) }) {
		return
	}
	done(w, r, Base+"/activities/"+a.ID, "activity")
}

type activityData struct {
	Notice, Error string
	Activity      booking.Activity
	Kind          string
	Venue         string
	Sessions      []SlotRow
	Form          url.Values // the edit form
	SlotForm      url.Values // the new session's form
	ScheduleForm  url.Values
	Weekdays      []Option
	Venues        []Option
	Districts     []Option
	Modes         []Option
	Scheduled     bool // the activity has a weekly timetable
}

var weekdays = []Option{{"1", "周一"}, {"2", "周二"}, {"3", "周三"}, {"4", "周四"}, {"5", "周五"}, {"6", "周六"}, {"7", "周日"}}

// activityPage serves GET /h5/admin/activities/{id}: the activity, its sessions, and
// the forms to edit it, add a session and set a weekly timetable.
func (c *Console) activityPage(w http.ResponseWriter, r *http.Request) {
	c.renderActivity(w, r, nil, nil, nil, nil)
}

// renderActivity draws an activity's page; a form that was refused comes back filled
// in, with the refusal above it.
func (c *Console) renderActivity(w http.ResponseWriter, r *http.Request, edit, slot, schedule url.Values, err error) {
	ctx, cl := r.Context(), claims(r)
	id := r.PathValue("id")
	a, ok, aerr := c.Bookings.Catalog.Activity(ctx, id)
	if aerr == nil && !ok {
		aerr = booking.ErrActivityNotFound
	}
	if aerr != nil {
		c.fail(w, r, aerr)
		return
	}
	d := activityData{Notice: notice(r), Error: formError(err), Activity: a, Kind: kindNames[a.Kind], Weekdays: weekdays,
		Modes: []Option{{string(booking.ModeFirstCome), "先到先得"}, {string(booking.ModeBallot), "抽签"}}}
	if name, _, ok, err := c.Bookings.Venues.VenueOf(ctx, a.VenueID); err == nil && ok {
		d.Venue = name
	}
	d.Form = edit
	if d.Form == nil {
		d.Form = url.Values{"title": {a.Title}, "description": {a.Description}, "venueId": {a.VenueID}, "districtId": {a.DistrictID}}
	}
	d.SlotForm = slot
	if d.SlotForm == nil {
		start := startOfDay(c.Now()).AddDate(0, 0, 1).Add(19*time.Hour + 30*time.Minute)
		d.SlotForm = url.Values{"startsAt": {start.Format("2006-01-02T15:04")}, "endsAt": {start.Add(2 * time.Hour).Format("2006-01-02T15:04")},
			"capacity": {"100"}, "maxPartySize": {"2"}, "perPersonLimit": {"1"}, "mode": {string(booking.ModeFirstCome)}}
	}
	sc, found, serr := c.Bookings.Schedules.Schedule(ctx, scheduleID(a.ID))
	if serr != nil {
		c.fail(w, r, serr)
		return
	}
	d.Scheduled = found
	d.ScheduleForm = schedule
	if d.ScheduleForm == nil {
		d.ScheduleForm = url.Values{"startTime": {"07:30"}, "durationMinutes": {"60"}, "capacity": {"30"}}
		if found {
			d.ScheduleForm = url.Values{"startTime": {sc.StartTime}, "durationMinutes": {strconv.Itoa(sc.Minutes)}, "capacity": {strconv.Itoa(sc.Capacity)},
				"seasonStart": {sc.SeasonStart}, "seasonEnd": {sc.SeasonEnd}, "instructor": {sc.Instructor}}
			for _, wd := range sc.Weekdays {
				d.ScheduleForm.Add("weekday", strconv.Itoa(wd))
			}
		}
	}
	slots, lerr := c.activitySlots(ctx, a)
	if lerr == nil {
		if d.Venues, lerr = c.venueOptions(ctx, cl); lerr == nil {
			d.Districts, lerr = c.districtOptions(ctx, cl)
		}
	}
	if lerr != nil {
		c.fail(w, r, lerr)
		return
	}
	for _, sl := range slots {
		d.Sessions = append(d.Sessions, slotRow(sl))
	}
	status := statusOf(err)
	c.render(w, r, "activity", status, h5.View{Title: a.Title, Tab: "activities", Back: Base + "/activities", Data: d})
}

// activitySlots are an activity's sessions from a month ago to half a year ahead.
func (c *Console) activitySlots(ctx context.Context, a booking.Activity) ([]booking.Slot, error) {
	now := c.Now()
	var out []booking.Slot
	cursor := ""
	for range 50 {
		slots, next, err := c.Bookings.Catalog.Upcoming(ctx, booking.Query{Kinds: []booking.Kind{a.Kind}, From: now.AddDate(0, -1, 0),
			To: now.AddDate(0, 6, 0), Limit: 100, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		for _, sl := range slots {
			if sl.ActivityID == a.ID {
				out = append(out, sl)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return out, nil
}

// activityTarget is the rule's target of the routes naming an activity, with where an
// edit would move it (booking.Service.ActivityScope and PlaceScope).
func (c *Console) activityTarget(r *http.Request) ([]string, error) {
	ctx := r.Context()
	paths, err := c.Bookings.ActivityScope(ctx, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if r.Method != http.MethodPost || (r.PostForm.Get("venueId") == "" && r.PostForm.Get("districtId") == "") {
		return paths, nil
	}
	moved, err := c.Bookings.PlaceScope(ctx, r.PostForm.Get("venueId"), r.PostForm.Get("districtId"))
	return append(paths, moved...), err
}

// editActivity serves POST /h5/admin/activities/{id}: title, description, venue and
// district label.
func (c *Console) editActivity(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	title, desc, venue, district := strings.TrimSpace(f.Get("title")), strings.TrimSpace(f.Get("description")), f.Get("venueId"), f.Get("districtId")
	_, err := c.Bookings.EditActivity(r.Context(), r.PathValue("id"), booking.ActivityPatch{Title: &title, Description: &desc, VenueID: &venue, DistrictID: &district})
	if c.failed(w, r, err, func(err error) { c.renderActivity(w, r, f, nil, nil, err) }) {
		return
	}
	done(w, r, Base+"/activities/"+r.PathValue("id"), "activity")
}

// slotPatch reads a session's form: every field given is set, an empty one keeps the
// default (new) or what the session has (edit).
func slotPatch(f url.Values) booking.SlotPatch {
	var p booking.SlotPatch
	tm := func(name string) *time.Time {
		if strings.TrimSpace(f.Get(name)) == "" {
			return nil
		}
		t := formTime(f.Get(name))
		return &t
	}
	num := func(name string) *int {
		if strings.TrimSpace(f.Get(name)) == "" {
			return nil
		}
		n := formInt(f.Get(name), 0)
		return &n
	}
	p.StartsAt, p.EndsAt, p.BookingOpensAt, p.BookingClosesAt = tm("startsAt"), tm("endsAt"), tm("bookingOpensAt"), tm("bookingClosesAt")
	p.Capacity, p.MaxPartySize, p.PerPersonLimit, p.CancelCutoffMinutes = num("capacity"), num("maxPartySize"), num("perPersonLimit"), num("cancelCutoffMinutes")
	p.SeatRows, p.SeatsPerRow, p.HotShards = num("seatRows"), num("seatsPerRow"), num("hotShards")
	if m := booking.Mode(f.Get("mode")); m != "" {
		p.Mode = &m
	}
	if f.Has("eligibleDistrictId") {
		e := f.Get("eligibleDistrictId")
		p.EligibleDistrictID = &e
	}
	if f.Has("realName") {
		rn := f.Get("realName") == "1"
		p.RealName = &rn
	}
	if p.SeatRows != nil && p.SeatsPerRow != nil && *p.SeatRows > 0 && *p.SeatsPerRow > 0 {
		capacity := *p.SeatRows * *p.SeatsPerRow // a seated hall holds its seats
		p.Capacity = &capacity
	}
	return p
}

// createSlot serves POST /h5/admin/activities/{id}/slots: a new session.
func (c *Console) createSlot(w http.ResponseWriter, r *http.Request) {
	sl, err := c.Bookings.CreateSlot(r.Context(), r.PathValue("id"), slotPatch(r.PostForm))
	if c.failed(w, r, err, func(err error) { c.renderActivity(w, r, nil, r.PostForm, nil, err) }) {
		return
	}
	done(w, r, Base+"/slots/"+sl.ID, "slot")
}

// scheduleID is the id of an activity's weekly timetable made in the console.
func scheduleID(activityID string) string {
	id := "w-" + activityID
	if len(id) > 50 {
		id = id[:50]
	}
	return id
}

// putSchedule serves POST /h5/admin/activities/{id}/schedule: the activity's weekly
// timetable, whose classes are generated at once.
func (c *Console) putSchedule(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	sc := booking.Schedule{ID: scheduleID(r.PathValue("id")), ActivityID: r.PathValue("id"), StartTime: f.Get("startTime"),
		Minutes: formInt(f.Get("durationMinutes"), 0), Capacity: formInt(f.Get("capacity"), 0), Instructor: strings.TrimSpace(f.Get("instructor")),
		SeasonStart: f.Get("seasonStart"), SeasonEnd: f.Get("seasonEnd")}
	for _, v := range f["weekday"] {
		sc.Weekdays = append(sc.Weekdays, formInt(v, 0))
	}
	if _, err := c.Bookings.PutSchedule(r.Context(), sc); c.failed(w, r, err,
		func(err error) { c.renderActivity(w, r, nil, nil, f, err) }) {
		return
	}
	done(w, r, Base+"/activities/"+r.PathValue("id"), "schedule")
}

type slotEditData struct {
	Error     string
	Slot      booking.Slot
	Form      url.Values
	Modes     []Option
	Districts []Option
}

// editSlotPage serves GET /h5/admin/slots/{id}/edit.
func (c *Console) editSlotPage(w http.ResponseWriter, r *http.Request) {
	c.renderEditSlot(w, r, nil, nil)
}

func (c *Console) renderEditSlot(w http.ResponseWriter, r *http.Request, form url.Values, err error) {
	ctx := r.Context()
	sl, serr := c.Bookings.Catalog.Slot(ctx, r.PathValue("id"))
	if serr != nil {
		c.fail(w, r, serr)
		return
	}
	d := slotEditData{Error: formError(err), Slot: sl, Form: form,
		Modes: []Option{{string(booking.ModeFirstCome), "先到先得"}, {string(booking.ModeBallot), "抽签"}}}
	if d.Form == nil {
		d.Form = url.Values{"startsAt": {dtLocal(sl.StartsAt)}, "endsAt": {dtLocal(sl.EndsAt)}, "capacity": {strconv.Itoa(sl.Capacity)},
			"maxPartySize": {strconv.Itoa(sl.MaxPartySize)}, "perPersonLimit": {strconv.Itoa(sl.PerPersonLimit)},
			"bookingOpensAt": {dtLocal(sl.BookingOpensAt)}, "bookingClosesAt": {dtLocal(sl.BookingClosesAt)},
			"cancelCutoffMinutes": {strconv.Itoa(sl.CancelCutoffMinutes)}, "mode": {string(sl.Mode)}, "eligibleDistrictId": {sl.EligibleDistrictID}}
		if sl.RealName {
			d.Form.Set("realName", "1")
		}
		if sl.Seated() {
			d.Form.Set("seatRows", strconv.Itoa(sl.SeatRows))
			d.Form.Set("seatsPerRow", strconv.Itoa(sl.SeatsPerRow))
		}
		if sl.Hot() {
			d.Form.Set("hotShards", strconv.Itoa(sl.HotShards))
		}
	}
	var lerr error
	if d.Districts, lerr = c.districtOptions(ctx, claims(r)); lerr != nil {
		c.fail(w, r, lerr)
		return
	}
	status := statusOf(err)
	c.render(w, r, "editslot", status, h5.View{Title: "修改场次 · " + sl.Title, Tab: "today", Back: Base + "/slots/" + sl.ID, Data: d})
}

// editSlot serves POST /h5/admin/slots/{id}/edit: places added go to the waiting list
// first.
func (c *Console) editSlot(w http.ResponseWriter, r *http.Request) {
	if _, err := c.Bookings.EditSlot(r.Context(), r.PathValue("id"), slotPatch(r.PostForm)); c.failed(w, r, err,
		func(err error) { c.renderEditSlot(w, r, r.PostForm, err) }) {
		return
	}
	done(w, r, Base+"/slots/"+r.PathValue("id"), "slot")
}

// cancelSlot serves POST /h5/admin/slots/{id}/cancel (confirm=1): the session and every
// booking of it are cancelled, each holder told.
func (c *Console) cancelSlot(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if r.PostForm.Get("confirm") != "1" {
		c.t.Refuse(w, r, errConfirm, h5.Refusal{Message: "请勾选「我确认取消这一场」后再提交。", Link: Base + "/slots/" + id, LinkText: "返回场次"})
		return
	}
	if _, _, err := c.Bookings.CancelSlot(r.Context(), id); err != nil {
		c.fail(w, r, err)
		return
	}
	done(w, r, Base+"/slots/"+id, "cancelled")
}

// verifyScreening serves POST /h5/admin/slots/{id}/verify (lat, lng, headCount): the
// projectionist's verification on site.
func (c *Console) verifyScreening(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	var page *booking.Position // the page's location, used when WeChat reported none lately
	lat, laterr := strconv.ParseFloat(strings.TrimSpace(f.Get("lat")), 64)
	lng, lngerr := strconv.ParseFloat(strings.TrimSpace(f.Get("lng")), 64)
	if laterr == nil && lngerr == nil {
		page = &booking.Position{Lat: lat, Lng: lng}
	}
	id := r.PathValue("id")
	_, err := c.Bookings.VerifyScreening(r.Context(), id, claims(r).OpenID, page, formInt(f.Get("headCount"), 0))
	c.finish(w, r, err, Base+"/slots/"+id, "返回场次", "verified")
}

func dtLocal(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(beijing.Zone).Format("2006-01-02T15:04")
}

// SlotFields is what the session form's fields show.
type SlotFields struct {
	Form      url.Values
	Modes     []Option
	Districts []Option
}

// SlotFields are the fields of the new session's form.
func (d activityData) SlotFields() SlotFields {
	return SlotFields{Form: d.SlotForm, Modes: d.Modes, Districts: d.Districts}
}

// SlotFields are the fields of the session's form.
func (d slotEditData) SlotFields() SlotFields {
	return SlotFields{Form: d.Form, Modes: d.Modes, Districts: d.Districts}
}
