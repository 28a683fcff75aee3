package booking_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/booking"
)

func TestScheduleStarts(t *testing.T) {
	sc := booking.Schedule{ID: "taichi", ActivityID: "a", Weekdays: []int{1, 3, 5}, StartTime: "07:00", Minutes: 60, Capacity: 20,
		SeasonStart: "2026-12-01", SeasonEnd: "2026-12-12", Holidays: []string{"2026-12-02"}, WeeksAhead: 2}
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	// Tuesday 1 December, 17:00 China time: Wednesday the 2nd is a holiday, the season
	// ends on the 12th.
	var got []string
	for _, s := range sc.Starts(t0) {
		got = append(got, booking.ClassSlotID(sc.ID, s)+"@"+s.Format("15:04"))
	}
	want := "taichi-20261204@23:00 taichi-20261207@23:00 taichi-20261209@23:00 taichi-20261211@23:00"
	if strings.Join(got, " ") != want {
		t.Errorf("Starts = %v, want %s (07:00 China time is 23:00 UTC the day before)", got, want)
	}
	for _, bad := range []booking.Schedule{
		{ID: "x", ActivityID: "a", Weekdays: []int{8}, StartTime: "07:00", Minutes: 60, Capacity: 1, SeasonStart: "2026-12-01", SeasonEnd: "2026-12-31"},
		{ID: "x", ActivityID: "a", Weekdays: []int{1}, StartTime: "7am", Minutes: 60, Capacity: 1, SeasonStart: "2026-12-01", SeasonEnd: "2026-12-31"},
		{ID: "x", ActivityID: "a", Weekdays: []int{1}, StartTime: "07:00", Minutes: 60, Capacity: 1, SeasonStart: "2026-12-31", SeasonEnd: "2026-12-01"},
		{ID: "x.y", ActivityID: "a", Weekdays: []int{1}, StartTime: "07:00", Minutes: 60, Capacity: 1, SeasonStart: "2026-12-01", SeasonEnd: "2026-12-31"},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want schedule_invalid", bad)
		}
	}
}

// The generator through the route and the scheduler: idempotent, holidays skipped,
// bookings kept, the horizon moving with the clock.
func TestScheduleGenerates(t *testing.T) {
	e := mustEnv(t, t0)
	ctx := context.Background()
	staff := e.token("o-staff", auth.RoleStaff)
	r := e.do("POST", "/api/v1/admin/activities", staff, `{"kind":"fitness","title":"太极拳晨练","description":"d","venueId":"v1"}`)
	act := r.str("id")
	body := `{"activityId":"` + act + `","weekdays":[1,3,5],"startTime":"07:00","durationMinutes":60,"capacity":20,"instructor":"李老师",` +
		`"seasonStart":"2026-12-01","seasonEnd":"2027-02-28","holidays":["2026-12-02"],"weeksAhead":2}`
	put := func(want int) {
		t.Helper()
		r := e.do("PUT", "/api/v1/admin/schedules/taichi", e.token("o-staff", auth.RoleStaff), body)
		if r.Code != 200 || r.num("created") != want {
			t.Fatalf("PUT schedule = %d %s, want %d created", r.Code, r.Raw, want)
		}
	}
	put(5) // Dec 4, 7, 9, 11, 14
	if r := e.do("POST", "/api/v1/slots/taichi-20261204/bookings", e.token("o-1"), `{}`); r.Code != 201 {
		t.Fatalf("book a class = %d %s", r.Code, r.Raw)
	}
	put(0) // twice creates nothing twice
	sl, err := e.app.Catalog.Slot(ctx, "taichi-20261204")
	if err != nil || sl.Booked != 1 || sl.Instructor != "李老师" || sl.Capacity != 20 {
		t.Errorf("class after a second run = %+v, %v; want its booking kept, the instructor", sl, err)
	}
	if _, err := e.app.Catalog.Slot(ctx, "taichi-20261202"); err == nil {
		t.Error("a class was generated on the holiday")
	}
	// An edit: 08:00, Mondays and Fridays, 25 places. The booked class stays as it was;
	// unbooked ones move, the Wednesday goes.
	edited := strings.NewReplacer(`"07:00"`, `"08:00"`, `[1,3,5]`, `[1,5]`, `"capacity":20`, `"capacity":25`).Replace(body)
	r = e.do("PUT", "/api/v1/admin/schedules/taichi", e.token("o-staff", auth.RoleStaff), edited)
	if r.Code != 200 || r.num("created") != 0 ||
		!strings.Contains(r.Raw, `"kept":["taichi-20261204"]`) || !strings.Contains(r.Raw, `"cancelled":["taichi-20261209"]`) ||
		!strings.Contains(r.Raw, `"changed":["taichi-20261207","taichi-20261211","taichi-20261214"]`) {
		t.Errorf("edit = %d %s", r.Code, r.Raw)
	}
	if sl, err := e.app.Catalog.Slot(ctx, "taichi-20261207"); err != nil || sl.StartsAt.Hour() != 0 || sl.Capacity != 25 {
		t.Errorf("moved class = %+v, %v; want 08:00 China time (00:00 UTC), 25 places", sl, err)
	}
	if sl, err := e.app.Catalog.Slot(ctx, "taichi-20261204"); err != nil || sl.StartsAt.Hour() != 23 || sl.Booked != 1 {
		t.Errorf("booked class = %+v, %v; want kept at 07:00 with its booking", sl, err)
	}
	if sl, err := e.app.Catalog.Slot(ctx, "taichi-20261209"); err != nil || sl.Status != booking.SlotCancelled {
		t.Errorf("Wednesday class = %+v, %v; want cancelled", sl, err)
	}
	body = edited
	// A week later, on the hour, the scheduler adds the next week's classes.
	e.set(t0.AddDate(0, 0, 7).Truncate(time.Hour))
	e.tick("gen-1")
	e.tick("gen-2")
	for _, id := range []string{"taichi-20261218", "taichi-20261221"} {
		if _, err := e.app.Catalog.Slot(ctx, id); err != nil {
			t.Errorf("class %s after the scheduler = %v", id, err)
		}
	}
	e.want(e.do("PUT", "/api/v1/admin/schedules/taichi", e.token("o-staff", auth.RoleStaff), `{"activityId":"`+act+`","weekdays":[9]}`), 400, "schedule_invalid", "bad schedule")
	e.want(e.do("PUT", "/api/v1/admin/schedules/x", e.token("o-staff", auth.RoleStaff), strings.Replace(body, act, "nope", 1)), 404, "activity_not_found", "schedule of no activity")
	e.want(e.do("PUT", "/api/v1/admin/schedules/taichi", e.token("o-1"), body), 403, "forbidden", "resident puts a schedule")
}
