package resident_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/browsertest"
)

// A resident books a session for their mother, then lets her manage her own account
// from 我的家人 (in 长辈版): the page shows a link and its QR code, which reads as the
// same link. Opened by the resident themselves the link is refused in Chinese; the mother,
// signed in in her own WeChat, sees what becomes hers, confirms, and the booking is hers
// (its page opens for her, not for the resident). 我的家人 no longer offers her to book
// for, the session's page no longer lists her, and the used link is refused to a third
// person. Every page is measured in both versions.
func TestTakeoverInBrowser(t *testing.T) {
	p := browsertest.StartDemo(t)
	ctx := context.Background()
	svc := p.Bookings(t)
	const guardian, mother, stranger = "o-resident-6", "o-takeover-mother", "o-resident-7"
	b := phone(t, p)
	b.SignIn(guardian, "/h5/me/family")
	dep := addDependant(b, "王秀英", "mother", paperSlot)
	b.Select("#for", dep)
	b.Click(`#book button[type=submit]`)
	held := bookingOnPage(b)
	if h := b.Text("main h1"); h != "预约成功" || held == "" {
		t.Fatalf("booking for her the page says %q at %s", h, b.Path())
	}

	// 让TA自己管理, in 长辈版: the link, its QR code and what it means.
	b.Open("/h5/me/family")
	b.Check("我的家人 让TA自己管理")
	b.SwitchVersion()
	if !b.Elder() {
		t.Fatal("the 长辈版 switch did not switch 我的家人")
	}
	b.Click("#dependants form.takeover button[type=submit]")
	link := strings.TrimSpace(browsertest.Eval[string](b, `document.querySelector('#takeover-link').value`))
	for _, want := range []string{"王秀英（母亲）", "现有 1 个", "不能再为TA预约", "7 天内有效"} {
		if !strings.Contains(b.Text("main"), want) {
			t.Errorf("the takeover link's page does not say %q: %s", want, b.Text("main"))
		}
	}
	b.CheckShown("让TA自己管理")
	if scanned, err := browsertest.DecodeQR(b.Screenshot(".qrbox svg")); err != nil || scanned != link {
		t.Errorf("the QR code reads %q, %v; want the link %q", scanned, err, link)
	}
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(u.Path, "/h5/takeover/") {
		t.Fatalf("the link %q is not a takeover page (%v)", link, err)
	}
	b.Open("/h5/me/family")
	b.SwitchVersion()

	// The resident opening their own link is told to send it.
	b.Open(u.Path)
	if !strings.Contains(b.Text("main"), "您自己不能使用") || b.Has("#take-over") {
		t.Fatalf("the resident's own link says %q", b.Text("main"))
	}

	// The mother, in her own WeChat: what becomes hers, the confirmation, the result.
	b.SignIn(mother, u.Path)
	for _, want := range []string{"王秀英（母亲）", "现有 1 个", "不能再为您预约", "无法撤销"} {
		if !strings.Contains(b.Text("main"), want) {
			t.Errorf("the takeover page does not say %q: %s", want, b.Text("main"))
		}
	}
	b.Check("自己管理账号")
	b.Click("#take-over button[type=submit]")
	if b.Path() != u.Path || !strings.Contains(b.Text("#took-over"), "转到您的名下") {
		t.Fatalf("after confirming the browser is at %s: %s", b.Path(), b.Text("main"))
	}
	b.Check("已转到您的名下")
	mine, err := svc.Mine(ctx, mother)
	if err != nil {
		t.Fatal(err)
	}
	if got := bookingOf(mine, paperSlot); got.ID != held || got.Status != booking.StatusConfirmed {
		t.Fatalf("her bookings hold %+v for the session, want booking %s confirmed", got, held)
	}
	b.Click(`a[href="/h5/me/bookings"]`)
	b.Open("/h5/bookings/" + held)
	if h := b.Text("main h1"); h != "预约成功" || !b.Has(".qrbox svg") {
		t.Fatalf("her booking's page says %q: %s", h, b.Text("main"))
	}

	// The resident: she is no longer booked for, and the booking is no longer theirs.
	b.SignIn(guardian, "/h5/me/family")
	if b.Has("#dependants") || !strings.Contains(b.Text("#taken-over"), "王秀英（母亲）") || !strings.Contains(b.Text("#taken-over"), "不能再为TA预约") {
		t.Fatalf("after she took over 我的家人 says %q", b.Text("main"))
	}
	b.Check("我的家人 已自己管理")
	b.Open("/h5/slots/" + paperSlot)
	if b.Has("#for") && strings.Contains(b.Text("#for"), "王秀英") {
		t.Errorf("the session's page still offers to book for her: %s", b.Text("#for"))
	}
	if theirs, err := svc.Mine(ctx, guardian); err != nil || bookingOf(theirs, paperSlot).ID == held {
		t.Errorf("the resident still holds her booking: %v, %v", theirs, err)
	}
	b.Open("/h5/bookings/" + held)
	if b.Has("#holder") {
		t.Errorf("her booking's page still opens for the resident: %s", b.Text("main"))
	}

	// The used link, opened by someone else.
	b.SignIn(stranger, u.Path)
	if !strings.Contains(b.Text("main"), "已经用过") || b.Has("#take-over") {
		t.Errorf("the used link says %q to another person", b.Text("main"))
	}
}
