// Command volunteers is the VolunteersFunction Lambda: registration, the status
// lifecycle, shifts and sign-ups, hours and the volunteer's own record.
package main

import (
	"github.com/wentitong/wentitong/shared/app/boot"
	"github.com/wentitong/wentitong/shared/app/volunteersapp"
	"github.com/wentitong/wentitong/shared/app/wechatapi"
	"github.com/wentitong/wentitong/shared/web"
)

func main() {
	boot.StartHTTP(wechatapi.With(func(b *boot.Base, api *wechatapi.API) (*web.Router, error) {
		return volunteersapp.Router(b, api.QR())
	}))
}
