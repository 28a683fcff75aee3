package booking_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/dynamo/accountdb"
)

// A village's film vote: one vote per resident of the village, counts public, the
// poll closes.
func TestFilmPoll(t *testing.T) {
	e := mustEnv(t, t0)
	staff := e.token("o-staff", auth.RoleStaff)
	r := e.do("POST", "/api/v1/admin/film-polls", staff, `{"districtId":"`+town.ID+`","films":["流浪地球","我和我的祖国","地道战"],"closesAt":"2026-12-03T00:00:00Z"}`)
	if r.Code != 201 || r.str("id") == "" {
		t.Fatalf("create poll = %d %s", r.Code, r.Raw)
	}
	poll := r.str("id")
	vote := func(openid, body string) resp {
		return e.do("POST", "/api/v1/film-polls/"+poll+"/votes", e.token(openid), body)
	}
	// Villagers (where they live is their profile's home) vote at once: each counted
	// once, a second vote refused.
	for i := range 5 {
		e.home("o-v"+string(rune('a'+i)), "", town.ID)
	}
	e.home("o-vz", "", town.ID)
	e.home("o-out", "", hetang.ID)
	var wg sync.WaitGroup
	for i, film := range []int{0, 2, 2, 2, 1} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := vote("o-v"+string(rune('a'+i)), `{"film":`+string(rune('0'+film))+`}`); r.Code != 201 {
				t.Errorf("vote %d = %d %s", i, r.Code, r.Raw)
			}
		}()
	}
	wg.Wait()
	e.want(vote("o-va", `{"film":1}`), 409, "already_voted", "second vote")
	e.want(vote("o-out", `{"film":1,"districtId":"`+town.ID+`"}`), 403, "not_eligible", "vote from another district, claiming this one")
	e.want(vote("o-nowhere", `{"film":1}`), 403, "home_district_missing", "vote with no home set")
	e.want(vote("o-vz", `{"film":3}`), 400, "choice_invalid", "vote for a film not offered")
	e.want(e.do("POST", "/api/v1/admin/film-polls", staff, `{"districtId":"`+town.ID+`","films":["只有一部"],"closesAt":"2026-12-03T00:00:00Z"}`), 400, "poll_invalid", "one film")
	e.want(e.do("POST", "/api/v1/admin/film-polls", e.token("o-1"), `{}`), 403, "forbidden", "resident offers films")

	r = e.do("GET", "/api/v1/film-polls/"+poll, "", "")
	if r.Code != 200 || !strings.Contains(r.Raw, `"votes":[1,1,3]`) || !strings.Contains(r.Raw, `"leading":["地道战"]`) {
		t.Errorf("poll = %d %s, want votes [1,1,3] and 地道战 leading", r.Code, r.Raw)
	}
	e.set(t0.AddDate(0, 0, 2))
	e.want(e.do("POST", "/api/v1/film-polls/"+poll+"/votes", e.token("o-late"), `{"film":0}`), 409, "poll_closed", "vote after the close")
	e.want(e.do("GET", "/api/v1/film-polls/nope", "", ""), 404, "poll_not_found", "unknown poll")
}

// The projectionist's verification: recorded once, with location and head-count, and
// refused outside the geofence, out of time or for a slot that is not a film.
func TestVerifyScreening(t *testing.T) {
	e := mustEnv(t, t0)
	staff := e.token("o-staff", auth.RoleStaff)
	_, slot := e.mustSlot(staff, `{`+slotAt+`,"capacity":200}`) // a film at v1 (27.83, 113.08)
	var more []string
	for range 3 {
		_, s := e.mustSlot(staff, `{`+slotAt+`,"capacity":200}`)
		more = append(more, s)
	}
	verify := func(body string) resp {
		return e.do("POST", "/api/v1/admin/screenings/"+slot+"/verify", e.token("o-proj", auth.RoleStaff), body)
	}
	e.want(verify(`{"lat":27.831,"lng":113.08,"headCount":80}`), 409, "not_a_screening", "days before the screening")
	e.set(time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC))
	e.want(verify(`{"lat":27.84,"lng":113.08,"headCount":80}`), 403, "outside_geofence", "a kilometre away")
	e.want(verify(`{"lat":27.831,"lng":113.08,"headCount":-1}`), 400, "screening_invalid", "negative head-count")
	r := verify(`{"lat":27.831,"lng":113.08,"headCount":80}`)
	if r.Code != 201 || r.num("headCount") != 80 || r.Body["distanceMeters"].(float64) > 150 || r.str("locationSource") != "page" {
		t.Errorf("verify on site = %d %s, want 201 from the page's location", r.Code, r.Raw)
	}
	e.want(verify(`{"lat":27.831,"lng":113.08,"headCount":90}`), 409, "screening_verified", "second verification")
	e.want(e.do("POST", "/api/v1/admin/screenings/"+slot+"/verify", e.token("o-1"), `{"lat":27.831,"lng":113.08,"headCount":1}`), 403, "forbidden", "resident verifies")

	// The location WeChat reported for the projectionist in the last 10 minutes is the one
	// used and recorded as such, whatever the page says; an older one is not.
	ctx := context.Background()
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	reported := func(at time.Time, lat float64) {
		if err := e.app.People.SetLocation(ctx, "o-proj", accountdb.Location{Lat: lat, Lng: 113.08, At: at}); err != nil {
			t.Fatal(err)
		}
	}
	verifyAt := func(body string) resp {
		slot := more[0]
		more = more[1:]
		return e.do("POST", "/api/v1/admin/screenings/"+slot+"/verify", e.token("o-proj", auth.RoleStaff), body)
	}
	reported(now.Add(-2*time.Minute), 27.84) // a kilometre away
	e.want(verifyAt(`{"lat":27.831,"lng":113.08,"headCount":80}`), 403, "outside_geofence", "the page on site, WeChat a kilometre away")
	reported(now.Add(-2*time.Minute), 27.8305)
	if r := verifyAt(`{"lat":27.84,"lng":113.08,"headCount":80}`); r.Code != 201 || r.str("locationSource") != "wechat" || r.Body["lat"] != 27.8305 {
		t.Errorf("verify with WeChat's location = %d %s, want 201 from WeChat's 27.8305", r.Code, r.Raw)
	}
	reported(now.Add(-11*time.Minute), 27.8305)
	e.want(verifyAt(`{"headCount":80}`), 400, "screening_invalid", "no page location, WeChat's too old")
}
