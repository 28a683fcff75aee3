package demo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/directory"
	"github.com/wentitong/wentitong/shared/training"
	"github.com/wentitong/wentitong/shared/volunteer"
)

// History is what the demo's past did through the services, which the report must
// show exactly: nothing in it writes a counter.
type History struct {
	Bookings, Attended    int // places booked (confirmed) and admitted at the door, this month
	Residents             int // residents holding those bookings
	Cancelled             int // bookings cancelled by their holder (not counted)
	ActiveVillages        []string
	Volunteers            int // approved (在册)
	Instructors           int // of whom social sports instructors
	ServedThisMonth       int // volunteers credited with service this month
	Appointees, Compliant int // training: staff with a target, and who met it
}

// The demo's past: activities held in the last days, each slot's bookings (openid and
// party size, and whether they came), and a cancellation.
var pastActivities = []struct {
	booking.Activity
	daysAgo, hour, minute int
	length                time.Duration
	capacity              int
	holders               []holder
}{
	{booking.Activity{ID: "a-past-film-hutang", Kind: booking.KindFilm, Title: "湖塘村露天电影《我和我的祖国》",
		Description: "农村公益电影放映，村文化广场。", VenueID: "v-hutang-village", DistrictID: "430211100201"},
		2, 19, 0, 150 * time.Minute, 200, []holder{{"o-resident-1", 2, true}, {"o-resident-2", 3, true}, {"o-resident-4", 1, true}, {"o-resident-5", 1, false}, {"o-resident-6", 2, true}}},
	{booking.Activity{ID: "a-past-paper-cutting", Kind: booking.KindEvent, Title: "非遗剪纸体验课（上期）",
		Description: "非遗传承人现场教学。", VenueID: "v-city-culture", DistrictID: "430202"},
		1, 14, 30, 2 * time.Hour, 30, []holder{{"o-resident-2", 1, true}, {"o-resident-3", 2, true}, {"o-resident-7", 1, false}}},
	{booking.Activity{ID: "a-past-taichi", Kind: booking.KindFitness, Title: "太极拳晨练公益班（上周）",
		Description: "社会体育指导员带教。", VenueID: "v-sports-centre", DistrictID: "430211"},
		3, 7, 0, time.Hour, 40, []holder{{"o-resident-1", 1, true}, {"o-resident-3", 1, true}, {"o-resident-8", 1, true}}},
	{booking.Activity{ID: "a-past-reading-chengdong", Kind: booking.KindReading, Title: "城东社区读书会",
		Description: "社区图书室共读，茶水免费。", VenueID: "v-chengdong-room", DistrictID: "430223001001"},
		4, 15, 0, 90 * time.Minute, 20, []holder{{"o-resident-5", 1, true}, {"o-resident-7", 2, false}}},
}

type holder struct {
	openid string
	party  int
	comes  bool
}

// canceller books a place at the first past activity and cancels it the next day.
const canceller = "o-resident-9"

// pastVolunteers apply; all but the last are approved; the first three were credited
// honour hours for service this month.
var pastVolunteers = []struct {
	openid, name, district string
	category               volunteer.Category
}{
	{"o-volunteer-1", "王晓燕", "430211001", volunteer.CategoryCulture},
	{"o-volunteer-2", "李建国", "430202001", volunteer.CategoryCulture},
	{"o-volunteer-3", "赵体强", "430211002", volunteer.CategorySportsInstructor},
	{"o-volunteer-4", "陈丽华", "430223001", volunteer.CategoryCulture},
	{"o-volunteer-5", "刘健", "430281001", volunteer.CategorySportsInstructor},
	{"o-volunteer-6", "孙小梅", "430224001", volunteer.CategoryCulture}, // still pending
}

// seedHistory makes the demo's recent past through the services — staff publish past
// activities, residents book them and are admitted at the door, volunteers apply and are
// approved and credited, staff attend training — with the app's clock set to when each
// thing happened. The report counters come from these changes as they would in
// production (the stream), never from the seed.
func seedHistory(ctx context.Context, a *app.App) (History, error) {
	var h History
	real := a.Now
	defer func() { a.Now = real }()
	now := real()
	at := func(t time.Time) { a.Now = func() time.Time { return t } }
	thisMonth := func(t time.Time) bool {
		y1, m1, _ := t.In(beijing.Zone).Date()
		y2, m2, _ := now.In(beijing.Zone).Date()
		return y1 == y2 && m1 == m2
	}

	residents := map[string]bool{}
	for i, p := range pastActivities {
		day := now.In(beijing.Zone).AddDate(0, 0, -p.daysAgo)
		start := time.Date(day.Year(), day.Month(), day.Day(), p.hour, p.minute, 0, 0, beijing.Zone)
		if !start.Before(now) {
			start = start.AddDate(0, 0, -1)
		}
		opens := start.AddDate(0, 0, -7)
		at(opens)
		act := p.Activity
		act.CreatedAt = opens
		if err := a.Catalog.PutActivity(ctx, act); err != nil {
			return h, fmt.Errorf("seed past activity %s: %w", act.Title, err)
		}
		slot := booking.Slot{
			ID: act.ID + "-1", ActivityID: act.ID, Kind: act.Kind, StartsAt: start, EndsAt: start.Add(p.length),
			Capacity: p.capacity, BookingOpensAt: opens, BookingClosesAt: start, PerPersonLimit: 1, MaxPartySize: 5,
			Mode: booking.ModeFirstCome, Status: booking.SlotScheduled, Title: act.Title, VenueName: venueName(act.VenueID),
		}
		if err := a.Catalog.PutSlot(ctx, slot); err != nil {
			return h, fmt.Errorf("seed past slot %s: %w", slot.ID, err)
		}
		// Residents book two days before, and are admitted ten minutes before the start.
		at(start.AddDate(0, 0, -2))
		svc, err := a.Booking()
		if err != nil {
			return h, err
		}
		tickets := map[string]string{}
		for j, hd := range p.holders {
			b, err := svc.Book(ctx, hd.openid, slot.ID, fmt.Sprintf("demo-%d-%d", i, j), booking.Request{PartySize: hd.party})
			if err != nil {
				return h, fmt.Errorf("seed booking of %s: %w", slot.ID, err)
			}
			tickets[hd.openid] = b.Ticket
			if thisMonth(start) {
				h.Bookings += hd.party
				residents[hd.openid] = true
			}
		}
		if i == 0 {
			b, err := svc.Book(ctx, canceller, slot.ID, "demo-cancel", booking.Request{})
			if err != nil {
				return h, fmt.Errorf("seed booking of %s: %w", slot.ID, err)
			}
			at(start.AddDate(0, 0, -1))
			if svc, err = a.Booking(); err == nil {
				_, err = svc.Cancel(ctx, canceller, b.ID)
			}
			if err != nil {
				return h, fmt.Errorf("seed cancellation: %w", err)
			}
			h.Cancelled++
		}
		at(start.Add(-10 * time.Minute))
		if svc, err = a.Booking(); err != nil {
			return h, err
		}
		for _, hd := range p.holders {
			if !hd.comes {
				continue
			}
			if _, err := svc.CheckIn(ctx, tickets[hd.openid], slot.ID, ""); err != nil {
				return h, fmt.Errorf("seed check-in at %s: %w", slot.ID, err)
			}
			if thisMonth(start) {
				h.Attended += hd.party
			}
		}
		if d, err := a.Directory.District(ctx, act.DistrictID); err == nil && d.Level == directory.LevelVillage && thisMonth(start) {
			h.ActiveVillages = append(h.ActiveVillages, d.ID)
		}
	}
	h.Residents = len(residents)

	// Volunteers apply a week ago; an admin approves them the next day and credits three
	// of them with honour hours for a service this morning.
	vol := *a.Volunteer() // a copy, so that its clock can move
	vol.Now = func() time.Time { return a.Now() }
	at(now.AddDate(0, 0, -7))
	var ids []string
	for i, p := range pastVolunteers {
		v, err := vol.Apply(ctx, p.openid, volunteer.Application{Name: p.name, Phone: fmt.Sprintf("1380731%04d", i+1),
			IDNumber: idNumber(fmt.Sprintf("4302%02d19%02d0101%03d", 11+i, 70+i, 100+i)), DistrictID: p.district, Category: p.category})
		if err != nil {
			return h, fmt.Errorf("seed volunteer %s: %w", p.name, err)
		}
		ids = append(ids, v.ID)
	}
	at(now.AddDate(0, 0, -6))
	for i, id := range ids[:len(ids)-1] {
		if _, err := vol.Decide(ctx, adminClaims, id, volunteer.ActionApprove, ""); err != nil {
			return h, fmt.Errorf("seed approval of %s: %w", pastVolunteers[i].name, err)
		}
		h.Volunteers++
		if pastVolunteers[i].category == volunteer.CategorySportsInstructor {
			h.Instructors++
		}
	}
	served := now.Add(-2 * time.Hour)
	at(served)
	for _, id := range ids[:3] {
		if _, err := vol.AddHours(ctx, adminClaims, id, volunteer.EntryHonour, 180, "社区文化活动志愿服务"); err != nil {
			return h, fmt.Errorf("seed honour hours: %w", err)
		}
		if thisMonth(served) {
			h.ServedThisMonth++
		}
	}

	// Training this year: the city library's staff member completes the in-person days
	// and the remote hours; the 攸县 coordinator attends the remote course only. (The
	// courses are dated just before now, so that they fall in this year.)
	at(now)
	tr := a.Training()
	inPerson, err := tr.CreateCourse(ctx, adminClaims, training.Course{Title: "公共文化服务业务骨干集中培训", Mode: training.InPerson,
		DistrictID: "430200", Date: now.Add(-time.Hour), Days: 20})
	if err != nil {
		return h, fmt.Errorf("seed course: %w", err)
	}
	remote, err := tr.CreateCourse(ctx, adminClaims, training.Course{Title: "数字文化服务网络课程", Mode: training.Remote,
		DistrictID: "430200", Date: now.Add(-time.Hour), ClassHours: 50})
	if err != nil {
		return h, fmt.Errorf("seed course: %w", err)
	}
	if _, err := tr.RecordAttendance(ctx, adminClaims, inPerson.ID, []string{"o-staff-library"}); err != nil {
		return h, fmt.Errorf("seed training: %w", err)
	}
	if _, err := tr.RecordAttendance(ctx, adminClaims, remote.ID, []string{"o-staff-library", "o-coordinator-youxian"}); err != nil {
		return h, fmt.Errorf("seed training: %w", err)
	}
	h.Appointees, h.Compliant = len(appointees), 1
	return h, nil
}

// idNumber completes the first 17 digits of a resident ID number with its check
// character (GB 11643).
func idNumber(first17 string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		d, _ := strconv.Atoi(first17[i : i+1])
		sum += d * w
	}
	return first17 + string("10X98765432"[sum%11])
}
