package resident_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/browsertest"
	"github.com/wentitong/wentitong/shared/privacy"
)

// A resident adds their mother on 我的家人, books a session for her from the session's
// page (her name on the result), downloads their data from 导出我的数据 (the file holds
// her and the booking), removes her, and erases their account after reading what is
// erased and what is kept: the browser is signed out and the bookings no longer
// theirs. Every page is measured in both versions.
func TestFamilyExportAndEraseInBrowser(t *testing.T) {
	p := browsertest.StartDemo(t)
	ctx := context.Background()
	svc := p.Bookings(t)
	const me = "o-resident-3"
	b := phone(t, p)
	b.SignIn(me, "/h5/me/bookings")
	b.Click("a[href='/h5/me/family']")
	if !strings.Contains(b.Text("main"), "还没有添加家人") {
		t.Fatalf("我的家人 of a resident with none says %q", b.Text("main"))
	}
	b.Check("我的家人")

	b.Fill("#name", "王秀英")
	b.Select("#relation", "mother")
	b.Select("#birthYear", "1950")
	b.Click("#add-dependant button[type=submit]")
	if got := b.Text("#dependants"); !strings.Contains(got, "王秀英（母亲）") || !strings.Contains(got, "1950 年出生") {
		t.Fatalf("after adding her the list says %q", got)
	}
	b.Check("我的家人 已添加")

	// The session's page asks for whom; she is booked in her own name.
	b.Open("/h5/slots/" + paperSlot)
	mother := browsertest.Eval[string](b, `[...document.querySelectorAll('#for option')].find(o => o.text.includes('王秀英')).value`)
	b.Select("#for", mother)
	b.Click(`#book button[type=submit]`)
	if h := b.Text("main h1"); h != "预约成功" || !strings.Contains(b.Text("main"), "王秀英（母亲）") {
		t.Fatalf("booking for her the page says %q: %s", h, b.Text("main"))
	}
	mine, err := svc.Mine(ctx, me)
	if err != nil {
		t.Fatal(err)
	}
	held := bookingOf(mine, paperSlot)
	if held.OpenID != booking.Holder(me, mother) || held.For != mother || held.Status != booking.StatusConfirmed {
		t.Fatalf("the booking is held by %q for %q (%s), want %q confirmed", held.OpenID, held.For, held.Status, booking.Holder(me, mother))
	}

	// 导出我的数据: the button downloads the file; it holds her and the booking.
	b.Open("/h5/me/bookings")
	b.Click("#to-data")
	b.Check("导出我的数据")
	type export struct {
		Disposition string `json:"disposition"`
		Person      string `json:"person"`
		Bookings    []string
		HasMother   bool `json:"hasMother"`
	}
	got := browsertest.Await[export](b, `(async () => {
		const a = document.querySelector('#download');
		const r = await fetch(a.href);
		const j = await r.json();
		return {disposition: r.headers.get('content-disposition'), person: j.person,
			Bookings: j.bookings.map(x => x.ID), hasMother: JSON.stringify(j.records).includes('王秀英')};
	})()`)
	if !strings.Contains(got.Disposition, "attachment") || got.Person != me || !got.HasMother || !slices.Contains(got.Bookings, held.ID) {
		t.Fatalf("the downloaded file = %+v, want an attachment of %s with her and booking %s", got, me, held.ID)
	}

	// 同意与授权: withdrawing the location says so, and the log shows the decision.
	b.Open("/h5/me/data")
	b.Click("#to-consents")
	b.Check("同意与授权")
	b.Click("#consent-location button[type=submit]")
	if !strings.Contains(b.Text("#consent-location"), "已撤回") || !strings.Contains(b.Text("#consent-log"), "位置信息：撤回") {
		t.Fatalf("after withdrawing the location the page says %q / %q", b.Text("#consent-location"), b.Text("main"))
	}
	b.Check("同意与授权 已撤回")
	if current, _, err := p.App.People.Consents(ctx, me); err != nil || current["location"].Granted || current["location"].Version == "" {
		t.Errorf("after withdrawing on the page the location's decision = %+v, %v", current["location"], err)
	}

	// She is removed; her booking stands.
	b.Open("/h5/me/family")
	b.Click("#dependants form.delete button[type=submit]")
	if !strings.Contains(b.Text("main"), "已删除") || b.Has("#dependants") {
		t.Fatalf("after removing her the page says %q", b.Text("main"))
	}

	// 注销账号: typing nothing is refused in Chinese and changes nothing; typing 注销
	// erases, signs the browser out and lands on the page that says so.
	b.Open("/h5/me/data")
	b.Click("#to-erase")
	for _, want := range []string{"会删除的信息", "会保留", "匿名编号", "统计", "1 个即将参加的预约"} {
		if !strings.Contains(b.Text("main"), want) {
			t.Errorf("注销账号 does not say %q: %s", want, b.Text("main"))
		}
	}
	b.Check("注销账号")
	b.Fill("#confirm", "好的")
	b.Click("#erase button[type=submit]")
	if !strings.Contains(b.Text("main"), "注销") || !strings.Contains(b.Text("main"), "输入") {
		t.Fatalf("an unconfirmed erasure says %q", b.Text("main"))
	}
	b.CheckShown("注销账号 未确认")
	if mine, err := svc.Mine(ctx, me); err != nil || len(mine) == 0 {
		t.Fatalf("after an unconfirmed erasure the bookings are %v, %v", mine, err)
	}
	b.Open("/h5/me/erase")
	b.Fill("#confirm", "注销")
	b.Click("#erase button[type=submit]")
	if b.Path() != "/h5/erased" || !strings.Contains(b.Text("main"), "已注销") {
		t.Fatalf("after the erasure the browser is at %s: %s", b.Path(), b.Text("main"))
	}
	b.Check("账号已注销")
	if mine, err := svc.Mine(ctx, me); err != nil || len(mine) != 0 {
		t.Errorf("after the erasure %s still has bookings %v, %v", me, mine, err)
	}
	b.Open("/h5/me/bookings")
	if strings.HasPrefix(b.Path(), "/h5/me/bookings") {
		t.Errorf("after the erasure 我的预约 opens without signing in again: %s", b.Text("main"))
	}
}

// realNameSessions starts the demo platform with two real-name sessions of the paper-cut
// class, in 50 and 74 hours, and returns its booking service.
func realNameSessions(t *testing.T) (p *browsertest.Platform, svc *booking.Service, first, second string) {
	t.Helper()
	browsertest.Chromium(t)
	p = browsertest.Start(t, browsertest.Options{Seed: browsertest.Demo})
	ctx := context.Background()
	svc, err := p.App.Booking()
	if err != nil {
		t.Fatal(err)
	}
	paper, err := svc.Catalog.Slot(ctx, paperSlot)
	if err != nil {
		t.Fatal(err)
	}
	realName := func(in time.Duration) string {
		start, end, yes, places, unlimited := p.Now().Add(in).Truncate(time.Minute), p.Now().Add(in+2*time.Hour).Truncate(time.Minute), true, 20, 0
		sl, err := svc.CreateSlot(ctx, paper.ActivityID, booking.SlotPatch{StartsAt: &start, EndsAt: &end, Capacity: &places, PerPersonLimit: &unlimited, RealName: &yes})
		if err != nil {
			t.Fatal(err)
		}
		return sl.ID
	}
	return p, svc, realName(50 * time.Hour), realName(74 * time.Hour)
}

// addDependant adds name (relation) on 我的家人, where b must be, and returns the id
// the session page's chooser gives them, read on slot's page.
func addDependant(b *browsertest.Browser, name, relation, slot string) string {
	b.Fill("#name", name)
	b.Select("#relation", relation)
	b.Click("#add-dependant button[type=submit]")
	b.Open("/h5/slots/" + slot)
	return browsertest.Eval[string](b, `[...document.querySelectorAll('#for option')].find(o => o.text.includes('`+name+`')).value`)
}

// A resident books a real-name session (实名制) for their father: the page asks for his
// ID number, a mistyped one is refused in Chinese and books nothing, the right one books
// him and 我的家人 then shows it masked; a second real-name session books him without
// asking again. Every page is measured in both versions.
func TestRealNameBookingForAParentInBrowser(t *testing.T) {
	p, svc, first, second := realNameSessions(t)
	ctx := context.Background()
	const me = "o-resident-4"
	number := "43020219480611" + "357"
	number += string(privacy.IDCheckChar(number))
	already, err := svc.Mine(ctx, me)
	if err != nil {
		t.Fatal(err)
	}
	b := phone(t, p)
	b.SignIn(me, "/h5/me/family")
	b.Fill("#name", "李建国")
	b.Select("#relation", "father")
	b.Select("#birthYear", "1948")
	b.Click("#add-dependant button[type=submit]")

	b.Open("/h5/slots/" + first)
	father := browsertest.Eval[string](b, `[...document.querySelectorAll('#for option')].find(o => o.text.includes('李建国')).value`)
	if !strings.Contains(b.Text("main"), "实名制") || !b.Has("#idNumber") {
		t.Fatalf("a real-name session's page does not ask for the ID number: %s", b.Text("main"))
	}
	b.Check("场次 实名制")
	b.Select("#for", father)
	b.Fill("#idNumber", number[:17]+"0")
	if number[17] == '0' {
		b.Fill("#idNumber", number[:17]+"1")
	}
	b.Click(`#book button[type=submit]`)
	if !strings.Contains(b.Text("main"), "身份证号码有误") {
		t.Fatalf("a mistyped ID number says %q", b.Text("main"))
	}
	b.CheckShown("实名制 身份证号码有误")
	if mine, err := svc.Mine(ctx, me); err != nil || len(mine) != len(already) {
		t.Fatalf("a refused real-name booking changed the bookings to %d (from %d), %v", len(mine), len(already), err)
	}

	b.Open("/h5/slots/" + first)
	b.Select("#for", father)
	b.Fill("#idNumber", number)
	b.Click(`#book button[type=submit]`)
	if h := b.Text("main h1"); h != "预约成功" || !strings.Contains(b.Text("main"), "李建国（父亲）") {
		t.Fatalf("booking him with his ID number the page says %q: %s", h, b.Text("main"))
	}
	mine, err := svc.Mine(ctx, me)
	if err != nil {
		t.Fatal(err)
	}
	if held := bookingOf(mine, first); held.For != father || held.IDNumberMasked != privacy.IDNumber(number) {
		t.Fatalf("his booking = %+v, want it for him with %s", held, privacy.IDNumber(number))
	}
	b.Open("/h5/me/family")
	if got := b.Text("#dependants"); !strings.Contains(got, privacy.IDNumber(number)) || strings.Contains(got, number[4:14]) {
		t.Fatalf("我的家人 shows %q, want his number masked", got)
	}
	b.Check("我的家人 身份证已登记")

	b.Open("/h5/slots/" + second)
	if !strings.Contains(b.Text("#for"), "身份证已登记") {
		t.Errorf("the second session's chooser says %q, want his number on file", b.Text("#for"))
	}
	b.Select("#for", father)
	b.Click(`#book button[type=submit]`)
	if h := b.Text("main h1"); h != "预约成功" {
		t.Fatalf("the second real-name booking with his number on file says %q: %s", h, b.Text("main"))
	}
}

// A resident books a real-name session for themselves in 长辈版: the form asks for their
// own ID number in large type, a missing one is refused in Chinese and books nothing,
// theirs books them and the booking shows it masked; another family then tries the same
// number for their grandmother and is told it is booked already, which keeps nothing
// on her; a second real-name session books the resident without asking again. Every
// page is measured in both versions.
func TestRealNameOwnBookingInBrowser(t *testing.T) {
	p, svc, first, second := realNameSessions(t)
	ctx := context.Background()
	const me, other = "o-resident-8", "o-resident-9"
	number := "43020319620914" + "562"
	number += string(privacy.IDCheckChar(number))

	b := phone(t, p)
	b.SignIn(me, "/h5/slots/"+first)
	b.SwitchVersion()
	if !b.Elder() {
		t.Fatal("the 长辈版 switch did not switch")
	}
	if got := b.Text("#id-number label"); got != "您本人的身份证号码" {
		t.Fatalf("a real-name session's form for oneself asks %q", got)
	}
	b.Check("场次 实名制 本人")
	b.Click(`#book button[type=submit]`)
	if !strings.Contains(b.Text("main"), "须填写入场者（您本人或所选家人）的身份证号码") {
		t.Fatalf("booking without a number says %q", b.Text("main"))
	}
	b.CheckShown("实名制 须填写本人身份证号码")
	if mine, err := svc.Mine(ctx, me); err != nil || bookingOf(mine, first).ID != "" {
		t.Fatalf("a refused real-name booking booked: %v", err)
	}
	b.Open("/h5/slots/" + first)
	b.Fill("#idNumber", strings.ToLower(number))
	b.Click(`#book button[type=submit]`)
	if h := b.Text("main h1"); h != "预约成功" || b.Text("#id-number") == "" || !strings.Contains(b.Text("#id-number"), privacy.IDNumber(number)) {
		t.Fatalf("booking with her number the page says %q: %s", h, b.Text("main"))
	}
	if strings.Contains(b.Text("main"), number[4:14]) {
		t.Fatal("the booking page shows the ID number in clear")
	}
	b.CheckShown("实名制 本人预约成功")

	// Another family, the same number for their grandmother: refused, nothing kept.
	o := phone(t, p)
	o.SignIn(other, "/h5/me/family")
	grandma := addDependant(o, "张桂花", "grandparent", first)
	if got := o.Text("#id-number label"); got != "入场者的身份证号码" {
		t.Errorf("the form of a resident with family asks %q", got)
	}
	o.Select("#for", grandma)
	o.Fill("#idNumber", number)
	o.Click(`#book button[type=submit]`)
	if !strings.Contains(o.Text("main"), "同一证件每个场次只能预约一次") {
		t.Fatalf("the same number for another family's member says %q", o.Text("main"))
	}
	o.CheckShown("实名制 证件已预约")
	if n, _, err := p.App.People.IDNumberOnFile(ctx, other, grandma); err != nil || n.Hash != "" {
		t.Errorf("the refused booking kept her number (%v)", err)
	}

	// The second session: her number is on file.
	b.Open("/h5/slots/" + second)
	if note := b.Text("#id-number"); !strings.Contains(note, "您本人的号码已登记（"+privacy.IDNumber(number)+"）") {
		t.Errorf("the second session's form says %q, want her number on file", note)
	}
	b.Click(`#book button[type=submit]`)
	if h := b.Text("main h1"); h != "预约成功" || !strings.Contains(b.Text("#id-number"), privacy.IDNumber(number)) {
		t.Fatalf("the second real-name booking with her number on file says %q: %s", h, b.Text("main"))
	}
}
