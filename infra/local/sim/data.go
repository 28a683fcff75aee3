package sim

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/app"
	"github.com/wentitong/wentitong/shared/auth"
	"github.com/wentitong/wentitong/shared/beijing"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/wechat/callback"
	"github.com/wentitong/wentitong/shared/wechattest"
)

// Source is what the simulator reads from the platform to offer choices: who people
// are, the venues for the location map, the QR codes to scan and the tickets.
type Source interface {
	// Role says what openid is on the platform, in Chinese (居民, 工作人员, …).
	Role(ctx context.Context, openid string) (string, error)
	// Following reports whether openid follows the account.
	Following(ctx context.Context, openid string) (bool, error)
	// Venues returns every venue with coordinates.
	Venues(ctx context.Context) ([]Venue, error)
	// Scenes returns the QR codes a person may scan: shifts, venues, screenings.
	Scenes(ctx context.Context, now time.Time) ([]SceneChoice, error)
	// Tickets returns openid's confirmed bookings with their e-tickets.
	Tickets(ctx context.Context, openid string, now time.Time) ([]TicketChoice, error)
}

// Venue is a point of the location map.
type Venue struct {
	ID, Name, Address string
	Lat, Lng          float64
}

// SceneChoice is a parametric QR code printed by the platform.
type SceneChoice struct {
	Scene    string `json:"scene"`              // shift:…, venue:…, screening:…
	Kind     string `json:"kind"`               // 志愿服务班次, 场馆, 电影放映
	Title    string `json:"title"`              // what is printed under the code
	Detail   string `json:"detail"`             // when and where
	QRTicket string `json:"qrTicket,omitempty"` // the code's ticket, when the fake WeChat API made it
	QRURL    string `json:"qrUrl,omitempty"`    // what the code encodes, likewise
}

// TicketChoice is a booking's e-ticket, as its QR code reads.
type TicketChoice struct {
	Ticket string `json:"ticket"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
}

// AppSource reads the platform's table through the app.
type AppSource struct {
	App  *app.App
	Fake *wechattest.Fake // for the tickets of the QR codes it made; may be nil
}

var _ Source = AppSource{}

// roleNames are the roles as the person picker shows them, most powerful first.
var roleNames = []struct{ role, name string }{
	{auth.RoleAdmin, "管理员"},
	{auth.RoleCoordinator, "协调员"},
	{auth.RoleStaff, "工作人员"},
	{auth.RoleVolunteer, "志愿者"},
}

func (s AppSource) Role(ctx context.Context, openid string) (string, error) {
	if slices.Contains(s.App.Config.AdminOpenIDs, openid) {
		return "管理员", nil
	}
	p, err := s.App.People.Person(ctx, openid)
	if errors.Is(err, account.ErrPersonNotFound) {
		return "居民", nil
	}
	if err != nil {
		return "", err
	}
	for _, r := range roleNames {
		if slices.Contains(p.Roles, r.role) {
			return r.name, nil
		}
	}
	return "居民", nil
}

func (s AppSource) Following(ctx context.Context, openid string) (bool, error) {
	p, err := s.App.People.Person(ctx, openid)
	if errors.Is(err, account.ErrPersonNotFound) {
		return false, nil
	}
	return p.Subscribed, err
}

func (s AppSource) Venues(ctx context.Context) ([]Venue, error) {
	ds, err := s.App.Directory.Districts(ctx)
	if err != nil {
		return nil, err
	}
	var out []Venue
	for _, d := range ds {
		if d.ParentID != "" {
			continue
		}
		vs, err := s.App.Directory.VenuesUnder(ctx, d)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			if v.Location.Lat == 0 && v.Location.Lng == 0 {
				continue
			}
			out = append(out, Venue{ID: v.ID, Name: v.Name, Address: v.Address, Lat: v.Location.Lat, Lng: v.Location.Lng})
		}
	}
	slices.SortFunc(out, func(a, b Venue) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// Scenes lists the shifts from a day ago on, the film screenings that have not ended
// and every venue's door code.
func (s AppSource) Scenes(ctx context.Context, now time.Time) ([]SceneChoice, error) {
	codes := map[string]wechattest.QRCode{}
	if s.Fake != nil {
		for _, qr := range s.Fake.QRCodes() {
			codes[qr.SceneStr] = qr
		}
	}
	var out []SceneChoice
	shifts, err := s.App.Volunteers.Shifts(ctx, now.Add(-24*time.Hour))
	if err != nil {
		return nil, fmt.Errorf("list shifts: %w", err)
	}
	for _, sh := range shifts {
		out = append(out, SceneChoice{Scene: sh.Scene, Kind: "志愿服务班次", Title: sh.Title,
			Detail: span(sh.StartsAt, sh.EndsAt)})
	}
	films, err := s.App.Catalog.SlotsOfKind(ctx, booking.KindFilm)
	if err != nil {
		return nil, fmt.Errorf("list screenings: %w", err)
	}
	for _, sl := range films {
		if sl.EndsAt.Before(now) || sl.Status == booking.SlotCancelled {
			continue
		}
		out = append(out, SceneChoice{Scene: callback.Scene(callback.SceneScreening, sl.ID), Kind: "电影放映",
			Title: sl.Title, Detail: span(sl.StartsAt, sl.EndsAt) + " " + sl.VenueName})
	}
	venues, err := s.Venues(ctx)
	if err != nil {
		return nil, fmt.Errorf("list venues: %w", err)
	}
	for _, v := range venues {
		out = append(out, SceneChoice{Scene: callback.Scene(callback.SceneVenue, v.ID), Kind: "场馆", Title: v.Name, Detail: v.Address})
	}
	for i := range out {
		out[i].QRTicket, out[i].QRURL = codes[out[i].Scene].Ticket, codes[out[i].Scene].URL
	}
	return out, nil
}

// Tickets lists openid's confirmed bookings that have not ended more than a day ago,
// soonest first, with the tickets 我的预约 shows.
func (s AppSource) Tickets(ctx context.Context, openid string, now time.Time) ([]TicketChoice, error) {
	svc, err := s.App.Booking()
	if err != nil {
		return nil, err
	}
	bs, err := svc.Mine(ctx, openid)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(bs, func(a, b booking.Booking) int { return a.StartsAt.Compare(b.StartsAt) })
	var out []TicketChoice
	for _, b := range bs {
		if b.Ticket == "" || b.StartsAt.Before(now.Add(-24*time.Hour)) {
			continue
		}
		title := b.ActivityID
		if a, ok, err := s.App.Catalog.Activity(ctx, b.ActivityID); err != nil {
			return nil, err
		} else if ok {
			title = a.Title
		}
		detail := fmt.Sprintf("%s · %d 人", b.StartsAt.In(beijing.Zone).Format("1月2日 15:04"), b.PartySize)
		if !b.CheckedInAt.IsZero() {
			detail += " · 已检票"
		}
		out = append(out, TicketChoice{Ticket: b.Ticket, Title: title, Detail: detail})
	}
	return out, nil
}

// span is a time range in Beijing time: 11月30日 19:30–21:00.
func span(from, to time.Time) string {
	from, to = from.In(beijing.Zone), to.In(beijing.Zone)
	s := from.Format("1月2日 15:04") + "–"
	if to.YearDay() != from.YearDay() || to.Year() != from.Year() {
		return s + to.Format("1月2日 15:04")
	}
	return s + to.Format("15:04")
}
