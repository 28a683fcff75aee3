package resident_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/browsertest"
	"github.com/wentitong/wentitong/shared/evaluator"
	"github.com/wentitong/wentitong/shared/volunteer"
)

// The demo's sessions this test books.
const (
	filmSlot   = "a-film-wandering-earth-1" // seated: 10 rows × 12
	paperSlot  = "a-event-paper-cutting-1"  // 30 places, cancel until an hour before
	ballotSlot = "a-event-xiangju-1"        // a ballot
	smallSlot  = "a-reading-picture-books-1"
)

// A resident books a film from the home page in a few taps: seats preselected, the
// result page's QR code is read as a door scanner reads it and the check-in accepts it.
// On the way they cancel another booking, enter a ballot and join a waiting list; every
// page is measured in both versions.
func TestBookAFilmInBrowser(t *testing.T) {
	p := browsertest.StartDemo(t)
	ctx := context.Background()
	svc := p.Bookings(t)
	b := phone(t, p)
	// A visitor from a chat link is not signed in yet: the session page offers to sign
	// in (silent in WeChat; here the fake authorisation asks who) and comes back.
	b.Open("/h5/slots/" + filmSlot)
	b.Click("#signin")
	b.Fill("#openid", "o-resident-1")
	b.Click(`button[type=submit]`)
	if b.Path() != "/h5/slots/"+filmSlot || !b.Has("#book") {
		t.Fatalf("after signing in from the session page the browser is at %s", b.Path())
	}
	b.Open("/h5/")
	b.Check("首页")
	// Filtered by district and day: 芦淞区 on the film's day lists what the service lists
	// for them, and nothing else.
	film1, err := svc.Catalog.Slot(ctx, filmSlot)
	if err != nil {
		t.Fatal(err)
	}
	day := film1.StartsAt.In(beijing.Zone).Format(time.DateOnly)
	b.Select("#district", "430203")
	b.Select("#day", day)
	b.Click(`form.filters button[type=submit]`)
	listed, _, err := svc.List(ctx, booking.ListQuery{DistrictID: "430203", Date: day, Limit: "20"})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range listed {
		for _, sl := range l.Slots {
			want = append(want, "/h5/slots/"+sl.ID)
		}
	}
	got := browsertest.Eval[[]string](b, `[...document.querySelectorAll('main a.row')].map(e => e.getAttribute('href'))`)
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Contains(got, "/h5/slots/"+filmSlot) || !slices.Equal(got, want) {
		t.Errorf("芦淞区 on %s lists %v, want %v with the film", day, got, want)
	}
	b.Check("首页 按地区和日期")
	b.Open("/h5/activities/a-film-wandering-earth")
	b.Check("活动")
	b.Open("/h5/")
	b.Click(`nav.kinds a[href$="kind=film"]`)
	if !strings.Contains(b.Text("main"), "流浪地球") {
		t.Fatalf("the film list does not show the demo's film: %s", b.Text("main"))
	}
	b.Check("电影")

	// The film: the best seats are chosen already; two people.
	b.Click(`a.row[href$="/slots/` + filmSlot + `"]`)
	b.Check("场次 选座")
	b.Click(`a[href="?party=2#book"]`)
	chosen := browsertest.Eval[[]string](b, `[...document.querySelectorAll('.seatmap input:checked')].map(e => e.value)`)
	if len(chosen) != 2 || chosen[0][:1] != chosen[1][:1] {
		t.Fatalf("preselected seats = %v, want two side by side", chosen)
	}
	// Tapping a third seat lets go of the first chosen; what shows as chosen (a class, not
	// :has(), which older in-app browsers lack) is what is ticked.
	b.Tap(`.seat:not(.taken):not(.chosen) input[value="A1"]`)
	chosen = browsertest.Eval[[]string](b, `[...document.querySelectorAll('.seatmap input:checked')].map(e => e.value)`)
	shown := browsertest.Eval[[]string](b, `[...document.querySelectorAll('.seat.chosen input')].map(e => e.value)`)
	if len(chosen) != 2 || !slices.Contains(chosen, "A1") || !slices.Equal(shown, chosen) || !strings.Contains(b.Text("#seat-count"), "A1") {
		t.Fatalf("after tapping A1 the ticked seats are %v, shown as chosen %v, said %q", chosen, shown, b.Text("#seat-count"))
	}
	b.Click(`#book button[type=submit]`)
	if h := b.Text("main h1"); h != "预约成功" {
		t.Fatalf("after booking the page says %q, want 预约成功", h)
	}
	b.Check("预约成功")
	film, err := svc.MyBooking(ctx, "o-resident-1", bookingOnPage(b))
	if err != nil || film.SlotID != filmSlot || film.Status != booking.StatusConfirmed || !slices.Equal(slices.Sorted(slices.Values(film.Seats)), slices.Sorted(slices.Values(chosen))) {
		t.Fatalf("the booking on the page = %+v, %v; want the film confirmed with seats %v", film, err, chosen)
	}
	if code := b.Text("dd.code"); code != booking.Code(film.ID) {
		t.Errorf("the page shows the booking code %q, want %q", code, booking.Code(film.ID))
	}
	scanned, err := browsertest.DecodeQR(b.Screenshot(".qrbox svg"))
	if err != nil {
		t.Fatalf("the QR code on the result page does not scan: %v", err)
	}
	b.Click(`a[href$="/ticket"]`)
	b.Check("电子票 全屏")
	if again, err := browsertest.DecodeQR(b.Screenshot(".qrbox svg")); err != nil || again != scanned {
		t.Errorf("the full-screen QR code reads %q, %v; want the result page's", again, err)
	}

	// Another booking, cancelled from 我的预约 with its confirmation.
	b.Open("/h5/slots/" + paperSlot)
	b.Click(`#book button[type=submit]`)
	b.Click(`a[href$="/cancel"]`)
	if !strings.Contains(b.Text("main"), "开场前 1 小时") {
		t.Errorf("the confirmation does not explain the cut-off: %s", b.Text("main"))
	}
	b.Check("取消预约")
	b.Click(`form[action$="/cancel"] button`)
	if b.Path() != "/h5/me/bookings?cancelled=1" || !strings.Contains(b.Text("main"), "已取消预约") {
		t.Errorf("after cancelling the browser is at %s saying %q", b.Path(), b.Text("main"))
	}
	b.Check("我的预约")
	if bs, _ := svc.Mine(ctx, "o-resident-1"); statusOf(bs, paperSlot) != booking.StatusCancelled || statusOf(bs, filmSlot) != booking.StatusConfirmed {
		t.Errorf("after cancelling, Mine = %+v, want the paper-cutting cancelled", bs)
	}

	// A ballot: entered, with the draw's time.
	b.Open("/h5/slots/" + ballotSlot)
	if !strings.Contains(b.Text("main"), "抽签承诺") {
		t.Errorf("the ballot's page does not show its commitment: %s", b.Text("main"))
	}
	b.Check("抽签场次")
	b.Click(`#book button[type=submit]`)
	if h := b.Text("main h1"); h != "已参加抽签" {
		t.Errorf("after entering the ballot the page says %q", h)
	}
	b.Check("已参加抽签")
	b.Click(`a[href$="/draw"]`)
	b.Check("抽签公示")

	// A full session: the form offers the waiting list.
	if _, err := svc.Book(ctx, "o-resident-2", smallSlot, "", booking.Request{PartySize: 3}); err != nil {
		t.Fatal(err)
	}
	b.Open("/h5/slots/" + smallSlot)
	b.Check("已约满 可候补")
	b.Click(`#book button[type=submit]`)
	if !b.Has("main h1") {
		t.Fatalf("joining the waiting list: %s", b.Text("main"))
	}
	if h := b.Text("main h1"); h != "候补成功" || !strings.Contains(b.Text("main"), "第 1 位") {
		t.Errorf("after joining the waiting list the page says %q: %s", h, b.Text("main"))
	}
	b.Check("候补成功")

	// At the door, half an hour before the film, the scanned code is admitted.
	p.SetNow(film.StartsAt.Add(-30 * time.Minute))
	in, err := svc.CheckIn(ctx, scanned, filmSlot, "")
	if err != nil || in.ID != film.ID {
		t.Fatalf("CheckIn(the scanned QR code) = %+v, %v; want the booking admitted", in, err)
	}
	// Three days on, the session has expired: the page sends the browser through the
	// (fake) WeChat authorisation, where the person picks themselves, and back.
	b.Open("/h5/bookings/" + film.ID)
	if !strings.HasPrefix(b.Path(), "/connect/oauth2/authorize?") {
		t.Fatalf("with an expired session the booking page went to %s, want the authorisation", b.Path())
	}
	b.Click(`button[value="o-resident-1"]`)
	if b.Path() != "/h5/bookings/"+film.ID {
		t.Fatalf("after the authorisation the browser is at %s, want the booking", b.Path())
	}
	if h := b.Text("main h1"); h != "已入场" {
		t.Errorf("after the check-in the booking says %q, want 已入场", h)
	}

	// The ballot's entries close; a minute later the scheduler draws. 我的预约 shows the
	// result, the booking its ticket and the published draw.
	ballot, err := svc.Catalog.Slot(ctx, ballotSlot)
	if err != nil {
		t.Fatal(err)
	}
	p.SetNow(ballot.BookingClosesAt.Add(booking.DrawGrace + time.Minute))
	if err := svc.DrawBallots(ctx); err != nil {
		t.Fatal(err)
	}
	b.SignIn("o-resident-1", "/h5/me/bookings")
	if !strings.Contains(b.Text("main"), "抽签结果：中签") {
		t.Errorf("after the draw 我的预约 says %q, want the ballot's result", b.Text("main"))
	}
	bs, err := svc.Mine(ctx, "o-resident-1")
	if err != nil {
		t.Fatal(err)
	}
	b.Click(`a.row[href$="/bookings/` + bookingOf(bs, ballotSlot).ID + `"]`)
	if h := b.Text("main h1"); h != "抽签结果：中签" || !b.Has(".qrbox svg") {
		t.Errorf("the drawn booking says %q (QR code shown: %v), want 抽签结果：中签 with its ticket", h, b.Has(".qrbox svg"))
	}
	b.Check("抽签结果 中签")
	b.Click(`a[href$="/slots/` + ballotSlot + `/draw"]`)
	if !strings.Contains(b.Text("main"), "公开抽签：1 份报名，1 份中签") {
		t.Errorf("the published draw says %q", b.Text("main"))
	}
	b.Check("抽签公示 已开奖")
}

// phone is a browser on the platform whose measurements hold 长辈版 to one column, as
// the residents' pages are.
func phone(t *testing.T, p *browsertest.Platform) *browsertest.Browser {
	b := p.Browser(t)
	b.OneColumn = true
	return b
}

// bookingOnPage is the id of the booking page the browser shows.
func bookingOnPage(b *browsertest.Browser) string {
	id, _, _ := strings.Cut(strings.TrimPrefix(b.Path(), "/h5/bookings/"), "?")
	return id
}

func statusOf(bs []booking.Booking, slot string) booking.Status {
	return bookingOf(bs, slot).Status
}

// bookingOf is the booking of the slot among bs, or none.
func bookingOf(bs []booking.Booking, slot string) booking.Booking {
	for _, b := range bs {
		if b.SlotID == slot {
			return b
		}
	}
	return booking.Booking{}
}

// A refusal is a sentence saying what to do next, never a code.
func TestRefusalSaysWhatToDo(t *testing.T) {
	p := browsertest.StartDemo(t)
	b := phone(t, p)
	b.SignIn("o-resident-1", "/h5/slots/"+paperSlot)
	b.Click(`#book button[type=submit]`)
	// The same session again, from a second page opened before the first booking.
	b.Open("/h5/slots/" + paperSlot + "?party=1")
	if b.Has("#book") {
		t.Fatal("the session page offers the form again after booking it")
	}
	b.Open("/h5/slots/no-such-slot")
	text := b.Text("main")
	if !strings.Contains(text, "找不到该场次") || !strings.Contains(text, "请返回首页") || strings.Contains(text, "slot_not_found") {
		t.Errorf("the refusal reads %q, want a sentence with what to do next and no code", text)
	}
	b.Check("找不到场次")
}

// A resident registers as a volunteer (each wrong field told under it), is approved,
// signs up for a shift and withdraws; files feedback; rates a session they attended;
// votes for the village's film; looks at a venue and the venues near them. Every page in
// both versions.
func TestVolunteerAndOpinionsInBrowser(t *testing.T) {
	p := browsertest.StartDemo(t)
	ctx := context.Background()
	b := phone(t, p)
	b.SignIn("o-resident-1", "/h5/me/volunteer")
	b.Check("志愿者注册")

	// Every wrong field at once, each with its sentence; what was typed stays. The answer
	// to a POST cannot be switched to the other version: it is posted in each.
	for _, elder := range []bool{false, true} {
		b.Open("/h5/me/volunteer")
		if b.Elder() != elder {
			b.SwitchVersion()
		}
		b.Fill("#name", "张")
		b.Fill("#phone", "1380013")
		b.Fill("#idNumber", "110105194912310021")
		b.Click(`form[action$="/me/volunteer"] button`)
		for _, field := range []string{"name", "phone", "idNumber", "districtId"} {
			if !b.Has("#" + field + "-error") {
				t.Errorf("长辈版 = %v: the form does not say what is wrong with %s", elder, field)
			}
		}
		if v := browsertest.Eval[string](b, `document.querySelector('#phone').value`); v != "1380013" {
			t.Errorf("长辈版 = %v: the phone field lost what was typed: %q", elder, v)
		}
		if m := b.CheckShown("志愿者注册 有误"); m.Elder != elder {
			t.Errorf("the form posted in 长辈版 = %v came back in 长辈版 = %v", elder, m.Elder)
		}
	}
	b.Open("/h5/me/volunteer")
	b.SwitchVersion() // back to the standard version
	b.Fill("#name", "张志愿")
	b.Fill("#phone", "13800138000")
	b.Fill("#idNumber", "11010519491231002X")
	b.Select("#districtId", "430223001")
	b.Click(`form[action$="/me/volunteer"] button`)
	if main := b.Text("main"); !strings.Contains(main, "待审核") || !strings.Contains(main, volunteer.MaskIDNumber("11010519491231002X")) || strings.Contains(main, "11010519491231002X") {
		t.Fatalf("after registering the page says %q, want 待审核 and the masked ID number", b.Text("main"))
	}
	b.Check("志愿者 待审核")

	// Approved, with a shift tomorrow at the county's culture centre.
	svc := p.App.Volunteer()
	prof, err := svc.Me(ctx, "o-resident-1")
	if err != nil {
		t.Fatal(err)
	}
	admin := auth.Claims{OpenID: "o-admin", Roles: []string{auth.RoleAdmin}}
	if _, err := svc.Decide(ctx, admin, prof.ID, volunteer.ActionApprove, ""); err != nil {
		t.Fatal(err)
	}
	start := p.Now().Add(26 * time.Hour).Truncate(time.Hour)
	sh, err := svc.CreateShift(ctx, admin, volunteer.Shift{Title: "攸县文化馆导览志愿服务", VenueID: "v-youxian-culture",
		StartsAt: start, EndsAt: start.Add(3 * time.Hour), Capacity: 10})
	if err != nil {
		t.Fatal(err)
	}
	b.Open("/h5/me/volunteer")
	b.Click(`form[action$="/shifts/` + sh.ID + `/signup"] button`)
	if !strings.Contains(b.Text("main"), "报名成功") {
		t.Errorf("after signing up the page says %q", b.Text("main"))
	}
	b.Check("志愿者 已报名")
	b.Click(`form[action$="/shifts/` + sh.ID + `/withdraw"] button`)
	if !strings.Contains(b.Text("main"), "已退出该班次") {
		t.Errorf("after withdrawing the page says %q", b.Text("main"))
	}
	// The certificate is the volunteer's own: without a session, a sign-in first.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Get(p.URL + "/h5/me/volunteer/certificate")
	if err != nil || res.StatusCode != http.StatusFound || !strings.Contains(res.Header.Get("Location"), "/connect/oauth2/authorize?") {
		t.Errorf("the certificate without a session = %v, %v; want a redirect to the authorisation", res, err)
	}
	if res, err = signedIn(t, p, "o-resident-1").Get(p.URL + "/h5/me/volunteer/certificate"); err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("the volunteer's certificate = %d %s %.8q, want the PDF", res.StatusCode, res.Header.Get("Content-Type"), pdf)
	}

	// Feedback: filed, listed.
	b.Open("/h5/feedback")
	b.Check("建议反馈")
	b.Fill("#text", "阅览室希望增加插座")
	b.Click(`form[action$="/feedback"] button`)
	if !strings.Contains(b.Text("main"), "已收到您的意见") || !strings.Contains(b.Text("main"), "阅览室希望增加插座") {
		t.Errorf("after filing, the page says %q", b.Text("main"))
	}
	b.Check("建议反馈 已提交")
	// Staff reply; the reply shows under the resident's ticket.
	eval := p.App.Evaluation()
	mine, err := eval.Mine(ctx, auth.Claims{OpenID: "o-resident-1"})
	if err != nil || len(mine) != 1 {
		t.Fatalf("the resident's tickets = %+v, %v; want the one filed", mine, err)
	}
	const reply = "已在阅览室东侧加装 6 个插座，欢迎使用。"
	if _, err := eval.Reply(ctx, admin, mine[0].ID, reply); err != nil {
		t.Fatal(err)
	}
	b.Open("/h5/feedback")
	if main := b.Text("main"); !strings.Contains(main, "已答复") || !strings.Contains(main, reply) {
		t.Errorf("after the reply the feedback page says %q, want the reply", main)
	}
	b.Check("建议反馈 已答复")

	// Rating the demo's past class resident 1 attended.
	b.Open("/h5/activities/a-past-taichi/rate")
	b.Check("评价")
	b.Tap(`input[name=score][value="5"]`)
	b.Fill("#comment", "老师教得很耐心")
	b.Click(`form[action$="/rate"] button`)
	if b.Path() != "/h5/me/bookings?rated=1" {
		t.Errorf("after rating the browser is at %s: %s", b.Path(), b.Text("main"))
	}
	b.Open("/h5/activities/a-past-taichi/rate")
	b.Tap(`input[name=score][value="4"]`)
	b.Click(`form[action$="/rate"] button`)
	if !strings.Contains(b.Text("main"), "已经评价过") {
		t.Errorf("rating twice says %q, want 已经评价过", b.Text("main"))
	}

	// The village's film vote.
	bookings := p.Bookings(t)
	poll, err := bookings.CreatePoll(ctx, booking.FilmPoll{DistrictID: "430211100201", Films: []string{"《长津湖》", "《我和我的祖国》", "《流浪地球2》"},
		ClosesAt: p.Now().Add(72 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	// Resident 3 has not said where they live: the page asks first.
	b.SignIn("o-resident-3", "/h5/polls/"+poll.ID)
	b.Check("村里放什么电影 设置居住地")
	b.Select("#home", "430211100201")
	b.Click(`form[action$="/me/district"] button`)
	if b.Path() != "/h5/polls/"+poll.ID || !b.Has(`form[action$="/votes"]`) {
		t.Fatalf("after setting the home the browser is at %s: %s", b.Path(), b.Text("main"))
	}
	b.Check("村里放什么电影")
	b.Tap(`input[name=film][value="2"]`)
	b.Click(`form[action$="/votes"] button`)
	if !strings.Contains(b.Text("main"), "投票成功") || !strings.Contains(b.Text("main"), "1 票") {
		t.Errorf("after voting the page says %q", b.Text("main"))
	}

	// A venue, and the venues near a point.
	b.Open("/h5/venues/v-city-library")
	b.Check("场馆")
	b.Open("/h5/map?near=27.83000,113.13000")
	if !b.Has(`a.row[href$="/venues/v-workers-cinema"]`) {
		t.Errorf("the nearest venues do not list the workers' cinema: %s", b.Text("main"))
	}
	b.Check("附近的场馆")
	b.Open("/h5/map")
	b.Check("附近的场馆 未定位")

	// The projectionist's page the chat links when a village's code is scanned.
	b.SignIn("o-admin", "/h5/screenings/a-film-open-air-hutang-1/verify")
	if !b.Has(`form[action$="/verify"] #headCount`) {
		t.Fatalf("the screening's verification page has no form: %s", b.Text("main"))
	}
	b.Check("放映核验")
}

// The nearest venues from the phone's own location: in a browser through geolocation;
// in WeChat through its bridge's getLocation, after the page is signed by the JS-SDK
// config (checked here against the fake WeChat's jsapi_ticket). Either way the list comes
// nearest first, with the distance.
func TestNearestVenuesFromThePhone(t *testing.T) {
	p := browsertest.StartDemo(t)
	const lat, lng = 27.83, 113.13 // beside the workers' cinema

	// A mobile browser: the page asks for the position, which the phone gives.
	b := phone(t, p)
	ctx := b.Context()
	la, ln, acc := lat, lng, 10.0
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
		Permission: &cdpbrowser.PermissionDescriptor{Name: "geolocation"}, Setting: cdpbrowser.PermissionSettingGranted, Origin: p.URL}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetGeolocationOverride, emulation.SetGeolocationOverrideParams{Latitude: &la, Longitude: &ln, Accuracy: &acc}); err != nil {
		t.Fatal(err)
	}
	b.Open("/h5/map")
	b.Click("#locate-button")
	nearestFirst(t, b, "the browser")

	// WeChat: the in-app browser's user agent and its bridge, which records what the page
	// asks of it and answers getLocation.
	w := phone(t, p)
	w.InWeChat(map[string]map[string]any{"geoLocation": {"err_msg": "geo_location:ok", "latitude": fmt.Sprint(lat), "longitude": fmt.Sprint(lng)}})
	w.Open("/h5/map")
	w.Click("#locate-button")
	nearestFirst(t, w, "WeChat")
	asked := w.Bridged()
	if len(asked) != 2 || asked[0].Name != "preVerifyJSAPI" || asked[1].Name != "geoLocation" {
		t.Fatalf("the page asked the bridge %+v, want preVerifyJSAPI then geoLocation", asked)
	}
	if err := p.CheckJSConfig(asked[0], "/h5/map"); err != nil {
		t.Error(err)
	}
}

// nearestFirst checks the page b was sent to by its location button: the venues near
// the position, the workers' cinema first, each with its distance.
func nearestFirst(t *testing.T, b *browsertest.Browser, where string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !strings.HasPrefix(b.Path(), "/h5/map?near=") && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	if got := b.Path(); got != "/h5/map?near=27.83000%2C113.13000" {
		t.Fatalf("%s: the location button led to %s: %s", where, got, b.Text("main"))
	}
	first := browsertest.Eval[string](b, `document.querySelector('main a.row').getAttribute('href')`)
	if first != "/h5/venues/v-workers-cinema" || !strings.Contains(b.Text("main a.row"), "距您") {
		t.Errorf("%s: the nearest venue is %s (%q), want the workers' cinema with its distance", where, first, b.Text("main a.row"))
	}
}

// When API Gateway throttles the booking route (429) or the function is at its ceiling
// (a bare 500), its English JSON never replaces the page: the form says in Chinese to try
// again and stays as it was, and the next try books once. A refusal of the platform's
// own is shown as its page.
func TestThrottledBookingSaysSoInChinese(t *testing.T) {
	browsertest.Chromium(t)
	var posts atomic.Int32
	var pages atomic.Bool // throttle opening pages
	gateway := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if pages.Load() && r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/h5/assets/") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = io.WriteString(w, `{"message":"Too Many Requests"}`)
				return
			}
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/bookings") {
				switch posts.Add(1) {
				case 1:
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusTooManyRequests)
					_, _ = io.WriteString(w, `{"message":"Too Many Requests"}`)
					return
				case 2:
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusInternalServerError)
					_, _ = io.WriteString(w, `{"message":"Internal Server Error"}`)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
	p := browsertest.Start(t, browsertest.Options{Seed: browsertest.Demo, Gateway: gateway})
	ctx := context.Background()
	svc := p.Bookings(t)
	b := phone(t, p)
	b.SignIn("o-resident-1", "/h5/slots/"+paperSlot)

	// A page opened while its route is throttled, once the pages' service worker runs.
	for i := 0; !browsertest.Eval[bool](b, `!!navigator.serviceWorker.controller`); i++ {
		if i == 200 {
			t.Fatal("the pages' service worker does not control the page after 20 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	pages.Store(true)
	b.Open("/h5/slots/" + paperSlot)
	if b.Text("main h1") != "当前访问人数较多" || strings.Contains(b.Text("body"), "message") {
		t.Fatalf("a throttled page reads %q", b.Text("body"))
	}
	b.CheckShown("人数较多 页面")
	pages.Store(false)
	b.Click("#again")
	if !b.Has("#book") {
		t.Fatalf("重新打开 after the throttle shows %q", b.Text("body"))
	}

	for try := 1; try <= 2; try++ {
		b.Tap(`#book button[type=submit]`)
		if said := b.Text("#book-busy"); !strings.Contains(said, "当前预约人数较多") || strings.Contains(b.Text("body"), "message") {
			t.Fatalf("throttled try %d: the page says %q", try, b.Text("body"))
		}
		if b.Path() != "/h5/slots/"+paperSlot || !b.Has("#book button[type=submit]:not([disabled])") {
			t.Fatalf("throttled try %d left the form: at %s", try, b.Path())
		}
	}
	if mine, err := svc.Mine(ctx, "o-resident-1"); err != nil || statusOf(mine, paperSlot) != "" {
		t.Fatalf("a throttled request booked: %v, %v", mine, err)
	}
	b.Check("场次 人数较多")
	b.Click(`#book button[type=submit]`)
	if h := b.Text("main h1"); h != "预约成功" {
		t.Fatalf("after the throttle the next try says %q, want 预约成功", h)
	}
	if mine, _ := svc.Mine(ctx, "o-resident-1"); statusOf(mine, paperSlot) != booking.StatusConfirmed {
		t.Errorf("after the third try: %v, want the session confirmed", mine)
	}

	// The form of a page opened before a booking made elsewhere: the platform's refusal.
	b.Open("/h5/slots/" + smallSlot)
	if _, err := svc.Book(ctx, "o-resident-1", smallSlot, "", booking.Request{PartySize: 1}); err != nil {
		t.Fatal(err)
	}
	b.Tap(`#book button[type=submit]`)
	var text string
	for range 50 { // the answer replaces the page when it arrives
		if text = browsertest.Eval[string](b, `document.querySelector('main') ? document.querySelector('main').innerText : ''`); strings.Contains(text, "您已预约过该场次") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(text, "您已预约过该场次") || b.Has("#book") {
		t.Errorf("the platform's refusal reads %q, want its page", text)
	}
}

// A resident sampled for a satisfaction survey opens it from the invitation, forgets a
// question and is told which, answers and is thanked; opening it again says they have
// answered; a resident not sampled is told the survey is for those drawn. Both versions
// are measured.
func TestSurveyInBrowser(t *testing.T) {
	p := browsertest.StartDemo(t)
	ctx := context.Background()
	surveys := p.App.Surveys()
	sv, err := surveys.Create(ctx, auth.Claims{OpenID: "o-admin", Roles: []string{auth.RoleAdmin}}, evaluator.Survey{
		Title: "2026年公共文化服务满意度调查", Questions: []string{"您对活动内容满意吗？", "您对场馆环境和设施满意吗？", "您对工作人员的服务满意吗？"},
		Districts: []string{"430211"}, Days: 30, PerDistrict: 10, ClosesAt: p.Now().Add(14 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := surveys.Send(ctx, sv.ID); err != nil {
		t.Fatal(err)
	}
	b := phone(t, p)
	b.SignIn("o-resident-1", "/h5/surveys/"+sv.ID)
	b.Check("满意度调查")
	b.Tap(`input[name=q0][value="5"]`)
	b.Tap(`input[name=q2][value="4"]`)
	b.Click(`form[action$="/surveys/` + sv.ID + `"] button`)
	if !strings.Contains(b.Text("main"), "还有问题没有选择") || !b.Has(`fieldset[aria-invalid=true] input[name=q1]`) {
		t.Fatalf("a question left out: the page says %q, want it named", b.Text("main"))
	}
	b.CheckShown("满意度调查 有漏选")
	b.Tap(`input[name=q1][value="3"]`)
	b.Click(`form[action$="/surveys/` + sv.ID + `"] button`)
	if !strings.Contains(b.Text("main"), "已收到您的回答") {
		t.Fatalf("after answering the page says %q", b.Text("main"))
	}
	b.Check("满意度调查 已提交")
	res, err := surveys.Results(ctx, sv.ID)
	if err != nil || len(res.Strata) != 1 || res.Strata[0].Responses != 1 || res.Strata[0].Questions[1].Mean.Value != 3 {
		t.Fatalf("results after the answer = %+v, %v; want one response, question 2 scored 3", res, err)
	}
	b.Open("/h5/surveys/" + sv.ID)
	if !strings.Contains(b.Text("main"), "您已经填写过") || b.Has("form button[type=submit]:not(header *)") && b.Has(`input[name=q0]`) {
		t.Errorf("opening it again says %q, want 已填写 without the form", b.Text("main"))
	}
	b.SignIn("o-resident-5", "/h5/surveys/"+sv.ID) // attended in 攸县 only
	if !strings.Contains(b.Text("main"), "随机抽中") || b.Has(`input[name=q0]`) {
		t.Errorf("a resident not sampled sees %q, want the notice without the form", b.Text("main"))
	}
	b.Check("满意度调查 未抽中")
}
