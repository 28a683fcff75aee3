// Package pagesapp wires the pages function (PagesFunction): the H5 pages under /h5, on
// the foundation shared/h5, composed from the services they call.
package pagesapp

import (
	"context"

	"github.com/wentitong/wentitong/shared/app/accountapp"
	"github.com/wentitong/wentitong/shared/app/bookingsapp"
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/directoryapp"
	"github.com/wentitong/wentitong/shared/app/libraryapp"
	"github.com/wentitong/wentitong/shared/app/siteapp"
	"github.com/wentitong/wentitong/shared/app/volunteersapp"
	"github.com/wentitong/wentitong/shared/app/wechatapi"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/dynamo/assessmentdb"
	"github.com/wentitong/wentitong/shared/evaluator"
	"github.com/wentitong/wentitong/shared/h5/libpages"
	"github.com/wentitong/wentitong/shared/h5/resident"
	"github.com/wentitong/wentitong/shared/web"
)

// Needs is the configuration the pages function reads: sign-in exchanges WeChat codes,
// tickets are signed, and the authorisation returns to H5_BASE_URL.
var Needs = boot.Needs.And(boot.SessionNeeds, boot.WeChatAPINeeds, bookingsapp.TicketNeeds, volunteersapp.IDNeeds, config.Needs{Required: []string{"MEDIA_BUCKET"}, Optional: []string{"S3_ENDPOINT"}}, config.Needs{Optional: []string{"H5_BASE_URL"}})

// Deployed builds the pages function's routes as its main serves them, on the library's
// graph built from its configuration.
func Deployed(b *boot.Base, api *wechatapi.API) (*web.Router, error) {
	p, err := libraryapp.New(context.Background(), b, nil)
	if err != nil {
		return nil, err
	}
	return Router(b, api, p)
}

// Router returns the pages function's routes: the foundation's, the residents' pages and
// the library's and news centre's (from libraryapp's graph lp: its media are presigned
// from the bucket, its search reads the published index).
func Router(b *boot.Base, api *wechatapi.API, lp *libraryapp.Parts) (*web.Router, error) {
	site, policy, err := siteapp.Foundation(b, api, Needs)
	if err != nil {
		return nil, err
	}
	lib, err := lp.PageSources(context.Background())
	if err != nil {
		return nil, err
	}
	bookings, err := bookingsapp.Service(b)
	if err != nil {
		return nil, err
	}
	volunteers, err := volunteersapp.Registrar(b, nil) // residents register on the pages too
	if err != nil {
		return nil, err
	}
	pages, err := resident.New(resident.Config{
		Site: site, Bookings: bookings, Directory: b.Directory(), People: b.People(), Rights: accountapp.Rights(b), Now: b.Now,
		Volunteers: volunteers, Evaluation: directoryapp.Evaluation(b),
		Surveys: &evaluator.Surveys{Store: &assessmentdb.Surveys{DB: b.DB, Table: b.Table}, Now: b.Now},
	})
	if err != nil {
		return nil, err
	}
	libPages, err := libpages.New(libpages.Config{Site: site, Sources: lib})
	if err != nil {
		return nil, err
	}
	rt := site.Router(policy)
	pages.Routes(rt)
	libPages.Routes(rt)
	return rt, nil
}
