package app_test

import (
	"context"
	"net/url"
	"regexp"
	"time"

	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/volunteer"
)

// The staff console's routes in the access matrix: each page and form is tried as every
// kind of caller, as the JSON routes are (forms carry their CSRF token; see send).
func init() {
	for pattern, fx := range consoleFixtures {
		fixtures[pattern] = fx
	}
}

// local is a time as a datetime-local field holds it, in Beijing.
func local(t time.Time) string { return t.In(beijing.Zone).Format("2006-01-02T15:04") }

// form encodes a form's fields, name then value.
func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

// titledSlot is a session today in district X of an activity titled after a fresh
// marker, which staff out of scope must not see in their listings.
func (w *arena) titledSlot(kind string) (slot, title string) {
	title = "标记场次" + w.fresh()
	act := str(w.must(admin, "POST", "/api/v1/admin/activities", quoted(`{"kind":%q,"title":%q,"venueId":%q}`, kind, title, venueX)), "id")
	start := w.now.Add(2 * time.Hour)
	body := quoted(`{"startsAt":%q,"endsAt":%q,"capacity":30,"maxPartySize":2}`, rfc(start), rfc(start.Add(2*time.Hour)))
	return str(w.must(admin, "POST", "/api/v1/admin/activities/"+act+"/slots", body), "id"), title
}

var consoleAsset = regexp.MustCompile(`/h5/admin/assets/console\.[0-9a-f]+\.css`)

var consoleFixtures = map[string]fixture{
	"GET /h5/admin": func(w *arena, as caller) call {
		_, title := w.titledSlot("event")
		return get("/h5/admin").listing(title)
	},
	"GET /h5/admin/assets/{name}": func(w *arena, as caller) call {
		page := w.send(admin, get("/h5/admin/activities/new")).Body.String()
		return get(consoleAsset.FindString(page))
	},
	"GET /h5/admin/scan": func(w *arena, as caller) call {
		_, title := w.titledSlot("event")
		return get("/h5/admin/scan").listing(title)
	},
	"POST /h5/admin/checkins": func(w *arena, as caller) call {
		ticket := str(w.book(residentA, w.slot("event", 30*time.Minute, "")), "ticket")
		return post("/h5/admin/checkins", form("ticket", ticket, "key", "scan-"+w.fresh()))
	},
	"GET /h5/admin/slots/{id}": func(w *arena, as caller) call {
		return get("/h5/admin/slots/" + w.slot("event", 48*time.Hour, ""))
	},
	"GET /h5/admin/slots/{id}/roster.csv": func(w *arena, as caller) call {
		return get("/h5/admin/slots/" + w.slot("event", 48*time.Hour, "") + "/roster.csv")
	},
	"GET /h5/admin/slots/{id}/edit": func(w *arena, as caller) call {
		return get("/h5/admin/slots/" + w.slot("event", 48*time.Hour, "") + "/edit")
	},
	"POST /h5/admin/slots/{id}/edit": func(w *arena, as caller) call {
		return post("/h5/admin/slots/"+w.slot("event", 48*time.Hour, "")+"/edit", form("capacity", "40")).redirect()
	},
	"POST /h5/admin/slots/{id}/cancel": func(w *arena, as caller) call {
		return post("/h5/admin/slots/"+w.slot("event", 48*time.Hour, "")+"/cancel", form("confirm", "1")).redirect()
	},
	"POST /h5/admin/slots/{id}/verify": func(w *arena, as caller) call {
		return post("/h5/admin/slots/"+w.slot("film", 30*time.Minute, "")+"/verify",
			form("lat", "27.83", "lng", "113.08", "headCount", "80")).redirect()
	},
	"POST /h5/admin/bookings/{id}/lift": func(w *arena, as caller) call {
		slot := w.slot("event", 48*time.Hour, "")
		who := caller{name: "a no-show", openid: "o-no-show-" + w.fresh()}
		b := w.book(who, slot)
		if err := w.a.People.Suspend(context.Background(), who.openid, w.now.Add(30*24*time.Hour), slot); err != nil {
			w.t.Fatal(err)
		}
		return post("/h5/admin/bookings/"+str(b, "id")+"/lift", form("reason", "因病缺席，已核实")).redirect()
	},
	"GET /h5/admin/activities": func(w *arena, as caller) call {
		_, title := w.titledSlot("event")
		return get("/h5/admin/activities").listing(title)
	},
	"GET /h5/admin/activities/new": func(w *arena, as caller) call {
		return get("/h5/admin/activities/new").listing("天元区文化馆") // the venues of the caller's district
	},
	"POST /h5/admin/activities": func(w *arena, as caller) call {
		return post("/h5/admin/activities", form("kind", "event", "title", "新春音乐会", "venueId", venueX)).redirect()
	},
	"GET /h5/admin/activities/{id}": func(w *arena, as caller) call {
		return get("/h5/admin/activities/" + w.activity("event"))
	},
	"POST /h5/admin/activities/{id}": func(w *arena, as caller) call {
		return post("/h5/admin/activities/"+w.activity("event"), form("title", "新春音乐会", "description", "", "venueId", venueX, "districtId", "")).redirect()
	},
	"POST /h5/admin/activities/{id}/slots": func(w *arena, as caller) call {
		start := w.now.Add(72 * time.Hour)
		return post("/h5/admin/activities/"+w.activity("event")+"/slots",
			form("startsAt", local(start), "endsAt", local(start.Add(2*time.Hour)), "capacity", "20", "maxPartySize", "2")).redirect()
	},
	"POST /h5/admin/activities/{id}/schedule": func(w *arena, as caller) call {
		return post("/h5/admin/activities/"+w.activity("fitness")+"/schedule", form("weekday", "1", "weekday", "3", "startTime", "07:00",
			"durationMinutes", "60", "capacity", "40", "seasonStart", "2026-12-01", "seasonEnd", "2027-02-28")).redirect()
	},
	"GET /h5/admin/film-polls": func(w *arena, as caller) call {
		return get("/h5/admin/film-polls").listing("泰山社区") // the villages of the caller's district
	},
	"POST /h5/admin/film-polls": func(w *arena, as caller) call {
		return post("/h5/admin/film-polls", form("districtId", villageX, "films", "流浪地球\n地道战", "closesAt", local(w.now.Add(240*time.Hour)))).redirect()
	},
	"GET /h5/admin/film-polls/{id}": func(w *arena, as caller) call {
		return get("/h5/admin/film-polls/" + w.poll())
	},
	"GET /h5/admin/volunteers": func(w *arena, as caller) call {
		w.volunteer("o-applicant-"+w.fresh(), volunteer.StatusPending)
		return get("/h5/admin/volunteers?status=pending").listing("张志愿")
	},
	"GET /h5/admin/volunteers/{id}": func(w *arena, as caller) call {
		return get("/h5/admin/volunteers/" + w.volunteer("o-vol-"+w.fresh(), volunteer.StatusActive))
	},
	"POST /h5/admin/volunteers/{id}/approve":   consoleDecision("approve", volunteer.StatusPending),
	"POST /h5/admin/volunteers/{id}/reject":    consoleDecision("reject", volunteer.StatusPending),
	"POST /h5/admin/volunteers/{id}/suspend":   consoleDecision("suspend", volunteer.StatusActive),
	"POST /h5/admin/volunteers/{id}/retire":    consoleDecision("retire", volunteer.StatusActive),
	"POST /h5/admin/volunteers/{id}/reinstate": consoleDecision("reinstate", volunteer.StatusSuspended),
	"POST /h5/admin/volunteers/{id}/hours": func(w *arena, as caller) call {
		return post("/h5/admin/volunteers/"+w.volunteer("o-vol-"+w.fresh(), volunteer.StatusActive)+"/hours",
			form("kind", "honour", "hours", "2", "reason", "纸质签到表补录")).redirect()
	},
	"GET /h5/admin/shifts": func(w *arena, as caller) call {
		start := w.now.Add(48 * time.Hour)
		title := "标记班次" + w.fresh()
		w.must(admin, "POST", "/api/v1/admin/shifts", quoted(`{"title":%q,"venueId":%q,"startsAt":%q,"endsAt":%q,"capacity":5}`, title, venueX, rfc(start), rfc(start.Add(3*time.Hour))))
		return get("/h5/admin/shifts").listing(title)
	},
	"POST /h5/admin/shifts": func(w *arena, as caller) call {
		start := w.now.Add(48 * time.Hour)
		return post("/h5/admin/shifts", form("title", "导览", "venueId", venueX, "startsAt", local(start), "endsAt", local(start.Add(3*time.Hour)), "capacity", "5")).redirect()
	},
	"GET /h5/admin/shifts/{id}": func(w *arena, as caller) call {
		return get("/h5/admin/shifts/" + w.shift())
	},
	"GET /h5/admin/shifts/{id}/poster": func(w *arena, as caller) call {
		return get("/h5/admin/shifts/" + w.shift() + "/poster")
	},
	"GET /h5/admin/shifts/{id}/poster.pdf": func(w *arena, as caller) call {
		return get("/h5/admin/shifts/" + w.shift() + "/poster.pdf")
	},
	"GET /h5/admin/trainings": func(w *arena, as caller) call {
		return get("/h5/admin/trainings").listing("天元区") // the staff of the caller's district
	},
	"POST /h5/admin/trainings": func(w *arena, as caller) call {
		return post("/h5/admin/trainings", form("title", "基层文化骨干培训", "mode", "in_person", "districtId", districtX, "date", "2026-12-01", "days", "2")).redirect()
	},
	"GET /h5/admin/trainings/{id}": func(w *arena, as caller) call {
		return get("/h5/admin/trainings/" + w.course())
	},
	"POST /h5/admin/trainings/{id}/attendance": func(w *arena, as caller) call {
		return post("/h5/admin/trainings/"+w.course()+"/attendance", form("attendee", staffIn.openid)).redirect()
	},
	"GET /h5/admin/more": func(w *arena, as caller) call {
		w.feedback()
		return get("/h5/admin/more").listing("希望延长开放时间") // the feedback due first in the caller's district
	},
	"GET /h5/admin/help": func(w *arena, as caller) call {
		if as.openid == admin.openid {
			return get("/h5/admin/help").listing("您管理的范围：全市")
		}
		return get("/h5/admin/help").listing("您管理的范围：天元区") // what the caller manages
	},
	"GET /h5/admin/feedback": func(w *arena, as caller) call {
		w.feedback()
		return get("/h5/admin/feedback").listing("希望延长开放时间")
	},
	"POST /h5/admin/feedback/{id}/reply": func(w *arena, as caller) call {
		return post("/h5/admin/feedback/"+w.feedback()+"/reply", form("text", "已延长至晚九点")).redirect()
	},
	"GET /h5/admin/teams": func(w *arena, as caller) call {
		w.team(false)
		return get("/h5/admin/teams?which=pending").listing("太极拳协会")
	},
	"POST /h5/admin/teams/{id}/approve": func(w *arena, as caller) call {
		return post("/h5/admin/teams/"+w.team(false)+"/approve", form("which", "pending")).redirect()
	},
	"POST /h5/admin/teams/{id}/ratings": func(w *arena, as caller) call {
		return post("/h5/admin/teams/"+w.team(true)+"/ratings", form("scale", "18", "regularity", "19", "quality", "20", "service", "16", "management", "12")).redirect()
	},
	"POST /h5/admin/figure-calls": func(w *arena, as caller) call {
		year := 2030 + w.n
		w.n++
		return post("/h5/admin/figure-calls", form("year", quoted("%d", year), "opensAt", local(w.now), "closesAt", local(w.now.Add(720*time.Hour)), "panel", "o-p1\no-p2\no-p3")).redirect()
	},
	"GET /h5/admin/figure-calls/{year}": func(w *arena, as caller) call {
		year, _ := w.call(false)
		return get(quoted("/h5/admin/figure-calls/%d", year))
	},
	"POST /h5/admin/figure-applications/{id}/score": func(w *arena, as caller) call {
		_, app := w.call(false)
		return post("/h5/admin/figure-applications/"+app+"/score", form("achievement", "30", "influence", "20", "service", "15", "inheritance", "10")).redirect()
	},
	"POST /h5/admin/figure-calls/{year}/selection": func(w *arena, as caller) call {
		year, _ := w.call(false)
		return post(quoted("/h5/admin/figure-calls/%d/selection", year), "").redirect()
	},
	"POST /h5/admin/figures/{id}/status": func(w *arena, as caller) call {
		return post("/h5/admin/figures/"+w.figure()+"/status", form("status", "honorary", "reason", "年逾八十，转为荣誉")).redirect()
	},
	"GET /h5/admin/venues": func(w *arena, as caller) call {
		return get("/h5/admin/venues").listing("天元区文化馆")
	},
	"POST /h5/admin/venues": func(w *arena, as caller) call {
		return post("/h5/admin/venues", form("name", "新图书馆", "kind", "library", "districtId", townX, "lat", "27.83", "lng", "113.09")).redirect()
	},
	"GET /h5/admin/venues/{id}": func(w *arena, as caller) call {
		return get("/h5/admin/venues/" + venueX)
	},
	"POST /h5/admin/venues/{id}": func(w *arena, as caller) call {
		return post("/h5/admin/venues/"+venueX, form("name", "天元区文化馆", "kind", "culture_centre", "districtId", townX,
			"lat", quoted("%v", venueXAt.Lat), "lng", quoted("%v", venueXAt.Lng))).redirect()
	},
	"POST /h5/admin/districts": func(w *arena, as caller) call {
		return post("/h5/admin/districts", form("id", "4302119"+w.fresh(), "parentId", districtX, "name", "新街道")).redirect()
	},
	"POST /h5/admin/districts/{id}": func(w *arena, as caller) call {
		return post("/h5/admin/districts/"+townX, form("name", "嵩山路街道")).redirect()
	},
	"GET /h5/admin/reports": func(w *arena, as caller) call {
		return get("/h5/admin/reports?district=" + districtX)
	},
	"GET /h5/admin/reports.csv": func(w *arena, as caller) call {
		return get("/h5/admin/reports.csv?district=" + districtX)
	},
	"GET /h5/admin/notifications": func(w *arena, as caller) call {
		w.failedMessage()
		return get("/h5/admin/notifications?status=failed").listing("预约成功通知")
	},
	"POST /h5/admin/notifications/{id}/retry": func(w *arena, as caller) call {
		return post("/h5/admin/notifications/"+w.failedMessage()+"/retry", "").redirect()
	},
}

func consoleDecision(action string, from volunteer.Status) fixture {
	return func(w *arena, as caller) call {
		return post("/h5/admin/volunteers/"+w.volunteer("o-vol-"+w.fresh(), from)+"/"+action, form("reason", "经核实")).redirect()
	}
}

// course is a training course of district X.
func (w *arena) course() string {
	return str(w.must(admin, "POST", "/api/v1/admin/trainings", quoted(`{"title":"培训","mode":"remote","date":%q,"classHours":4,"districtId":%q}`, rfc(w.now), districtX)), "id")
}
