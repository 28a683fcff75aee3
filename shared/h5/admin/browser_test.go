package admin_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cdpfetch "github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/browsertest"
	"github.com/wentitong/wentitong/shared/evaluation"
	"github.com/wentitong/wentitong/shared/team"
	"github.com/wentitong/wentitong/shared/volunteer"
)

// The demo's staff member of 天元区 (the city library).
const staff = "o-staff-library"

// waitFor waits until the element matching css is visible.
func waitFor(t *testing.T, b *browsertest.Browser, css string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), browsertest.Patience)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(css))); err != nil {
		t.Fatalf("wait for %s: %v", css, err)
	}
}

// A staff member runs a screening from creating it to checking its audience in: signs
// in, publishes the film and a session, a resident books it, and the door admits the
// typed booking code once, then says 已使用.
func TestScreeningFromCreationToTheDoor(t *testing.T) {
	p := browsertest.StartDemo(t)
	b := p.Browser(t)
	b.SignIn(staff, "/h5/admin")
	if !strings.HasPrefix(b.Path(), "/h5/admin") {
		t.Fatalf("signed in at %s, want the console", b.Path())
	}
	b.Check("工作台 今日")

	b.Open("/h5/admin/activities/new")
	b.Check("工作台 新建活动")
	b.Select("#kind", string(booking.KindFilm))
	b.Fill("#title", "公益电影《长津湖》")
	venue := browsertest.Eval[string](b, `document.querySelector('#venueId option:nth-child(2)').value`)
	b.Select("#venueId", venue)
	b.Click("form button[type=submit]")
	if !strings.HasPrefix(b.Path(), "/h5/admin/activities/") || !strings.Contains(b.Text("main .notice"), "活动已保存") {
		t.Fatalf("after publishing the activity the browser is at %s", b.Path())
	}
	b.Check("工作台 活动")

	start := p.Now().Add(30 * time.Minute).In(beijing.Zone)
	setValue(b, "#startsAt", start.Format("2006-01-02T15:04"))
	setValue(b, "#endsAt", start.Add(2*time.Hour).Format("2006-01-02T15:04"))
	b.Fill("#capacity", "50")
	b.Click("form[action$='/slots'] button[type=submit]")
	slotPath := b.Path()
	if !strings.HasPrefix(slotPath, "/h5/admin/slots/") {
		t.Fatalf("after adding the session the browser is at %s", slotPath)
	}
	slotID := strings.TrimPrefix(strings.Split(slotPath, "?")[0], "/h5/admin/slots/")

	// A resident books two places through the residents' pages, at the address the
	// session's page gives staff to pass on.
	public := browsertest.Eval[string](b, `document.querySelector('#public-page').getAttribute('href')`)
	if public != "/h5/slots/"+slotID {
		t.Errorf("the session's page passes on %q, want the residents' page of the session", public)
	}
	rb := p.Browser(t)
	rb.SignIn("o-resident-7", public)
	rb.Select("#party", "2")
	rb.Click(`#book button[type=submit]`)
	if h := rb.Text("main h1"); h != "预约成功" {
		t.Fatalf("the resident's booking page says %q, want 预约成功: %s", h, rb.Text("main"))
	}
	code := rb.Text("dd.code")
	ticket, err := browsertest.DecodeQR(rb.Screenshot(".qrbox svg"))
	if err != nil || !strings.HasPrefix(ticket, "WT1.") || len(code) != 8 {
		t.Fatalf("the resident's ticket reads %q, %v, code %q", ticket, err, code)
	}

	// What the district's report says of this month before the door opens.
	month := start.Format("2006年1月")
	report := "/h5/admin/reports?period=" + start.Format("2006-01")
	before := -1
	for i := 0; i < 20; i++ { // until the counters have taken in the demo's past
		b.Open(report)
		n := attendance(b.Text("#chart-trend"), month)
		if n == before {
			break
		}
		before = n
		time.Sleep(300 * time.Millisecond)
	}

	b.Open("/h5/admin/scan?slot=" + slotID)
	b.Check("工作台 检票")
	// The door's connection drops the answer to the first scan after the platform has
	// admitted it: the page sends the same scan again and shows 入场, admitting once (the
	// report below counts two people, the next scan says 已使用).
	sent := dropFirstAnswer(t, b, "/h5/admin/checkins")
	b.Fill("#ticket", code)
	b.Tap("#scan button[type=submit]")
	waitFor(t, b, "#answer.ok")
	if got := b.Text("#answer"); !strings.Contains(got, "入场") || !strings.Contains(got, "2 人") {
		t.Errorf("first scan answered %q, want 入场 for 2 people", got)
	}
	if n := sent.Load(); n != 2 {
		t.Errorf("the scan reached the platform %d times, want twice (the lost answer, the retry)", n)
	}
	if ms := b.Measure(); len(ms.Failures) > 0 {
		t.Errorf("the answer screen: %v", ms.Failures)
	}
	b.Save("工作台 检票 入场")
	b.Tap("#next")
	b.Fill("#ticket", ticket) // the QR code, as a scanner types it
	b.Tap("#scan button[type=submit]")
	waitFor(t, b, "#answer.no")
	if got := b.Text("#answer"); !strings.Contains(got, "已使用") || !strings.Contains(got, "检票入场") {
		t.Errorf("second scan answered %q, want 已使用 with when", got)
	}
	b.Save("工作台 检票 已使用")

	b.Open(slotPath)
	b.Check("工作台 名单")
	labelled(t, b, slotPath)
	if got := b.Text("main .list"); !strings.Contains(got, "已入场") {
		t.Errorf("the roster says %q, want the booking checked in", got)
	}
	csv := fetch(t, b, `document.querySelector('a[href$="roster.csv"]').href`) // text() drops the byte order mark
	if !strings.HasPrefix(csv, "预约码,预约人,人数") || !strings.Contains(csv, code+",") || !strings.Contains(csv, "\r\n") {
		t.Errorf("the roster's CSV = %q, want the Chinese header, the booking, CRLF", csv)
	}
	if bom := evalAsync(t, b, `fetch(document.querySelector('a[href$="roster.csv"]').href).then(r => r.arrayBuffer())`+
		`.then(b => Array.from(new Uint8Array(b.slice(0, 3))).join(','))`); bom != "239,187,191" {
		t.Errorf("the roster's CSV starts with bytes %s, want the UTF-8 byte order mark Excel needs", bom)
	}

	// 今日 lists the session with its places taken and the people in.
	b.Open("/h5/admin")
	if got := b.Text("a.row[href='" + strings.Split(slotPath, "?")[0] + "']"); !strings.Contains(got, "公益电影《长津湖》") ||
		!strings.Contains(got, "已约 2/50") || !strings.Contains(got, "已入场 2 人") {
		t.Errorf("today's row of the session says %q, want 2 of 50 booked, 2 in", got)
	}
	b.Save("工作台 今日 检票后")

	// The two admitted reach the district's report, counted from the table's changes.
	deadline := time.Now().Add(10 * time.Second)
	for {
		b.Open(report)
		if attendance(b.Text("#chart-trend"), month) == before+2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the report's attendance of %s = %d, want %d + the two admitted: %q", month, attendance(b.Text("#chart-trend"), month), before, b.Text("#chart-trend"))
		}
		time.Sleep(300 * time.Millisecond)
	}
	b.Check("工作台 报表")
	for _, chart := range []string{"trend", "coverage", "satisfaction", "people", "training"} {
		if n := browsertest.Eval[int](b, `document.querySelectorAll('#chart-`+chart+` svg.bar').length`); n == 0 {
			t.Errorf("chart %s draws no bars", chart)
		}
	}
	onDesktop(t, b, "工作台 报表", func() {
		if rows := browsertest.Eval[int](b, `new Set([...document.querySelectorAll('.chart')].map(c => Math.round(c.getBoundingClientRect().top))).size`); rows > 3 {
			t.Errorf("on a desktop the report's 5 charts take %d rows, want them two by two", rows)
		}
	})
}

// onDesktop shows the page on an office screen (1280×800) while check runs: it must not
// scroll sideways; with -screenshots DIR it is saved as "DIR/<name>-桌面.png".
func onDesktop(t *testing.T, b *browsertest.Browser, name string, check func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), browsertest.Patience)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800, chromedp.EmulateScale(1))); err != nil {
		t.Fatalf("emulate a desktop: %v", err)
	}
	defer func() {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(browsertest.PhoneWidth, browsertest.PhoneHeight, chromedp.EmulateScale(2), chromedp.EmulateMobile)); err != nil {
			t.Fatalf("back to the phone: %v", err)
		}
	}()
	if w := browsertest.Eval[int](b, `document.documentElement.scrollWidth`); w > 1280 {
		t.Errorf("%s on a desktop is %d px wide, scrolling sideways", name, w)
	}
	check()
	if dir := browsertest.ScreenshotDir(); dir != "" {
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+"-桌面.png"), png, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// dropFirstAnswer loses the answer to the page's first request to path after the
// platform has handled it, as a connection dropped on the way back does, and lets every
// later one through. It counts the requests that reached the platform.
func dropFirstAnswer(t *testing.T, b *browsertest.Browser, path string) *atomic.Int32 {
	t.Helper()
	ctx := b.Context()
	paused := chromedp.Events(ctx, cdpfetch.RequestPaused)
	pattern := []*cdpfetch.RequestPattern{{URLPattern: "*" + path, RequestStage: cdpfetch.RequestStageResponse}}
	if _, err := chromedp.Call(ctx, cdpfetch.Enable, cdpfetch.EnableParams{Patterns: pattern}); err != nil {
		t.Fatalf("intercept %s: %v", path, err)
	}
	var n atomic.Int32
	go func() { // until the browser closes
		for ev, err := range paused {
			if err != nil {
				return
			}
			if n.Add(1) == 1 {
				_, _ = chromedp.Call(ctx, cdpfetch.FailRequest, cdpfetch.FailRequestParams{RequestID: ev.RequestID, ErrorReason: network.ErrorReasonConnectionReset})
			} else {
				_, _ = chromedp.Call(ctx, cdpfetch.ContinueRequest, cdpfetch.ContinueRequestParams{RequestID: ev.RequestID})
			}
		}
	}()
	return &n
}

// attendance reads the attendance of month from the trend chart's text.
func attendance(chart, month string) int {
	_, rest, ok := strings.Cut(chart, month)
	if !ok {
		return -1
	}
	_, rest, ok = strings.Cut(rest, "到场 ")
	if !ok {
		return -1
	}
	n := 0
	for _, r := range rest {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// setValue sets a field's value as a date picker does.
func setValue(b *browsertest.Browser, css, v string) {
	browsertest.Eval[bool](b, `(() => { const e = document.querySelector(`+quote(css)+`); e.value = `+quote(v)+`; return true })()`)
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

// The demo's coordinator of 攸县.
const coordinator = "o-coordinator-youxian"

// idNumber is a valid resident identity number.
func idNumber(t *testing.T) string {
	for _, c := range "0123456789X" {
		if id := "43022319900101123" + string(c); volunteer.ValidIDNumber(id) {
			return id
		}
	}
	t.Fatal("no check character")
	return ""
}

// A coordinator approves a volunteer's application (the ID number masked), creates a
// shift, and prints its poster, whose QR code is the shift's: WeChat turns it into the
// scene shift:<id>.
func TestCoordinatorApprovesAndPrintsAShiftPoster(t *testing.T) {
	p := browsertest.StartDemo(t)
	ctx := context.Background()
	v, err := p.App.Volunteer().Apply(ctx, "o-applicant-1", volunteer.Application{Name: "李湘君", Phone: "13800138000",
		IDNumber: idNumber(t), DistrictID: "430223001", Category: volunteer.CategoryCulture})
	if err != nil {
		t.Fatal(err)
	}
	b := p.Browser(t)
	b.SignIn(coordinator, "/h5/admin/volunteers")
	b.Check("工作台 志愿者 待审核")
	row := b.Text("main .list")
	if !strings.Contains(row, "李湘君") || strings.Contains(row, idNumber(t)) || !strings.Contains(row, "****") {
		t.Errorf("the pending list shows %q, want the applicant with the ID number masked", row)
	}
	b.Click("a.row[href$='" + v.ID + "']")
	b.Check("工作台 志愿者")
	b.Click("form[action$='/approve'] button")
	if got := b.Text("main .notice"); !strings.Contains(got, "已通过") {
		t.Errorf("after approving: %q", got)
	}
	if got := b.Text("main dl"); !strings.Contains(got, "在册") {
		t.Errorf("the volunteer's status after approving: %q, want 在册", got)
	}

	b.Open("/h5/admin/shifts")
	b.Check("工作台 班次")
	b.Tap("details.card > summary")
	b.Fill("#title", "文化馆周末导览")
	b.Select("#venueId", "v-youxian-culture")
	b.Click("form[action$='/shifts'] button[type=submit]")
	if !strings.HasPrefix(b.Path(), "/h5/admin/shifts/") {
		t.Fatalf("after creating the shift the browser is at %s", b.Path())
	}
	shiftID := strings.TrimPrefix(strings.Split(b.Path(), "?")[0], "/h5/admin/shifts/")
	b.Check("工作台 班次名单")
	b.Click("a[href$='/poster']")
	b.Check("工作台 签到海报")
	text, err := browsertest.DecodeQR(b.Screenshot("#poster-qr svg"))
	if err != nil {
		t.Fatal(err)
	}
	scene := ""
	for _, qr := range p.Fake.QRCodes() {
		if qr.URL == text {
			scene = qr.SceneStr
		}
	}
	if scene != volunteer.ShiftScene(shiftID) {
		t.Errorf("the poster's code %q is WeChat's code of scene %q, want %q", text, scene, volunteer.ShiftScene(shiftID))
	}
	if pdf := fetch(t, b, `document.querySelector('a[href$="poster.pdf"]').href`); !strings.HasPrefix(pdf, "%PDF-1.4") {
		t.Errorf("the poster's PDF starts %q", pdf[:min(len(pdf), 20)])
	}
}

// fetch downloads in the page, with its cookies, the URL expr evaluates to, and returns
// the body as text.
func fetch(t *testing.T, b *browsertest.Browser, expr string) string {
	t.Helper()
	return evalAsync(t, b, `fetch(`+expr+`).then(r => r.text())`)
}

// evalAsync evaluates a promise of a string in the page.
func evalAsync(t *testing.T, b *browsertest.Browser, expr string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), browsertest.Patience)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// Every other page of the console, as the admin sees it with the demo's data and a
// ticket, a team and a failed message made for it, meets the 长辈版 measures in both
// versions; the pages that list things link to their details, which do too.
func TestEveryConsolePageInBrowser(t *testing.T) {
	p := browsertest.StartDemo(t)
	ctx := context.Background()
	if _, err := p.App.Evaluation().File(ctx, evaluation.Ticket{OpenID: "o-resident-3", Category: "suggestion", Text: "希望图书馆周末延长开放到晚上九点", DistrictID: "430211", Source: "h5"}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.App.Teams().Register(ctx, auth.Claims{OpenID: "o-resident-4"}, team.Team{Name: "天元区夕阳红合唱团", Category: "choir", DistrictID: "430211",
		Leader: team.Leader{Name: "周玉兰", Phone: "13900001111"}, MemberCount: 36, Description: "每周二、四上午排练"}); err != nil {
		t.Fatal(err)
	}
	b := p.Browser(t)
	b.SignIn("o-admin", "/h5/admin")
	for _, pg := range []struct{ path, name string }{
		{"/h5/admin/more", "更多"},
		{"/h5/admin/help", "使用说明"},
		{"/h5/admin/scan", "检票 管理员"},
		{"/h5/admin/activities/new", "新建活动 管理员"},
		{"/h5/admin/feedback", "群众意见"},
		{"/h5/admin/teams?which=pending", "团队 待审核"},
		{"/h5/admin/teams?which=all", "团队 全部"},
		{"/h5/admin/figures", "文化名家"},
		{"/h5/admin/venues", "场馆"},
		{"/h5/admin/districts", "行政区划"},
		{"/h5/admin/notifications?status=pending", "消息发送"},
		{"/h5/admin/trainings", "培训与达标"},
		{"/h5/admin/film-polls", "电影点单"},
		{"/h5/admin/activities", "活动列表"},
		{"/h5/admin/volunteers?status=active", "志愿者 在册"},
		{"/h5/admin/shifts", "班次列表"},
		{"/h5/admin/reports", "报表 全市"},
	} {
		b.Open(pg.path)
		b.Check("工作台 " + pg.name)
		labelled(t, b, pg.path)
	}
	// The details behind the lists.
	for _, d := range []struct{ list, link, name string }{
		{"/h5/admin/venues", "a.row[href^='/h5/admin/venues/']", "场馆 修改"},
		{"/h5/admin/figures", "a.row[href^='/h5/admin/figure-calls/']", "文化名家 评选"},
		{"/h5/admin/activities", "a.row[href^='/h5/admin/activities/']", "活动 详情"},
		{"/h5/admin/volunteers?status=active", "a.row[href^='/h5/admin/volunteers/']", "志愿者 在册 详情"},
	} {
		b.Open(d.list)
		if !b.Has(d.link) {
			t.Errorf("%s links to no detail (%s)", d.list, d.link)
			continue
		}
		b.Click(d.link)
		b.Check("工作台 " + d.name)
		labelled(t, b, b.Path())
	}
	// A course's attendance form, from a course made on the page.
	b.Open("/h5/admin/trainings")
	b.Tap("details.card > summary")
	b.Fill("#title", "基层文化骨干培训")
	b.Click("form[action$='/trainings'] button[type=submit]")
	if !strings.HasPrefix(b.Path(), "/h5/admin/trainings/") {
		t.Fatalf("after creating a course the browser is at %s", b.Path())
	}
	b.Check("工作台 培训 出勤")
	// A film poll, offered on the page.
	b.Open("/h5/admin/film-polls")
	village := browsertest.Eval[string](b, `document.querySelector('#districtId option:nth-child(2)').value`)
	b.Select("#districtId", village)
	b.Fill("#films", "流浪地球\n地道战\n刘三姐")
	b.Click("form button[type=submit]")
	if !strings.HasPrefix(b.Path(), "/h5/admin/film-polls/") {
		t.Fatalf("after offering a poll the browser is at %s", b.Path())
	}
	b.Check("工作台 电影点单 票数")
}

// labelled checks that every field of the page has a label a screen reader says and a
// click on which focuses it, and that a keyboard reaches every control: no positive
// tabindex reorders them, none is taken out of the tab order.
func labelled(t *testing.T, b *browsertest.Browser, page string) {
	t.Helper()
	bad := browsertest.Eval[[]string](b, `[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
		.filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
		.map(e => e.outerHTML.slice(0, 80))
		.concat([...document.querySelectorAll('[tabindex]')].filter(e => e.tabIndex !== 0 && !e.matches('section#answer, main, h1')).map(e => 'tabindex: ' + e.outerHTML.slice(0, 80)))`)
	if len(bad) > 0 {
		t.Errorf("%s: fields without a label or controls out of the keyboard's order: %v", page, bad)
	}
}
