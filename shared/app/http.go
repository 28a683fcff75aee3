package app

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/wentitong/wentitong/shared/account"
	"github.com/wentitong/wentitong/shared/booking"
	"github.com/wentitong/wentitong/shared/dynamo"
	"github.com/wentitong/wentitong/shared/notify"
	"github.com/wentitong/wentitong/shared/web"
	"github.com/wentitong/wentitong/shared/wechat"
	"github.com/wentitong/wentitong/shared/wechat/callback"
)

// routers maps each HTTP function's logical id in template.yaml to the constructor of
// its handler. The local runner mounts each at the routes the template gives it, and a
// test checks that the two agree route for route.
var routers = map[string]func(*App) (*web.Router, error){
	"WeChatFunction":        (*App).wechatRouter,
	"AccountFunction":       (*App).accountRouter,
	"NotificationsFunction": (*App).notificationsRouter,
	"BookingsFunction":      (*App).bookingsRouter,
	"DirectoryFunction":     (*App).directoryRouter,
	"VolunteersFunction":    (*App).volunteersRouter,
}

// HTTPFunctions returns the logical ids of the HTTP functions, sorted.
func HTTPFunctions() []string {
	var ids []string
	for id := range routers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Router returns the unwrapped router of an HTTP function.
func (a *App) Router(logicalID string) (*web.Router, error) {
	build, ok := routers[logicalID]
	if !ok {
		return nil, fmt.Errorf("app: no HTTP function %q", logicalID)
	}
	return build(a)
}

// HTTP returns the handler of an HTTP function as Lambda and the local runner serve it:
// its router wrapped with request ids, recovery and the access log.
func (a *App) HTTP(logicalID string) (http.Handler, error) {
	rt, err := a.Router(logicalID)
	if err != nil {
		return nil, err
	}
	return web.Wrap(rt, a.Log), nil
}

func (a *App) wechatRouter() (*web.Router, error) {
	if err := a.Config.Require("WECHAT_TOKEN"); err != nil {
		return nil, err
	}
	if k := a.Config.WeChatAESKey; k != "" && len(k) != 43 {
		return nil, fmt.Errorf("config: WECHAT_ENCODING_AES_KEY must be 43 characters, got %d", len(k))
	}
	return a.Callback().Handler(), nil
}

// DefaultH5Base is the H5 site linked from the chat when H5_BASE_URL is unset.
const DefaultH5Base = "https://h5.wentitong.cn"

// Callback returns the WeChat callback with its chat and dedup record.
func (a *App) Callback() *callback.Server {
	links := callback.Links{Base: a.h5Base()}
	chat := &callback.Chat{
		People:   a.People,
		Catalog:  a.Catalog,
		Venues:   a.Directory,
		Feedback: chatFeedback{a.Evaluation()},
		Outbox:   a.Outbox, // custom_text messages, delivered by the notifier
		Scenes: callback.Scenes{
			callback.SceneShift:     a.shiftScene,
			callback.SceneVenue:     a.venueScene(callback.VenueScene(a.Directory, links)),
			callback.SceneScreening: a.screeningScene(links),
			// ticket: staff scan tickets with the menu's scan button (scancode_waitmsg).
		},
		Volunteers: chatVolunteers{a.Volunteer()},
		Links:      links,
		Now:        a.Now,
		Bookings:   chatBookings{store: a.Bookings, catalog: a.Catalog},
	}
	// Ticket scans need the key that verifies tickets; without it the chat says the
	// scan is not open.
	if svc, err := a.Booking(); err == nil {
		chat.Checkins = chatCheckins{svc: svc, people: a.People, admins: a.Config.AdminOpenIDs}
	}
	return &callback.Server{
		OA: a.OA, Token: a.Config.WeChatToken, Now: a.Now, MaxSkew: 5 * time.Minute,
		Deliveries: &dynamo.Deliveries{DB: a.DB, Table: a.Config.TableName},
		Chat:       chat,
	}
}

func (a *App) accountRouter() (*web.Router, error) {
	svc, err := a.Auth()
	if err != nil {
		return nil, err
	}
	rt := account.Handler(svc, a.People)
	rt.Handle("GET /api/v1/wechat/jsconfig", wechat.JSConfigHandler(wechat.NewJS(a.OA, a.Now), a.h5Base()))
	rt.Handle("GET /api/v1/auth/wechat/authorize", account.AuthorizeHandler(svc, func(returnTo, state string) string {
		return wechat.AuthorizeURL(a.Config.WeChatAppID, returnTo, state)
	}, a.h5Base()))
	return rt, nil
}

// h5Base is H5_BASE_URL, or DefaultH5Base.
func (a *App) h5Base() string {
	if a.Config.H5BaseURL != "" {
		return a.Config.H5BaseURL
	}
	return DefaultH5Base
}

func (a *App) bookingsRouter() (*web.Router, error) {
	sessions, err := a.Auth()
	if err != nil {
		return nil, err
	}
	svc, err := a.Booking()
	if err != nil {
		return nil, err
	}
	return booking.Handler(svc, sessions), nil
}

func (a *App) notificationsRouter() (*web.Router, error) {
	svc, err := a.Auth()
	if err != nil {
		return nil, err
	}
	return notify.Handler(svc, a.Outbox, a.Now), nil
}
