// Package consoleapp wires the console function (ConsoleFunction): the staff console
// under /h5/admin, on the H5 foundation the pages function shares (same sessions, CSRF
// and layout), composed from the same domain services the JSON API calls.
package consoleapp

import (
	"github.com/wentitong/wentitong/shared/app/assessmentapp"
	"github.com/wentitong/wentitong/shared/app/bookingsapp"
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/directoryapp"
	"github.com/wentitong/wentitong/shared/app/notificationsapp"
	"github.com/wentitong/wentitong/shared/app/siteapp"
	"github.com/wentitong/wentitong/shared/app/volunteersapp"
	"github.com/wentitong/wentitong/shared/app/wechatapi"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamo/librarydb"
	"github.com/wentitong/wentitong/shared/h5/admin"
	"github.com/wentitong/wentitong/shared/library"
	"github.com/wentitong/wentitong/shared/web"
)

// Needs is the configuration the console function reads: sessions, tickets to check in,
// WeChat's API for the shifts' QR codes, and H5_BASE_URL for the sign-in's return.
var Needs = boot.Needs.And(boot.SessionNeeds, boot.WeChatAPINeeds, bookingsapp.CheckNeeds, config.Needs{Optional: []string{"H5_BASE_URL"}})

// Router returns the console function's routes.
func Router(b *boot.Base, api *wechatapi.API) (*web.Router, error) {
	site, policy, err := siteapp.Foundation(b, api, Needs)
	if err != nil {
		return nil, err
	}
	ev := assessmentapp.Evaluators(b)
	policy.Guard.Grants = ev
	bookings, err := bookingsapp.Checker(b) // the door checks tickets in; it issues none
	if err != nil {
		return nil, err
	}
	// The report's storage: the library's usage counts, read from the table.
	lib := &librarydb.Library{DB: b.DB, Table: b.Table}
	storage := &library.Service{Store: lib, Institutions: lib, Places: b.Directory()}
	c, err := admin.New(admin.Config{
		Site:          site,
		Guard:         b.Guard(),
		Bookings:      bookings,
		Directory:     b.Directory(),
		Volunteers:    volunteersapp.Service(b, api.QR()),
		Training:      volunteersapp.Training(b),
		Evaluation:    directoryapp.Evaluation(b),
		Teams:         directoryapp.Teams(b),
		Figures:       directoryapp.Figures(b),
		Reports:       directoryapp.Reports(b),
		Storage:       storage.Storage,
		Notifications: notificationsapp.Log(b),
		Evaluators:    ev,
		Surveys:       assessmentapp.Surveys(b),
		Assessments:   assessmentapp.Assessments(b),
		Employees:     assessmentapp.Employees(b),
		Now:           b.Now,
	})
	if err != nil {
		return nil, err
	}
	return c.Router(policy), nil
}
