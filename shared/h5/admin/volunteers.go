package admin

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/h5"
	"github.com/wentitong/wentitong/shared/privacy"
	"github.com/wentitong/wentitong/shared/qr"
	"github.com/wentitong/wentitong/shared/training"
	"github.com/wentitong/wentitong/shared/volunteer"
)

// statusNames are the volunteers' statuses as the tabs name them.
var statusNames = []Option{
	{string(volunteer.StatusPending), "待审核"}, {string(volunteer.StatusActive), "在册"}, {string(volunteer.StatusSuspended), "暂停"},
	{string(volunteer.StatusRetired), "退出"}, {string(volunteer.StatusRejected), "未通过"},
}

func statusName(s volunteer.Status) string {
	for _, o := range statusNames {
		if o.Value == string(s) {
			return o.Text
		}
	}
	return string(s)
}

var categoryNames = map[volunteer.Category]string{volunteer.CategoryCulture: "文化志愿者", volunteer.CategorySportsInstructor: "社会体育指导员"}

// VolunteerRow is a volunteer in a list: the ID number is masked, as the store keeps it.
type VolunteerRow struct {
	ID, Name, IDNumber, Category, District string
	AppliedAt                              time.Time
	Status, Reason                         string
}

type volunteersData struct {
	Notice   string
	Status   string
	Statuses []Option
	List     []VolunteerRow
}

// volunteers serves GET /h5/admin/volunteers?status=pending|active|…: the volunteers of
// the caller's district in one status, pending applications first.
func (c *Console) volunteers(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	st := volunteer.Status(r.URL.Query().Get("status"))
	if st == "" {
		st = volunteer.StatusPending
	}
	list, err := c.Volunteers.Volunteers(ctx, claims(r), st, "")
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := volunteersData{Notice: notice(r), Status: string(st), Statuses: statusNames}
	names := map[string]string{}
	for _, v := range list {
		d.List = append(d.List, VolunteerRow{ID: v.ID, Name: v.Name, IDNumber: v.IDNumberMasked, Category: categoryNames[v.Category],
			District: c.districtName(ctx, names, v.DistrictID), AppliedAt: v.AppliedAt, Status: statusName(v.Status), Reason: v.StatusReason})
	}
	c.render(w, r, "volunteers", http.StatusOK, h5.View{Title: "志愿者 · " + statusName(st), Tab: "volunteers", Data: d})
}

// districtName names a district, remembering names in seen.
func (c *Console) districtName(ctx context.Context, seen map[string]string, id string) string {
	if n, ok := seen[id]; ok {
		return n
	}
	n := id
	if d, err := c.Directory.District(ctx, id); err == nil {
		n = d.Name
	}
	seen[id] = n
	return n
}

type volunteerData struct {
	Notice, Error string
	Profile       volunteer.Profile
	Status        string
	Category      string
	District      string
	Actions       []Option // what a coordinator may do from this status
	Coordinator   bool
	Form          url.Values
	History       []HistoryRow
	Ledger        []LedgerRow
}

// HistoryRow is a status change.
type HistoryRow struct {
	At             time.Time
	Action, Reason string
	By             string
}

// LedgerRow is an entry of the hours ledger.
type LedgerRow struct {
	At                  time.Time
	Kind, Hours, Reason string
}

var actionNames = map[volunteer.Action]string{
	volunteer.ActionApprove: "通过", volunteer.ActionReject: "驳回", volunteer.ActionSuspend: "暂停",
	volunteer.ActionRetire: "办理退出", volunteer.ActionReinstate: "恢复",
}

var entryNames = map[string]string{volunteer.EntryCredit: "服务", volunteer.EntryHonour: "荣誉（补录）", volunteer.EntryCorrection: "更正"}

// volunteerPage serves GET /h5/admin/volunteers/{id}: the volunteer (ID number masked),
// their history and hours, and the decisions open to a coordinator.
func (c *Console) volunteerPage(w http.ResponseWriter, r *http.Request) {
	c.renderVolunteer(w, r, nil, nil)
}

func (c *Console) renderVolunteer(w http.ResponseWriter, r *http.Request, form url.Values, ferr error) {
	ctx, cl := r.Context(), claims(r)
	p, err := c.Volunteers.Detail(ctx, cl, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := volunteerData{Notice: notice(r), Error: formError(ferr), Profile: p, Status: statusName(p.Status), Category: categoryNames[p.Category],
		District: c.districtName(ctx, map[string]string{}, p.DistrictID), Coordinator: cl.Has(auth.RoleAdmin, auth.RoleCoordinator), Form: form}
	if d.Form == nil {
		d.Form = url.Values{"kind": {volunteer.EntryHonour}}
	}
	for _, a := range volunteer.Actions {
		if _, err := volunteer.Next(p.Status, a); err == nil {
			d.Actions = append(d.Actions, Option{string(a), actionNames[a]})
		}
	}
	for _, h := range p.History {
		d.History = append(d.History, HistoryRow{At: h.At, Action: actionNames[h.Action], Reason: h.Reason, By: h.By})
	}
	for _, e := range p.Ledger {
		d.Ledger = append(d.Ledger, LedgerRow{At: e.At, Kind: entryNames[e.Kind], Hours: strconv.FormatFloat(volunteer.Hours(e.Minutes), 'f', -1, 64), Reason: e.Reason})
	}
	status := statusOf(ferr)
	c.render(w, r, "volunteer", status, h5.View{Title: p.Name, Tab: "volunteers", Back: Base + "/volunteers?status=" + string(p.Status), Data: d})
}

// volunteerTarget is the rule's target of the routes naming a volunteer: their district.
func (c *Console) volunteerTarget(r *http.Request) ([]string, error) {
	return c.Volunteers.VolunteerScope(r.Context(), r.PathValue("id"))
}

// decide serves POST /h5/admin/volunteers/{id}/{action} (reason): a coordinator's
// decision, which the volunteer is told of.
func (c *Console) decide(a volunteer.Action) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if _, err := c.Volunteers.Decide(r.Context(), claims(r), id, a, strings.TrimSpace(r.PostForm.Get("reason"))); c.failed(w, r, err,
			func(err error) { c.renderVolunteer(w, r, nil, err) }) {
			return
		}
		done(w, r, Base+"/volunteers/"+id, string(a))
	}
}

// hours serves POST /h5/admin/volunteers/{id}/hours (kind honour|correction, hours,
// reason): an entry of the hours ledger, its reason kept for audit.
func (c *Console) hours(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	id := r.PathValue("id")
	h, err := strconv.ParseFloat(strings.TrimSpace(f.Get("hours")), 64)
	if err != nil || math.IsNaN(h) || math.Abs(h) > 1000 {
		c.renderVolunteer(w, r, f, volunteer.ErrHoursInvalid)
		return
	}
	if _, err := c.Volunteers.AddHours(r.Context(), claims(r), id, f.Get("kind"), int(math.Round(h*60)), strings.TrimSpace(f.Get("reason"))); c.failed(w, r, err,
		func(err error) { c.renderVolunteer(w, r, f, err) }) {
		return
	}
	done(w, r, Base+"/volunteers/"+id, "hours")
}

// ShiftRow is a shift in a list.
type ShiftRow struct {
	ID, Title, Venue   string
	StartsAt, EndsAt   time.Time
	SignedUp, Capacity int
	Ended              bool
}

type shiftsData struct {
	Notice, Error string
	Shifts        []ShiftRow
	Form          url.Values
	Venues        []Option
	Categories    []Option
}

// shifts serves GET /h5/admin/shifts: the shifts at the caller's venues from two weeks
// ago on, and the form of a new one.
func (c *Console) shifts(w http.ResponseWriter, r *http.Request) {
	start := startOfDay(c.Now()).AddDate(0, 0, 1).Add(9 * time.Hour)
	c.renderShifts(w, r, url.Values{"startsAt": {dtLocal(start)}, "endsAt": {dtLocal(start.Add(3 * time.Hour))}, "capacity": {"5"}}, nil)
}

func (c *Console) renderShifts(w http.ResponseWriter, r *http.Request, form url.Values, ferr error) {
	ctx, cl := r.Context(), claims(r)
	now := c.Now()
	all, err := c.Volunteers.Store.Shifts(ctx, startOfDay(now).AddDate(0, 0, -14))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	sc, everywhere, err := c.Guard.Scope(ctx, cl)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := shiftsData{Notice: notice(r), Error: formError(ferr), Form: form,
		Categories: []Option{{"", "不限"}, {string(volunteer.CategoryCulture), "文化志愿者"}, {string(volunteer.CategorySportsInstructor), "社会体育指导员"}}}
	venues := map[string]string{}
	for _, sh := range all {
		if !access.Permits(sc, everywhere, sh.DistrictPath) {
			continue
		}
		d.Shifts = append(d.Shifts, ShiftRow{ID: sh.ID, Title: sh.Title, Venue: c.venueName(ctx, venues, sh.VenueID), StartsAt: sh.StartsAt, EndsAt: sh.EndsAt,
			SignedUp: sh.SignedUp, Capacity: sh.Capacity, Ended: !sh.EndsAt.After(now)})
	}
	slices.SortStableFunc(d.Shifts, func(a, b ShiftRow) int { return cmp.Compare(a.StartsAt.UnixNano(), b.StartsAt.UnixNano()) })
	if d.Venues, err = c.venueOptions(ctx, cl); err != nil {
		c.fail(w, r, err)
		return
	}
	status := statusOf(ferr)
	c.render(w, r, "shifts", status, h5.View{Title: "志愿服务班次", Tab: "volunteers", Back: Base + "/volunteers", Data: d})
}

// venueName names a venue, remembering names in seen.
func (c *Console) venueName(ctx context.Context, seen map[string]string, id string) string {
	if n, ok := seen[id]; ok {
		return n
	}
	n := id
	if v, err := c.Directory.Venue(ctx, id); err == nil {
		n = v.Name
	}
	seen[id] = n
	return n
}

// newShiftTarget is the rule's target of a new shift: its venue's district.
func (c *Console) newShiftTarget(r *http.Request) ([]string, error) {
	return c.Volunteers.VenueScope(r.Context(), r.PostForm.Get("venueId"))
}

// createShift serves POST /h5/admin/shifts: a shift with its QR code.
func (c *Console) createShift(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	sh, err := c.Volunteers.CreateShift(r.Context(), claims(r), volunteer.Shift{
		Title: strings.TrimSpace(f.Get("title")), VenueID: f.Get("venueId"), StartsAt: formTime(f.Get("startsAt")), EndsAt: formTime(f.Get("endsAt")),
		Capacity: formInt(f.Get("capacity"), 0), Category: volunteer.Category(f.Get("category")), GeofenceMeters: formInt(f.Get("geofenceMeters"), 0),
	})
	if c.failed(w, r, err, func(err error) { c.renderShifts(w, r, f, err) }) {
		return
	}
	done(w, r, Base+"/shifts/"+sh.ID, "shift")
}

// shiftTarget is the rule's target of the routes naming a shift: its venue's district.
func (c *Console) shiftTarget(r *http.Request) ([]string, error) {
	return c.Volunteers.ShiftScope(r.Context(), r.PathValue("id"))
}

// RosterRow is a volunteer's sign-up for a shift.
type RosterRow struct {
	VolunteerID, Name, Phone string
	Status                   string
	In, Out                  time.Time
	Hours                    string
}

type shiftData struct {
	Notice string
	Shift  volunteer.Shift
	Venue  string
	Roster []RosterRow
	Hours  string // credited in all
	Poster bool   // the code can be drawn here
}

// shiftPage serves GET /h5/admin/shifts/{id}: who signed up, checked in and out, with
// the hours credited, and the poster to print.
func (c *Console) shiftPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sh, lines, err := c.Volunteers.Roster(ctx, claims(r), r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := shiftData{Notice: notice(r), Shift: sh, Venue: c.venueName(ctx, map[string]string{}, sh.VenueID), Poster: sh.QRText != ""}
	total := 0.0
	for _, l := range lines {
		st := "已报名"
		switch {
		case l.Status == volunteer.Withdrawn:
			st = "已退出报名"
		case !l.CheckedOutAt.IsZero():
			st = "已签退"
		case !l.CheckedInAt.IsZero():
			st = "已签到"
		}
		total += l.CreditHours
		d.Roster = append(d.Roster, RosterRow{VolunteerID: l.VolunteerID, Name: l.Name, Phone: l.Phone, Status: st, In: l.CheckedInAt, Out: l.CheckedOutAt,
			Hours: strconv.FormatFloat(l.CreditHours, 'f', -1, 64)})
	}
	d.Hours = strconv.FormatFloat(math.Round(total*100)/100, 'f', -1, 64)
	c.render(w, r, "shift", http.StatusOK, h5.View{Title: sh.Title, Tab: "volunteers", Back: Base + "/shifts", Data: d})
}

type posterData struct {
	Shift volunteer.Shift
	Venue string
	QR    template.HTML
	Short string
}

// poster serves GET /h5/admin/shifts/{id}/poster: the A4 poster to print, the shift's
// code drawn in the page.
func (c *Console) poster(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sh, err := c.Volunteers.Store.Shift(ctx, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if sh.QRText == "" {
		c.t.Refuse(w, r, volunteer.ErrQRUnavailable, h5.Refusal{Message: "这个班次创建时没有保存二维码内容，无法生成海报。请新建一个班次。", Link: Base + "/shifts/" + sh.ID, LinkText: "返回班次"})
		return
	}
	code, err := qr.SVG(sh.QRText, "签到二维码")
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, "poster", http.StatusOK, h5.View{Title: "签到海报 · " + sh.Title, Tab: "volunteers", Back: Base + "/shifts/" + sh.ID,
		Data: posterData{Shift: sh, Venue: c.venueName(ctx, map[string]string{}, sh.VenueID), QR: code, Short: sh.ShortID()}})
}

// posterPDF serves GET /h5/admin/shifts/{id}/poster.pdf: the A4 poster as a PDF.
func (c *Console) posterPDF(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sh, err := c.Volunteers.Store.Shift(ctx, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	pdf, err := sh.PosterPDF(c.venueName(ctx, map[string]string{}, sh.VenueID))
	if errors.Is(err, volunteer.ErrPosterUnavailable) {
		c.t.Refuse(w, r, volunteer.ErrQRUnavailable, h5.Refusal{Message: "这个班次创建时没有保存二维码内容，无法生成海报。请新建一个班次。", Link: Base + "/shifts/" + sh.ID, LinkText: "返回班次"})
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="shift-poster-%s.pdf"`, sh.ID))
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(pdf)
}

type trainingsData struct {
	Notice, Error string
	Report        training.Report
	People        []TraineeRow
	Form          url.Values
	Districts     []Option
	Modes         []Option
}

// TraineeRow is an appointee's training of the year against the targets.
type TraineeRow struct {
	Who, Role, District string
	Days, TargetDays    string
	Remote, TargetHours string
	Compliant           bool
}

var roleNames = map[string]string{auth.RoleStaff: "工作人员", auth.RoleCoordinator: "协调员", auth.RoleAdmin: "管理员"}

// trainings serves GET /h5/admin/trainings: this year's training compliance of the
// staff and coordinators of the caller's district, and the form of a new course.
func (c *Console) trainings(w http.ResponseWriter, r *http.Request) {
	c.renderTrainings(w, r, url.Values{"mode": {string(training.InPerson)}, "date": {startOfDay(c.Now()).Format(time.DateOnly)}, "days": {"1"}}, nil)
}

func (c *Console) renderTrainings(w http.ResponseWriter, r *http.Request, form url.Values, ferr error) {
	ctx, cl := r.Context(), claims(r)
	root, err := c.scopeRoot(ctx, cl) // an admin's is the city
	if err != nil {
		c.fail(w, r, err)
		return
	}
	rep, err := c.Training.Compliance(ctx, cl, root.ID, 0)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if form.Get("districtId") == "" {
		form.Set("districtId", root.ID)
	}
	d := trainingsData{Notice: notice(r), Error: formError(ferr), Report: rep, Form: form,
		Modes: []Option{{string(training.InPerson), "集中培训（按天）"}, {string(training.Remote), "远程培训（按学时）"}}}
	names := map[string]string{}
	for _, l := range rep.People {
		d.People = append(d.People, traineeRow(ctx, c, names, l))
	}
	if d.Districts, err = c.districtOptions(ctx, cl); err != nil {
		c.fail(w, r, err)
		return
	}
	status := statusOf(ferr)
	c.render(w, r, "trainings", status, h5.View{Title: "培训与达标", Tab: "volunteers", Back: Base + "/volunteers", Data: d})
}

func traineeRow(ctx context.Context, c *Console, names map[string]string, l training.Line) TraineeRow {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	return TraineeRow{Who: privacy.OpenID(l.OpenID), Role: roleNames[l.Role], District: c.districtName(ctx, names, l.DistrictID),
		Days: f(l.Days), TargetDays: f(l.TargetDays), Remote: f(l.RemoteHours), TargetHours: f(c.Training.Targets.RemoteHours), Compliant: l.Compliant}
}

// newCourseTarget is the rule's target of a new course: the district it is given in
// (none: the caller's own).
func (c *Console) newCourseTarget(r *http.Request) ([]string, error) {
	return c.Training.DistrictScope(r.Context(), r.PostForm.Get("districtId"))
}

// createCourse serves POST /h5/admin/trainings: a course (title, mode, districtId, date,
// days or classHours).
func (c *Console) createCourse(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	date, _ := time.ParseInLocation(time.DateOnly, f.Get("date"), beijing.Zone)
	num := func(name string) float64 { v, _ := strconv.ParseFloat(strings.TrimSpace(f.Get(name)), 64); return v }
	course := training.Course{Title: strings.TrimSpace(f.Get("title")), Mode: training.Mode(f.Get("mode")), DistrictID: f.Get("districtId"), Date: date}
	if course.Mode == training.Remote {
		course.ClassHours = num("hours")
	} else {
		course.Days = num("days")
	}
	co, err := c.Training.CreateCourse(r.Context(), claims(r), course)
	if c.failed(w, r, err, func(err error) { c.renderTrainings(w, r, f, err) }) {
		return
	}
	done(w, r, Base+"/trainings/"+co.ID, "training")
}

// courseTarget is the rule's target of the routes naming a course: its district.
func (c *Console) courseTarget(r *http.Request) ([]string, error) {
	return c.Training.CourseScope(r.Context(), r.PathValue("id"))
}

type courseData struct {
	Notice, Error string
	Course        training.Course
	Mode          string
	People        []Trainee
}

// Trainee is an appointee who may have attended a course: the form's checkbox.
type Trainee struct {
	Value, Who, Role, District string
}

// course serves GET /h5/admin/trainings/{id}: the course and the form recording who
// attended, listing the staff and coordinators of its district.
func (c *Console) course(w http.ResponseWriter, r *http.Request) {
	c.renderCourse(w, r, nil)
}

func (c *Console) renderCourse(w http.ResponseWriter, r *http.Request, ferr error) {
	ctx := r.Context()
	co, err := c.Training.Store.Course(ctx, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	people, err := c.Training.Store.Appointees(ctx, co.DistrictPath)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := courseData{Notice: notice(r), Error: formError(ferr), Course: co, Mode: map[training.Mode]string{training.InPerson: "集中培训", training.Remote: "远程培训"}[co.Mode]}
	names := map[string]string{}
	for _, p := range people {
		d.People = append(d.People, Trainee{Value: p.OpenID, Who: privacy.OpenID(p.OpenID), Role: roleNames[p.Role], District: c.districtName(ctx, names, p.DistrictID)})
	}
	status := statusOf(ferr)
	c.render(w, r, "course", status, h5.View{Title: co.Title, Tab: "volunteers", Back: Base + "/trainings", Data: d})
}

// attend serves POST /h5/admin/trainings/{id}/attendance (attendee, repeated).
func (c *Console) attend(w http.ResponseWriter, r *http.Request) {
	if _, err := c.Training.RecordAttendance(r.Context(), claims(r), r.PathValue("id"), r.PostForm["attendee"]); c.failed(w, r, err,
		func(err error) { c.renderCourse(w, r, err) }) {
		return
	}
	done(w, r, Base+"/trainings", "attendance")
}
