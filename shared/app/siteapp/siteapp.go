// Package siteapp wires the foundation the H5 pages stand on (shared/h5), shared by the
// residents' pages (pagesapp) and the staff console (consoleapp), so that the console
// links none of the residents' pages nor the search they use.
package siteapp

import (
	"github.com/wentitong/wentitong/shared/access"
	"github.com/wentitong/wentitong/shared/app/accountapp"
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/wechatapi"
	"github.com/wentitong/wentitong/shared/config"
	"github.com/wentitong/wentitong/shared/h5"
	"github.com/wentitong/wentitong/shared/wechat"
)

// Foundation checks that the configuration has what needs name, then returns the
// foundation of the pages (Site) and the policy of their routes: the first steps of the
// pages' and the console's routers.
func Foundation(b *boot.Base, api *wechatapi.API, needs config.Needs) (*h5.Site, *access.Policy, error) {
	policy, err := b.PolicyFor(needs)
	if err != nil {
		return nil, nil, err
	}
	site, err := Site(b, api)
	return site, policy, err
}

// Site returns the foundation of the H5 pages: sessions on auth tokens signed in by
// WeChat web authorisation, CSRF, the layout and assets. H5_BASE_URL's path must be /h5.
func Site(b *boot.Base, api *wechatapi.API) (*h5.Site, error) {
	sessions, err := accountapp.SignIn(b, api)
	if err != nil {
		return nil, err
	}
	authorizeHost := wechat.AuthorizeHost
	if b.Config.WeChatAPIBase != "" {
		authorizeHost = b.Config.WeChatAPIBase // a fake WeChat serves the authorisation page too
	}
	return h5.New(h5.Config{
		Base:    b.H5Base(),
		Auth:    sessions,
		CSRFKey: sessions.Secret, // SESSION_SECRET
		AuthorizeURL: func(redirectURI, state string) string {
			return wechat.AuthorizeURLAt(authorizeHost, api.AppID, redirectURI, state)
		},
		People: b.People(),
	})
}
