package sim_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wentitong/wentitong/infra/local/demo"
	"github.com/wentitong/wentitong/infra/local/sim"
	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/browsertest"
	"github.com/wentitong/wentitong/shared/web"
)

// startSimulator starts the platform with the demo's data and the simulator mounted on
// it at /_dev/, as the local runner serves them.
func startSimulator(t *testing.T) *browsertest.Platform {
	t.Helper()
	browsertest.Chromium(t)
	return browsertest.Start(t, browsertest.Options{
		Seed: func(ctx context.Context, a *app.App) error {
			_, err := demo.SeedBase(ctx, a)
			return err
		},
		Mount: func(p *browsertest.Platform, rt *web.Router) error {
			o := sim.ForApp(p.App, p.Fake, p.URL)
			o.Now = p.Now
			s, err := sim.New(o)
			if err != nil {
				return err
			}
			s.Register(rt)
			return nil
		},
	})
}

// waitFor waits until the JavaScript condition holds on the page, for at most 10 s.
func waitFor(t *testing.T, b *browsertest.Browser, what, cond string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if browsertest.Eval[bool](b, "!!("+cond+")") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 10 s for %s; the conversation shows:\n%s", what, browsertest.Eval[string](b, "document.getElementById('chat').innerText"))
		}
	}
}

// replyWith is the condition that one of the account's messages contains text.
func replyWith(text string) string {
	return fmt.Sprintf("[...document.querySelectorAll('.row.them')].some(e => e.textContent.includes(%q))", text)
}

// In a browser, as a resident: send 电影 and see the films listed, with links that sign
// the resident in to the pages; tap the menu; follow; scan a venue's code; see a
// message the notifier sent arrive. Then, as the admin, scan the resident's ticket with
// the menu's scan button. With -screenshots DIR, each step is saved.
func TestSimulatorInTheBrowser(t *testing.T) {
	p := startSimulator(t)
	b := p.Browser(t)
	b.Open("/_dev/?openid=o-resident-1")

	b.Tap("#to-input")
	b.Fill("#text", "电影")
	b.Tap("#send")
	waitFor(t, b, "the films", replyWith("公益电影《流浪地球2》"))
	if got := b.Text(".row.me .bubble"); got != "电影" {
		t.Errorf("my bubble says %q, want 电影", got)
	}
	b.Save("simulator-chat")

	href := browsertest.Eval[string](b, "document.querySelector('.row.them .bubble a').getAttribute('href')")
	if want := "/_dev/login?next=%2Fh5%2Factivities%2Fa-film-wandering-earth&openid=o-resident-1"; href != want {
		t.Errorf("the first link of the reply is %q, want %q", href, want)
	}
	b.Open(href)
	if got := b.Path(); got != "/h5/activities/a-film-wandering-earth" {
		t.Errorf("the reply's link led to %s, want the film's page signed in", got)
	}

	b.Open("/_dev/?openid=o-resident-1")
	waitFor(t, b, "the conversation so far", replyWith("公益电影《流浪地球2》"))
	b.Tap(`[data-popup="pop-0"]`)
	b.Save("simulator-menu")
	b.Tap(`#pop-0 [data-key="fitness"]`)
	waitFor(t, b, "the fitness classes", replyWith("太极拳晨练公益班"))

	b.Tap("#follow-now")
	waitFor(t, b, "the welcome", replyWith("欢迎关注"))
	if state := b.Text("#follow-state"); state != "已关注" {
		t.Errorf("after following the header says %q, want 已关注", state)
	}
	b.Tap("#to-input")
	b.Tap("#plus")
	b.Tap(`#tools [data-sheet="sheet-scan"]`)
	waitFor(t, b, "the codes to scan", `document.querySelector('#scene-list [data-value="venue:v-city-library"]')`)
	b.Save("simulator-scan-list")
	b.Tap(`#scene-list [data-value="venue:v-city-library"]`)
	waitFor(t, b, "the library's answer", replyWith("欢迎来到株洲市图书馆"))
	b.Save("simulator-scan")

	// A booking made in the pages: the notifier's confirmation reaches the chat.
	svc := p.Bookings(t)
	if _, err := svc.Book(context.Background(), "o-resident-1", "a-film-wandering-earth-1", "browser-1", booking.Request{PartySize: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.DeliverDue(context.Background(), 10); err != nil {
		t.Fatal(err)
	}
	waitFor(t, b, "the booking's confirmation", replyWith("预约成功"))
	if via := browsertest.Eval[string](b, "[...document.querySelectorAll('.row.them')].pop().querySelector('.via').textContent"); via != "客服消息" {
		t.Errorf("the confirmation is labelled %q, want 客服消息", via)
	}

	b.Open("/_dev/?openid=o-admin")
	b.Tap(`[data-popup="pop-2"]`)
	b.Tap(`#pop-2 [data-type="scancode_waitmsg"]`)
	b.Select("#ticket-owner", "o-resident-1")
	waitFor(t, b, "the resident's ticket", `document.querySelector('#ticket-list .choice')`)
	b.Save("simulator-ticket-list")
	b.Tap("#ticket-list .choice")
	waitFor(t, b, "the check-in's answer", replyWith(booking.ErrTooEarly.Message))
	b.Save("simulator-ticket")
	if strings.Contains(browsertest.Eval[string](b, "document.getElementById('chat').innerText"), "暂时无法提供服务") {
		t.Error("a delivery failed")
	}
}

// The promise, tried as a new user would: from the simulator's chat to a booked
// film with a QR ticket in a few taps, in the standard version and in 长辈版 (switched
// on at the first page the chat opens). The ticket's QR code, read from the screen as a
// door scanner reads it, is admitted by the check-in.
func TestFromTheChatToAFilmTicket(t *testing.T) {
	p := startSimulator(t)
	svc := p.Bookings(t)
	type booked struct{ version, openid, id, scanned string }
	var tickets []booked
	for _, v := range []struct {
		version, openid string
		elder           bool
	}{{"标准版", "o-resident-1", false}, {"长辈版", "o-resident-2", true}} {
		b := p.Browser(t)
		b.Open("/_dev/?openid=" + v.openid)
		b.Tap("#to-input")
		b.Fill("#text", "电影")
		b.Tap("#send")
		waitFor(t, b, "the films", replyWith("公益电影《流浪地球2》"))
		// The reply's link opens the film's page in WeChat's browser, signed in.
		b.Open(browsertest.Eval[string](b, "document.querySelector('.row.them .bubble a').getAttribute('href')"))
		if v.elder {
			b.SwitchVersion()
		}
		if b.Elder() != v.elder {
			t.Fatalf("%s: the film's page is in 长辈版 = %v", v.version, b.Elder())
		}
		b.Save("chat-to-ticket film " + v.version)
		b.Click(`a.row[href*="/slots/a-film-wandering-earth-"]`)
		b.Save("chat-to-ticket session " + v.version)
		// The best seats are chosen, and in sight even where the hall is wider than the phone.
		if !browsertest.Eval[bool](b, `(() => { const m = document.querySelector('.seatmap').getBoundingClientRect(),
			s = document.querySelector('.seatmap input:checked').parentNode.getBoundingClientRect();
			return s.left >= m.left && s.right <= m.right; })()`) {
			t.Errorf("%s: the preselected seat is out of sight on the seat map", v.version)
		}
		b.Click(`#book button[type=submit]`)
		if h := b.Text("main h1"); h != "预约成功" || b.Elder() != v.elder {
			t.Fatalf("%s: after 预约 the page says %q (长辈版 = %v): %s", v.version, h, b.Elder(), b.Text("main"))
		}
		b.Save("chat-to-ticket ticket " + v.version)
		scanned, err := browsertest.DecodeQR(b.Screenshot(".qrbox svg"))
		if err != nil {
			t.Fatalf("%s: the ticket's QR code does not scan: %v", v.version, err)
		}
		id, _, _ := strings.Cut(strings.TrimPrefix(b.Path(), "/h5/bookings/"), "?")
		tickets = append(tickets, booked{v.version, v.openid, id, scanned})
	}
	// At the door, half an hour before the film, both tickets are admitted.
	ctx := context.Background()
	for i, tk := range tickets {
		bk, err := svc.MyBooking(ctx, tk.openid, tk.id)
		if err != nil || bk.Status != booking.StatusConfirmed {
			t.Fatalf("%s: the booking on the page = %+v, %v; want it confirmed", tk.version, bk, err)
		}
		if i == 0 {
			p.SetNow(bk.StartsAt.Add(-30 * time.Minute))
		}
		if in, err := svc.CheckIn(ctx, tk.scanned, bk.SlotID, ""); err != nil || in.ID != tk.id {
			t.Errorf("%s: CheckIn(the scanned QR code) = %+v, %v; want the booking admitted", tk.version, in, err)
		}
	}
}
