// Package wechatapp wires the WeChat function (WeChatFunction): the official account's
// server callback and its chat, which answers from the bookings, the directory, the
// volunteers and the feedback desk. It calls no WeChat API (replies are passive; messages
// it queues are sent by the notifier), so it is not given the app secret.
package wechatapp

import (
	"context"
	"fmt"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount"

	"github.com/wentitong/wentitong/shared/app/bookingsapp"
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/directoryapp"
	"github.com/wentitong/wentitong/shared/app/searchapp"
	"github.com/wentitong/wentitong/shared/app/volunteersapp"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamo/bookingdb"
	"github.com/wentitong/wentitong/shared/dynamo/callbackdb"
	"github.com/wentitong/wentitong/shared/dynamo/notifydb"
	"github.com/wentitong/wentitong/shared/dynamo/wechatdb"
	"github.com/wentitong/wentitong/shared/web"
	"github.com/wentitong/wentitong/shared/wechat"
	"github.com/wentitong/wentitong/shared/wechat/callback"
)

// Needs is the configuration the WeChat function reads. TICKET_PUBLIC_KEY opens staff
// ticket scans from the menu (it only verifies tickets: the key that signs them is not
// the callback's); without it the chat says the scan is not open. MEDIA_BUCKET
// holds the search index 搜 reads; without it the chat says search is not open.
var Needs = boot.Needs.And(searchapp.Needs, config.Needs{
	Required: []string{"WECHAT_APP_ID", "WECHAT_TOKEN"},
	Optional: []string{"WECHAT_ENCODING_AES_KEY", "WECHAT_MESSAGE_MODE", "TICKET_PUBLIC_KEY", "ADMIN_OPENIDS", "H5_BASE_URL"},
})

// OfficialAccount returns the SDK client the callback parses, decrypts and replies with:
// it holds no app secret, so it cannot call WeChat's API. Call it once per process.
func OfficialAccount(b *boot.Base) (*officialaccount.OfficialAccount, error) {
	token, aes, err := callbackKeys(b)
	if err != nil {
		return nil, err
	}
	return wechat.New(wechat.Config{AppID: b.Config.WeChatAppID, Token: token, EncodingAESKey: aes}, &wechatdb.Cache{DB: b.DB, Table: b.Table, Now: b.Now, Log: b.Log}), nil
}

// callbackKeys reads the callback's token and, if it has one, its EncodingAESKey.
func callbackKeys(b *boot.Base) (token, aes string, err error) {
	if token, err = b.Secret("WECHAT_TOKEN"); err != nil {
		return "", "", err
	}
	if aes, err = b.OptionalSecret("WECHAT_ENCODING_AES_KEY"); err != nil {
		return "", "", err
	}
	return token, aes, nil
}

// mode is MessageMode of b's configuration with its EncodingAESKey.
func mode(b *boot.Base) (string, error) {
	_, aes, err := callbackKeys(b)
	if err != nil {
		return "", err
	}
	c := b.Config
	c.WeChatAESKey = aes
	return MessageMode(c)
}

// Deployed builds the WeChat function's routes as its main serves them: 搜 reads the
// replica of the published search index.
func Deployed(b *boot.Base) (*web.Router, error) {
	find, err := searchapp.Replica(context.Background(), b, nil, searchapp.ChatWait)
	if err != nil {
		return nil, err
	}
	oa, err := OfficialAccount(b)
	if err != nil {
		return nil, err
	}
	return Router(b, oa, find)
}

// Router returns the WeChat function's routes; oa is OfficialAccount's client (or, where
// one process runs every function, the one client of the process).
func Router(b *boot.Base, oa *officialaccount.OfficialAccount, find searchapp.Source) (*web.Router, error) {
	if err := b.Check(Needs); err != nil {
		return nil, err
	}
	_, aes, err := callbackKeys(b)
	if err != nil {
		return nil, err
	}
	if aes != "" && len(aes) != 43 {
		return nil, fmt.Errorf("config: WECHAT_ENCODING_AES_KEY must be 43 characters, got %d", len(aes))
	}
	if _, err := mode(b); err != nil {
		return nil, err
	}
	return Callback(b, oa, find).Handler(), nil
}

// MessageMode is WECHAT_MESSAGE_MODE, the mode the account is set to in WeChat: plain
// when it is unset and there is no EncodingAESKey; compat and safe need the key, and a
// key without a mode is an error, so that the callback never guesses.
func MessageMode(c config.Config) (string, error) {
	switch {
	case c.WeChatMode == "" && c.WeChatAESKey == "":
		return callback.ModePlain, nil
	case c.WeChatMode == "":
		return "", fmt.Errorf("config: WECHAT_MESSAGE_MODE must say plain, compat or safe when WECHAT_ENCODING_AES_KEY is set")
	case !callback.ValidMode(c.WeChatMode):
		return "", fmt.Errorf("config: WECHAT_MESSAGE_MODE must be plain, compat or safe, got %q", c.WeChatMode)
	case c.WeChatMode != callback.ModePlain && c.WeChatAESKey == "":
		return "", fmt.Errorf("config: WECHAT_MESSAGE_MODE %s needs WECHAT_ENCODING_AES_KEY", c.WeChatMode)
	}
	return c.WeChatMode, nil
}

// Callback returns the WeChat callback with its chat and dedup record; find is the
// index 搜 searches (nil: the chat says search is not open).
func Callback(b *boot.Base, oa *officialaccount.OfficialAccount, find searchapp.Source) *callback.Server {
	links := callback.Links{Base: b.H5Base()}
	dir, catalog := b.Directory(), &bookingdb.Catalog{DB: b.DB, Table: b.Table}
	volunteers := volunteersapp.Service(b, nil) // the chat creates no shift: no QR codes
	chat := &callback.Chat{
		People:   callbackdb.Followers{People: b.People()},
		Catalog:  catalog,
		Venues:   dir,
		Feedback: chatFeedback{directoryapp.Evaluation(b)},
		Outbox:   callbackdb.ChatOutbox{Outbox: &notifydb.Outbox{DB: b.DB, Table: b.Table}}, // custom_text messages, delivered by the notifier
		Scenes: callback.Scenes{
			callback.SceneShift:     shiftScene(volunteers),
			callback.SceneVenue:     venueScene(volunteers, callback.VenueScene(dir, links)),
			callback.SceneScreening: callback.ScreeningScene(catalog.Slot, links),
			// ticket: staff scan tickets with the menu's scan button (scancode_waitmsg).
		},
		Volunteers: chatVolunteers{volunteers},
		Links:      links,
		Now:        b.Now,
		Bookings:   chatBookings{store: &bookingdb.Bookings{DB: b.DB, Table: b.Table}, catalog: catalog},
	}
	if find != nil {
		chat.Search = chatSearch{find}
	}
	// Ticket scans need the key that verifies tickets; without it the chat says the
	// scan is not open.
	if svc, err := bookingsapp.Checker(b); err == nil {
		chat.Checkins = chatCheckins{svc: svc, people: b.People(), admins: b.Config.AdminOpenIDs, guard: b.Guard()}
	}
	msgMode, _ := mode(b)          // Router refuses a configuration without one
	token, _, _ := callbackKeys(b) // (read once already: from the cache)
	return &callback.Server{
		OA: oa, Token: token, Now: b.Now, MaxSkew: 5 * time.Minute, Mode: msgMode,
		Deliveries: &callbackdb.Deliveries{DB: b.DB, Table: b.Table},
		Chat:       chat,
	}
}
